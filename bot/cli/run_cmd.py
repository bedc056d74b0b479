"""`onboardbot run`: serve Slack over HTTP or Socket Mode, with the scheduler."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading
import time

from bot.app import build_app, build_deps
from bot.cli.errors import UsageError
from bot.config import load_settings
from bot.deps import Deps
from bot.flows.kickoff import recover_starts
from bot.flows.outbox import worker_id
from bot.logs import configure
from bot.server import make_server, wsgi_app
from bot.work import TrackedExecutor, wait_all_idle
from schedules.scheduler import build_scheduler, catch_up
from storage import outbox
from storage.db import session_scope
from storage.migrate import SchemaBehindError

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 8  # finish what was acknowledged; Kubernetes and Docker wait 10 s


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the bot")
    run.add_argument("--mode", choices=["http", "socket"], default="http")
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--port", type=int, default=3000)
    run.set_defaults(handler=run_bot)


def run_bot(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure(level=settings.log_level, fmt=settings.log_format)
    required = (
        "slack_bot_token",
        "slack_signing_secret",
        "cs_team_channel",
    )  # no CS team, no staff
    missing = [name for name in required if not getattr(settings, name)]
    if args.mode == "socket" and not settings.slack_app_token:
        missing.append("slack_app_token")
    if missing:
        raise UsageError("missing settings: " + ", ".join(name.upper() for name in missing))
    try:
        deps = build_deps(settings)
    except SchemaBehindError as exc:
        raise UsageError(str(exc)) from None
    executor = TrackedExecutor(name="ack")
    app = build_app(deps, executor=executor)
    me = worker_id()
    scheduler = build_scheduler(deps, runner=me)
    scheduler.start()
    # Starts interrupted by a crash are finished or rolled back, and jobs missed while the
    # bot was down run once, without holding up the server's start.
    threading.Thread(target=_on_start_up, args=(deps,), daemon=True).start()
    stopping = threading.Event()
    if args.mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(app, settings.slack_app_token)
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        handler.connect()
        stopping.wait()
        handler.close()
    else:
        server = make_server(wsgi_app(app, deps), host=args.host, port=args.port)

        def on_sigterm(*_: object) -> None:
            stopping.set()
            deps.stopping.set()
            server.close()  # stop taking new requests

        signal.signal(signal.SIGTERM, on_sigterm)
        logger.info("serving on http://%s:%s/slack/events", args.host, args.port)
        with contextlib.suppress(KeyboardInterrupt, OSError):  # OSError: closed by SIGTERM
            server.run()
    shutdown(deps, scheduler=scheduler, executor=executor, worker=me)
    return 0


def _on_start_up(deps: Deps) -> None:
    now = deps.clock()
    try:
        recover_starts(deps, now=now)
    except Exception:  # the scheduled outbox job tries again every 30 seconds
        logger.exception("finishing interrupted starts failed")
    catch_up(deps, now=now)


def shutdown(deps: Deps, *, scheduler, executor: TrackedExecutor, worker: str) -> None:  # type: ignore[no-untyped-def]
    """Stop the scheduler, finish acknowledged work, give back claimed outbox rows."""
    started = time.monotonic()
    deps.stopping.set()  # running jobs stop claiming and hand back what they hold
    stopper = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    stopper.start()
    wait_all_idle((executor, deps.work), timeout=SHUTDOWN_SECONDS)
    stopper.join(timeout=max(0.0, SHUTDOWN_SECONDS - (time.monotonic() - started)))
    with session_scope(deps.engine) as session:
        released = outbox.release(session=session, worker=worker)
    logger.info("stopped in %.1fs; released %d outbox rows", time.monotonic() - started, released)
    executor.shutdown(wait=False, cancel_futures=True)
    deps.work.shutdown(wait=False, cancel_futures=True)
    deps.engine.dispose()
