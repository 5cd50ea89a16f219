"""A whole import run: resume the source's unfinished run, import accounts depth by depth with a few
workers, checkpoint each, and finish with the report."""

import asyncio

from psycopg2.extras import Json

from crossbar_py.importer import documents, queries
from crossbar_py.importer.progress import Progress
from crossbar_py.importer.report import Report, Tally
from crossbar_py.importer.service import Options, import_account
from crossbar_py.platform.db import Rollback


class ImportBusy(RuntimeError):
    """The same source is being imported by another process."""


async def _open_run(db, source: str) -> tuple:
    """(run id, {account id: tally}) of the source's unfinished run, or of a new one."""
    async with db.transaction() as cur:
        await cur.execute(queries.OPEN_RUN, {"source": source})
        row = await cur.fetchone()
        if row is None:
            await cur.execute(queries.NEW_RUN, {"source": source})
            return (await cur.fetchone())["id"], {}
        await cur.execute(queries.RUN_CHECKPOINTS, {"run_id": row["id"]})
        return row["id"], {r["account_id"]: Tally.from_json(r["tally"]) for r in await cur.fetchall()}


async def run_import(db, settings, source, *, dry_run=False, under=None, workers=4, progress=None) -> Report:
    """Import everything the source holds; the report. A dry run imports in one transaction (children
    find the parents it created) and rolls it back."""
    report = Report(source.name, dry_run)
    progress = progress or Progress(await source.count())
    if not dry_run:
        async with db.cursor() as lock:
            await lock.execute(queries.LOCK_SOURCE, {"source": source.name})
            if not (await lock.fetchone())["locked"]:
                raise ImportBusy(f"another import of {source.name} is running")
            try:
                return await _run(db, settings, source, report, progress, under, workers)
            finally:
                await lock.execute(queries.UNLOCK_SOURCE, {"source": source.name})
    try:
        async with db.bound() as tx:
            await _run(tx, settings, source, report, progress, under, 1)
            raise Rollback()
    except Rollback:
        return report


async def _run(db, settings, source, report: Report, progress: Progress, under, workers: int) -> Report:
    done: dict = {}
    if not report.dry_run:
        report.run_id, done = await _open_run(db, source.name)
    for tally in done.values():
        report.tally.merge(tally)
    report.accounts = report.resumed = len(done)
    opts = Options(settings, report.run_id, report.dry_run, under)
    pending: set = set()
    slots = asyncio.Semaphore(workers)
    depth = None

    async def one(bundle):
        try:
            docs = await bundle.load()
            tally = await import_account(db, bundle, docs, opts)
            report.tally.merge(tally)
            report.accounts += 1
            progress.step(tally.documents)
        finally:
            slots.release()

    async for bundle in source.accounts():
        if bundle.depth != depth:
            await _drain(pending)
            depth = bundle.depth
        if bundle.id in done:
            continue
        if documents.deleted(bundle.doc):
            report.tally.add("account", "deleted", id=bundle.id)
            progress.step(1)
            continue
        await slots.acquire()
        task = asyncio.create_task(one(bundle))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await _drain(pending)
    progress.done()
    if not report.dry_run:
        await db.execute(queries.FINISH_RUN, {"run_id": report.run_id, "report": Json(report.to_json())})
    return report


async def _drain(pending: set) -> None:
    """Wait for the running accounts; the first failure cancels the others (none of them is checkpointed)
    and stops the run."""
    if not pending:
        return
    tasks = list(pending)
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
