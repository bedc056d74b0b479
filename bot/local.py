"""The whole bot on this machine against the local Slack sandbox (demo and tests)."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from bot.app import build_api, build_app, build_deps
from bot.config import load_settings
from bot.deps import Deps
from bot.server import make_server, wsgi_app
from bot.work import wait_all_idle
from slack_sandbox import Sandbox
from storage.db import make_engine
from storage.migrate import upgrade

SIGNING_SECRET = "local-signing-secret"
BOT_TOKEN = "xoxb-local-sandbox"


@dataclass
class LocalBot:
    """The real Bolt app on a real HTTP server, its WebClient pointed at the sandbox."""

    sandbox: Sandbox
    deps: Deps
    url: str
    server: Any
    thread: threading.Thread

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until the work promised by acks is done and pushed events are delivered."""
        pools = self.deps.executors
        for _ in range(3):
            if not wait_all_idle(pools, timeout):
                raise TimeoutError("bot work did not finish")
            self.sandbox.wait_for_events(timeout)
        if not wait_all_idle(pools, timeout):
            raise TimeoutError("bot work did not finish")

    def close(self) -> None:
        self.settle()
        # Let waitress finish the requests it is serving before its sockets close.
        self.server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
        self.server.close()
        self.thread.join(timeout=5)
        self.deps.close()


def start_local_bot(
    sandbox: Sandbox, *, database_url: str, cs_team_channel: str, **settings: Any
) -> LocalBot:
    """Migrate the database, build the bot against `sandbox` and serve it on 127.0.0.1."""
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    config = load_settings(
        _env_file=None,
        slack_bot_token=sandbox.bot_token,
        slack_signing_secret=sandbox.signing_secret,
        slack_api_url=sandbox.api_url,
        database_url=database_url,
        cs_team_channel=cs_team_channel,
        **settings,
    )
    deps = build_deps(config)
    server = make_server(
        wsgi_app(build_app(deps), deps, api=build_api(deps)),
        host="127.0.0.1",
        port=0,
    )
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    thread = threading.Thread(target=_serve, args=(server,), name="bot-http", daemon=True)
    thread.start()
    sandbox.events_url = url
    return LocalBot(sandbox=sandbox, deps=deps, url=url, server=server, thread=thread)


def _serve(server: Any) -> None:
    # close() from another thread makes waitress' select fail on the closed socket: that's the stop.
    with contextlib.suppress(OSError):
        server.run()
