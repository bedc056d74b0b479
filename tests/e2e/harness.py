"""The bot as Slack sees it: the real Bolt app on a real HTTP server, the real WebClient
pointed at the local sandbox, and a driver that sends signed requests like Slack does."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.app import build_app, build_deps
from bot.config import load_settings
from bot.deps import Deps
from bot.sandbox import Sandbox, SlackDriver, User
from bot.server import make_server, wsgi_app
from bot.work import TrackedExecutor
from storage import events, projects, tasks
from storage.db import make_engine, session_scope
from storage.migrate import upgrade

SECRET = "e2e-signing-secret"
TOKEN = "xoxb-e2e-token"


@dataclass
class People:
    csm: User
    staff: User
    internal: User
    customer: User
    other_customer: User


@dataclass
class Harness:
    sandbox: Sandbox
    driver: SlackDriver
    deps: Deps
    executor: TrackedExecutor
    people: People
    cs_channel: str
    general: str
    url: str
    now: datetime = field(default_factory=lambda: datetime(2027, 4, 5, 0, 30, tzinfo=UTC))
    _server: Any = None
    _thread: threading.Thread | None = None

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until the bot has finished the work its acks promised, and events are out."""
        for _ in range(3):
            assert self.executor.wait_idle(timeout), "bot work did not finish"
            self.sandbox.wait_for_events(timeout)
        assert self.executor.wait_idle(timeout)

    def slash(self, user: User, channel: str, text: str, **options: Any):  # type: ignore[no-untyped-def]
        response = self.driver.slash(user.id, channel, text, **options)
        self.settle()
        return response

    def ephemerals(self, user: User) -> list[str]:
        return [m.get("text", "") for m in self.sandbox.ephemerals(user_id=user.id)]

    def start_project(self, text: str, *, user: User | None = None) -> str:
        """Run `/onboard start …` as the CSM; return the new channel's id."""
        before = set(self.created_channels())
        response = self.slash(user or self.people.csm, self.general, f"start {text}")
        assert response.status == 200, response.text
        new = [c for c in self.created_channels() if c not in before]
        assert new, f"no channel created; ephemerals: {self.ephemerals(user or self.people.csm)}"
        return new[-1]

    def created_channels(self) -> list[str]:
        calls = self.sandbox.calls("conversations.create")
        return [c.result["channel"]["id"] for c in calls if c.result.get("ok")]

    def close(self) -> None:
        self.settle()
        if self._server is not None:
            self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.executor.shutdown(wait=True)
        self.deps.engine.dispose()
        self.sandbox.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def start_harness(db_url: str, **settings: Any) -> Harness:
    sandbox = Sandbox(signing_secret=SECRET, bot_token=TOKEN).start()
    csm = sandbox.add_user(
        "sato", real_name="Sato Kenji", email="sato@vendor.example", tz="Asia/Tokyo", locale="ja-JP"
    )
    staff = sandbox.add_user(
        "suzuki", real_name="Suzuki Mika", email="suzuki@vendor.example", tz="Asia/Tokyo"
    )
    internal = sandbox.add_user("tanaka", real_name="Tanaka Sales", email="tanaka@vendor.example")
    customer = sandbox.add_external_user(
        "taro@acme.example", real_name="Yamada Taro", tz="Asia/Tokyo", locale="ja-JP"
    )
    other = sandbox.add_external_user(
        "jane@globex.example", real_name="Jane Globex", tz="America/Los_Angeles"
    )
    cs_channel = sandbox.add_channel("cs-team", members=[csm.id, staff.id]).id
    general = sandbox.add_channel("general", members=[csm.id, staff.id, internal.id]).id
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    config = load_settings(
        _env_file=None,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=sandbox.api_url,
        database_url=db_url,
        cs_team_channel=cs_channel,
        **settings,
    )
    deps = build_deps(config)
    executor = TrackedExecutor()
    app = build_app(deps, executor=executor)
    server = make_server(wsgi_app(app, deps), host="127.0.0.1", port=0)
    url = f"http://127.0.0.1:{server.effective_port}/slack/events"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    sandbox.events_url = url
    harness = Harness(
        sandbox=sandbox,
        driver=SlackDriver(url, SECRET, sandbox),
        deps=deps,
        executor=executor,
        people=People(csm, staff, internal, customer, other),
        cs_channel=cs_channel,
        general=general,
        url=url,
        _server=server,
        _thread=thread,
    )
    deps.clock = lambda: harness.now
    return harness


def project_tasks(harness: Harness, channel_id: str) -> list[Any]:
    """The project's task rows, in checklist order."""
    with session_scope(harness.deps.engine) as session:
        project = projects.by_channel(session=session, channel_id=channel_id)
        assert project is not None
        return tasks.of_project(session=session, project_id=project.id)  # type: ignore[arg-type]


def project_events(harness: Harness, channel_id: str, kind: str | None = None) -> list[Any]:
    with session_scope(harness.deps.engine) as session:
        project = projects.by_channel(session=session, channel_id=channel_id)
        assert project is not None
        return events.for_project(session=session, project_id=project.id, kind=kind)  # type: ignore[arg-type]
