"""SQL for import runs, checkpoints, document provenance and the cut-over journal."""

OPEN_RUN = """
SELECT id FROM import_runs WHERE source = %(source)s AND finished IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE
"""

NEW_RUN = "INSERT INTO import_runs (source) VALUES (%(source)s) RETURNING id"

RUN_CHECKPOINTS = "SELECT account_id, tally FROM import_checkpoints WHERE run_id = %(run_id)s"

CHECKPOINT = """
INSERT INTO import_checkpoints (run_id, account_id, tally) VALUES (%(run_id)s, %(account_id)s, %(tally)s)
"""

FINISH_RUN = "UPDATE import_runs SET finished = now(), report = %(report)s WHERE id = %(run_id)s"

ACCOUNT_RECORDS = "SELECT * FROM import_documents WHERE account_id = %(account_id)s"

RECORD = "SELECT * FROM import_documents WHERE id = %(id)s"

SAVE_RECORDS = """
INSERT INTO import_documents (id, kind, account_id, source_hash, local_hash)
SELECT * FROM unnest(%(id)s::text[], %(kind)s::text[], %(account_id)s::text[], %(source_hash)s::text[],
                     %(local_hash)s::text[])
ON CONFLICT (id) DO UPDATE
   SET source_hash = EXCLUDED.source_hash, local_hash = EXCLUDED.local_hash, imported_at = now()
"""

IMPORTED_ACCOUNTS = "SELECT DISTINCT account_id FROM import_documents WHERE kind = 'account' ORDER BY account_id"

RECORD_MOVE = """
INSERT INTO cutover_moves (account_id, device_id, username, realm, contact, received, event, sent)
VALUES (%(account_id)s, %(device_id)s, %(username)s, %(realm)s, %(contact)s, %(received)s, %(event)s, %(sent)s)
"""

# One import of a source at a time: a second one would race the first for the same accounts.
LOCK_SOURCE = "SELECT pg_try_advisory_lock(7212080, hashtext(%(source)s)) AS locked"
UNLOCK_SOURCE = "SELECT pg_advisory_unlock(7212080, hashtext(%(source)s))"
