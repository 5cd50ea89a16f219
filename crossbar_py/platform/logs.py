"""Structured (JSON) logs; every line carries the request id of the request that caused it."""

import contextvars
import functools
import logging
import sys
import time

import orjson

REQUEST_ID = contextvars.ContextVar("request_id", default="")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@functools.lru_cache(maxsize=2)
def _second(now: int) -> str:
    # One line per request: the second's text is formatted once, not on every line.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": f"{_second(int(record.created))}.{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = REQUEST_ID.get()
        if rid:
            line["request_id"] = rid
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        # orjson: the access log writes one line per request, and json.dumps was a tenth of a GET's time.
        return orjson.dumps(line, default=str).decode()


def setup(level: str = "INFO") -> None:
    """Send JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
