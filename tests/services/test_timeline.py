from datetime import date, timedelta

from sqlalchemy import Engine

from bot.domain.calendar import DateRange
from bot.domain.playbook import load_playbooks
from bot.services.timeline import timeline_of
from storage import tasks
from storage.db import session_scope
from storage.models import Blackout
from storage.projects import get
from tests.services.seeds import CHANNEL, NOW, calendar_for, running_project
from tests.services.world import started


def _timeline(engine: Engine, project_id: int):
    with session_scope(engine) as session:
        return timeline_of(
            session=session, project_id=project_id, now=NOW, calendar_for=calendar_for
        )


def test_the_plan_in_the_projects_language_with_its_channel(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        rows = tasks.of_project(session=session, project_id=project_id)
    found = _timeline(engine, project_id)
    assert found is not None
    timeline, channel = found
    playbook = load_playbooks()["low-touch"]
    assert channel == CHANNEL
    assert timeline.customer == "Acme" and timeline.locale == "ja"
    assert timeline.playbook == playbook.title.ja
    assert timeline.kickoff == date(2027, 4, 5) and timeline.today == date(2027, 4, 6)
    assert [t.title for t in timeline.tasks] == [r.title_ja for r in rows]
    phases = {p.id: p.title.ja for p in playbook.phases}
    assert [t.phase for t in timeline.tasks] == [phases[r.phase] for r in rows]
    assert [(t.start, t.due) for t in timeline.tasks] == [
        (min(r.start_date, r.due), r.due) for r in rows
    ]
    assert timeline.go_live is None and timeline.busy == ()


def test_english_moved_skipped_busy_and_committed_go_live(engine: Engine) -> None:
    project_id = started(engine)  # English, kicked off 2027-04-05
    busy = DateRange(date(2027, 4, 19), date(2027, 4, 23))
    with session_scope(engine) as session:
        session.add(Blackout(project_id=project_id, start=busy.start, end=busy.end, label="busy"))
        rows = tasks.of_project(session=session, project_id=project_id)
        moved, skipped = rows[0], rows[1]
        moved.due = moved.planned_due + timedelta(days=7)
        skipped.status = "skipped"
        project = get(session=session, project_id=project_id)
        assert project is not None
        project.target_go_live, project.committed_go_live = date(2027, 6, 1), date(2027, 6, 15)
        expected_start = calendar_for("JP", [busy]).next_business_day(
            moved.start_date + timedelta(days=7)
        )
        moved_title, skipped_title = moved.title_en, skipped.title_en
    found = _timeline(engine, project_id)
    assert found is not None
    timeline, channel = found
    assert channel == "C0ACME" and timeline.locale == "en"
    titles = [t.title for t in timeline.tasks]
    assert moved_title in titles and skipped_title not in titles
    bar = timeline.tasks[titles.index(moved_title)]
    assert bar.start == min(expected_start, bar.due) and bar.start >= date(2027, 4, 12)
    assert bar.planned_due is not None and bar.due - bar.planned_due == timedelta(days=7)
    assert timeline.busy == (busy,)
    assert timeline.go_live == date(2027, 6, 15)  # the committed date wins over the target
    assert any(day == date(2027, 4, 29) for day, _ in timeline.closed)  # Showa Day


def test_no_such_project(engine: Engine) -> None:
    assert _timeline(engine, 4242) is None
