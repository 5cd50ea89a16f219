"""Background jobs that repeat until the app stops: stopped between rounds through an Event, never
cancelled mid-query (a cancelled aiopg query can leave its connection unusable)."""

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def every(seconds: float, job, name: str):
    """Run `job()` now and then every `seconds` until the context exits; a failed round is logged and retried."""
    stop = asyncio.Event()

    async def loop():
        while not stop.is_set():
            try:
                await job()
            except Exception as exc:  # noqa: BLE001 - try again next round
                log.warning(f"{name} failed", extra={"error": str(exc)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait([task], timeout=5)
