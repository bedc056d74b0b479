"""`onboardbot run`: serve Slack over HTTP or Socket Mode."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading

from bot.app import build_app, build_deps
from bot.cli.errors import UsageError
from bot.config import load_settings
from bot.flows.outbox import worker_id
from bot.server import make_server, wsgi_app
from schedules.scheduler import build_scheduler, catch_up
from storage.migrate import SchemaBehindError

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the bot")
    run.add_argument("--mode", choices=["http", "socket"], default="http")
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--port", type=int, default=3000)
    run.set_defaults(handler=run_bot)


def run_bot(args: argparse.Namespace) -> int:
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    missing = [
        name for name in ("slack_bot_token", "slack_signing_secret") if not getattr(settings, name)
    ]
    if args.mode == "socket" and not settings.slack_app_token:
        missing.append("slack_app_token")
    if missing:
        raise UsageError("missing settings: " + ", ".join(name.upper() for name in missing))
    try:
        deps = build_deps(settings)
    except SchemaBehindError as exc:
        raise UsageError(str(exc)) from None
    app = build_app(deps)
    scheduler = build_scheduler(deps, runner=worker_id())
    scheduler.start()
    # Jobs missed while the bot was down run once, without holding up the server's start.
    threading.Thread(
        target=catch_up, args=(deps,), kwargs={"now": deps.clock()}, daemon=True
    ).start()
    if args.mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        SocketModeHandler(app, settings.slack_app_token).start()
        return 0
    server = make_server(wsgi_app(app, deps), host=args.host, port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    logger.info("serving on http://%s:%s/slack/events", args.host, args.port)
    with contextlib.suppress(KeyboardInterrupt, OSError):  # OSError: closed by SIGTERM
        server.run()
    return 0
