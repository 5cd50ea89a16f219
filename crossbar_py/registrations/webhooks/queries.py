"""SQL for webhooks, their delivery state and their attempts log."""

GET_WEBHOOK = "SELECT * FROM webhooks WHERE id = %(id)s AND account_id = %(account_id)s AND NOT deleted"
GET_WEBHOOK_FOR_UPDATE = GET_WEBHOOK + " FOR UPDATE"

LIST_WEBHOOKS = """
SELECT * FROM webhooks WHERE account_id = %(account_id)s AND NOT deleted AND id >= %(start)s ORDER BY id
 LIMIT %(limit)s
"""

# New webhooks start at the journal's head (the column defaults): history is not replayed.
INSERT_WEBHOOK = """
INSERT INTO webhooks (id, account_id, uri, http_verb, kinds, retries, enabled, secret, doc, rev_hash)
VALUES (%(id)s, %(account_id)s, %(uri)s, %(http_verb)s, %(kinds)s, %(retries)s, %(enabled)s, %(secret)s,
        %(doc)s, %(rev_hash)s)
RETURNING *
"""

# Re-enabling starts at the head too: a webhook off for a month does not flood its receiver.
UPDATE_WEBHOOK = """
UPDATE webhooks
   SET uri = %(uri)s, http_verb = %(http_verb)s, kinds = %(kinds)s, retries = %(retries)s, enabled = %(enabled)s,
       doc = %(doc)s, rev = rev + 1, rev_hash = %(rev_hash)s, modified = now(),
       cursor_txid = CASE WHEN %(enabled)s AND NOT enabled THEN journal_horizon() ELSE cursor_txid END,
       cursor_id = CASE WHEN %(enabled)s AND NOT enabled THEN 0 ELSE cursor_id END,
       failures = CASE WHEN %(enabled)s AND NOT enabled THEN 0 ELSE failures END
 WHERE id = %(id)s
RETURNING *
"""

ROTATE_SECRET = """
UPDATE webhooks SET secret = %(secret)s, modified = now()
 WHERE id = %(id)s AND account_id = %(account_id)s AND NOT deleted
RETURNING *
"""


class Delete:
    """The statements crud.delete_document runs for a webhook."""

    FOR_UPDATE = GET_WEBHOOK_FOR_UPDATE
    SOFT_DELETE = "UPDATE webhooks SET deleted = true, rev = rev + 1, modified = now() WHERE id = %(id)s"
    HARD_DELETE = "DELETE FROM webhooks WHERE id = %(id)s"


# Newest first; start is an attempt id (pagination goes backwards in time).
LIST_ATTEMPTS = """
SELECT * FROM webhook_attempts
 WHERE account_id = %(account_id)s AND (%(webhook_id)s::text IS NULL OR webhook_id = %(webhook_id)s)
   AND (%(start)s::bigint IS NULL OR id <= %(start)s)
 ORDER BY id DESC LIMIT %(limit)s
"""

# --- delivery (crossbar_py/resources/webhooks/delivery.py) ---

HORIZON = "SELECT journal_horizon() AS horizon"

# Webhooks with an event waiting below the horizon, due, and not leased by a live worker. SKIP LOCKED: the
# API nodes share the work without waiting on each other; the lease then outlives this short transaction.
CLAIM = """
UPDATE webhooks w SET lease_token = %(token)s, lease_until = now() + make_interval(secs => %(lease)s)
 WHERE w.id IN (
    SELECT h.id FROM webhooks h
     WHERE h.enabled AND NOT h.deleted AND h.next_attempt_at <= now()
       AND (h.lease_until IS NULL OR h.lease_until < now())
       AND EXISTS (SELECT 1 FROM registration_events e
                    WHERE e.account_id = h.account_id AND (e.txid, e.id) > (h.cursor_txid, h.cursor_id)
                      AND e.txid < %(horizon)s AND e.event = ANY(h.kinds))
     ORDER BY h.next_attempt_at LIMIT %(limit)s
       FOR UPDATE SKIP LOCKED)
RETURNING w.*
"""

PENDING_EVENTS = """
SELECT * FROM registration_events
 WHERE account_id = %(account_id)s AND (txid, id) > (%(cursor_txid)s, %(cursor_id)s) AND txid < %(horizon)s
   AND event = ANY(%(kinds)s)
 ORDER BY txid, id LIMIT %(limit)s
"""

INSERT_ATTEMPT = """
INSERT INTO webhook_attempts (webhook_id, account_id, event_id, event, attempt, result, status_code, error,
                              duration_ms)
VALUES (%(webhook_id)s, %(account_id)s, %(event_id)s, %(event)s, %(attempt)s, %(result)s, %(status_code)s,
        %(error)s, %(duration_ms)s)
"""

# Only while this worker still holds the lease: a worker that lost it (too slow) changes nothing.
ADVANCE = """
UPDATE webhooks SET cursor_txid = %(txid)s, cursor_id = %(event_id)s, failures = 0, next_attempt_at = now(),
                    lease_until = now() + make_interval(secs => %(lease)s)
 WHERE id = %(id)s AND lease_token = %(token)s
RETURNING enabled AND NOT deleted AS active
"""

BACK_OFF = """
UPDATE webhooks SET failures = %(failures)s, next_attempt_at = now() + make_interval(secs => %(delay)s)
 WHERE id = %(id)s AND lease_token = %(token)s
"""

RELEASE = "UPDATE webhooks SET lease_token = NULL, lease_until = NULL WHERE id = %(id)s AND lease_token = %(token)s"

PURGE_ATTEMPTS = """
DELETE FROM webhook_attempts
 WHERE id IN (SELECT id FROM webhook_attempts WHERE ts < now() - make_interval(days => %(days)s)
              ORDER BY id LIMIT 10000)
"""

# /metrics: webhooks with events waiting, and the age of the oldest event any of them still owes.
DELIVERY_LAG = """
SELECT count(*) AS backlogged, coalesce(max(extract(epoch FROM now() - e.ts)), 0)::float8 AS seconds
  FROM webhooks h
  CROSS JOIN LATERAL (
       SELECT ts FROM registration_events e
        WHERE e.account_id = h.account_id AND (e.txid, e.id) > (h.cursor_txid, h.cursor_id)
          AND e.event = ANY(h.kinds)
        ORDER BY e.txid, e.id LIMIT 1) e
 WHERE h.enabled AND NOT h.deleted
"""
