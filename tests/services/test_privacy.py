from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.domain.calendar import BusinessCalendar
from bot.domain.playbook import load_playbooks
from bot.services import privacy, starts
from bot.services.projects import NewProject
from storage import events
from storage.db import session_scope
from storage.models import Escalation, Event, Outbox, Project, Risk, Stakeholder, SurveyAnswer, Task
from tests.services.seeds import NOW, running_project, set_project, set_task
from tests.services.world import started

LATER = NOW + timedelta(days=30)


def _find(engine: Engine, text: str) -> int | None:
    with session_scope(engine) as session:
        return privacy.find(session=session, customer_or_id=text).id


def test_a_project_is_found_by_id_or_by_its_one_customer_name(engine: Engine) -> None:
    acme = running_project(engine)
    numbered = started(engine, customer="1000")
    assert _find(engine, str(acme)) == acme
    assert _find(engine, "Acme") == acme
    assert _find(engine, "1000") == numbered  # no project 1000: the customer of that name
    with pytest.raises(privacy.NotFound, match="no project"):
        _find(engine, "acme")  # the exact name only
    for no_id in ("9" * 40, "2147483648", "²"):  # past the integer ids, or not ASCII digits
        with pytest.raises(privacy.NotFound, match="no project"):
            _find(engine, no_id)
    second = started(engine, customer="Acme")
    with pytest.raises(privacy.NotFound, match=f"ids {acme}, {second}"):
        _find(engine, "Acme")


def _personal_data(engine: Engine, project_id: int) -> None:
    """What people leave on a project besides its start: a queued message, a draft to the
    decision-maker, a ticked task, a risk in their words, a survey answer, a closing note."""
    set_task(
        engine,
        project_id,
        "kickoff-call",
        status="done",
        completed_by="UCSM",
        completed_on=date(2027, 4, 6),
    )
    with session_scope(engine) as session:
        session.add(
            Outbox(
                key="k1",
                kind="reminder",
                project_id=project_id,
                recipient="WCUST",
                text="Hello Taro",
            )
        )
        session.add(
            Escalation(
                key="e1",
                project_id=project_id,
                local_date=date(2027, 4, 6),
                approval="csm",
                text="Dear boss",
            )
        )
        session.add(
            Risk(
                project_id=project_id,
                kind="slip_reason",
                reason="resources",
                text="Taro is away",
                said_by="WCUST",
                said_at=NOW,
            )
        )
        session.add(
            SurveyAnswer(
                project_id=project_id,
                user_id="WCUST",
                csat=5,
                nps=9,
                comment="Thanks Hanako",
                answered_at=NOW,
            )
        )
        events.record(
            session=session,
            kind="project.completed",
            actor="UCSM",
            at=NOW,
            project_id=project_id,
            after={"status": "completed", "reason": "Taro left", "csat": 5},
        )
        events.record(
            session=session,
            kind="task.replanned",
            actor="system",
            at=NOW,
            project_id=project_id,
            after={"due": "2027-04-20", "reason": "customer_busy", "note": "Taro asked"},
        )
    set_project(engine, project_id, close_reason="Taro left", paused_until=date(2027, 5, 1))


def _forget(engine: Engine, project_id: int) -> dict[str, int]:
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        return privacy.forget(session=session, project=project, now=LATER)


def test_forgetting_removes_personal_data_and_keeps_the_statistics(engine: Engine) -> None:
    project_id = running_project(engine)
    other = started(engine, customer="Globex")
    _personal_data(engine, project_id)
    counts = _forget(engine, project_id)
    assert counts == {"people": 3, "messages": 1, "escalations": 1, "events": 4}
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        assert (project.status, project.customer_name) == (
            "deleted",
            f"deleted customer {project_id}",
        )
        assert (project.channel_name, project.close_reason, project.created_by) == (None,) * 3
        assert project.paused_until is None
        for table in (Stakeholder, Outbox, Escalation):
            assert not session.exec(select(table).where(table.project_id == project_id)).all()
        tasks = session.exec(select(Task).where(Task.project_id == project_id)).all()
        assert len(tasks) == 12 and all(t.completed_by is None for t in tasks)
        assert [t.status for t in tasks].count("done") == 1  # the statistics stay
        [risk] = session.exec(select(Risk).where(Risk.project_id == project_id)).all()
        assert (risk.text, risk.said_by, risk.reason) == (None, "redacted", "resources")
        [answer] = session.exec(select(SurveyAnswer)).all()
        assert (answer.comment, answer.user_id) == (None, f"redacted-{answer.id}")
        assert (answer.csat, answer.nps) == (5, 9)
        logged = {e.kind: e for e in events.for_project(session=session, project_id=project_id)}
        assert logged["project.started"].actor == "redacted"
        assert logged["project.started"].after == {
            "playbook": "low-touch",
            "version": 1,
            "kickoff": "2027-04-05",
        }
        assert logged["project.channel_created"].actor == "system"
        assert logged["project.completed"].after == {"status": "completed", "csat": 5}
        assert logged["task.replanned"].after == {"due": "2027-04-20", "reason": "customer_busy"}
        forgotten = logged["project.forgotten"]
        assert (forgotten.actor, forgotten.at) == ("operator", LATER)
        assert (forgotten.before, forgotten.after) == ({"status": "active"}, {"status": "deleted"})
        # Nobody else's project is touched.
        kept = session.get(Project, other)
        assert kept is not None and kept.customer_name == "Globex" and kept.status == "active"
        assert session.exec(select(Stakeholder).where(Stakeholder.project_id == other)).all()
        assert session.exec(
            select(Event).where(Event.project_id == other, Event.actor == "UCSM")
        ).all()


def test_forgetting_again_finds_nothing_more_to_remove(engine: Engine) -> None:
    project_id = running_project(engine)
    _forget(engine, project_id)
    again = _forget(engine, project_id)
    assert (again["people"], again["messages"], again["escalations"]) == (0, 0, 0)
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None and project.status == "deleted"
        last = events.for_project(session=session, project_id=project_id)[-1]
        assert (last.kind, last.before) == ("project.forgotten", {"status": "deleted"})


def test_a_customer_forgotten_while_starting_can_be_started_again(engine: Engine) -> None:
    new = NewProject(
        customer_name="Acme",
        playbook=load_playbooks()["low-touch"],
        kickoff=date(2027, 4, 5),
        locale="en",
        timezone="Asia/Tokyo",
        csm_user_id="UCSM",
        created_by="UCSM",
    )

    def begin(now: datetime) -> starts.Begun | starts.Repeated:
        with session_scope(engine) as session:
            return starts.begin(
                session=session,
                new=new,
                calendar=BusinessCalendar(country="JP"),
                now=now,
                request=None,
                worker="w1",
            )

    begun = begin(NOW)
    assert isinstance(begun, starts.Begun)
    _forget(engine, begun.project_id)  # the operator removes the half-made project
    assert isinstance(begin(LATER), starts.Begun)
