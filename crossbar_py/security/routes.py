"""HTTP for /v2/security, /v2/accounts/{A}/security and /multi_factor: our real login configuration."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.http import envelope

MODULES = ("cb_api_auth", "cb_auth", "cb_ip_auth", "cb_user_auth")


def _inherited(settings) -> dict:
    modules = {}
    for name in MODULES:
        modules[name] = {
            "enabled": name != "cb_ip_auth",
            "token_auth_expiry_s": settings.token_lifetime,
            "log_failed_attempts": False,
            "log_successful_attempts": False,
        }
    modules["cb_user_auth"]["multi_factor"] = {"enabled": False}
    return {"auth_modules": modules}


async def list_modules(request: web.Request) -> web.Response:
    """GET /v2/security: the auth modules there are."""
    return envelope.success(request, {"available_auth_modules": list(MODULES)})


async def get_security(request: web.Request) -> web.Response:
    """GET /security: nothing set on the account; the configuration every account inherits."""
    return envelope.success(request, {"account": {}, "inherited_config": _inherited(request.app[keys.SETTINGS])})


async def list_attempts(request: web.Request) -> web.Response:
    """GET /security/attempts, /multi_factor/attempts: we keep no login attempt log."""
    return envelope.success(request, [])


async def get_multi_factor(request: web.Request) -> web.Response:
    """GET /multi_factor: no provider configured, none available."""
    return envelope.success(request, {"configured": [], "multi_factor_providers": []})


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    base = "/v2/accounts/{account_id}"
    router.add_get("/v2/security", list_modules)
    router.add_get(f"{base}/security", get_security)
    router.add_get(f"{base}/security/attempts", list_attempts)
    router.add_get(f"{base}/multi_factor", get_multi_factor)
    router.add_get(f"{base}/multi_factor/attempts", list_attempts)
