"""`onboardbot report`: the digest's KPIs in the terminal, for any date range."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, timedelta

from bot.blocks.report import report_json, report_text
from bot.cli import context
from bot.cli.errors import UsageError
from bot.flows.digest import compute


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser("report", help="onboarding KPIs for a date range")
    report.add_argument(
        "--from",
        dest="start",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="first day (default: 90 days ago)",
    )
    report.add_argument(
        "--to",
        dest="end",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="day after the last (default: tomorrow)",
    )
    report.add_argument("--format", choices=["text", "json"], default="text")
    report.add_argument("--lang", choices=["ja", "en"], default=None)
    report.set_defaults(handler=run_report)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run_report(args: argparse.Namespace) -> int:
    deps = context.deps(context.settings())
    now = datetime.now(UTC)
    end = args.end or deps.today() + timedelta(days=1)
    start = args.start or end - timedelta(days=91)
    if start >= end:
        raise UsageError(f"--from {start} must come before --to {end}")
    digest = compute(deps, now=now, start=start, end=end)
    if args.format == "json":
        print(json.dumps(report_json(digest), ensure_ascii=False, indent=2))
    else:
        print(report_text(digest, locale=args.lang or deps.settings.default_locale))
    return 0
