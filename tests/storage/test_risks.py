"""storage.risks: busy periods of running projects, and closing a risk once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import risks
from storage.db import session_scope
from storage.models import ProjectStatus, Risk, RiskStatus
from tests.storage.rows import NOW, add_project


def add_period(session: Session, project_id: int, start: date) -> Risk:
    risk = Risk(
        project_id=project_id,
        kind="busy_period",
        period_start=start,
        period_end=start + timedelta(days=5),
        said_by="U1",
        said_at=NOW,
    )
    session.add(risk)
    session.flush()
    return risk


def test_periods_starting_between_keep_running_projects_only(engine: Engine) -> None:
    first, last = date(2026, 7, 1), date(2026, 7, 31)
    with session_scope(engine) as session:
        active = add_project(session, timezone="Asia/Tokyo")
        paused = add_project(session, status=ProjectStatus.PAUSED, timezone="Europe/Berlin")
        done = add_project(session, status=ProjectStatus.COMPLETED)
        inside = add_period(session, active.id or 0, date(2026, 7, 10))
        add_period(session, active.id or 0, date(2026, 8, 2))  # starts after `last`
        on_pause = add_period(session, paused.id or 0, first)
        add_period(session, done.id or 0, date(2026, 7, 10))  # not running
        closed = add_period(session, active.id or 0, last)
        closed.status = RiskStatus.CLOSED
        expected = [
            (inside.id, active.id, "Asia/Tokyo"),
            (on_pause.id, paused.id, "Europe/Berlin"),
        ]
    with session_scope(engine) as session:
        found = risks.periods_starting_between(session=session, first=first, last=last)
        assert [(risk.id, pid, tz) for risk, pid, tz in found] == expected


def test_a_risk_closes_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        project_id = add_project(session).id or 0
        risk_id = add_period(session, project_id, date(2026, 7, 1)).id or 0
    with session_scope(engine) as session:
        assert risks.close(session=session, risk_id=risk_id, by="U1", at=NOW)
        assert not risks.close(session=session, risk_id=risk_id, by="U2", at=NOW)
    with session_scope(engine) as session:
        closed = risks.get(session=session, risk_id=risk_id)
        assert closed is not None
        assert (closed.status, closed.closed_by) == (RiskStatus.CLOSED, "U1")
        assert risks.of_project(session=session, project_id=project_id) == []
        assert len(risks.of_project(session=session, project_id=project_id, open_only=False)) == 1
