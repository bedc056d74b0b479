from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.migrate import (
    SchemaBehindError,
    check_schema,
    current_revision,
    head_revision,
    upgrade,
)
from storage.models import Event, Project, Task


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"project", "stakeholder", "task", "blackout", "event", "alembic_version"} <= tables
    engine.dispose()


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_check_schema_refuses_an_empty_database_and_names_the_command(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(SchemaBehindError, match="onboardbot db upgrade"):
        check_schema(engine)
    upgrade(engine)
    check_schema(engine)
    engine.dispose()


def test_rows_round_trip_with_aware_utc_datetimes(engine) -> None:  # type: ignore[no-untyped-def]
    done_at = datetime(2027, 4, 5, 1, 30, tzinfo=UTC)
    with session_scope(engine) as session:
        project = Project(
            customer_name="Acme",
            playbook_name="low-touch",
            playbook_version=1,
            kickoff=date(2027, 4, 5),
        )
        session.add(project)
        session.flush()
        session.add(
            Task(
                project_id=project.id,
                key="kickoff",
                position=0,
                phase="kickoff",
                title_ja="キックオフ",
                title_en="Kickoff",
                why_ja="理由",
                why_en="why",
                owner_side="vendor",
                owner_role="csm",
                start_date=date(2027, 4, 5),
                planned_due=date(2027, 4, 5),
                due=date(2027, 4, 5),
                depends_on=["x"],
                status="done",
                completed_at=done_at,
            )
        )
        session.add(
            Event(
                project_id=project.id,
                kind="task.done",
                actor="U1",
                before={"status": "open"},
                after={"status": "done"},
            )
        )
    with session_scope(engine) as session:
        task = session.exec(select(Task)).one()
        assert task.completed_at == done_at and task.completed_at.tzinfo is not None
        assert task.depends_on == ["x"]
        event = session.exec(select(Event)).one()
        assert event.before == {"status": "open"} and event.at.tzinfo is not None


def test_upgrade_keeps_rows_of_an_earlier_revision(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO project (customer_name, playbook_name, playbook_version, locale, timezone,"
            " holiday_country, kickoff, fiscal_year_end_month, status, checklist_ts, playbook_snapshot,"
            " created_at) VALUES ('Old', 'low-touch', 1, 'ja', 'Asia/Tokyo', 'JP', '2027-01-04', 3,"
            " 'active', '[]', '{}', '2027-01-04 00:00:00')"
        )
    upgrade(engine)
    with session_scope(engine) as session:
        project = session.exec(select(Project)).one()
        assert (project.reminder_lead_days, project.csm_after_days) == (2, 2)
        assert project.decision_maker_after_days == 5
    engine.dispose()
