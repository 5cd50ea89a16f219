"""Marks a handler carries for the pipeline: no token needed, or superduper admins only."""


def unauthenticated(handler):
    """Mark a handler that needs no token (login, tokeninfo, health)."""
    handler.crossbar_unauthenticated = True
    return handler


def superduper_only(handler):
    """Mark a handler only a superduper admin may call (system-wide routes)."""
    handler.crossbar_superduper = True
    return handler


def raw_body(handler):
    """Mark a handler that reads a file body itself (media audio, logos): a non-JSON body is not parsed."""
    handler.crossbar_raw_body = True
    return handler


def accepts_array(handler):
    """Mark a handler whose `data` may be a JSON array (every other route reads an object)."""
    handler.crossbar_array_data = True
    return handler


def has_mark(handler, name: str) -> bool:
    """Whether a handler carries a mark (`unauthenticated`, `superduper`, `raw_body`)."""
    return getattr(handler, f"crossbar_{name}", False)
