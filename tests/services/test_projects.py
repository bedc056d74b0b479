from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.command_text import Person
from bot.domain.planning import plan
from bot.domain.playbook import load_playbooks
from bot.services import projects
from bot.services.projects import NewProject
from storage import events, tasks
from storage import projects as project_rows
from storage.db import session_scope
from storage.models import Blackout
from tests.services.seeds import CHANNEL, NOW, running_project
from tests.services.world import started


def _people(engine: Engine, project_id: int) -> list[tuple[str, str, str | None, str | None]]:
    with session_scope(engine) as session:
        rows = project_rows.stakeholders(session=session, project_id=project_id)
        found = [(p.role, p.side, p.slack_user_id, p.email) for p in rows]
        return sorted(found, key=lambda p: tuple(value or "" for value in p))


def test_start_writes_the_project_its_people_and_dated_tasks(engine: Engine) -> None:
    playbook = load_playbooks()["low-touch"]
    calendar = BusinessCalendar(country="JP")
    new = NewProject(
        customer_name="Acme",
        playbook=playbook,
        kickoff=date(2027, 4, 5),
        locale="en",
        timezone="America/New_York",
        csm_user_id="UCSM",
        created_by="UBOSS",
        team_id="T1",
        go_live=date(2027, 6, 1),
        champion=Person(user_id="WCUST"),
        decision_maker=Person(email="boss@acme.example"),
        members=(Person(user_id="UINSIDE"), Person(email="it@acme.example")),
        fiscal_year_end_month=12,
        channel_name="acme-go",
        external_teams={"WCUST": "T2"},
        external_id="crm-42",
    )
    with session_scope(engine) as session:
        project = projects.start_project(session=session, new=new, calendar=calendar, now=NOW)
        project_id = project.id
        assert project_id is not None
    with session_scope(engine) as session:
        row = project_rows.get(session=session, project_id=project_id)
        assert row is not None
        assert (row.customer_name, row.status, row.locale, row.timezone) == (
            "Acme",
            "active",
            "en",
            "America/New_York",
        )
        assert (row.playbook_name, row.playbook_version) == (playbook.name, playbook.version)
        assert row.playbook_snapshot == playbook.model_dump(mode="json")
        assert (row.holiday_country, row.target_go_live, row.fiscal_year_end_month) == (
            "JP",
            date(2027, 6, 1),
            12,
        )
        assert (row.channel_id, row.channel_name, row.external_id) == (None, "acme-go", "crm-42")
        assert row.reminder_lead_days == playbook.reminder_lead_days
        assert row.csm_after_days == playbook.escalation.csm_after_days
        people = project_rows.stakeholders(session=session, project_id=project_id)
        champion = next(p for p in people if p.role == "champion")
        assert (champion.is_external, champion.team_id, champion.joined_at) == (True, "T2", NOW)
        invited = next(p for p in people if p.role == "decision_maker")
        assert (invited.is_external, invited.joined_at) == (False, None)
        dated = plan(playbook.tasks, kickoff=date(2027, 4, 5), calendar=calendar)
        rows = tasks.of_project(session=session, project_id=project_id)
        assert [(t.key, t.position, t.start_date, t.due) for t in rows] == [
            (spec.id, i, d.start, d.due)
            for i, (spec, d) in enumerate(zip(playbook.tasks, dated, strict=True))
        ]
        assert all(t.planned_due == t.due and t.status == "open" for t in rows)
        [started_event] = events.for_project(session=session, project_id=project_id)
        assert (started_event.kind, started_event.actor) == ("project.started", "UBOSS")
        assert started_event.after == {
            "customer_name": "Acme",
            "playbook": playbook.name,
            "version": playbook.version,
            "kickoff": "2027-04-05",
        }
    assert _people(engine, project_id) == [
        ("champion", "customer", "WCUST", None),
        ("csm", "vendor", "UCSM", None),
        ("decision_maker", "customer", None, "boss@acme.example"),
        ("member", "customer", None, "it@acme.example"),
        ("member", "customer", "UINSIDE", None),
    ]


def test_attach_channel_and_messages(engine: Engine) -> None:
    project_id = running_project(engine, channel_id=None)
    with session_scope(engine) as session:
        projects.attach_channel(
            session=session, project_id=project_id, channel_id="CNEW", channel_name="acme", now=NOW
        )
        projects.record_messages(
            session=session, project_id=project_id, welcome_ts="1.0", checklist_ts=["2.0", "3.0"]
        )
    with session_scope(engine) as session:
        projects.record_messages(
            session=session, project_id=project_id, welcome_ts=None, checklist_ts=["4.0"]
        )
    with session_scope(engine) as session:
        row = project_rows.get(session=session, project_id=project_id)
        assert row is not None
        assert (row.channel_id, row.channel_name) == ("CNEW", "acme")
        assert (row.welcome_ts, row.checklist_ts) == ("1.0", ["4.0"])  # the welcome is kept
        [attached] = events.for_project(
            session=session, project_id=project_id, kind="project.channel_created"
        )
        assert attached.after == {"channel_id": "CNEW", "name": "acme"}
        with pytest.raises(LookupError):
            projects.attach_channel(
                session=session, project_id=4242, channel_id="C", channel_name="c", now=NOW
            )


