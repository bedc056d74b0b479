"""`onboardbot demo`: the local demo (the README's first command)."""

from __future__ import annotations

import argparse
import logging

from bot.demo import run_demo


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="run a kickoff against the local Slack sandbox and print what people saw"
    )
    demo.add_argument("--lang", choices=["ja", "en"], default="ja")
    demo.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    return run_demo(lang=args.lang)
