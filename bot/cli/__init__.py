"""The `onboardbot` command line. Each sub-command module has `register(subparsers)`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import (
    admin_cmd,
    config_cmd,
    db_cmd,
    demo_cmd,
    export_cmd,
    jobs_cmd,
    playbooks_cmd,
    report_cmd,
    run_cmd,
)
from bot.cli.errors import UsageError
from bot.config import SettingsError

COMMAND_MODULES = (
    run_cmd,
    demo_cmd,
    jobs_cmd,
    report_cmd,
    export_cmd,
    db_cmd,
    playbooks_cmd,
    config_cmd,
    admin_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onboardbot",
        description="Run B2B customer-onboarding projects in Slack.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 failure, 2 bad usage or input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (UsageError, SettingsError) as exc:
        for line in str(exc).splitlines():
            print(f"onboardbot: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
