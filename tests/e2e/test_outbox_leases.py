"""Exactly once when Slack is slower than the outbox's lease.

Two dispatchers share the outbox (two replicas, or the outbox job and another job in one
process) while the sandbox takes longer per post than the lease allows for a whole batch,
or answers 429 with a Retry-After longer than the lease. A dispatcher posts a row only
while its claim on it is current, so every message reaches Slack exactly once. The lease
is shortened through `dispatch(lease=…)` instead of waiting minutes.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_deps
from bot.blocks.message import Message
from bot.deps import Deps
from bot.flows.outbox import DispatchResult, dispatch, outbox_row
from bot.slack.pacing import Pacer
from slack_sandbox import User
from storage import outbox
from storage.db import session_scope
from tests.e2e.harness import Harness

BASE = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)
LEASE = timedelta(seconds=1.5)
ROWS = 16


def running_clock(start: datetime) -> Callable[[], datetime]:
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


def replica(bot: Harness, clock: Callable[[], datetime]) -> Deps:
    """Another process's view of the same database and Slack."""
    deps = build_deps(bot.deps.settings)
    deps.clock = clock
    deps.gateway.pacer = Pacer(sleep=lambda _seconds: None)
    return deps


@pytest.fixture
def people(bot: Harness) -> list[User]:
    return [bot.sandbox.add_user(f"person{n}", tz="Asia/Tokyo") for n in range(8)]


def enqueue(bot: Harness, people: list[User], count: int = ROWS) -> list[str]:
    rows = [
        outbox_row(
            f"escalation:test:{n}",
            "escalation",
            people[n % len(people)].id,
            Message(f"message {n}", []),
            project_id=None,
            now=BASE,
        )
        for n in range(count)
    ]
    with session_scope(bot.deps.engine) as session:
        assert outbox.enqueue(session=session, rows=rows) == count
    return [r.key for r in rows]


def delivered(bot: Harness, people: list[User]) -> Counter[str]:
    """How many times each outbox key reached Slack (read from the messages themselves)."""
    found: Counter[str] = Counter()
    for person in people:
        for message in bot.sandbox.dm_messages(person.id):
            key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
            if key:
                found[key] += 1
    return found


def run_together(
    dispatchers: list[Deps], *, rounds_until: Callable[[], bool]
) -> list[DispatchResult]:
    """Each dispatcher in its own thread, dispatching again until `rounds_until()`."""
    results: list[DispatchResult] = []
    errors: list[BaseException] = []

    def work(deps: Deps) -> None:
        try:
            deadline = time.monotonic() + 60
            while not rounds_until() and time.monotonic() < deadline:
                results.append(dispatch(deps, now=deps.clock(), lease=LEASE))
                time.sleep(0.05)
        except BaseException as exc:  # surfaced in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not errors, errors
    return results


def all_sent(bot: Harness) -> bool:
    with session_scope(bot.deps.engine) as session:
        return {r.status for r in outbox.rows(session=session)} == {"sent"}


