"""`onboardbot project delete` and `onboardbot backup`."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.cli import context
from bot.cli.errors import Failure, UsageError
from bot.services.privacy import NotFound, find, forget
from storage.db import session_scope
from storage.migrate import sqlite_file


def register(subparsers: argparse._SubParsersAction) -> None:
    project = subparsers.add_parser("project", help="manage projects")
    sub = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    delete = sub.add_parser(
        "delete", help="remove a customer's personal data, keeping anonymous task statistics"
    )
    delete.add_argument("customer_or_id", metavar="CUSTOMER_OR_ID")
    delete.add_argument(
        "--yes", action="store_true", help="confirm (nothing is deleted without it)"
    )
    delete.set_defaults(handler=run_delete)

    backup = subparsers.add_parser(
        "backup", help="copy the SQLite database safely while the bot runs"
    )
    backup.add_argument("--output", type=Path, default=None, metavar="FILE")
    backup.set_defaults(handler=run_backup)


def run_delete(args: argparse.Namespace) -> int:
    engine = context.engine(context.settings())
    try:
        with session_scope(engine) as session:
            try:
                project = find(session=session, customer_or_id=args.customer_or_id)
            except NotFound as exc:
                raise UsageError(str(exc)) from None
            if not args.yes:
                raise UsageError(
                    f"this removes the personal data of project {project.id}: add --yes to confirm"
                )
            counts = forget(session=session, project=project, now=datetime.now(UTC))
            print(
                f"project {project.id}: ended (deleted); removed {counts['people']} people,"
                f" {counts['messages']} messages and {counts['escalations']} escalation drafts,"
                f" scrubbed {counts['events']} events; task statistics kept"
            )
    finally:
        engine.dispose()
    return 0


def run_backup(args: argparse.Namespace) -> int:
    settings = context.settings()
    if not settings.is_sqlite:
        raise UsageError("backup copies SQLite files; for PostgreSQL use pg_dump (see README)")
    engine = context.engine(settings)  # a file at the code's schema, or one line why not
    source = sqlite_file(engine)
    engine.dispose()
    if source is None:
        raise UsageError("backup copies a SQLite file; DATABASE_URL names no file")
    target = (
        context.output_path(args.output)
        if args.output
        else source.with_name(f"{source.stem}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{source.suffix}")
    )
    if target.resolve() == source.resolve():
        raise UsageError(f"--output {target}: is the database itself; name another file")
    try:
        with sqlite3.connect(source) as src, contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)  # consistent even while the bot writes
    except sqlite3.Error as exc:
        raise Failure(f"backup to {target} failed: {exc}") from None
    print(f"backed up {source} to {target}")
    return 0
