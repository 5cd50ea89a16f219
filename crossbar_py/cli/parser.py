"""The crossbar-py argument parser: every command and what its --help says."""

import argparse

from crossbar_py.importer import commands as importer

DESCRIPTION = """\
A Kazoo Crossbar-compatible REST API for SIP devices and registrations, over Kamailio and PostgreSQL.

commands:
  run             start PostgreSQL, Redis, Kamailio and the API on loopback with a demo account
                  (what `make run` does) and restart any of them that dies; Ctrl-C stops
                  everything it started
  serve           serve the API against existing services (DATABASE_URL, REDIS_URL, KAMAILIO_RPC_URL)
  migrate         apply the SQL migrations shipped with the package to DATABASE_URL
  healthcheck     exit 0 when the API at HTTP_HOST:HTTP_PORT answers /healthz (container healthchecks)
  kamailio-cfg    print (or --output FILE) the Kamailio configuration to run Kamailio with
  account create  create an account with an admin user
  import-kazoo    import accounts, users and devices from a Kazoo API or CouchDB dump (resumable)
  cutover         compare registrations with Kazoo, and check-sync the phones not moved yet

environment:
  DATABASE_URL, REDIS_URL, KAMAILIO_RPC_URL   where the services are (serve, migrate, account)
  KAMAILIO_DB_PASSWORD                         migrate sets it as the kamailio role's password
  HTTP_HOST, HTTP_PORT (8000)                  where the API listens
  SIP_IP (127.0.0.1), SIP_PORT (5060)          where Kamailio listens (run)
  DEMO_ACCOUNT (demo), DEMO_USER (admin), DEMO_PASSWORD (generated, kept in the data dir)   (run)
  CROSSBAR_WORKERS                             serve's processes (default: the cores it may use)
  CROSSBAR_DATA_DIR                            run's data directory (kept between runs)
  CROSSBAR_JWT_SECRET                          token signing key (required by serve; run keeps one in the data dir)
  CROSSBAR_JWT_PREVIOUS_SECRETS                rotated-out signing keys, comma-separated: their tokens live on
  CROSSBAR_LOGIN_PEPPER                        key of the login lookup (required by serve and account create)
  CROSSBAR_LOGIN_PREVIOUS_PEPPERS              rotated-out peppers, comma-separated (docs/operations.md)
"""


def _command(sub, name: str, summary: str, description: str) -> argparse.ArgumentParser:
    """A sub-command whose --help explains what it does, not only its flags."""
    return sub.add_parser(
        name, help=summary, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crossbar-py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _command(
        sub,
        "run",
        "the whole stack on loopback with a demo account",
        "Start a private PostgreSQL (migrated), Redis, Kamailio and the API on loopback, create the demo\n"
        "account and its admin, and print how to log in and point a phone at it. Data (PostgreSQL, the demo\n"
        "password, the signing key) stays in CROSSBAR_DATA_DIR between runs. Ctrl-C or SIGTERM stops\n"
        "everything it started.",
    )
    serve = _command(
        sub,
        "serve",
        "serve the API",
        "Serve the HTTP API against services that already run: DATABASE_URL (migrated), REDIS_URL and\n"
        "KAMAILIO_RPC_URL, with CROSSBAR_JWT_SECRET and CROSSBAR_LOGIN_PEPPER set (exits 2 naming a missing\n"
        "one). --workers N forks N processes on one port (default: the cores); background jobs (webhook\n"
        "delivery, the journal tailer, snapshots, retention, revocation) are correct with any number of\n"
        "workers and nodes (docs/operations.md). Stops cleanly on SIGTERM.",
    )
    serve.add_argument("--host", default=None, help="listen address (HTTP_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="listen port (HTTP_PORT, default 8000)")
    serve.add_argument(
        "--workers", type=int, default=None, help="API processes sharing the port (CROSSBAR_WORKERS, default: cores)"
    )
    _command(
        sub,
        "migrate",
        "apply SQL migrations to DATABASE_URL",
        "Apply the numbered SQL migrations shipped in the package and not applied yet to DATABASE_URL, each in\n"
        "its own transaction, under an advisory lock (several nodes may run it at once). Prints each one it\n"
        "applies. Exits 2 when the package carries no migrations, 1 when one fails. With KAMAILIO_DB_PASSWORD\n"
        "set, gives the kamailio role that password.",
    )
    health = _command(
        sub,
        "healthcheck",
        "probe the local API's /healthz",
        "Exit 0 when the API answers GET /healthz with 200 (default http://127.0.0.1:HTTP_PORT/healthz), 1\n"
        "otherwise: the container healthcheck of the API image.",
    )
    health.add_argument("--url", default=None, help="what to probe (default http://127.0.0.1:HTTP_PORT/healthz)")
    kcfg = _command(
        sub,
        "kamailio-cfg",
        "print the Kamailio configuration",
        "Print (or write with --output) the kamailio.cfg shipped in the package: run Kamailio with\n"
        "`kamailio -f FILE -A NAME=value ...` (kamailio/README.md lists the defines).",
    )
    kcfg.add_argument("--output", "-o", help="write it to this file instead of stdout")
    account = _command(
        sub, "account", "manage accounts", "Manage accounts directly in the database (no API token needed)."
    ).add_subparsers(dest="action", required=True)
    create = _command(
        account,
        "create",
        "create an account with an admin user",
        "Create an account (a top-level one, or a child of --parent) with an admin user, in DATABASE_URL.\n"
        "Prints the account id, its SIP realm and the admin's password. Exits 1 if the name is taken, 2\n"
        "without CROSSBAR_LOGIN_PEPPER.",
    )
    create.add_argument("--name", required=True, help="account name (unique)")
    create.add_argument("--realm", help="SIP realm (generated when omitted)")
    create.add_argument("--parent", help="parent account id (none: a top-level account)")
    create.add_argument("--superduper", action="store_true", help="may reach every account")
    create.add_argument("--user", default="admin", help="admin username (default admin)")
    create.add_argument("--password", help="admin password (generated and printed when omitted)")
    importer.add_arguments(sub)
    return parser
