"""SQL for accounts."""

GET_ACCOUNT = "SELECT * FROM accounts WHERE id = %(id)s AND NOT deleted"

FIND_BY_REALM = "SELECT * FROM accounts WHERE lower(realm) = lower(%(realm)s) AND NOT deleted"

FIND_BY_NAME_KEY = "SELECT * FROM accounts WHERE name_key = %(name_key)s AND NOT deleted ORDER BY id"

INSERT_ACCOUNT = """
INSERT INTO accounts (id, parent_id, tree, name, name_key, realm, enabled, superduper, api_key, doc, rev_hash)
VALUES (%(id)s, %(parent_id)s, %(tree)s, %(name)s, %(name_key)s, %(realm)s, %(enabled)s, %(superduper)s,
        %(api_key)s, %(doc)s, %(rev_hash)s)
RETURNING *
"""

GET_ACCOUNT_FOR_UPDATE = GET_ACCOUNT + " FOR UPDATE"

UPDATE_ACCOUNT = """
UPDATE accounts
   SET name = %(name)s, name_key = %(name_key)s, realm = %(realm)s, enabled = %(enabled)s, doc = %(doc)s,
       rev = rev + 1, rev_hash = %(rev_hash)s, modified = now()
 WHERE id = %(id)s
RETURNING *
"""

SOFT_DELETE_ACCOUNT = "UPDATE accounts SET deleted = true, rev = rev + 1, modified = now() WHERE id = %(id)s"

HAS_CHILDREN = "SELECT 1 FROM accounts WHERE parent_id = %(id)s AND NOT deleted LIMIT 1"

CHILDREN = "SELECT * FROM accounts WHERE parent_id = %(id)s AND NOT deleted ORDER BY id"

DESCENDANTS = "SELECT * FROM accounts WHERE %(id)s = ANY(tree) AND NOT deleted ORDER BY array_length(tree, 1), id"

ACCOUNTS_BY_IDS = "SELECT * FROM accounts WHERE id = ANY(%(ids)s) AND NOT deleted"

SET_API_KEY = "UPDATE accounts SET api_key = %(api_key)s WHERE id = %(id)s"

FIND_BY_API_KEY = "SELECT * FROM accounts WHERE api_key = %(api_key)s AND NOT deleted"
