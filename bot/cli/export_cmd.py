"""`onboardbot export tasks|escalations --since YYYY-MM-DD [--format csv|jsonl]`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.cli import context
from bot.cli.errors import UsageError
from bot.services.escalation_history import EXPORT_COLUMNS, history
from bot.services.export import COLUMNS, task_history
from storage.db import session_scope


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
    steps = sub.add_parser(
        "escalations",
        help="every decision-maker step: drafted, sent, skipped (with the reason), waiting",
    )
    steps.add_argument("--since", required=True, type=_day, metavar="YYYY-MM-DD")
    steps.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    steps.add_argument("--output", default="-", metavar="FILE", help="default: standard output")
    steps.set_defaults(handler=run_escalations)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run_tasks(args: argparse.Namespace) -> int:
    target = None if args.output == "-" else context.output_path(Path(args.output))
    deps = context.deps(context.settings())
    with session_scope(deps.engine) as session:
        rows = list(  # read it all before the session ends: task_history is lazy
            task_history(
                session=session,
                since=args.since,
                now=datetime.now(UTC),
                calendar_for=deps.calendar,
            )
        )
    deps.engine.dispose()
    return _output(target, rows, args.format, COLUMNS)


def run_escalations(args: argparse.Namespace) -> int:
    target = None if args.output == "-" else context.output_path(Path(args.output))
    engine = context.engine(context.settings())
    try:
        with session_scope(engine) as session:
            rows = history(session=session, since=args.since)
    finally:
        engine.dispose()
    return _output(target, rows, args.format, EXPORT_COLUMNS)


def _output(
    target: Path | None, rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]
) -> int:
    if target is None:
        _write(sys.stdout, rows, fmt, columns)
        return 0
    # Only once every row is read, so a failure leaves no half-written file behind.
    try:
        with target.open("w", newline="", encoding="utf-8") as out:
            _write(out, rows, fmt, columns)
    except OSError as exc:
        raise UsageError(f"--output {target}: {exc.strerror or exc}") from None
    return 0


def _write(out: TextIO, rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    else:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
