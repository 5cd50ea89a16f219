"""SIP bans that Kamailio holds in its htables: listed, shown in diagnostics and lifted (docs/sip-bans.md)."""
