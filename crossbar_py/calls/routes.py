"""HTTP for channels and cdrs: empty, with Kazoo's query checks so bad input still gets its 400."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.calls import service
from crossbar_py.http import envelope, openapi
from crossbar_py.http.errors import BadIdentifier, ValidationFailed
from crossbar_py.http.pagination import empty_listing
from crossbar_py.http.routing import path_param, route_match

# Kazoo's cdrs: created_from/created_to in Gregorian seconds, at most 31 days apart (crossbar.cdrs maximum_range).
MAX_RANGE = 2_682_000
RANGE_KEYS = ("created_from", "created_to")


def _gregorian(request: web.Request, key: str) -> int | None:
    raw = request.query.get(key)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        detail = {"message": "Value must be an integer", "value": raw}
        raise ValidationFailed({key: {"type": detail}}) from exc


async def _check_subject(request: web.Request) -> None:
    match = route_match(request)
    await service.check_subject(
        request.app[keys.DB], request[keys.ACCOUNT]["id"], match.get("user_id"), match.get("device_id")
    )


def _check_range(request: web.Request) -> None:
    start, end = (_gregorian(request, k) for k in RANGE_KEYS)
    if start is not None and end is not None:
        if end < start:
            message = "created_to is prior to created_from"
            raise ValidationFailed({"created_from": {"date_range": {"message": message, "cause": start}}})
        if end - start > MAX_RANGE:
            message = f"created_to is more than {MAX_RANGE} seconds from created_from"
            detail = {"message": message, "cause": end}
            raise ValidationFailed({"created_to": {"date_range": detail}})


@openapi.documented(paginated=True, params={"created_from": {"type": "integer"}, "created_to": {"type": "integer"}})
async def list_cdrs(request: web.Request) -> web.Response:
    """GET /cdrs, /cdrs/interaction, /users/{U}/cdrs[/interaction]: no calls seen, so none."""
    _check_range(request)
    await _check_subject(request)
    return envelope.success(request, [], extra=empty_listing(request))


async def get_cdr(request: web.Request) -> web.Response:
    """GET /cdrs/{id}: we hold no call record."""
    raise BadIdentifier(path_param(request, "cdr"))


async def list_legs(request: web.Request) -> web.Response:
    """GET /cdrs/legs/{id}: the legs of an interaction we never saw."""
    return envelope.success(request, [])


async def list_channels(request: web.Request) -> web.Response:
    """GET /channels, /users/{U}/channels, /devices/{D}/channels: no live calls."""
    await _check_subject(request)
    return envelope.success(request, [])


async def get_channel(request: web.Request) -> web.Response:
    """GET or PUT (action) /channels/{call}: there is no such call."""
    raise BadIdentifier(path_param(request, "call"))


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    base = "/v2/accounts/{account_id}"
    for prefix in (base, f"{base}/users/{{user_id}}"):
        router.add_get(f"{prefix}/cdrs", list_cdrs)
        router.add_get(f"{prefix}/cdrs/interaction", list_cdrs)
        router.add_get(f"{prefix}/channels", list_channels)
    router.add_get(f"{base}/cdrs/legs/{{interaction}}", list_legs)
    router.add_get(f"{base}/cdrs/{{cdr}}", get_cdr)
    router.add_get(f"{base}/devices/{{device_id}}/channels", list_channels)
    # Kazoo's call and CDR ids are not 32-hex document ids: no `_id` in these names (http/access.py checks those).
    router.add_get(f"{base}/channels/{{call}}", get_channel)
    router.add_put(f"{base}/channels/{{call}}", get_channel)
