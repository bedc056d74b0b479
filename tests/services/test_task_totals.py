"""The database's task totals equal `summarize` over the same tasks, on SQLite and PostgreSQL.

The digest never walks the tasks one by one: `load_task_totals` has the database sum them
up. The rules in `bot.domain.kpis` are tested (with numbers worked out by hand) on totals
made by `kpi_facts.summarize`; this test fills a database with a seeded portfolio full of
edge cases and checks that every total the SQL returns is the one `summarize` gives for
the same rows, read plainly.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain.calendar import DateRange
from bot.domain.kpi_facts import (
    KeyTotals,
    ProjectFacts,
    ReplanFacts,
    TaskFacts,
    merge_keys,
    summarize,
)
from bot.services.calendars import calendar_for
from bot.services.digest import load_facts
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Blackout, Event, Project, Stakeholder, Task

TODAY = date(2027, 6, 9)  # a Wednesday
ZONE = "Asia/Tokyo"
STATUSES = ["active"] * 5 + ["paused", "completed", "cancelled"]
KEYS = ["kickoff", "setup", "import", "training", "go_live"]
REASONS = ["other_priorities", "data_preparation", "", "  ", None, " other "]


def fill(session: Session, rng: random.Random, projects: int) -> None:
    """Projects in every state with tasks open, done (early, on time, late, with no
    completion day), skipped, first-value and not, re-planned with and without reasons,
    around the bottleneck window and the end of ended projects."""
    for n in range(projects):
        status = rng.choice(STATUSES)
        kickoff = TODAY - timedelta(days=rng.randint(0, 150))
        ended_at = None
        if status in ("completed", "cancelled"):
            ended_on = TODAY - timedelta(days=rng.randint(0, 100))
            # 20:00 UTC is the next morning in Tokyo: the cut-off day depends on the zone.
            ended_at = datetime.combine(ended_on, time(rng.choice([3, 20])), UTC)
        project = Project(
            customer_name=f"C{n}",
            playbook_name="low-touch",
            playbook_version=1,
            kickoff=kickoff,
            status=status,
            holiday_country=rng.choice(["JP", "US"]),
            created_at=datetime.combine(kickoff, time(1), UTC),
            completed_at=ended_at,
        )
        session.add(project)
        session.flush()
        assert project.id is not None
        session.add(
            Stakeholder(project_id=project.id, role="csm", side="vendor", slack_user_id="UCSM")
        )
        if rng.random() < 0.3:
            start = TODAY - timedelta(days=rng.randint(0, 20))
            session.add(Blackout(project_id=project.id, start=start, end=start + timedelta(days=5)))
        for position, key in enumerate(rng.sample(KEYS, rng.randint(0, len(KEYS)))):
            # Often right on an edge: the window's first day (-90) and the day before, today,
            # yesterday, tomorrow, or the day an ended project ended.
            offset = rng.choice([rng.randint(-120, 30), -91, -90, -1, 0, 1])
            planned = TODAY + timedelta(days=offset)
            if ended_at is not None and rng.random() < 0.3:
                planned = ended_at.astimezone(ZoneInfo(ZONE)).date() + timedelta(
                    days=rng.choice([0, 1])
                )
            due = planned + timedelta(days=rng.choice([0, 0, 3, 10]))
            task_status = rng.choice(["open", "open", "done", "done", "done", "skipped"])
            completed_on = None
            if task_status == "done" and rng.random() < 0.95:  # a few done without a day
                completed_on = planned + timedelta(days=rng.randint(-5, 8))
            task = Task(
                project_id=project.id,
                key=key,
                position=position,
                phase="p",
                title_ja=rng.choice([f"{key}の設定", f"{key}(第2版)", key]),
                title_en=rng.choice([key.title(), f"{key.title()} (v2)", key.lower()]),
                why_ja="w",
                why_en="w",
                owner_side="customer",
                owner_role="champion",
                start_date=kickoff,
                planned_due=planned,
                due=due,
                required=rng.random() < 0.8,
                first_value=key == "setup" or rng.random() < 0.1,
                status=task_status,
                completed_on=completed_on,
            )
            session.add(task)
            session.flush()
            for _ in range(rng.choice([0, 0, 1, 2])):
                reason = rng.choice(REASONS)
                session.add(
                    Event(
                        project_id=project.id,
                        task_id=task.id,
                        kind="task.replanned",
                        actor="U1",
                        at=datetime.combine(
                            TODAY - timedelta(days=rng.randint(0, 60)), time(2), UTC
                        ),
                        after={} if reason is None else {"reason": reason},
                    )
                )


def plainly(
    session: Session, projects: list[ProjectFacts]
) -> tuple[list[TaskFacts], list[ReplanFacts]]:
    """Every task and re-plan read one by one, as a reader without the totals would."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    blackouts: dict[int, list[DateRange]] = {}
    for b in session.exec(select(Blackout)):
        blackouts.setdefault(b.project_id, []).append(DateRange(b.start, b.end))
    countries = {p.id: p.holiday_country for p in session.exec(select(Project))}
    tasks = []
    for t in session.exec(select(Task)):
        days = 0
        if t.status == "open" and t.due < TODAY:
            calendar = calendar_for(
                settings, country=countries[t.project_id], blackouts=blackouts.get(t.project_id, [])
            )
            days = calendar.business_days_between(t.due, TODAY)
        tasks.append(
            TaskFacts(
                t.id,
                t.project_id,
                t.key,
                t.title_en,
                t.required,
                t.first_value,
                t.status,  # type: ignore[arg-type]
                t.planned_due,
                t.due,
                t.completed_on,
                days,
                t.title_ja,
            )
        )
    keys = {t.id: t.key for t in tasks}
    zone = ZoneInfo(ZONE)
    replans = [
        ReplanFacts(
            e.task_id,
            e.project_id,
            keys[e.task_id],
            e.at.astimezone(zone).date(),  # type: ignore[index]
            str((e.after or {}).get("reason") or ""),
        )
        for e in session.exec(select(Event).where(col(Event.kind) == "task.replanned"))
    ]
    return tasks, replans