@pytest.mark.parametrize(
    ("db_url", "setup"),
    [("postgres", "replicas"), ("postgres", "one_process"), ("sqlite", "one_process")],
    indirect=["db_url"],
)
def test_slack_slower_than_the_lease_still_sends_each_message_once(
    bot: Harness, people: list[User], setup: str
) -> None:
    keys = enqueue(bot, people)
    # A batch of 10 at 0.4 s a post takes 4 s: well past the 1.5 s lease.
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.4, times=10_000)
    clock = running_clock(BASE)
    if setup == "replicas":
        dispatchers = [replica(bot, clock), replica(bot, clock)]
    else:  # e.g. the outbox job and the reminders job of one process, one Deps
        bot.deps.clock = clock
        dispatchers = [bot.deps, bot.deps]
    results = run_together(dispatchers, rounds_until=lambda: all_sent(bot))
    bot.sandbox.faults.clear()
    assert delivered(bot, people) == dict.fromkeys(keys, 1)
    assert all_sent(bot)
    # A batch outlasts the lease many times over; its claims were renewed while it ran
    # (rows that do change hands: the stalled-holder and the killed-worker tests).
    assert max(len(r.sent) for r in results) >= 1
    assert sorted(k for r in results for k in r.sent) == sorted(keys)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_long_retry_after_never_holds_a_row_past_its_lease(
    bot: Harness, people: list[User]
) -> None:
    keys = enqueue(bot, people)
    # Retry-After: 3 s, twice the lease: sleeping through it would hold rows on a dead lease.
    bot.sandbox.faults.ratelimit("chat.postMessage", times=6, retry_after=3)
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.2, times=10_000)
    clock = running_clock(BASE)
    results = run_together(
        [replica(bot, clock), replica(bot, clock)], rounds_until=lambda: all_sent(bot)
    )
    bot.sandbox.faults.clear()
    assert delivered(bot, people) == dict.fromkeys(keys, 1)
    assert [c.status for c in bot.sandbox.calls("chat.postMessage")].count(429) == 6
    # Each 429 put its row back, and the rows after it wait for the Retry-After too.
    assert len([k for r in results for k in r.retried]) >= 6


def test_retries_count_from_the_failure_not_from_the_job_start(
    bot: Harness, people: list[User]
) -> None:
    """A job started at BASE whose batch reached these rows 5 minutes later. A 429 slows
    the whole method down: the row after it is not posted before its Retry-After."""
    keys = enqueue(bot, people, count=3)
    failed_at = BASE + timedelta(minutes=5)
    bot.deps.clock = lambda: failed_at
    bot.sandbox.faults.server_error("chat.postMessage", times=1)
    bot.sandbox.faults.ratelimit("chat.postMessage", times=1, retry_after=25)
    result = dispatch(bot.deps, now=BASE, workers=1)  # one post at a time, in key order
    assert len(result.retried) == 3 and result.sent == []
    with session_scope(bot.deps.engine) as session:
        rows = {r.key: r for r in outbox.rows(session=session)}
    broken, limited, held_back = rows[keys[0]], rows[keys[1]], rows[keys[2]]
    assert broken.last_error == "internal_error"
    assert broken.next_attempt_at == failed_at + timedelta(seconds=30)
    assert broken.attempts == 1
    assert limited.last_error == "ratelimited"
    assert limited.next_attempt_at == failed_at + timedelta(seconds=25)
    assert limited.attempts == 0  # Slack did nothing: the try is not used up
    assert held_back.last_error == "ratelimited" and held_back.attempts == 0
    assert failed_at + timedelta(seconds=20) < held_back.next_attempt_at
    assert held_back.next_attempt_at <= failed_at + timedelta(seconds=25)
    assert len(bot.sandbox.calls("chat.postMessage")) == 2  # never tried while held off


def test_a_claim_taken_over_is_never_sent_by_its_old_holder(
    bot: Harness, people: list[User]
) -> None:
    """The first dispatcher stalls before its post; meanwhile its lease runs out and a
    second dispatcher takes and sends the row. The first must then skip it."""
    [key] = enqueue(bot, people, count=1)
    clock = running_clock(BASE)
    first, second = replica(bot, clock), replica(bot, clock)
    taken = threading.Event()
    original = first.gateway.post_once

    def stalled_post(*args, **kwargs):  # type: ignore[no-untyped-def]
        # The first dispatcher freezes between its claim and its post (a GC pause, a stop).
        time.sleep(LEASE.total_seconds() + 0.3)
        result = dispatch(second, now=clock(), lease=LEASE)
        assert result.sent == [key]
        taken.set()
        return original(*args, **kwargs)

    first.gateway.post_once = stalled_post  # type: ignore[method-assign]
    result = dispatch(first, now=BASE, lease=LEASE)
    assert taken.is_set()
    assert result.lost == [key] and result.sent == []
    assert delivered(bot, people) == {key: 1}
