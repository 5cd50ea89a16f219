"""HTTP for /v2/api_auth: login with an account's api key (cb_api_auth)."""

from aiohttp import web

from crossbar_py import keys
from crossbar_py.accounts import queries as account_queries
from crossbar_py.auth import tokens as auth
from crossbar_py.auth.user_auth.service import login_data_with_apps
from crossbar_py.http import envelope
from crossbar_py.http.errors import InvalidCredentials, UnknownIdentifier, ValidationFailed
from crossbar_py.http.middlewares import public
from crossbar_py.http.validation import validate

API_AUTH = {
    "type": "object",
    "required": ["api_key"],
    "additionalProperties": False,
    "properties": {"api_key": {"type": "string", "minLength": 64, "maxLength": 64}},
}


@public
async def create_api_auth(request: web.Request) -> web.Response:
    """PUT /v2/api_auth: 201 with an account-level token; 404 with the key when it is unknown."""
    data = request[keys.BODY]["data"]
    if not isinstance(data, dict) or not data.get("api_key"):
        raise InvalidCredentials()
    key = validate(API_AUTH, data)["api_key"]
    account = await request.app[keys.DB].fetch_one(account_queries.FIND_BY_API_KEY, {"api_key": key})
    if account is None:
        raise UnknownIdentifier(key)
    if not account["enabled"]:
        raise ValidationFailed({"account": {"disabled": {"message": "account disabled"}}})
    settings = request.app[keys.SETTINGS]
    token = auth.issue_token(settings.jwt_secret, settings.token_lifetime, account["id"], None, "cb_api_auth")
    request[keys.RAW_TOKEN] = token
    return envelope.success(request, await login_data_with_apps(request.app[keys.DB], account, None), status=201)


def setup(router: web.UrlDispatcher) -> None:
    """Register the routes."""
    router.add_put("/v2/api_auth", create_api_auth)
