"""A morning delivered by several posts at once: each message once, 429s slow the whole
method down, and a person's click is answered while the morning is still going out."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest

from bot.app import build_deps
from bot.blocks.message import Message
from bot.deps import Deps
from bot.flows.outbox import dispatch, outbox_row
from bot.slack.pacing import Pacer
from slack_sandbox import User
from storage import outbox
from storage.db import session_scope
from tests.e2e.harness import Harness, project_tasks, wait_until
from tests.e2e.test_outbox_leases import all_sent, running_clock

BASE = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)


def _morning(bot: Harness, people: list[User], per_person: int) -> list[str]:
    rows = [
        outbox_row(
            f"reminder:test:{person.id}:{n}",
            "reminder",
            person.id,
            Message(f"reminder {n} for {person.name}", []),
            project_id=None,
            now=BASE,
        )
        for n in range(per_person)
        for person in people
    ]
    with session_scope(bot.deps.engine) as session:
        assert outbox.enqueue(session=session, rows=rows) == len(rows)
    return [r.key for r in rows]


def _delivered(bot: Harness, people: list[User]) -> Counter[str]:
    found: Counter[str] = Counter()
    for person in people:
        for message in bot.sandbox.dm_messages(person.id):
            key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
            if key:
                found[key] += 1
    return found


def _replica(bot: Harness) -> Deps:
    """Another process on the same database and Slack, pacing itself in real time."""
    deps = build_deps(bot.deps.settings)
    deps.clock = running_clock(BASE)
    deps.gateway.pacer = Pacer()
    return deps


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_two_replicas_posting_at_once_through_429s_send_each_message_once(
    bot: Harness,
) -> None:
    people = [bot.sandbox.add_user(f"member{n}", tz="Asia/Tokyo") for n in range(12)]
    keys = _morning(bot, people, per_person=3)
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.2, times=10_000)
    bot.sandbox.faults.ratelimit("chat.postMessage", times=3, retry_after=1)
    replicas = [_replica(bot), _replica(bot)]
    errors: list[BaseException] = []

    def work(deps: Deps) -> None:
        try:
            for _ in range(40):
                if all_sent(bot):
                    return
                dispatch(deps, now=deps.clock())
        except BaseException as exc:  # surfaced in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    bot.sandbox.faults.clear()
    assert not errors, errors
    assert _delivered(bot, people) == dict.fromkeys(keys, 1)
    assert all_sent(bot)
    posts = bot.sandbox.calls("chat.postMessage")
    assert [c.status for c in posts].count(429) == 3
    # Posts to different people overlapped (each took 0.2 s): sent side by side, not in turn.
    accepted = sorted(c.at for c in posts if c.status == 200)
    assert any(later - earlier < 0.1 for earlier, later in itertools.pairwise(accepted))
    for deps in replicas:
        deps.engine.dispose()


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_a_click_during_a_large_morning_updates_the_checklist_before_the_morning_ends(
    bot: Harness,
) -> None:
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example"
    )
    bot.settle()
    people = [bot.sandbox.add_user(f"member{n}", tz="Asia/Tokyo") for n in range(60)]
    _morning(bot, people, per_person=5)  # 300 DMs: more than a minute of the workspace budget
    sender = _replica(bot)
    morning = threading.Thread(target=dispatch, args=(sender,), kwargs={"now": BASE})
    morning.start()
    try:
        wait_until(lambda: len(bot.sandbox.calls("chat.postMessage")) >= 50, timeout=60)
        updates_before = len(bot.sandbox.calls("chat.update"))
        task = next(t for t in project_tasks(bot, channel) if t.owner_side == "vendor")
        response = bot.driver.click(
            bot.people.csm.id, channel_id=channel, action_id="task_done", value=str(task.id)
        )
        assert response.status == 200
        wait_until(lambda: len(bot.sandbox.calls("chat.update")) > updates_before, timeout=30)
        # The checklist shows the task done while the morning is still going out.
        with session_scope(bot.deps.engine) as session:
            waiting = outbox.backlog(session=session)
        assert waiting > 0
        checklist = str(bot.sandbox.messages(channel)[1]["blocks"])
        assert "1/" in checklist
    finally:
        sender.stopping.set()
        morning.join(timeout=60)
        sender.engine.dispose()
    # Stopping handed the untried rows back: nothing was sent twice, nothing is held.
    with session_scope(bot.deps.engine) as session:
        statuses = Counter(r.status for r in outbox.rows(session=session, kind_prefix="reminder"))
    assert set(statuses) <= {"sent", "pending"} and statuses["pending"] > 0
    assert max(_delivered(bot, people).values()) == 1
