"""Typed keys for the application and request state, declared in one place."""

from aiohttp import web

SETTINGS = web.AppKey("settings", object)
DB = web.AppKey("db", object)
REDIS = web.AppKey("redis", object)
KAMAILIO = web.AppKey("kamailio", object)
METRICS = web.AppKey("metrics", object)
REVOCATIONS = web.AppKey("revocations", object)
ACCOUNTS = web.AppKey("account_cache", object)
LOGIN_LIMITER = web.AppKey("login_limiter", object)
EVENTS_HUB = web.AppKey("events_hub", object)
OPENAPI = web.AppKey("openapi", dict)

REQUEST_ID = web.RequestKey("request_id", str)
RAW_TOKEN = web.RequestKey("raw_token", str)
BODY = web.RequestKey("body", dict)
AUTH = web.RequestKey("auth", object)
ACCOUNT = web.RequestKey("account", dict)
MATCH = web.RequestKey("match", object)
VERSION = web.RequestKey("version", int)
