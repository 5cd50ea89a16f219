"""SQL for users."""

GET_USER = "SELECT * FROM users WHERE id = %(id)s AND account_id = %(account_id)s AND NOT deleted"

LIST_USERS = """
SELECT * FROM users WHERE account_id = %(account_id)s AND NOT deleted ORDER BY id
"""

INSERT_USER = """
INSERT INTO users (id, account_id, username, enabled, md5_lookup, md5_hash, sha1_lookup, sha1_hash, salt,
                   doc, rev_hash)
VALUES (%(id)s, %(account_id)s, %(username)s, %(enabled)s, %(md5_lookup)s, %(md5_hash)s, %(sha1_lookup)s,
        %(sha1_hash)s, %(salt)s, %(doc)s, %(rev_hash)s)
RETURNING *
"""

FIND_LOGIN_CANDIDATES_MD5 = """
SELECT * FROM users WHERE account_id = %(account_id)s AND md5_lookup = %(lookup)s AND NOT deleted
"""

FIND_LOGIN_CANDIDATES_SHA = """
SELECT * FROM users WHERE account_id = %(account_id)s AND sha1_lookup = %(lookup)s AND NOT deleted
"""
