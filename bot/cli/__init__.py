"""The `onboardbot` command line. Each sub-command module has `register(subparsers)`."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError

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
    sandbox_cmd,
)
from bot.cli.errors import Failure, UsageError
from bot.config import SettingsError
from storage.migrate import SchemaBehindError

COMMAND_MODULES = (
    run_cmd,
    demo_cmd,
    sandbox_cmd,
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
    """Entry point; returns the exit code (0 ok, 1 failure, 2 bad usage or input).

    Every failure is told in one line per problem on stderr, never as a traceback.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except (UsageError, SettingsError) as exc:
        return _tell(str(exc), code=2)
    except (Failure, SchemaBehindError) as exc:
        return _tell(str(exc), code=1)
    except BrokenPipeError:
        return _reader_left()
    except DBAPIError as exc:
        # Unreachable server, refused login, unwritable SQLite folder: the driver's first
        # line says which.
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return _tell(f"database error: {reason}", code=1)
    except KeyboardInterrupt:
        return _tell("interrupted", code=1)


def _tell(message: str, *, code: int) -> int:
    for line in message.splitlines() or [""]:
        print(f"onboardbot: {line}", file=sys.stderr)
    return code


def _reader_left() -> int:
    """The reader closed our output (`onboardbot … | head -1`): it had what it wanted.

    Point stdout at /dev/null so the interpreter's final flush cannot fail a second time.
    """
    with contextlib.suppress(OSError, ValueError):  # ValueError: stdout is not a file
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0


if __name__ == "__main__":
    sys.exit(main())
