"""SQL for accounts."""

GET_ACCOUNT = "SELECT * FROM accounts WHERE id = %(id)s AND NOT deleted"

FIND_BY_REALM = "SELECT * FROM accounts WHERE lower(realm) = lower(%(realm)s) AND NOT deleted"

FIND_BY_NAME_KEY = "SELECT * FROM accounts WHERE name_key = %(name_key)s AND NOT deleted ORDER BY id"

ACCOUNT_EXISTS_ANY = "SELECT 1 FROM accounts WHERE id = %(id)s"

INSERT_ACCOUNT = """
INSERT INTO accounts (id, parent_id, tree, name, name_key, realm, enabled, superduper, api_key, doc, rev_hash)
VALUES (%(id)s, %(parent_id)s, %(tree)s, %(name)s, %(name_key)s, %(realm)s, %(enabled)s, %(superduper)s,
        %(api_key)s, %(doc)s, %(rev_hash)s)
RETURNING *
"""
