"""`onboardbot sandbox`: the local Slack, the real bot and a web page to play every role."""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType

from bot.cli.errors import Failure, UsageError
from bot.domain.playbook import PlaybookError


def register(subparsers: argparse._SubParsersAction) -> None:
    sandbox = subparsers.add_parser(
        "sandbox",
        help="try the bot in a browser: a local Slack with every role of an onboarding",
    )
    sandbox.add_argument(
        "--port", type=int, default=0, help="port of the page on 127.0.0.1 (default: a free one)"
    )
    sandbox.add_argument(
        "--playbook", type=Path, default=None, metavar="PATH", help="a playbook file to rehearse"
    )
    sandbox.add_argument("--lang", choices=["ja", "en"], default="ja")
    sandbox.add_argument(
        "--now",
        type=_aware,
        default=None,
        metavar="ISO-DATETIME",
        help="start the simulated clock here, e.g. 2027-04-05T10:00+09:00 (default: now)",
    )
    sandbox.set_defaults(handler=run)


def _aware(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. +09:00")
    return value


def run(args: argparse.Namespace) -> int:
    require_sandbox("sandbox")
    # The page and the bot are imported only when a sandbox really starts.
    from bot.demo.session import BotSession, new_workdir
    from slack_sandbox.web.server import PageServer

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be between 0 and 65535")
    if args.playbook is not None and not args.playbook.is_file():
        raise UsageError(f"--playbook {args.playbook}: no such file")
    workdir = new_workdir()
    try:
        try:
            session = BotSession(
                workdir=workdir, start=args.now, playbook=args.playbook, lang=args.lang
            )
        except PlaybookError as exc:
            raise UsageError("\n".join(f"--playbook: {p}" for p in exc.problems)) from None
        try:
            try:
                page = PageServer(session, port=args.port).start_in_thread()
            except OSError as exc:
                raise Failure(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from None
            try:
                print(f"onboardbot sandbox: open {page.url}  (Ctrl-C stops it)", flush=True)
                print(f"database: {session.database}", flush=True)
                _wait_for_stop()
                print("onboardbot sandbox: stopping", flush=True)
            finally:
                page.stop()
        finally:
            session.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def require_sandbox(command: str) -> None:
    """Fail in one line when the local Slack sandbox (`slack_sandbox`) is not installed: the
    production image leaves it out, since the running bot never needs it."""
    try:
        import slack_sandbox  # noqa: F401
    except ModuleNotFoundError:
        raise Failure(
            f"{command} needs the local Slack sandbox (slack_sandbox), which is not installed"
            " here (the production image leaves it out): run it from a clone of the repository"
            f" (`make {command}`)"
        ) from None


def _wait_for_stop() -> None:
    """Until Ctrl-C (SIGINT) or SIGTERM."""
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
