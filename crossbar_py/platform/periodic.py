"""Background jobs that repeat until the app stops: stopped between rounds through an Event, never
cancelled mid-query (a cancelled aiopg query can leave its connection unusable)."""

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


async def once_across_nodes(db, lock: int, job) -> bool:
    """Run `job()` unless another process (worker or node) is running it now; True when it ran here."""
    async with db.exclusive(lock) as mine:
        if mine:
            await job()
        return mine


@contextlib.asynccontextmanager
async def every(seconds: float, job, name: str, db=None, lock: int | None = None):
    """Run `job()` now and then every `seconds` until the context exits; a failed round is logged and retried.
    With `lock`, a round runs in one process at a time across every worker and node (an advisory lock)."""
    stop = asyncio.Event()

    async def loop():
        while not stop.is_set():
            try:
                await (job() if lock is None else once_across_nodes(db, lock, job))
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


@contextlib.asynccontextmanager
async def stoppable(name: str, *loops, grace: float = 5.0):
    """Run each `loop(stop)` until the context exits, then set `stop` and wait up to `grace` s for them
    to finish; one still running after that is cancelled (and logged)."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(loop(stop)) for loop in loops]
    try:
        yield
    finally:
        stop.set()
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            log.warning(f"{name} did not stop in {grace:g} s; cancelling it")
            task.cancel()
