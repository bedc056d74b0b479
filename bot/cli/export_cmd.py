"""`onboardbot export tasks --since YYYY-MM-DD [--format csv|jsonl]`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime

from bot.app import build_deps
from bot.cli.errors import UsageError
from bot.config import load_settings
from bot.services.export import COLUMNS, task_history
from storage.db import session_scope
from storage.migrate import SchemaBehindError


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser("export", help="export data for analysis")
    sub = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    tasks = sub.add_parser(
        "tasks", help="every task: planned, final and actual dates, re-plans and reasons"
    )
    tasks.add_argument("--since", required=True, type=_day, metavar="YYYY-MM-DD")
    tasks.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    tasks.add_argument("--output", default="-", metavar="FILE", help="default: standard output")
    tasks.set_defaults(handler=run_tasks)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run_tasks(args: argparse.Namespace) -> int:
    try:
        deps = build_deps(load_settings())
    except SchemaBehindError as exc:
        raise UsageError(str(exc)) from None
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="", encoding="utf-8")  # noqa: SIM115
    try:
        with session_scope(deps.engine) as session:
            rows = task_history(
                session=session, since=args.since, now=datetime.now(UTC), calendar_for=deps.calendar
            )
            if args.format == "csv":
                writer = csv.DictWriter(out, fieldnames=COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
            else:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
