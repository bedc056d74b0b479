"""The bot as Slack sees it: the real Bolt app on a real HTTP server, the real WebClient
pointed at the local sandbox, and a driver that sends signed requests like Slack does."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.deps import Deps
from bot.local import LocalBot, start_local_bot
from bot.slack.pacing import Pacer
from slack_sandbox import Sandbox, SlackDriver, User
from slack_sandbox.clock import WorldClock
from storage import events, projects, tasks
from storage.db import session_scope

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
    local: LocalBot
    driver: SlackDriver
    people: People
    cs_channel: str
    general: str
    clock: WorldClock = field(
        default_factory=lambda: WorldClock(datetime(2027, 4, 5, 0, 30, tzinfo=UTC))
    )

    @property
    def now(self) -> datetime:
        return self.clock.now

    @now.setter
    def now(self, value: datetime) -> None:
        self.clock.now = value

    @property
    def sandbox(self) -> Sandbox:
        return self.local.sandbox

    @property
    def deps(self) -> Deps:
        return self.local.deps

    @property
    def url(self) -> str:
        return self.local.url

    def settle(self, timeout: float = 15.0) -> None:
        self.local.settle(timeout)

    def later(self, seconds: float = 5.0) -> None:
        """Let time pass, as between two clicks of a person (Slack's limits refill too)."""
        self.clock.advance(seconds)

    def slash(self, user: User, channel: str, text: str, **options: Any):  # type: ignore[no-untyped-def]
        response = self.driver.slash(user.id, channel, text, **options)
        self.settle()
        return response

    def ephemerals(self, user: User) -> list[str]:
        return [m.get("text", "") for m in self.sandbox.ephemerals(user_id=user.id)]

    def created_channels(self) -> list[str]:
        calls = self.sandbox.calls("conversations.create")
        return [c.result["channel"]["id"] for c in calls if c.result.get("ok")]

    def start_project(self, text: str, *, user: User | None = None) -> str:
        """Run `/onboard start …` as the CSM; return the new channel's id."""
        before = set(self.created_channels())
        response = self.slash(user or self.people.csm, self.general, f"start {text}")
        assert response.status == 200, response.text
        new = [c for c in self.created_channels() if c not in before]
        assert new, f"no channel created; ephemerals: {self.ephemerals(user or self.people.csm)}"
        return new[-1]

    def close(self) -> None:
        self.local.close()
        self.sandbox.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def start_harness(
    db_url: str,
    *,
    private_cs_channel: bool = False,
    scopes: Iterable[str] | None = None,
    **settings: Any,
) -> Harness:
    """The bot and its Slack. `scopes`: the bot token's, by default manifest.yml's."""
    clock = WorldClock(datetime(2027, 4, 5, 0, 30, tzinfo=UTC))
    sandbox = Sandbox(
        signing_secret=SECRET, bot_token=TOKEN, rate_clock=clock.monotonic, scopes=scopes
    ).start()
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
    # Acme's admins show their members' e-mail to other organisations; Globex's do not (the
    # default): customers are linked by e-mail in one, recognised without it in the other.
    sandbox.show_email_to_others(customer.team_id)
    cs_channel = sandbox.add_channel(
        "cs-team", members=[csm.id, staff.id], is_private=private_cs_channel
    ).id
    general = sandbox.add_channel("general", members=[csm.id, staff.id, internal.id]).id
    local = start_local_bot(sandbox, database_url=db_url, cs_team_channel=cs_channel, **settings)
    harness = Harness(
        local=local,
        driver=SlackDriver(local.url, SECRET, sandbox),
        people=People(csm, staff, internal, customer, other),
        cs_channel=cs_channel,
        general=general,
        clock=clock,
    )
    local.deps.clock = lambda: harness.now
    # The bot paces itself on the same clock as the sandbox's rate limits: simulated days
    # refill its budgets, calls within one moment wait in real time.
    local.deps.gateway.pacer = Pacer(clock=clock.monotonic)
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


def im_channel(harness: Harness, user: User) -> str:
    """The id of the bot's direct-message conversation with `user` (opened if need be)."""
    with harness.sandbox.workspace.lock:
        return harness.sandbox.workspace.im_for(user.id).id


def answer_who_is_this(harness: Harness, person: User, answer: str) -> None:
    """The CSM answers the bot's "who is this?" DM about `person` (champion, member…)."""
    csm = harness.people.csm
    question = next(
        m
        for m in reversed(harness.sandbox.dm_messages(csm.id))
        if f":{person.id}" in str(m.get("blocks")) and f"identify:{answer}" in str(m.get("blocks"))
    )
    value = next(
        e["value"]
        for b in question["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == f"identify:{answer}"
    )
    harness.driver.click_button(csm.id, question, f"identify:{answer}", value)
    harness.settle()


def drafts_for(harness: Harness, user: User) -> list[dict[str, Any]]:
    """The drafts for the decision-maker waiting in `user`'s DM (their Send button shown)."""
    return [
        m
        for m in harness.sandbox.dm_messages(user.id)
        if str(((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")).startswith(
            "escalation:draft:"
        )
        and "escalation_send" in str(m.get("blocks"))
    ]


def send_draft(harness: Harness, user: User | None = None, **options: Any) -> Any:
    """The CSM presses **Send** on the newest draft for the decision-maker."""
    person = user or harness.people.csm
    draft = drafts_for(harness, person)[-1]
    response = harness.driver.click_button(person.id, draft, "escalation_send", **options)
    harness.settle()
    return response
