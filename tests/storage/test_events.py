"""The event log: many events recorded in one unit of work (the outbox logs every send of
a batch in one transaction) are all kept, each moving its project's `updated_at`, and
written together rather than one INSERT per event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.digest import counting_statements
from storage import events
from storage.db import session_scope
from storage.models import Event, Project
from tests.storage.rows import NOW, add_project

EVENTS = 300


def test_events_of_one_unit_of_work_are_all_kept_and_move_their_projects(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        ids = [add_project(session, updated_at=NOW).id for _ in range(3)]
    later = NOW + timedelta(hours=1)
    with counting_statements(engine) as seen, session_scope(engine) as session:
        for n in range(EVENTS):
            events.record(
                session=session,
                kind="reminder.sent",
                actor=events.SYSTEM,
                at=later + timedelta(seconds=n % 7),
                project_id=ids[n % 2],  # the third project gets none
                after={"key": f"reminder:{n}"},
            )
        events.record(session=session, kind="digest.chart", actor=events.SYSTEM, at=later)
    # Two statements an event (its row, its project's stamp), never a flush of the session.
    assert len(seen) <= 2 * EVENTS + 5, seen[:12]
    with session_scope(engine) as session:
        keys = session.exec(select(Event.after).where(Event.kind == "reminder.sent")).all()
        assert sorted(k["key"] for k in keys if k) == sorted(f"reminder:{n}" for n in range(EVENTS))
        assert len(events.by_kind(session=session, kind="digest.chart")) == 1
        rows = session.exec(select(Project.id, Project.updated_at).where(col(Project.id).in_(ids)))
        stamps = {project_id: at for project_id, at in rows}
    assert [stamps[i].replace(tzinfo=None) for i in ids] == [
        (later + timedelta(seconds=6)).replace(tzinfo=None),
        (later + timedelta(seconds=6)).replace(tzinfo=None),
        NOW.replace(tzinfo=None),
    ]