@pytest.mark.parametrize("seed", [1, 2])
def test_database_totals_equal_summarize(db_url: str, seed: int) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    try:
        with session_scope(engine) as session:
            fill(session, random.Random(seed), projects=60)
        with session_scope(engine) as session:
            facts = load_facts(
                session=session,
                today=TODAY,
                timezone=ZONE,
                calendar_for=lambda country, blackouts: calendar_for(
                    settings, country=country, blackouts=blackouts
                ),
            )
            tasks, replans = plainly(session, facts.projects)
    finally:
        engine.dispose()

    expected = summarize(facts.projects, tasks, replans, today=TODAY)
    got = facts.totals
    assert dict(got.progress) == dict(expected.progress)
    assert sorted(got.overdue) == sorted(expected.overdue)
    assert dict(got.completions) == dict(expected.completions)
    assert dict(got.first_value) == dict(expected.first_value)
    assert dict(got.keys) == dict(expected.keys)
    # The data reaches every case the totals distinguish.
    assert {p.status for p in facts.projects} == set(STATUSES)
    assert any(t.status == "done" and t.completed_on is None for t in tasks)
    assert any(k.reasons for k in got.keys.values()) and got.overdue and got.first_value
    ended = {p.id: p.completed_on for p in facts.projects if p.completed_on}
    assert any(t.project_id in ended and t.planned_due > ended[t.project_id] for t in tasks)
    assert any(t.project_id in ended and t.planned_due == ended[t.project_id] for t in tasks)
    since = TODAY - timedelta(days=90)
    for edge in (since, since - timedelta(days=1), TODAY):
        assert any(t.planned_due == edge and t.status == "open" for t in tasks), edge
    assert any(t.completed_on == t.planned_due for t in tasks)


def test_merging_key_totals_adds_them_up() -> None:
    a = {"setup": KeyTotals("setup", "Setup", 3, 1, (("other", 1),))}
    b = {
        "setup": KeyTotals("setup", "Admin setup", 2, 2, (("other", 2), ("waiting", 1))),
        "import": KeyTotals("import", "Import", 1, 0, ()),
    }

    assert merge_keys(a, b) == {
        "import": KeyTotals("import", "Import", 1, 0, ()),
        "setup": KeyTotals("setup", "Admin setup", 5, 3, (("other", 3), ("waiting", 1))),
    }
