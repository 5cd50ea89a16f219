"""The import-kazoo and cutover sub-commands: arguments in, a report out."""

import argparse
import asyncio
import json
import sys
from pathlib import Path

from crossbar_py.importer import cutover
from crossbar_py.importer.api import ApiSource, SourceError
from crossbar_py.importer.dump import DumpSource
from crossbar_py.importer.runner import ImportBusy, run_import
from crossbar_py.platform.db import Database


def _command(sub, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    return sub.add_parser(
        name, help=summary, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


IMPORT = """\
Import a Kazoo cluster's accounts (ids, tree, realms, API keys), users (with their passwords, from a
dump), devices (whole documents, SIP credentials, owners) and PBX documents into DATABASE_URL, each
account in its own transaction. Safe to run again: unchanged documents are left alone, a killed run
resumes where it stopped, conflicts are reported and never overwritten. CROSSBAR_LOGIN_PEPPER must be
the API's. See docs/migrating-from-kazoo.md."""

CUTOVER = "Move phones from Kazoo to this stack once DNS points at it (docs/migrating-from-kazoo.md §4)."
COMPARE = """\
Per account of the Kazoo tree: the phones registered at Kazoo, those registered here, and those
registered only at Kazoo."""
MOVE = """\
Send a check-sync NOTIFY through our Kamailio (KAMAILIO_RPC_URL) to each phone registered at Kazoo and
not here, --rate per second, and record each one in cutover_moves."""


def add_arguments(sub) -> None:
    """The import-kazoo and cutover parsers."""
    imp = _command(sub, "import-kazoo", "import accounts, users, devices and PBX documents from Kazoo", IMPORT)
    src = imp.add_mutually_exclusive_group(required=True)
    src.add_argument("--from-dump", metavar="DIR", help="a CouchDB dump: one _all_docs body per database")
    src.add_argument("--from-api", metavar="URL", help="a live Kazoo Crossbar API (http://host:8000)")
    _api_auth(imp, "requests per second to the API (--from-api), 0: no limit")
    imp.add_argument("--dry-run", action="store_true", help="write nothing; print what would change")
    imp.add_argument("--report", metavar="FILE", help="also write the report as JSON")
    imp.add_argument("--under", metavar="ACCOUNT_ID", help="put the imported top accounts under this account")
    imp.add_argument("--workers", type=int, default=4, help="accounts imported side by side (default 4)")
    cut = _command(sub, "cutover", "move phones from Kazoo", CUTOVER).add_subparsers(dest="action", required=True)
    compare = _command(cut, "compare", "per account: phones registered at Kazoo and here", COMPARE)
    move = _command(cut, "move", "check-sync the phones registered at Kazoo and not here", MOVE)
    api_rate = "requests per second to the API, 0: no limit"
    for parser, rate in ((compare, api_rate), (move, "NOTIFYs per second, 0: no pacing")):
        parser.add_argument("--from-api", metavar="URL", required=True, help="the Kazoo Crossbar API")
        _api_auth(parser, rate)
        parser.add_argument("--report", metavar="FILE", help="also write the result as JSON")
    move.add_argument("--event", default="check-sync", help="the NOTIFY event (default check-sync)")


def _api_auth(parser, rate_help: str) -> None:
    parser.add_argument("--api-key", help="the API key of a reseller or superduper account")
    parser.add_argument("--user", help="a user of that account (with --password and --account-name)")
    parser.add_argument("--password", help="that user's password")
    parser.add_argument("--account-name", help="that user's account name")
    parser.add_argument("--rate", type=float, default=0, help=rate_help)


def _api(args) -> ApiSource:
    return ApiSource(
        args.from_api,
        api_key=args.api_key,
        credentials=(args.user, args.password, args.account_name) if args.user else None,
        # move's --rate paces its NOTIFYs, not the API.
        rate=0 if getattr(args, "action", "") == "move" else args.rate,
    )


def _write(path: str | None, data: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


async def _import(settings, args) -> int:
    source = DumpSource(args.from_dump) if args.from_dump else _api(args)
    # A crash can lose only the last commits, each an account with its checkpoint: the rerun redoes them.
    db = await Database.connect(settings.database_url, args.workers + 1, durable=False)
    try:
        report = await run_import(db, settings, source, dry_run=args.dry_run, under=args.under, workers=args.workers)
    except (SourceError, ImportBusy) as exc:
        print(f"import-kazoo: {exc}; the accounts imported so far are kept: run again to resume", file=sys.stderr)
        return 1
    finally:
        await source.close()
        await db.close()
    print(report.text())
    _write(args.report, report.to_json())
    return 0


async def _cutover(settings, args) -> int:
    source = _api(args)
    db = await Database.connect(settings.database_url, 2)
    try:
        if args.action == "compare":
            result = await cutover.compare(db, source)
            print(cutover.compare_text(result))
        else:
            result = await cutover.move(db, settings, source, args.rate, args.event)
            print(cutover.move_text(result))
    finally:
        await source.close()
        await db.close()
    _write(args.report, result)
    return 0


def main(settings, args) -> int:
    """Run import-kazoo or cutover."""
    try:
        if args.command == "import-kazoo":
            return asyncio.run(_import(settings, args))
        return asyncio.run(_cutover(settings, args))
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return 130
