"""One frozen settings object, read from the environment."""

import os
import secrets
from dataclasses import dataclass, field


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _list(name: str) -> tuple:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


# What `serve` (and `account create`) refuse to start without: a key picked at random would end every
# token at restart, and a random pepper would hide every user created by another process.
REQUIRED_SECRETS = {
    "CROSSBAR_JWT_SECRET": "the token signing key (decisions 7); at least 32 random bytes, the same on every node",
    "CROSSBAR_LOGIN_PEPPER": "the key of the login lookup index; the same on every node, never rotated lightly",
}


class SecretsMissing(RuntimeError):
    """A secret the production commands need is absent or reused."""


def check_secrets(names=tuple(REQUIRED_SECRETS)) -> None:
    """SecretsMissing naming each variable that is unset, or the pepper when it equals the signing key."""
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise SecretsMissing("; ".join(f"{name} is not set ({REQUIRED_SECRETS[name]})" for name in missing))
    pepper, key = os.environ.get("CROSSBAR_LOGIN_PEPPER"), os.environ.get("CROSSBAR_JWT_SECRET")
    if pepper and pepper == key:
        raise SecretsMissing("CROSSBAR_LOGIN_PEPPER must differ from CROSSBAR_JWT_SECRET (docs/operations.md)")


@dataclass(frozen=True)
class Settings:
    """Everything the API needs to know about its deployment."""

    database_url: str = "postgresql://postgres@127.0.0.1:5432/crossbar"
    redis_url: str = "redis://127.0.0.1:6379/0"
    kamailio_rpc_url: str = "http://127.0.0.1:5071/RPC"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    jwt_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    jwt_previous_secrets: tuple = ()
    login_pepper: str = field(default_factory=lambda: secrets.token_hex(32))
    login_previous_peppers: tuple = ()
    token_lifetime: int = 3600
    realm_suffix: str = "sip.localhost"
    sip_server: str = "127.0.0.1"
    sip_port: int = 5060
    outbound_proxy: str = ""
    sip_transport: str = "UDP"
    db_pool_max: int = 10
    # Seconds a device read by GET /devices/{D} may be served from memory (entries go as soon as the
    # device changes: docs/decisions.md §28); 0 turns the cache off.
    device_cache_ttl: float = 60.0
    scrypt_n: int = 2**14
    login_fail_per_account_ip: int = 10
    login_fail_per_ip: int = 50
    login_fail_window: int = 300
    journal_retention_days: int = 90
    snapshot_minutes: int = 60
    webhook_concurrency: int = 10
    webhook_poll_interval: float = 1.0
    webhook_timeout: float = 5.0
    webhook_backoff_base: float = 5.0
    webhook_log_days: int = 30
    webhook_allow_private: bool = False
    events_poll_interval: float = 0.5
    events_heartbeat: float = 15.0
    metrics_dir: str = ""
    node: str = "crossbar_py"
    version: str = "4.3.0-crossbar_py"

    @property
    def verify_keys(self) -> tuple:
        """The keys a token may be signed with: the current one first, then those rotated out."""
        return (self.jwt_secret, *self.jwt_previous_secrets)

    @property
    def login_peppers(self) -> tuple:
        """The peppers a login lookup key may have been made with: the current one first."""
        return (self.login_pepper, *self.login_previous_peppers)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Settings from CROSSBAR_* variables (and HTTP_PORT/SIP_PORT), then explicit overrides."""
        env = os.environ
        values = {
            "database_url": env.get("DATABASE_URL", cls.database_url),
            "redis_url": env.get("REDIS_URL", cls.redis_url),
            "kamailio_rpc_url": env.get("KAMAILIO_RPC_URL", cls.kamailio_rpc_url),
            "http_host": env.get("HTTP_HOST", cls.http_host),
            "http_port": _int("HTTP_PORT", cls.http_port),
            "token_lifetime": _int("CROSSBAR_TOKEN_LIFETIME", cls.token_lifetime),
            "realm_suffix": env.get("CROSSBAR_REALM_SUFFIX", cls.realm_suffix),
            "sip_server": env.get("SIP_SERVER", cls.sip_server),
            "sip_port": _int("SIP_PORT", cls.sip_port),
            "outbound_proxy": env.get("CROSSBAR_OUTBOUND_PROXY", cls.outbound_proxy),
            "sip_transport": env.get("CROSSBAR_SIP_TRANSPORT", cls.sip_transport),
            "db_pool_max": _int("CROSSBAR_DB_POOL_MAX", cls.db_pool_max),
            "device_cache_ttl": _float("CROSSBAR_DEVICE_CACHE_TTL", cls.device_cache_ttl),
            "login_fail_per_account_ip": _int("CROSSBAR_LOGIN_FAIL_PER_ACCOUNT_IP", cls.login_fail_per_account_ip),
            "login_fail_per_ip": _int("CROSSBAR_LOGIN_FAIL_PER_IP", cls.login_fail_per_ip),
            "login_fail_window": _int("CROSSBAR_LOGIN_FAIL_WINDOW", cls.login_fail_window),
            "journal_retention_days": _int("CROSSBAR_JOURNAL_RETENTION_DAYS", cls.journal_retention_days),
            "snapshot_minutes": _int("CROSSBAR_SNAPSHOT_MINUTES", cls.snapshot_minutes),
            "webhook_concurrency": _int("CROSSBAR_WEBHOOK_CONCURRENCY", cls.webhook_concurrency),
            "webhook_poll_interval": _float("CROSSBAR_WEBHOOK_POLL_INTERVAL", cls.webhook_poll_interval),
            "webhook_timeout": _float("CROSSBAR_WEBHOOK_TIMEOUT", cls.webhook_timeout),
            "webhook_backoff_base": _float("CROSSBAR_WEBHOOK_BACKOFF_BASE", cls.webhook_backoff_base),
            "webhook_log_days": _int("CROSSBAR_WEBHOOK_LOG_DAYS", cls.webhook_log_days),
            "webhook_allow_private": env.get("CROSSBAR_WEBHOOK_ALLOW_PRIVATE", "") in ("1", "true", "yes"),
            "events_poll_interval": _float("CROSSBAR_EVENTS_POLL_INTERVAL", cls.events_poll_interval),
            "events_heartbeat": _float("CROSSBAR_EVENTS_HEARTBEAT", cls.events_heartbeat),
        }
        for name, key in (("CROSSBAR_JWT_SECRET", "jwt_secret"), ("CROSSBAR_LOGIN_PEPPER", "login_pepper")):
            if env.get(name):
                values[key] = env[name]
        values["jwt_previous_secrets"] = _list("CROSSBAR_JWT_PREVIOUS_SECRETS")
        values["login_previous_peppers"] = _list("CROSSBAR_LOGIN_PREVIOUS_PEPPERS")
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]  # each value parsed for its field above
