"""The portfolio the planning benchmarks run on (projects, people, tasks, blackouts and two
earlier mornings of outbox history, deterministic for a seed), and the morning's plan as
the reminders and escalations jobs make it.

`bench.reminders` times the plan; `bench.digest`, `bench.morning` and others fill from here.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.domain.playbook import load_playbooks
from bot.domain.reminders import (
    DecisionMakerStep,
    ReminderDraft,
    plan_decision_maker_steps,
    plan_reminders,
)
from bot.domain.summary import SummaryDraft, plan_summaries
from bot.gc_pause import kept_out_of_collections
from bot.services import escalations as escalation_service
from bot.services import summary as summary_service
from bot.services.calendars import CountryCalendars, calendar_for
from bot.services.reminders import Portfolio, load_for_run, project_calendars
from storage.db import session_scope
from storage.migrate import upgrade

# A Wednesday, 09:05 in Tokyo (17:05 the day before in Los Angeles): the morning run.
NOW = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)
TODAY = NOW.astimezone(ZoneInfo("Asia/Tokyo")).date()
TASKS_PER_PROJECT = 20
CSM_COUNT = 200  # CSMs share projects, so one CSM's reminder lists tasks of many projects
SEED = 20270407


def columns(names: str) -> list[str]:
    return names.split()


# Columns the fill writes (the rest keep their defaults).
PROJECT_COLUMNS = columns("""
    id customer_name playbook_name playbook_version locale timezone holiday_country kickoff
    target_go_live fiscal_year_end_month status paused_until team_id channel_id channel_name
    welcome_ts checklist_ts playbook_snapshot created_by created_at reminder_lead_days
    csm_after_days decision_maker_after_days decision_maker_overdue_tasks
""")
STAKEHOLDER_COLUMNS = columns("""
    id project_id role side slack_user_id email name is_external team_id joined_at tz locale
""")
TASK_COLUMNS = columns("""
    id project_id key position phase title_ja title_en why_ja why_en owner_side owner_role
    owner_id start_date planned_due due required first_value depends_on status completed_at
    completed_on completed_by replan_count
""")
BLACKOUT_COLUMNS = columns("""
    id project_id start end label
""")
OUTBOX_COLUMNS = columns("""
    key kind project_id recipient text blocks task_ids local_date status attempts
    next_attempt_at created_at sent_at
""")


# -- filling ---------------------------------------------------------------------------------
# Rows per table as (columns, tuples of Python values), in the order they are written.
Tables = dict[str, tuple[list[str], list[tuple]]]


@dataclass(frozen=True)
class FillStats:
    projects: int
    people: int
    tasks: int
    open_tasks: int
    overdue: int
    due_soon: int  # open, due today or within 3 calendar days
    blackouts: int
    outbox: int


def _templates() -> list[dict[str, Any]]:
    """Twenty task templates: the high-touch playbook's tasks, topped up from low-touch."""
    playbooks = load_playbooks()
    specs = list(playbooks["high-touch"].tasks)
    taken = {spec.id for spec in specs}
    specs += [s for s in playbooks["low-touch"].tasks if s.id not in taken]
    return [
        {
            "key": spec.id,
            "phase": spec.phase,
            "title_ja": spec.title.ja,
            "title_en": spec.title.en,
            "why_ja": spec.why.ja,
            "why_en": spec.why.en,
            "owner_side": spec.owner_side,
            "owner_role": spec.owner_role,
            "start_offset": spec.start_offset,
            "due_offset": spec.due_offset,
            "required": spec.required,
            "first_value": spec.first_value,
            "depends_on": list(spec.depends_on),
        }
        for spec in specs[:TASKS_PER_PROJECT]
    ]


def _generate(projects: int, settings: Settings) -> Tables:
    """Rows per table as (columns, tuples of Python values), deterministic for a seed."""
    rows = _Rows(settings)
    for n in range(projects):
        rows.project(n)
    return {
        "project": (PROJECT_COLUMNS, rows.projects),
        "stakeholder": (STAKEHOLDER_COLUMNS, rows.people),
        "task": (TASK_COLUMNS, rows.tasks),
        "blackout": (BLACKOUT_COLUMNS, rows.blackouts),
    }


