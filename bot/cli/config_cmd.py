"""`onboardbot config check`."""

from __future__ import annotations

import argparse

from bot.cli import context
from bot.config import REQUIRED


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="configuration")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = config_sub.add_parser(
        "check", help="validate everything `run` needs and print the effective settings"
    )
    check.add_argument(
        "--mode",
        choices=sorted(REQUIRED),
        default="http",
        help="check what `run --mode MODE` needs (default: http)",
    )
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    settings = context.settings(require=REQUIRED[args.mode])
    values = settings.masked()
    width = max(len(name) for name in values)
    for name, value in values.items():
        print(f"{name.ljust(width)}  {value}")
    return 0
