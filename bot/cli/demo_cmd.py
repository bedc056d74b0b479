"""`onboardbot demo`: the local demo (the README's first command)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from bot.cli.errors import UsageError
from bot.cli.sandbox_cmd import require_sandbox


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="play a customer's onboarding against the local Slack sandbox and print what people saw",
    )
    demo.add_argument("--lang", choices=["ja", "en"], default="ja")
    demo.add_argument("--short", action="store_true", help="only today's kickoff")
    demo.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the database and the pictures in DIR (otherwise nothing is left behind)",
    )
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    if args.keep is not None and args.keep.exists() and not args.keep.is_dir():
        raise UsageError(f"--keep {args.keep}: not a folder")
    require_sandbox("demo")
    # The demo and the sandbox are imported only when a demo really runs.
    from bot.demo import run_demo

    return run_demo(lang=args.lang, keep=args.keep, short=args.short)
