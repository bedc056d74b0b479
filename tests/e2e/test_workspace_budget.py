"""A workspace that allows fewer posts than the bot is configured for.

Slack publishes no number for chat.postMessage's workspace-wide limit, so the bot's budget
(`SLACK_POSTS_PER_MINUTE`) can be set higher than what the workspace really allows. Then
Slack answers 429 with a Retry-After: the whole method waits for it (posts already queued
behind the bot's own pacing included), the rows not sent go back to the outbox for then
without using up a try, and the outbox job (every 30 seconds) sends them: each message
once, at the pace the workspace allows.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.message import Message
from bot.flows.outbox import dispatch, outbox_row
from bot.local import LocalBot, start_local_bot
from bot.slack.pacing import Pacer
from slack_sandbox import Sandbox, User
from slack_sandbox.clock import WorldClock
from slack_sandbox.rate_limits import PostLimits
from storage import outbox
from storage.db import session_scope

BASE = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)
ALLOWED = 20  # posts a minute the workspace really allows
CONFIGURED = 6000  # what the bot was told
PEOPLE = 25
PER_PERSON = 2
OUTBOX_EVERY = timedelta(seconds=30)  # the outbox job's cadence (schedules/jobs.py)


@pytest.fixture
def world(db_url: str) -> Iterator[tuple[LocalBot, WorldClock, list[User]]]:
    clock = WorldClock(BASE)
    sandbox = Sandbox(
        signing_secret="budget-secret",
        bot_token="xoxb-budget",
        rate_clock=clock.monotonic,
        post_limits=PostLimits(workspace_per_minute=ALLOWED),
    ).start()
    people = [sandbox.add_user(f"member{n}", tz="Asia/Tokyo") for n in range(PEOPLE)]
    cs_team = sandbox.add_channel("cs-team", members=[people[0].id]).id
    local = start_local_bot(
        sandbox, database_url=db_url, cs_team_channel=cs_team, slack_posts_per_minute=CONFIGURED
    )
    local.deps.clock = lambda: clock.now
    # The bot paces itself on the sandbox's clock, and its waits move that clock on: the
    # test's minutes pass in a moment.
    local.deps.gateway.pacer = Pacer(clock=clock.monotonic, sleep=_sleeper(clock))
    try:
        yield local, clock, people
    finally:
        local.close()
        sandbox.stop()


def _sleeper(clock: WorldClock) -> Callable[[float], None]:
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            until = clock.monotonic() + seconds
            clock.now = max(clock.now, datetime.fromtimestamp(until, UTC))

    return sleep


def _enqueue(local: LocalBot, people: list[User]) -> list[str]:
    rows = [
        outbox_row(
            f"reminder:budget:{person.id}:{n}",
            "reminder",
            person.id,
            Message(f"reminder {n}", []),
            project_id=None,
            now=BASE,
        )
        for n in range(PER_PERSON)
        for person in people
    ]
    with session_scope(local.deps.engine) as session:
        assert outbox.enqueue(session=session, rows=rows) == len(rows)
    return [r.key for r in rows]


def _statuses(local: LocalBot) -> Counter[str]:
    with session_scope(local.deps.engine) as session:
        return Counter(r.status for r in outbox.rows(session=session))


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_a_workspace_allowing_fewer_posts_than_configured_slows_the_bot_down_losing_nothing(
    world: tuple[LocalBot, WorldClock, list[User]],
) -> None:
    local, clock, people = world
    keys = _enqueue(local, people)
    started = clock.monotonic()
    for _ in range(20):
        if _statuses(local) == {"sent": len(keys)}:
            break
        dispatch(local.deps, now=clock.now)
        clock.now += OUTBOX_EVERY
    assert _statuses(local) == {"sent": len(keys)}
    delivered: Counter[str] = Counter()
    for person in people:
        for message in local.sandbox.dm_messages(person.id):
            delivered[((message.get("metadata") or {}).get("event_payload") or {})["key"]] += 1
    assert delivered == dict.fromkeys(keys, 1)  # each message once
    # It took as many minutes as the workspace needs, not what the configured budget allows.
    minutes = math.ceil(len(keys) / ALLOWED)
    assert clock.monotonic() - started >= (minutes - 1) * 60
    # The bot met the workspace's wall twice (one 429 could have been a busy channel or a
    # moment's hiccup; the posts already on their way then included), then paced itself
    # under it: no 429 after the first post of the third minute.
    calls = local.sandbox.calls("chat.postMessage")
    limited = [n for n, c in enumerate(calls) if c.status == 429]
    accepted = [n for n, c in enumerate(calls) if c.status == 200]
    assert limited and accepted[ALLOWED] < max(limited) < accepted[2 * ALLOWED]
    # What it learned: the posts Slack had accepted when the second wall's 429 came back (a
    # few of the minute's may still have been on their way back then).
    assert ALLOWED // 2 <= local.deps.gateway.posts.per_minute <= ALLOWED
    # A 429 used up no try: every row went out on the tries Slack answered.
    with session_scope(local.deps.engine) as session:
        assert {r.attempts for r in outbox.rows(session=session)} <= {1, 2}