def test_customer_member_is_only_the_customer_side(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        member = projects.customer_member(session=session, project_id=project_id, user_id="WCUST")
        assert member is not None and member.role == "champion"
        assert (
            projects.customer_member(session=session, project_id=project_id, user_id="UCSM") is None
        )
        assert (
            projects.customer_member(session=session, project_id=project_id, user_id="WX") is None
        )


def _assign(engine: Engine, project_id: int, user_id: str, role: str) -> None:
    with session_scope(engine) as session:
        projects.assign_role(
            session=session,
            project_id=project_id,
            user_id=user_id,
            role=role,
            is_external=True,
            actor="UCSM",
            now=NOW,
            team_id="T2",
        )


def test_a_new_champion_takes_the_seat_and_the_old_one_stays_a_member(engine: Engine) -> None:
    project_id = running_project(engine)
    _assign(engine, project_id, "WNEW", "champion")
    assert _people(engine, project_id) == [
        ("champion", "customer", "WNEW", None),
        ("csm", "vendor", "UCSM", None),
        ("decision_maker", "customer", None, "boss@acme.example"),
        ("member", "customer", "WCUST", None),
    ]
    with session_scope(engine) as session:
        [assigned] = events.for_project(
            session=session, project_id=project_id, kind="stakeholder.assigned"
        )
        assert assigned.actor == "UCSM"
        assert (assigned.before, assigned.after) == (
            {"role": None},
            {"role": "champion", "user_id": "WNEW"},
        )


def test_an_invited_seat_is_filled_by_the_person_who_joined(engine: Engine) -> None:
    project_id = running_project(engine)
    _assign(engine, project_id, "WBOSS", "decision_maker")
    assert ("decision_maker", "customer", "WBOSS", "boss@acme.example") in _people(
        engine, project_id
    )
    assert len(_people(engine, project_id)) == 3


def test_a_known_person_taking_an_invited_seat_keeps_its_email(engine: Engine) -> None:
    project_id = running_project(engine)
    _assign(engine, project_id, "WBOSS", "member")
    _assign(engine, project_id, "WBOSS", "decision_maker")
    assert _people(engine, project_id) == [
        ("champion", "customer", "WCUST", None),
        ("csm", "vendor", "UCSM", None),
        ("decision_maker", "customer", "WBOSS", "boss@acme.example"),
    ]
    with session_scope(engine) as session:
        logged = events.for_project(
            session=session, project_id=project_id, kind="stakeholder.assigned"
        )
        assert [(e.before, (e.after or {})["role"]) for e in logged] == [
            ({"role": None}, "member"),
            ({"role": "member"}, "decision_maker"),
        ]


def test_members_are_not_a_single_seat(engine: Engine) -> None:
    project_id = running_project(engine)
    _assign(engine, project_id, "WA", "member")
    _assign(engine, project_id, "WB", "member")
    roles = [(role, user) for role, _, user, _ in _people(engine, project_id)]
    assert ("member", "WA") in roles and ("member", "WB") in roles
    assert ("champion", "WCUST") in roles


def test_views_in_the_projects_language_one_or_many(engine: Engine) -> None:
    ja = running_project(engine)
    en = started(engine, champion=Person(user_id="WTARO"))
    with session_scope(engine) as session:
        rows = project_rows.many(session=session, project_ids=[ja, en])
        one = {p.id: projects.project_view(session=session, project=p) for p in rows}
        many = projects.project_views(session=session, projects=rows)
        by_id = projects.projects_by_id(session=session, project_ids=[ja, en, 4242])
        ja_tasks = tasks.of_project(session=session, project_id=ja)
    assert many == one and set(by_id) == {ja, en}
    assert [t.title for t in one[ja].tasks] == [t.title_ja for t in ja_tasks]
    assert one[ja].locale == "ja" and one[en].locale == "en"
    assert one[en].tasks[0].title != one[ja].tasks[0].title
    assert one[ja].customer_user_ids == ("WCUST",) and one[en].customer_user_ids == ("WTARO",)
    assert one[ja].channel_id == CHANNEL and one[en].channel_id == "C0ACME"
    champion_tasks = [t for t in one[ja].tasks if t.owner_role == "champion"]
    assert champion_tasks and all(t.owner_user_id == "WCUST" for t in champion_tasks)


def test_blackouts_one_or_many(engine: Engine) -> None:
    first, second = running_project(engine), started(engine, customer="Globex")
    with session_scope(engine) as session:
        session.add(Blackout(project_id=first, start=date(2027, 5, 3), end=date(2027, 5, 5)))
    with session_scope(engine) as session:
        assert projects.blackouts(session=session, project_id=first) == [
            DateRange(date(2027, 5, 3), date(2027, 5, 5))
        ]
        assert projects.blackouts(session=session, project_id=second) == []
        found = projects.blackouts_of(session=session, project_ids=[first, second])
    assert dict(found) == {first: [DateRange(date(2027, 5, 3), date(2027, 5, 5))]}


def test_local_today_is_in_the_projects_time_zone(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        project = project_rows.get(session=session, project_id=project_id)
        assert project is not None
        assert projects.local_today(project, datetime(2027, 4, 6, 14, 59, tzinfo=UTC)) == date(
            2027, 4, 6
        )
        assert projects.local_today(project, datetime(2027, 4, 6, 15, 0, tzinfo=UTC)) == date(
            2027, 4, 7
        )


def test_discard_removes_only_a_project_without_a_channel(engine: Engine) -> None:
    shown = running_project(engine)
    unseen = running_project(engine, channel_id=None)
    with session_scope(engine) as session:
        projects.discard_project(session=session, project_id=shown)
        projects.discard_project(session=session, project_id=unseen)
        projects.discard_project(session=session, project_id=4242)  # gone already: no error
    with session_scope(engine) as session:
        assert project_rows.get(session=session, project_id=shown) is not None
        assert project_rows.get(session=session, project_id=unseen) is None
        assert tasks.of_project(session=session, project_id=unseen) == []
