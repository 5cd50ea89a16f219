"""SQL for kazoo_documents, their attachments and the callflow routes they claim."""

from crossbar_py.platform.db import sql

_KEY = "account_id = %(account_id)s AND type = %(type)s AND id = %(id)s"

GET_DOC = f"SELECT * FROM kazoo_documents WHERE {_KEY} AND NOT deleted"
GET_DOC_FOR_UPDATE = GET_DOC + " FOR UPDATE"
# A soft-deleted id stays taken (decisions 6): creates look at every row.
ID_TAKEN = f"SELECT 1 FROM kazoo_documents WHERE {_KEY}"

# {filters}: crossbar_py.http.filters.build (composed with psycopg2.sql, values bound).
LIST_DOCS = sql.SQL("""
SELECT * FROM kazoo_documents
 WHERE account_id = %(account_id)s AND type = %(type)s AND NOT deleted AND id >= %(start)s {filters}
 ORDER BY id
 LIMIT %(limit)s
""")

INSERT_DOC = """
INSERT INTO kazoo_documents (account_id, type, id, doc, rev_hash)
VALUES (%(account_id)s, %(type)s, %(id)s, %(doc)s, %(rev_hash)s)
RETURNING *
"""

# A singleton (limits, configs, whitelabel) written over a soft-deleted one starts a new life.
UPSERT_DOC = """
INSERT INTO kazoo_documents (account_id, type, id, doc, rev_hash)
VALUES (%(account_id)s, %(type)s, %(id)s, %(doc)s, %(rev_hash)s)
ON CONFLICT (account_id, type, id) DO UPDATE
   SET doc = EXCLUDED.doc, rev_hash = EXCLUDED.rev_hash, rev = kazoo_documents.rev + 1, modified = now(),
       deleted = false, created = CASE WHEN kazoo_documents.deleted THEN now() ELSE kazoo_documents.created END
RETURNING *
"""

UPDATE_DOC = f"""
UPDATE kazoo_documents SET doc = %(doc)s, rev = rev + 1, rev_hash = %(rev_hash)s, modified = now()
 WHERE {_KEY}
RETURNING *
"""

SOFT_DELETE = f"UPDATE kazoo_documents SET deleted = true, rev = rev + 1, modified = now() WHERE {_KEY}"
HARD_DELETE = f"DELETE FROM kazoo_documents WHERE {_KEY}"
DROP_ATTACHMENTS = f"DELETE FROM kazoo_attachments WHERE {_KEY}"

PUT_ATTACHMENT = """
INSERT INTO kazoo_attachments (account_id, type, id, name, content_type, body)
VALUES (%(account_id)s, %(type)s, %(id)s, %(name)s, %(content_type)s, %(body)s)
ON CONFLICT (account_id, type, id, name) DO UPDATE
   SET content_type = EXCLUDED.content_type, body = EXCLUDED.body, modified = now()
"""

GET_ATTACHMENT = f"SELECT content_type, body FROM kazoo_attachments WHERE {_KEY} AND name = %(name)s"

WHITELABEL_BY_DOMAIN = """
SELECT * FROM kazoo_documents
 WHERE type = 'whitelabel' AND NOT deleted AND doc ? 'domain' AND lower(doc ->> 'domain') = lower(%(domain)s)
"""

CLAIM_ROUTE = """
INSERT INTO callflow_routes (account_id, kind, value, callflow_id)
VALUES (%(account_id)s, %(kind)s, %(value)s, %(callflow_id)s)
ON CONFLICT (account_id, kind, value) DO NOTHING
RETURNING value
"""

ROUTE_OWNER = """
SELECT r.callflow_id, coalesce(d.doc ->> 'name', '') AS name FROM callflow_routes r
  LEFT JOIN kazoo_documents d ON d.account_id = r.account_id AND d.type = 'callflows' AND d.id = r.callflow_id
 WHERE r.account_id = %(account_id)s AND r.kind = %(kind)s AND r.value = %(value)s
"""

RELEASE_ROUTES = "DELETE FROM callflow_routes WHERE account_id = %(account_id)s AND callflow_id = %(callflow_id)s"

CALLFLOW_NUMBERS = "SELECT value FROM callflow_routes WHERE account_id = %(account_id)s AND kind = 'numbers'"
