"""storage.projects: the lookups by person, status and id, and the two job queries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from storage import projects
from storage.db import session_scope
from storage.models import Blackout, Outbox, ProjectStatus
from tests.storage.rows import DAY, NOW, add_person, add_project

RUNNING = (ProjectStatus.ACTIVE, ProjectStatus.PAUSED)


def test_lookups_by_csm_status_channel_and_ids(engine: Engine) -> None:
    with session_scope(engine) as session:
        mine = add_project(session, channel_id="C1")
        paused = add_project(session, status=ProjectStatus.PAUSED)
        done = add_project(session, status=ProjectStatus.COMPLETED)
        for project in (mine, paused, done):
            add_person(session, project, role="csm", side="vendor", slack_user_id="UCSM")
        add_person(session, mine, slack_user_id="UCUST")
        session.add(Blackout(project_id=mine.id or 0, start=DAY, end=DAY + timedelta(days=3)))
        ids = [mine.id or 0, paused.id or 0, done.id or 0]
    with session_scope(engine) as session:
        by_csm = projects.by_csm(session=session, user_id="UCSM", statuses=RUNNING)
        assert [p.id for p in by_csm] == ids[:2]
        assert projects.by_csm(session=session, user_id="UCUST", statuses=RUNNING) == []
        assert [p.id for p in projects.with_status(session=session, statuses=RUNNING)] == ids[:2]
        assert (projects.by_channel(session=session, channel_id="C1") or mine).id == ids[0]
        assert projects.by_channel(session=session, channel_id="C2") is None
        assert [p.id for p in projects.many(session=session, project_ids=ids[::-1])] == ids
        people = projects.stakeholders_of(session=session, project_ids=ids[:1])
        assert [p.slack_user_id for p in people] == ["UCSM", "UCUST"]
        assert len(projects.blackouts_of(session=session, project_ids=ids)) == 1
        assert len(projects.blackouts(session=session, project_id=ids[0])) == 1


def test_customers_not_joined_lists_projects_where_no_customer_joined(engine: Engine) -> None:
    with session_scope(engine) as session:
        waiting = add_project(session, channel_id="C1", created_at=NOW - timedelta(days=3))
        joined = add_project(session, channel_id="C2", created_at=NOW - timedelta(days=3))
        too_new = add_project(session, channel_id="C3", created_at=NOW)
        no_customer = add_project(session, channel_id="C4", created_at=NOW - timedelta(days=3))
        for project in (waiting, joined, too_new, no_customer):
            add_person(session, project, role="csm", side="vendor", slack_user_id="UCSM")
        add_person(session, waiting, role="champion", email="a@example.com")
        add_person(session, joined, role="champion", slack_user_id="UJOINED")
        add_person(session, too_new, role="champion", email="b@example.com")
        waiting_id = waiting.id or 0
    with session_scope(engine) as session:
        rows, people = projects.customers_not_joined(
            session=session, started_before=NOW - timedelta(days=1)
        )
    assert [tuple(row[:4]) for row in rows] == [(waiting_id, "Acme", "ja", "C1")]
    assert people == {
        waiting_id: [
            ("csm", "vendor", "UCSM", None),
            ("champion", "customer", None, "a@example.com"),
        ]
    }


def test_completed_for_adoption_keeps_recent_or_undecided_check_ins(engine: Engine) -> None:
    since = NOW - timedelta(days=30)
    with session_scope(engine) as session:
        done = {"status": ProjectStatus.COMPLETED}
        recent = add_project(session, **done, channel_id="C1", completed_at=NOW)
        old = add_project(session, **done, channel_id="C2", completed_at=since - timedelta(days=9))
        decided = add_project(session, **done, channel_id="C3", completed_at=old.completed_at)
        add_project(session, **done, completed_at=NOW)  # no channel
        add_project(session, channel_id="C5")  # still running
        session.add(Outbox(key=f"checkin:{decided.id}", kind="checkin", recipient="C3", text=""))
        expected = [
            (recent.id, "Asia/Tokyo", NOW, 30),
            (old.id, "Asia/Tokyo", old.completed_at, 30),
        ]
    with session_scope(engine) as session:
        found = projects.completed_for_adoption(
            session=session, since=since, checkin_key_prefix="checkin:"
        )
    assert found == expected
