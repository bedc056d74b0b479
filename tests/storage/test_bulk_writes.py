"""Bulk writes stay inside the databases' bound-parameter limits, whatever their size.

PostgreSQL refuses a statement with more than 65,535 parameters; an outbox row binds up to
17, so one INSERT of a whole morning failed past 3,855 new rows and the morning sent
nothing. Here a real morning (the bench's portfolio, planned and written by the jobs' own
code) writes more rows than that in one run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from bench.reminders import NOW, bench_settings, fill
from bot.app import build_deps
from bot.blocks.message import Message
from bot.flows.escalation_steps import queue_escalations
from bot.flows.outgoing import outbox_row
from bot.flows.reminders import queue_reminders
from bot.services.outbox import OutboxMessage
from storage import outbox
from storage.db import make_engine, session_scope
from storage.models import Outbox
from tests.conftest import drop_postgres_schema, fresh_postgres_url, require_postgres

POSTGRES_MAX_PARAMETERS = 65_535
BASE = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)


def _rows(count: int) -> list[OutboxMessage]:
    return [
        outbox_row(
            f"reminder:bulk:{n}",
            "reminder",
            f"U{n:08d}",
            Message(f"message {n}", [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]),
            project_id=None,
            now=BASE,
            task_ids=[n],
        )
        for n in range(count)
    ]


def test_enqueue_binds_more_rows_than_one_statement_may(engine: Engine) -> None:
    rows = _rows(POSTGRES_MAX_PARAMETERS // len(_rows(1)[0].columns()) + 500)
    with session_scope(engine) as session:
        assert outbox.enqueue(session=session, rows=rows) == len(rows)
    with session_scope(engine) as session:
        # Deciding again is harmless, and every key is found again in bounded lookups.
        assert outbox.enqueue(session=session, rows=rows[:10] + _rows(len(rows) + 3)[-3:]) == 3
        keys = [r.key for r in rows]
        assert outbox.existing_keys(session=session, keys=keys) == set(keys)
        assert session.exec(select(func.count()).select_from(Outbox)).one() == len(rows) + 3


@pytest.mark.postgres
def test_a_postgres_morning_with_more_rows_than_the_parameter_limit() -> None:
    require_postgres()
    url, schema = fresh_postgres_url()
    settings = bench_settings().model_copy(update={"database_url": url})
    deps = None
    try:
        engine = make_engine(url)
        fill(engine, projects=6_000, settings=settings)
        engine.dispose()
        deps = build_deps(settings)
        with session_scope(deps.engine) as session:
            before = session.exec(select(func.count()).select_from(Outbox)).one()
        reminders = queue_reminders(deps, now=NOW, dry_run=False)
        escalations = queue_escalations(deps, now=NOW, dry_run=False)
        new = reminders.enqueued + escalations.enqueued
        assert reminders.enqueued * len(_rows(1)[0].columns()) > POSTGRES_MAX_PARAMETERS  # 17 a row
        assert reminders.enqueued == len(reminders.planned)
        assert escalations.enqueued == len(escalations.planned)
        with session_scope(deps.engine) as session:
            after = session.exec(select(func.count()).select_from(Outbox)).one()
            pending = session.exec(
                select(func.count()).select_from(Outbox).where(Outbox.status == "pending")
            ).one()
        assert after - before == new == pending
        # The same morning decided again writes nothing.
        again = queue_reminders(deps, now=NOW, dry_run=False)
        assert again.enqueued == 0
    finally:
        if deps is not None:
            deps.engine.dispose()
        drop_postgres_schema(schema)
