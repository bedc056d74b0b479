"""`onboardbot run`: serve Slack over HTTP or Socket Mode, with the scheduler."""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from apscheduler.schedulers.base import BaseScheduler

from bot.app import build_api, build_app
from bot.cli import context
from bot.cli.errors import Failure
from bot.config import REQUIRED
from bot.deps import Deps
from bot.flows.kickoff import recover_starts
from bot.flows.outbox import worker_id
from bot.logs import configure
from bot.server import make_server, wsgi_app
from bot.work import wait_all_idle
from schedules.scheduler import build_scheduler, catch_up
from storage import outbox, webhooks
from storage.db import session_scope

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 8  # finish what was acknowledged; Kubernetes and Docker wait 10 s


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the bot")
    run.add_argument("--mode", choices=["http", "socket"], default="http")
    run.add_argument("--host", default="0.0.0.0")
    run.add_argument("--port", type=int, default=3000)
    run.set_defaults(handler=run_bot)


def run_bot(args: argparse.Namespace) -> int:
    settings = context.settings(require=REQUIRED[args.mode])
    configure(level=settings.log_level, fmt=settings.log_format)
    deps = context.deps(settings)
    app = build_app(deps)
    stopping = threading.Event()
    # Listen (or connect) before anything else starts, so a busy port or an unreachable
    # Slack ends the command with one line and nothing left running.
    try:
        if args.mode == "socket":
            handler = _connect_socket_mode(app, settings.slack_app_token, settings.slack_api_url)
            server = None
        else:
            server = _listen(
                wsgi_app(app, deps, api=build_api(deps)), host=args.host, port=args.port
            )
    except Failure:
        deps.engine.dispose()
        raise
    me = worker_id()
    scheduler = build_scheduler(deps, runner=me)
    scheduler.start()
    # Starts interrupted by a crash are finished or rolled back, and jobs missed while the
    # bot was down run once, without holding up the server's start.
    threading.Thread(target=_on_start_up, args=(deps, me), daemon=True).start()
    if server is None:
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        logger.info("connected to Slack in Socket Mode")
        with contextlib.suppress(KeyboardInterrupt):
            stopping.wait()
        handler.close()
    else:

        def on_sigterm(*_: object) -> None:
            stopping.set()
            deps.stopping.set()
            server.close()  # stop taking new requests

        signal.signal(signal.SIGTERM, on_sigterm)
        logger.info("serving on http://%s:%s/slack/events", args.host, args.port)
        with contextlib.suppress(KeyboardInterrupt, OSError):  # OSError: closed by SIGTERM
            server.run()
    shutdown(deps, scheduler=scheduler, worker=me)
    return 0


def _on_start_up(deps: Deps, runner: str) -> None:
    now = deps.clock()
    try:
        recover_starts(deps, now=now)
    except Exception:  # the scheduled outbox job tries again every 30 seconds
        logger.exception("finishing interrupted starts failed")
    catch_up(deps, now=now, runner=runner)


def _listen(application: Any, *, host: str, port: int) -> Any:
    try:
        return make_server(application, host=host, port=port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise Failure(
                f"port {port} on {host} is already in use: stop the other process"
                " or choose another --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise Failure(f"not allowed to listen on port {port}: use a port above 1023") from None
        raise Failure(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _connect_socket_mode(app: Any, app_token: str, api_url: str) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError, SlackClientError

    handler = SocketModeHandler(app, app_token)
    try:
        # slack_sdk logs each failed attempt; the one line below says what happened.
        with quiet("slack_sdk", "onboardbot.bolt"):
            handler.connect()
    except SlackApiError as exc:
        handler.close()
        raise Failure(
            f"Slack refused SLACK_APP_TOKEN: {exc.response.get('error')} (an app-level token"
            " with connections:write, and Socket Mode on in the app's settings)"
        ) from None
    except (SlackClientError, OSError) as exc:
        handler.close()
        raise Failure(f"cannot reach Slack at {api_url}: {_reason(exc)}") from None
    return handler


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    return str(reason).strip().splitlines()[0] if str(reason).strip() else type(exc).__name__


@contextlib.contextmanager
def quiet(*names: str) -> Iterator[None]:
    """Silence these loggers below CRITICAL for the block."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def shutdown(deps: Deps, *, scheduler: BaseScheduler, worker: str) -> None:
    """Stop the scheduler, finish acknowledged work, give back claimed outbox rows."""
    started = time.monotonic()
    deps.stopping.set()  # running jobs stop claiming and hand back what they hold
    stopper = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    stopper.start()
    wait_all_idle(deps.executors, timeout=SHUTDOWN_SECONDS)
    stopper.join(timeout=max(0.0, SHUTDOWN_SECONDS - (time.monotonic() - started)))
    with session_scope(deps.engine) as session:
        released = outbox.release(session=session, worker=worker)
        released += webhooks.release(session=session, worker=worker)
    logger.info("stopped in %.1fs; released %d outbox rows", time.monotonic() - started, released)
    deps.close(wait=False)
