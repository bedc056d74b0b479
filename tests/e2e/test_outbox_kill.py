"""A sending process killed (SIGKILL) in the middle of a batch: each message still once.

`onboardbot jobs run outbox` claims a batch and posts it several conversations at a time,
recording what Slack accepted for the whole batch at its end. Killed mid-batch, it leaves
rows that Slack has accepted but the outbox never recorded, still claimed by a process
that is gone. The next run, once the dead claims ran out, takes them over and looks for
each one's key in its conversation before posting: every message reaches Slack exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.message import Message
from bot.flows.outbox import LEASE, outbox_row
from slack_sandbox import User
from storage import outbox
from storage.db import session_scope
from tests.e2e.harness import Harness, wait_until

BASE = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)


def _env(bot: Harness, db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_API_URL": bot.sandbox.api_url,
        "SLACK_BOT_TOKEN": bot.sandbox.bot_token,
        "SLACK_SIGNING_SECRET": bot.sandbox.signing_secret,
        "CS_TEAM_CHANNEL": bot.cs_channel,
    }


def _outbox_job(bot: Harness, db_url: str, now: datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "jobs", "run", "outbox", "--now", now.isoformat()],
        env=_env(bot, db_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _enqueue(bot: Harness, people: list[User], per_person: int) -> list[str]:
    rows = [
        outbox_row(
            f"reminder:kill:{person.id}:{n}",
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
    """How many times each outbox key reached Slack (read from the messages themselves)."""
    found: Counter[str] = Counter()
    for person in people:
        for message in bot.sandbox.dm_messages(person.id):
            key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
            if key:
                found[key] += 1
    return found


def _statuses(bot: Harness) -> Counter[str]:
    with session_scope(bot.deps.engine) as session:
        return Counter(r.status for r in outbox.rows(session=session, kind_prefix="reminder"))


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_a_sender_killed_mid_batch_leaves_nothing_twice_and_nothing_behind(
    bot: Harness, db_url: str
) -> None:
    people = [bot.sandbox.add_user(f"member{n}", tz="Asia/Tokyo") for n in range(12)]
    keys = _enqueue(bot, people, per_person=2)
    bot.sandbox.clear_logs()
    # Slack takes its time, and says 429 once: the kill lands while posts are in flight.
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.4, times=10_000)
    bot.sandbox.faults.ratelimit("chat.postMessage", times=1, retry_after=1)

    def accepted() -> int:
        return sum(c.status == 200 for c in bot.sandbox.calls("chat.postMessage"))

    first = _outbox_job(bot, db_url, BASE)
    try:
        wait_until(lambda: accepted() >= 3, timeout=60)
        first.send_signal(signal.SIGKILL)  # no shutdown: its claims stay, nothing recorded
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    bot.sandbox.faults.clear()
    # Slack has messages the outbox does not know were sent, held by a process now gone.
    reached = _delivered(bot, people)
    assert reached and max(reached.values()) == 1
    assert _statuses(bot)["sent"] < len(reached)
    assert _statuses(bot)["claimed"] > 0

    # The next run, once those claims ran out, finishes the morning.
    second = _outbox_job(bot, db_url, BASE + LEASE + timedelta(minutes=1))
    _, errors = second.communicate(timeout=120)
    assert second.returncode == 0, errors.decode()
    assert _delivered(bot, people) == dict.fromkeys(keys, 1)
    assert _statuses(bot) == Counter({"sent": len(keys)})
    # It looked for the rows the dead process held instead of posting them blind.
    assert bot.sandbox.calls("conversations.history")
