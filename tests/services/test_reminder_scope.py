"""A reminders or escalations run reads only the open tasks its morning can act on, and
plans exactly what it would plan from every open task of the portfolio."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.command_text import Person
from bot.domain.reminders import plan_decision_maker_steps, plan_reminders
from bot.domain.summary import plan_summaries
from bot.services import reminders, summary
from bot.services.reminders import Portfolio
from storage.db import session_scope
from storage.models import Blackout, Project, ProjectStatus, Stakeholder, Task
from tests.services.world import started

HOUR = 9


def calendar(country: str, blackouts: list[DateRange] | None = None) -> BusinessCalendar:
    return BusinessCalendar(country=country, blackouts=blackouts or [])


def load(engine: Engine, now: datetime | None) -> Portfolio:
    """What a run at `now` reads (None: every open task, as before narrowing)."""
    with session_scope(engine) as session:
        if now is None:
            return reminders.load_portfolio(session=session)
        return reminders.load_for_run(
            session=session, now=now, reminder_hour=HOUR, calendar=calendar
        )


def plans(engine: Engine, portfolio: Portfolio, now: datetime) -> tuple[Any, ...]:
    with session_scope(engine) as session:
        extras, zones = summary.for_run(
            session=session, projects=portfolio.projects, now=now, reminder_hour=HOUR
        )
    common: dict[str, Any] = {
        "now": now,
        "projects": portfolio.projects,
        "tasks": portfolio.tasks,
        "calendar_for": reminders.project_calendars(portfolio, calendar),
        "reminder_hour": HOUR,
    }
    return (
        plan_reminders(**common),
        plan_decision_maker_steps(**common, reached=set()),
        plan_summaries(**common, extras=extras, csm_zones=zones),
    )


def due_on(engine: Engine, project_id: int, dues: dict[int, date]) -> list[int]:
    """Give the project's first tasks these due dates (by position); their ids."""
    with session_scope(engine) as session:
        ids = list(
            session.exec(
                select(Task.id)
                .where(col(Task.project_id) == project_id)
                .order_by(col(Task.position))
            )
        )
        for position, due in dues.items():
            session.execute(update(Task).where(col(Task.id) == ids[position]).values(due=due))
    return [ids[position] for position in dues]


def everyone_else_done(engine: Engine, keep: list[int]) -> None:
    with session_scope(engine) as session:
        session.execute(update(Task).where(col(Task.id).not_in(keep)).values(status="done"))


def reminded(engine: Engine, now: datetime) -> dict[str | None, list[int]]:
    drafts = plans(engine, load(engine, now), now)[0]
    return {d.user_id: d.task_ids for d in drafts}


def test_a_task_due_on_the_last_day_of_the_look_ahead_is_read_the_next_day_is_not(
    engine: Engine,
) -> None:
    acme = started(engine, champion=Person(user_id="U0TARO"))
    wednesday = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)  # 09:05 in Tokyo, lead 2: Friday
    last, saturday, monday = due_on(
        engine, acme, {1: date(2027, 4, 9), 2: date(2027, 4, 10), 3: date(2027, 4, 12)}
    )
    everyone_else_done(engine, [last, saturday, monday])
    assert [t.id for t in load(engine, wednesday).tasks] == [last]
    assert reminded(engine, wednesday) == {"U0TARO": [last]}


def test_holidays_and_a_blackout_stretch_the_look_ahead_past_any_calendar_margin(
    engine: Engine,
) -> None:
    acme = started(engine, champion=Person(user_id="U0TARO"))
    globex = started(engine, customer="Globex", champion=Person(user_id="U0JIRO"))
    friday = datetime(2027, 4, 30, 0, 5, tzinfo=UTC)  # 09:05, Golden Week ahead
    (acme_task,) = due_on(engine, acme, {1: date(2027, 5, 7)})  # 3-5 May are holidays
    (globex_task,) = due_on(engine, globex, {1: date(2027, 5, 11)})
    everyone_else_done(engine, [acme_task, globex_task])
    assert reminded(engine, friday) == {"U0TARO": [acme_task]}  # Globex's is too far
    with session_scope(engine) as session:  # Globex is busy on 6-7 May: two days more
        session.add(Blackout(project_id=globex, start=date(2027, 5, 6), end=date(2027, 5, 7)))
    assert {t.id for t in load(engine, friday).tasks} == {acme_task, globex_task}
    assert reminded(engine, friday) == {"U0TARO": [acme_task], "U0JIRO": [globex_task]}


def test_someone_whose_zone_is_not_at_its_hour_is_not_read_until_a_later_run(
    engine: Engine,
) -> None:
    acme = started(engine, champion=Person(user_id="U0TARO"))
    with session_scope(engine) as session:
        session.execute(
            update(Stakeholder)
            .where(col(Stakeholder.slack_user_id) == "U0TARO")
            .values(tz="America/Los_Angeles")
        )
    (task,) = due_on(engine, acme, {1: date(2027, 4, 7)})
    everyone_else_done(engine, [task])
    before_nine_everywhere = datetime(2027, 4, 6, 15, 55, tzinfo=UTC)  # 00:55 Tokyo, 08:55 LA
    assert load(engine, before_nine_everywhere) == Portfolio(projects={}, tasks=[], blackouts={})
    tokyo_morning = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)  # 17:05 the day before in LA
    assert [t.id for t in load(engine, tokyo_morning).tasks] == [task]  # the project's day
    assert reminded(engine, tokyo_morning) == {}
    la_morning = datetime(2027, 4, 7, 16, 5, tzinfo=UTC)  # 09:05 in Los Angeles (PDT)
    assert reminded(engine, la_morning) == {"U0TARO": [task]}


def test_every_run_of_five_weeks_plans_what_every_open_task_would_plan(engine: Engine) -> None:
    """Zones an hour apart across daylight saving, holidays, a blackout, a snooze, a pause
    and a decision-maker: at each run the narrowed read gives the same plans."""
    acme = started(engine, champion=Person(user_id="U0TARO"))
    globex = started(engine, customer="Globex", decision_maker=Person(user_id="U0BOSS"))
    initech = started(engine, customer="Initech", champion=Person(user_id="U0MIKE"))
    with session_scope(engine) as session:
        session.execute(
            update(Project)
            .where(col(Project.id) == globex)
            .values(timezone="America/Los_Angeles", holiday_country="US", reminder_lead_days=4)
        )
        session.execute(
            update(Project)
            .where(col(Project.id) == initech)
            .values(status=ProjectStatus.PAUSED, paused_until=date(2027, 4, 20))
        )
        session.execute(
            update(Stakeholder)
            .where(col(Stakeholder.slack_user_id) == "U0TARO")
            .values(tz="Europe/Berlin", snoozed_until=date(2027, 4, 14))
        )
        session.add(Blackout(project_id=acme, start=date(2027, 4, 26), end=date(2027, 5, 2)))
    start = datetime(2027, 4, 5, 0, 0, tzinfo=UTC)
    narrowed, planned = 0, [0, 0, 0]
    for step in range(0, 5 * 7 * 24, 7):  # every 7 hours: each hour of the day comes round
        now = start + timedelta(hours=step)
        portfolio, everything = load(engine, now), load(engine, None)
        made = plans(engine, portfolio, now)
        assert made == plans(engine, everything, now), now
        narrowed += len(portfolio.tasks) < len(everything.tasks)
        planned = [n + len(drafts) for n, drafts in zip(planned, made, strict=True)]
    assert narrowed > 80  # most runs read fewer tasks than the portfolio holds
    assert min(planned) > 0, planned  # reminders, steps and summaries were planned
