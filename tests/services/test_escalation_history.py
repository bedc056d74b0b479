"""`export escalations`: one row per decision-maker step from a date on."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine

from bot.domain.command_text import Person
from bot.services.escalation_history import EXPORT_COLUMNS, history
from storage.db import session_scope
from tests.services.test_escalations import _record, _steps
from tests.services.world import started


def test_each_step_is_one_row_with_every_column(engine: Engine) -> None:
    acme = started(engine, decision_maker=Person(email="boss@acme.example"))
    [step] = _steps(engine)
    assert _record(engine, step, "csm") is not None
    with session_scope(engine) as session:
        [row] = history(session=session, since=date(2027, 4, 1))
        assert history(session=session, since=date(2027, 5, 1)) == []
    assert tuple(row) == EXPORT_COLUMNS
    assert (row["project_id"], row["customer"], row["status"], row["decided_by"]) == (
        acme,
        "Acme",
        "draft",
        "",
    )
    assert row["day"] == step.local_date.isoformat() and row["day"] <= str(
        datetime(2027, 4, 28, tzinfo=UTC).date()
    )
