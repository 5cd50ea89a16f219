"""SIP URIs as usrloc stores them (Contact, received)."""

import re

URI_RE = re.compile(
    r"^(?P<scheme>sips?):(?:[^@]*@)?(?P<host>\[[^\]]+\]|[^:;>?]+)(?::(?P<port>\d+))?(?P<rest>.*)$", re.IGNORECASE
)


def parse_uri(uri: str) -> tuple:
    """(host, port) of a SIP URI; the port defaults to 5061 for sips or TLS, 5060 otherwise."""
    match = URI_RE.match(uri.strip("<>"))
    if not match:
        return None, None
    port = match["port"]
    if port is None:
        tls = match["scheme"].lower() == "sips" or "transport=tls" in match["rest"].lower()
        return match["host"], 5061 if tls else 5060
    return match["host"], int(port)
