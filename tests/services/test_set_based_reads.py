"""The hourly jobs and the Home tab read a portfolio with a fixed number of statements:
never one object or one query per project. Checked on the bench's own portfolio, at two
sizes, on both databases."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from bench.digest import counting_statements
from bench.reminders import NOW, bench_settings, fill
from bot.services import completion, onboarding_checks
from bot.services import schedule as schedule_service
from bot.services.calendars import CountryCalendars
from bot.services.health import project_health
from bot.services.home import staff_home
from bot.services.projects import project_view, project_views
from storage.db import session_scope
from storage.models import Project, Stakeholder

HOME_STATEMENTS = 10


def _busiest_csm(engine: Engine) -> tuple[str, int]:
    with session_scope(engine) as session:
        csms = Counter(
            session.exec(select(Stakeholder.slack_user_id).where(Stakeholder.role == "csm"))
        )
    user, count = csms.most_common(1)[0]
    assert user is not None
    return user, count


def test_home_tab_reads_any_portfolio_in_a_few_statements(engine: Engine) -> None:
    fill(engine, projects=600, settings=bench_settings())
    calendars = CountryCalendars(bench_settings())
    user, count = _busiest_csm(engine)
    assert count >= 5
    with counting_statements(engine) as seen, session_scope(engine) as session:
        lines = staff_home(session=session, user_id=user, now=NOW, calendar_for=calendars)
    assert len(seen) <= HOME_STATEMENTS, seen
    assert len(lines) == count
    # The same views and health as reading each project on its own.
    with session_scope(engine) as session:
        for line in lines:
            project = session.get(Project, line.project.id)
            assert project is not None
            view = project_view(session=session, project=project)
            assert dataclasses.replace(line.project, health=None) == view
            health = project_health(
                session=session, project=project, view=view, now=NOW, calendar_for=calendars
            )
            assert line.state == line.project.health == health
        projects = list(session.exec(select(Project).limit(50)))
        views = project_views(session=session, projects=projects)
        assert [views[p.id] for p in projects] == [  # type: ignore[index]
            project_view(session=session, project=p) for p in projects
        ]


def test_hourly_jobs_read_the_same_number_of_statements_at_any_size(engine: Engine) -> None:
    fill(engine, projects=300, settings=bench_settings())
    calendars = CountryCalendars(bench_settings())
    with session_scope(engine) as session:
        # Some projects whose customers never joined, and a few completed ones.
        projects = list(session.exec(select(Project).order_by(Project.id).limit(12)))
        for project in projects[:6]:
            for person in session.exec(
                select(Stakeholder).where(
                    Stakeholder.project_id == project.id, Stakeholder.side == "customer"
                )
            ):
                person.slack_user_id = None
                person.email = f"waiting{project.id}@customer.example"
        for project in projects[6:]:
            project.status = "completed"
            project.completed_at = NOW - timedelta(days=9)

    def statements() -> int:
        with counting_statements(engine) as seen, session_scope(engine) as session:
            onboarding_checks.nobody_joined(
                session=session, now=NOW, calendar_for=lambda c: calendars(c)
            )
            completion.adoption_due(session=session, now=NOW, reminder_hour=0)
            schedule_service.periods_starting_tomorrow(session=session, now=NOW, reminder_hour=0)
        return len(seen)

    with session_scope(engine) as session:
        waiting = onboarding_checks.nobody_joined(
            session=session, now=NOW, calendar_for=lambda c: calendars(c)
        )
        due = completion.adoption_due(session=session, now=NOW, reminder_hour=0)
    assert {p.id for p in projects[:6]} <= {w.project_id for w in waiting}
    assert all(w.csm_user_id and w.emails for w in waiting)
    assert {d.project_id for d in due} == {p.id for p in projects[6:]}
    small = statements()
    # Ten times as many completed projects: still the same statements.
    with session_scope(engine) as session:
        extra = list(session.exec(select(Project).order_by(Project.id).offset(12).limit(60)))
        for project in extra:
            project.status = "completed"
            project.completed_at = NOW - timedelta(days=9)
    assert statements() == small <= 5
