"""Start and stop the components we ship against: PostgreSQL, Redis and Kamailio, on loopback."""

from crossbar_py.platform.stack.api import start_api
from crossbar_py.platform.stack.kamailio import KamailioConfig, rpc_call, start_kamailio
from crossbar_py.platform.stack.postgres import NO_STATEMENT_LOGGING, pg_bindir, start_postgres
from crossbar_py.platform.stack.process import LOG_MODE, LOOPBACK, Process, StackError, free_port, spawn
from crossbar_py.platform.stack.redis import start_redis

__all__ = [
    "LOG_MODE",
    "LOOPBACK",
    "NO_STATEMENT_LOGGING",
    "KamailioConfig",
    "Process",
    "StackError",
    "free_port",
    "pg_bindir",
    "rpc_call",
    "spawn",
    "start_api",
    "start_kamailio",
    "start_postgres",
    "start_redis",
]
