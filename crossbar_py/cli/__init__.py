"""crossbar-py: run the Kazoo-compatible API, its migrations, and a whole local stack."""

import os

from crossbar_py.cli import commands, local, parser
from crossbar_py.cli.accounts import cmd_account_create, ensure_account
from crossbar_py.platform import logs

__all__ = ["ensure_account", "main"]


def main(argv=None) -> int:
    """Entry point of the crossbar-py command."""
    args = parser.build().parse_args(argv)
    logs.setup(os.environ.get("LOG_LEVEL", "INFO"))
    if args.command == "migrate":
        return commands.cmd_migrate()
    if args.command == "healthcheck":
        return commands.cmd_healthcheck(args.url)
    if args.command == "kamailio-cfg":
        return commands.cmd_kamailio_cfg(args.output)
    if args.command == "serve":
        return commands.cmd_serve(args)
    if args.command == "account":
        return cmd_account_create(args)
    if args.command in ("import-kazoo", "cutover"):
        return commands.cmd_importer(args)
    return local.cmd_run()
