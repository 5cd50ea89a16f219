"""SQL for the live stream of registration events."""

HORIZON = "SELECT journal_horizon() AS horizon"

# Every account's new events, in the order the journal can promise (sql/020: txid below the horizon).
TAIL = """
SELECT * FROM registration_events
 WHERE (txid, id) > (%(cursor_txid)s, %(cursor_id)s) AND txid < %(horizon)s
 ORDER BY txid, id LIMIT %(limit)s
"""

# What a reconnecting client missed: after its Last-Event-ID, up to where the live feed took over.
REPLAY = """
SELECT * FROM registration_events
 WHERE account_id = %(account_id)s AND id > %(after)s AND (txid, id) <= (%(cursor_txid)s, %(cursor_id)s)
 ORDER BY id LIMIT %(limit)s
"""

# How far a tailer is behind the journal: the events past its cursor (up to 10,000) and the oldest one's age.
LAG = """
SELECT count(*) AS events, coalesce(extract(epoch FROM now() - min(ts)), 0)::float8 AS seconds
  FROM (SELECT ts FROM registration_events WHERE (txid, id) > (%(cursor_txid)s, %(cursor_id)s)
         ORDER BY txid, id LIMIT 10000) behind
"""
