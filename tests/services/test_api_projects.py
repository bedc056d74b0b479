from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from bot.domain.calendar import BusinessCalendar
from bot.domain.command_text import Person
from bot.domain.playbook import load_playbooks
from bot.services import api_projects, starts
from bot.services.projects import NewProject
from storage.db import session_scope
from storage.models import Project
from tests.services.seeds import NOW, add_risk, calendar_for, running_project, set_project, set_task
from tests.services.world import started

DEAL = NewProject(
    customer_name="Initech",
    playbook=load_playbooks()["low-touch"],
    kickoff=date(2027, 4, 5),
    locale="en",
    timezone="Asia/Tokyo",
    csm_user_id="UCSM",
    created_by="api",
    champion=Person(email="peter@initech.example"),
    external_id="DEAL-1",
)


def _begin(
    engine: Engine, new: NewProject = DEAL, *, request: str | None = "req-1"
) -> starts.Begun | starts.Repeated | int:
    return api_projects.begin_start(
        engine=engine,
        external_id=new.external_id or "",
        new=new,
        calendar=BusinessCalendar(country="JP"),
        now=NOW,
        request=request,
        worker="w1",
        confirmed=False,
    )


def _ref(engine: Engine, ref: str) -> int | None:
    with session_scope(engine) as session:
        return api_projects.project_id_for(session=session, ref=ref)


def _describe(engine: Engine, project_id: int) -> api_projects.ProjectInfo | None:
    with session_scope(engine) as session:
        return api_projects.describe(
            session=session, project_id=project_id, now=NOW, calendar_for=calendar_for
        )


def test_a_deal_starts_once_however_often_it_is_asked(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, starts.Begun)
    again = _begin(engine)
    assert isinstance(again, starts.Repeated) and again.project_id == begun.project_id
    assert again.starting
    with session_scope(engine) as session:
        project = session.get(Project, begun.project_id)
        assert project is not None and (project.status, project.external_id) == (
            "starting",
            "DEAL-1",
        )
        assert api_projects.by_external_id(session=session, external_id="DEAL-1") == project.id


def test_a_deal_started_meanwhile_under_another_name_answers_with_that_project(
    engine: Engine,
) -> None:
    begun = _begin(engine)
    assert isinstance(begun, starts.Begun)
    # Another request for the same deal: the unique external id stops a second project.
    renamed = replace(DEAL, customer_name="Initech Holdings")
    assert _begin(engine, renamed, request="req-2") == begun.project_id
    with session_scope(engine) as session:
        [project] = session.exec(select(Project)).all()
        assert (project.customer_name, project.external_id) == ("Initech", "DEAL-1")


def test_a_reference_is_an_id_or_the_crms_id(engine: Engine) -> None:
    project_id = running_project(engine)
    set_project(engine, project_id, external_id="DEAL-7")
    assert _ref(engine, str(project_id)) == project_id
    assert _ref(engine, "ext:DEAL-7") == project_id
    for unknown in (
        str(project_id + 1000),
        "ext:DEAL-8",
        "ext:",
        "Acme",
        "-1",
        "１",
        "9" * 19,
        "9" * 18,
        "2147483648",
    ):
        assert _ref(engine, unknown) is None, unknown


def test_a_project_described_with_its_progress_tasks_and_open_risks(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "kickoff-call", status="done", completed_on=date(2027, 4, 6))
    set_task(engine, project_id, "confirm-goal", status="skipped")
    set_task(engine, project_id, "busy-periods", due=date(2027, 4, 1))
    add_risk(engine, project_id, reason="resources")
    add_risk(engine, project_id, reason="resources", status="closed")
    info = _describe(engine, project_id)
    assert info is not None
    assert (info.id, info.customer_name, info.state) == (project_id, "Acme", "active")
    assert (info.health, info.health_reasons) == ("at_risk", ("overdue",))
    assert (info.playbook, info.locale, info.kickoff) == ("low-touch", "ja", date(2027, 4, 5))
    assert (info.csm_user_id, info.channel_id, info.external_id) == ("UCSM", "CACME", None)
    assert (info.done, info.total) == (1, 11)  # the skipped task is not counted
    tasks = {t.key: t for t in info.tasks}
    assert len(tasks) == 12 and tasks["busy-periods"].days_overdue == 3
    assert tasks["kickoff-call"].days_overdue == 0 and tasks["kickoff-call"].status == "done"
    assert [r.kind for r in info.open_risks] == ["slip_reason"]
    assert info.projected_end >= date(2027, 4, 6)
    assert _describe(engine, project_id + 1000) is None


def test_a_forgotten_project_has_no_health(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=date(2027, 4, 1))
    set_project(engine, project_id, status="deleted")
    info = _describe(engine, project_id)
    assert info is not None and (info.state, info.health, info.health_reasons) == (
        "deleted",
        "deleted",
        (),
    )


def _page(
    engine: Engine,
    *,
    states: tuple[str, ...] = (),
    updated_since: datetime | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> tuple[list[int], int | None]:
    with session_scope(engine) as session:
        infos, last = api_projects.page(
            session=session,
            now=NOW,
            calendar_for=calendar_for,
            states=states,
            updated_since=updated_since,
            after_id=after_id,
            limit=limit,
        )
    return [i.id for i in infos], last


def test_pages_follow_the_id_order_with_a_cursor_and_filters(engine: Engine) -> None:
    ids = [started(engine, customer=name) for name in ("A", "B", "C")]
    assert _page(engine, limit=2) == (ids[:2], ids[1])
    assert _page(engine, limit=2, after_id=ids[1]) == (ids[2:], None)
    assert _page(engine, limit=3) == (ids, None)
    set_project(engine, ids[1], status="completed")
    assert _page(engine, states=("completed",)) == ([ids[1]], None)
    assert _page(engine, states=("active", "paused")) == ([ids[0], ids[2]], None)
    set_project(engine, ids[2], updated_at=NOW + timedelta(days=1))
    assert _page(engine, updated_since=NOW + timedelta(hours=1)) == ([ids[2]], None)
