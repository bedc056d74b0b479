"""The unit of work flows open through services: all of it is written, or none of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.services.session import unit_of_work
from storage import events
from storage.models import Event

AT = datetime(2027, 4, 6, 1, 0, tzinfo=UTC)


def _kinds(engine: Engine) -> list[str]:
    with unit_of_work(engine) as session:
        return [e.kind for e in session.exec(select(Event))]


def test_a_unit_of_work_commits_what_it_wrote(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        events.record(session=session, kind="test.kept", actor="system", at=AT)
    assert _kinds(engine) == ["test.kept"]


def test_a_failure_inside_leaves_nothing_written(engine: Engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        events.record(session=session, kind="test.lost", actor="system", at=AT)
        session.flush()  # in the database's transaction, not yet committed
        raise RuntimeError("the work failed half-way")
    assert _kinds(engine) == []
