"""`onboardbot config check`."""

from __future__ import annotations

import argparse

from bot.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="configuration")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = config_sub.add_parser("check", help="validate and print the effective settings")
    check.set_defaults(handler=run_check)


def run_check(_args: argparse.Namespace) -> int:
    settings = load_settings()
    values = settings.masked()
    width = max(len(name) for name in values)
    for name, value in values.items():
        print(f"{name.ljust(width)}  {value}")
    return 0