class _Rows:
    """The rows of one portfolio, project after project (one random stream, in one order)."""

    def __init__(self, settings: Settings) -> None:
        self.rng = random.Random(SEED)
        self.templates = _templates()
        self.snapshot = json.dumps(load_playbooks()["high-touch"].model_dump(mode="json"))
        self.calendars = {c: calendar_for(settings, country=c) for c in ("JP", "US")}
        self.created = NOW - timedelta(days=90)
        self.projects: list[tuple] = []
        self.people: list[tuple] = []
        self.tasks: list[tuple] = []
        self.blackouts: list[tuple] = []

    @cache  # noqa: B019  # one generator per fill, dropped with it
    def business(self, country: str, kickoff: date, offset: int) -> date:
        return self.calendars[country].add_business_days(kickoff, offset)

    def project(self, n: int) -> None:
        rng, pid = self.rng, n + 1
        la = rng.random() < 0.15
        tz, country = ("America/Los_Angeles", "US") if la else ("Asia/Tokyo", "JP")
        locale = "en" if la or rng.random() < 0.2 else "ja"
        kickoff = self.calendars[country].next_business_day(
            TODAY - timedelta(days=rng.randint(-5, 75))
        )
        status, paused_until = "active", None
        if rng.random() < 0.01:  # paused until a date: still planned for, skipped until then
            status, paused_until = "paused", TODAY + timedelta(days=rng.randint(1, 10))
        has_channel = rng.random() >= 0.02
        name = f"Customer {pid:05d} 株式会社" if locale == "ja" else f"Customer {pid:05d} Inc."
        # Not the sandbox's own channel pattern (C + 9 digits): a channel the bot creates
        # during a benchmark never collides with one of the portfolio.
        channel = (
            (f"CP{pid:08d}", f"onb-customer-{pid:05d}", f"1700000000.{pid:06d}",
             json.dumps([f"1700000001.{pid:06d}"]))
            if has_channel else (None, None, None, "[]")
        )  # fmt: skip
        self.projects.append(
            (pid, name, "high-touch", 1, locale, tz, country, kickoff,
             self.business(country, kickoff, 40), 3, status, paused_until, "T0VENDOR",
             *channel, self.snapshot, "UCSM0000", self.created, 2, 2, 5, 3)
        )  # fmt: skip
        self.person(pid, tz)
        for k, template in enumerate(self.templates):
            self.task(n, k, template, country, kickoff)
        if rng.random() < 0.1:
            if locale == "ja" and rng.random() < 0.5:  # the fiscal year-end close
                start, end, label = date(2027, 3, 25), date(2027, 4, 2), "年度末"
            else:
                start = TODAY + timedelta(days=rng.randint(-20, 20))
                start, end, label = start, start + timedelta(days=rng.randint(2, 9)), "busy"
            self.blackouts.append((len(self.blackouts) + 1, pid, start, end, label))

    def person(self, pid: int, tz: str) -> None:
        """The CSM (shared with ~50 other projects) and the customer's champion."""
        csm = self.rng.randrange(CSM_COUNT)
        csm_tz = "America/Los_Angeles" if csm % 10 == 0 else "Asia/Tokyo"
        self.people.append(
            (2 * pid - 1, pid, "csm", "vendor", f"UCSM{csm:04d}", f"csm{csm}@vendor.example",
             f"CSM {csm}", False, "T0VENDOR", self.created, csm_tz, "ja-JP")
        )  # fmt: skip
        kind = self.rng.random()
        if kind < 0.45:  # Slack Connect: can't be DMed, gets a threaded mention
            champion = (f"UEXT{pid:06d}", True, f"T{pid:08d}", self.created, tz)
        elif kind < 0.75:  # a member or guest of the vendor's workspace: gets a DM
            champion = (f"UCH{pid:06d}", False, "T0VENDOR", self.created, tz)
        else:  # invited by e-mail, not in Slack yet
            champion = (None, False, None, None, None)
        slack_id, external, team, joined, ctz = champion
        self.people.append(
            (2 * pid, pid, "champion", "customer", slack_id, f"champion@customer{pid}.example",
             f"Champion {pid}", external, team, joined, ctz, None)
        )  # fmt: skip

    def task(self, n: int, k: int, tpl: dict[str, Any], country: str, kickoff: date) -> None:
        rng, pid = self.rng, n + 1
        due = self.business(country, kickoff, tpl["due_offset"])
        start = self.business(country, kickoff, tpl["start_offset"])
        planned_due, replans = due, 0
        if rng.random() < 0.1:
            due, replans = due + timedelta(days=rng.randint(1, 7)), 1
        delta, r = (due - TODAY).days, rng.random()
        if delta < -10:
            status = "done" if r < 0.93 else ("skipped" if r < 0.95 else "open")
        elif delta < 0:
            status = "done" if r < 0.65 else "open"
        elif delta <= 3:
            status = "done" if r < 0.2 else "open"
        else:
            status = "done" if r < 0.03 else "open"
        done = status == "done"
        completed_on = min(due, TODAY - timedelta(days=1)) if done else None
        completed_at = datetime.combine(completed_on, datetime.min.time(), UTC) if done else None
        owner_id = 2 * pid - 1 if tpl["owner_side"] == "vendor" else 2 * pid
        self.tasks.append(
            (n * TASKS_PER_PROJECT + k + 1, pid, tpl["key"], k, tpl["phase"], tpl["title_ja"],
             tpl["title_en"], tpl["why_ja"], tpl["why_en"], tpl["owner_side"],
             tpl["owner_role"], owner_id, start, planned_due, due, tpl["required"],
             tpl["first_value"], json.dumps(tpl["depends_on"]), status, completed_at,
             completed_on, "UCH000001" if done else None, replans)
        )  # fmt: skip


def sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite types store: ISO dates, naive UTC datetimes, 0/1."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def write_rows(engine: Engine, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Bulk insert: executemany on SQLite, COPY on PostgreSQL."""
    names = ", ".join(f'"{c}"' for c in columns)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in columns)
            conn.exec_driver_sql(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                [tuple(sqlite_value(v) for v in row) for row in rows],
            )
            return
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def fill(
    engine: Engine,
    *,
    projects: int,
    settings: Settings,
    extend: Callable[[Tables], None] | None = None,
) -> FillStats:
    """Migrate, then write the portfolio and two earlier mornings of outbox history.

    `extend` may change the generated rows or add tables (written in the dict's order,
    after the portfolio's own) before anything is written: other sections add closed
    projects, events, risks and survey answers this way."""
    upgrade(engine)
    tables = _generate(projects, settings)
    if extend is not None:
        extend(tables)
    for table, (columns, rows) in tables.items():
        write_rows(engine, table, columns, rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table, (columns, _rows) in tables.items():
                if "id" not in columns:
                    continue
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
                    )
                )
            conn.execute(text("ANALYZE"))  # what autovacuum does shortly after a bulk load
    outbox = _history(engine, settings=settings)
    today = TODAY
    tasks = tables["task"][1]
    due, status = (tables["task"][0].index(c) for c in ("due", "status"))
    open_dues = [row[due] for row in tasks if row[status] == "open"]
    return FillStats(
        projects=projects,
        people=len(tables["stakeholder"][1]),
        tasks=len(tasks),
        open_tasks=len(open_dues),
        overdue=sum(1 for d in open_dues if d < today),
        due_soon=sum(1 for d in open_dues if today <= d <= today + timedelta(days=3)),
        blackouts=len(tables["blackout"][1]),
        outbox=outbox,
    )


def _history(engine: Engine, *, settings: Settings) -> int:
    """The outbox as two earlier mornings left it: their reminders and CSM summaries, sent
    (message bodies left empty: planning only looks at keys).

    Today's keys are new (both carry the day). Decision-maker steps are recorded in their own
    table, left empty here: every step due today is planned, the most work planning can do.
    """
    rows: dict[str, tuple] = {}
    for days_back in (2, 1):
        moment = NOW - timedelta(days=days_back)
        _, reminders, _, summaries = drafts(engine, settings=settings, now=moment)
        sent = ("sent", 1, moment, moment, moment)  # status attempts next_attempt created sent
        for r in reminders:
            recipient = r.user_id or r.channel_id or "-"
            rows[r.key] = (r.key, "reminder", r.items[0][0].id, recipient, "reminder", "[]",
                           json.dumps(r.task_ids), r.local_date, *sent)  # fmt: skip
        for d in summaries:
            rows[d.key] = (d.key, "summary", None, d.csm_user_id, "summary", "[]",
                           json.dumps(d.task_ids), d.local_date, *sent)  # fmt: skip
    write_rows(engine, "outbox", OUTBOX_COLUMNS, rows.values())
    return len(rows)


def drafts(
    engine: Engine, *, settings: Settings, now: datetime
) -> tuple[Portfolio, list[ReminderDraft], list[DecisionMakerStep], list[SummaryDraft]]:
    """Read the portfolio and plan what the morning's reminders and escalations jobs plan at
    `now`: reminders, decision-maker steps and the CSMs' summaries (as the jobs' flows do)."""
    countries = CountryCalendars(settings)  # one per run, as the jobs' deps hold it
    # Read, then frozen out of collections for the planning, as the jobs' flows do.
    with kept_out_of_collections() as loaded:
        with session_scope(engine) as session:
            portfolio = load_for_run(
                session=session, now=now, reminder_hour=settings.reminder_hour, calendar=countries
            )
            reached = escalation_service.reached(session=session)
            extras, zones = summary_service.for_run(
                session=session,
                projects=portfolio.projects,
                now=now,
                reminder_hour=settings.reminder_hour,
            )
        loaded()
        calendars = project_calendars(portfolio, countries)  # as the jobs do
        common: dict[str, Any] = {
            "now": now,
            "projects": portfolio.projects,
            "tasks": portfolio.tasks,
            "calendar_for": calendars,
            "reminder_hour": settings.reminder_hour,
        }
        planned = (
            portfolio,
            plan_reminders(**common),
            plan_decision_maker_steps(**common, reached=reached),
            plan_summaries(**common, extras=extras, csm_zones=zones),
        )
        loaded()  # the plans too, as the flows keep them out while they render
        return planned


def bench_settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]  # the defaults, not a local .env
