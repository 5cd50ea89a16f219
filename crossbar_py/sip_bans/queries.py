"""SQL for bans: the journal entry of a lifted ban (sql/050)."""

JOURNAL_LIFTED = """
SELECT crossbar_sip_ban_lifted(%(username)s, %(realm)s, %(ip)s, %(kind)s, %(request_id)s)
"""
