"""SQL for users."""

from crossbar_py.platform.db import sql

GET_USER = "SELECT * FROM users WHERE id = %(id)s AND account_id = %(account_id)s AND NOT deleted"

# {filters}: crossbar_py.http.filters.build (composed with psycopg2.sql, values bound).
LIST_USERS = sql.SQL("""
SELECT * FROM users WHERE account_id = %(account_id)s AND NOT deleted AND id >= %(start)s {filters} ORDER BY id
 LIMIT %(limit)s
""")

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

GET_USER_FOR_UPDATE = GET_USER + " FOR UPDATE"

# A lookup key made with a rotated-out pepper, re-made with the current one at the user's next login;
# not a document change (no rev), and only if a password change has not replaced it meanwhile.
REKEY_MD5_LOOKUP = "UPDATE users SET md5_lookup = %(new)s WHERE id = %(id)s AND md5_lookup = %(old)s"
REKEY_SHA1_LOOKUP = "UPDATE users SET sha1_lookup = %(new)s WHERE id = %(id)s AND sha1_lookup = %(old)s"

UPDATE_USER = """
UPDATE users
   SET username = %(username)s, enabled = %(enabled)s, md5_lookup = %(md5_lookup)s, md5_hash = %(md5_hash)s,
       sha1_lookup = %(sha1_lookup)s, sha1_hash = %(sha1_hash)s, salt = %(salt)s, doc = %(doc)s,
       rev = rev + 1, rev_hash = %(rev_hash)s, modified = now()
 WHERE id = %(id)s
RETURNING *
"""


class Delete:
    """The statements crud.delete_document runs for a user."""

    FOR_UPDATE = GET_USER_FOR_UPDATE
    SOFT_DELETE = "UPDATE users SET deleted = true, rev = rev + 1, modified = now() WHERE id = %(id)s"
    HARD_DELETE = "DELETE FROM users WHERE id = %(id)s"


# A user lists the directories it is in as {directory_id: callflow_id} (Kazoo's directories/users_listing).
DIRECTORY_MEMBERS = """
SELECT id AS user_id, doc -> 'directories' ->> %(directory_id)s AS callflow_id FROM users
 WHERE account_id = %(account_id)s AND NOT deleted AND jsonb_typeof(doc -> 'directories') = 'object'
   AND doc -> 'directories' ? %(directory_id)s
 ORDER BY id
"""
