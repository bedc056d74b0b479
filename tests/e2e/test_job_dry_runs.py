"""Every job's dry run: it says what it would send, writes nothing (no table changes, the
people's profiles included) and calls no Slack; run for real, it sends what it said."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.blocks.message import Message
from bot.flows.outgoing import outbox_row
from bot.services import outbox as outbox_service
from schedules.jobs import JOBS
from storage import outbox as outbox_rows
from storage import webhooks as webhook_rows
from storage.db import session_scope
from storage.models import Project, ProjectStatus, Risk
from tests.e2e.harness import Harness, project_tasks, start_harness

START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
LATER = datetime(2027, 4, 28, 0, 5, tzinfo=UTC)  # Wed 09:05 in Tokyo, three weeks on
RECEIVER = "http://127.0.0.1:9/hooks"  # nothing listens: a real delivery is retried later


@pytest.fixture
def world(db_url: str) -> Iterator[tuple[Harness, int]]:
    """A project three weeks in: reminders, escalations and the join check are due; the
    webhooks of its start wait to be delivered."""
    bot = start_harness(db_url, webhook_urls=RECEIVER, webhook_secret="whsec-0123456789abcdef")
    try:
        bot.now = datetime(2027, 4, 5, 1, 0, tzinfo=UTC)
        channel = bot.start_project(START)
        bot.settle()
        bot.now = LATER
        yield bot, project_tasks(bot, channel)[0].project_id
    finally:
        bot.close()


def _busy_period_tomorrow(bot: Harness, project_id: int) -> None:
    with session_scope(bot.deps.engine) as session:
        session.add(
            Risk(
                project_id=project_id,
                kind="busy_period",
                period_start=date(2027, 4, 29),
                period_end=date(2027, 5, 7),
                said_by="U0CUSTOMER",
                said_at=LATER - timedelta(days=7),
            )
        )


def _completed_a_month_ago(bot: Harness, project_id: int) -> None:
    with session_scope(bot.deps.engine) as session:
        session.execute(
            update(Project)
            .where(Project.id == project_id)  # type: ignore[arg-type]  # sqlmodel types the column as int
            .values(status=ProjectStatus.COMPLETED, completed_at=LATER - timedelta(days=31))
        )


def _a_message_waiting(bot: Harness, _project_id: int) -> None:
    message = Message("a message decided a moment ago", [])
    row = outbox_row(
        "test:waiting", "kickoff", bot.people.csm.id, message, project_id=None, now=LATER
    )
    with session_scope(bot.deps.engine) as session:
        outbox_service.enqueue(session=session, rows=[row])


def _nothing(_bot: Harness, _project_id: int) -> None:
    return None


SETUP: dict[str, Callable[[Harness, int], None]] = {
    "reminders": _nothing,
    "escalations": _nothing,
    "outbox": _a_message_waiting,
    "join_check": _nothing,
    "risk_reminders": _busy_period_tomorrow,
    "adoption": _completed_a_month_ago,
    "digest": _nothing,
    "webhooks": _nothing,
}


def _snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as plain tuples."""
    with engine.connect() as connection:
        return {
            name: sorted(tuple(str(v) for v in row) for row in connection.execute(select(table)))
            for name, table in SQLModel.metadata.tables.items()
        }


def _outbox_keys(bot: Harness) -> dict[str, Any]:
    with session_scope(bot.deps.engine) as session:
        return {r.key: r.status for r in outbox_rows.rows(session=session)}


def test_every_job_has_a_dry_run_check() -> None:
    assert set(SETUP) == set(JOBS)


@pytest.mark.parametrize("job", sorted(JOBS))
def test_a_dry_run_writes_nothing_and_says_what_it_would_send(
    world: tuple[Harness, int], job: str
) -> None:
    bot, project_id = world
    SETUP[job](bot, project_id)
    calls, rows = len(bot.sandbox.calls()), _snapshot(bot.deps.engine)
    report = JOBS[job](bot.deps, now=LATER, dry_run=True)
    assert report.planned, job  # something was due, and the report says what
    assert (report.enqueued, report.sent, report.failed) == (0, 0, 0)
    assert _snapshot(bot.deps.engine) == rows  # profiles, outbox, steps, events: unchanged
    assert len(bot.sandbox.calls()) == calls  # and Slack never heard of it
    # Run for real, the job sends (or, for webhooks, tries) what the dry run listed.
    JOBS[job](bot.deps, now=LATER)
    bot.settle()
    if job == "webhooks":
        with session_scope(bot.deps.engine) as session:
            tried = {r.event_id for r in webhook_rows.rows(session=session) if r.attempts}
        assert {line.split()[1] for line in report.planned} <= tried
        return
    keys = {line.split(" → ")[0] for line in report.planned if not line.endswith(":chart")}
    sent = {key for key, status in _outbox_keys(bot).items() if status == "sent"}
    assert keys <= sent, keys - sent
