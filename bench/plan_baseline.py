"""The `reminders` section's baseline: the morning's plan (who is reminded of which tasks,
which tasks reach each project's decision-maker step) in plain SQL through the DB-API
cursor, and the same plan read off the project's drafts to check them equal.

What SQL cannot know is given to it as rows, in two indexed temporary tables: each time
zone's local day at `now` (`win`: within the reminder window; every zone listed is past
the reminder hour), and each holiday country's calendar as `(country, day, n, bd)`: `bd`
1 on a business day (weekends, public holidays and the year-end closure off), `n` the
business days up to and including `day`. A project's blackouts take their business days
off that count (`blk`: `n0`, `n1` the counts before its first and at its last day), so
the business days in (a, b] of a project are `np(b) - np(a)`; a task is within the
look-ahead when the business days before its due date are fewer than today's count plus
the lead days, and `np(today) - np(due)` business days overdue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.domain.calendar import BusinessCalendar
from bot.domain.reminders import (
    REMINDER_WINDOW_HOURS,
    DecisionMakerStep,
    ReminderDraft,
    local_moment,
)

CALENDAR_DAYS = 400  # calendar rows this many days either side of today

# The rows SQL cannot know, in two indexed temporary tables ({zones}, {calendar}: VALUES).
BASELINE_SETUP = (
    "CREATE TEMPORARY TABLE plan_zone (tz VARCHAR(64) PRIMARY KEY, today DATE NOT NULL,"
    " win INTEGER NOT NULL)",
    "CREATE TEMPORARY TABLE plan_cal (country VARCHAR(8), day DATE, n INTEGER NOT NULL,"
    " bd INTEGER NOT NULL, PRIMARY KEY (country, day))",
    "INSERT INTO plan_zone VALUES {zones}",
    "INSERT INTO plan_cal VALUES {calendar}",
)
BASELINE_TEARDOWN = ("DROP TABLE plan_zone", "DROP TABLE plan_cal")

# The plan: reminder keys and step keys with their task ids ({last_due}: a date literal,
# the latest due date any look-ahead reaches without a blackout).
BASELINE_SQL = """
WITH blk AS (
  SELECT b.project_id, b.start, b."end", cs.n - cs.bd AS n0, ce.n AS n1
  FROM blackout b JOIN project p ON p.id = b.project_id
  JOIN plan_cal cs ON cs.country = p.holiday_country AND cs.day = b.start
  JOIN plan_cal ce ON ce.country = p.holiday_country AND ce.day = b."end"),
csm AS (
  SELECT project_id, min(slack_user_id) AS uid FROM stakeholder
  WHERE role = 'csm' AND slack_user_id IS NOT NULL GROUP BY project_id),
dmaker AS (
  SELECT DISTINCT project_id FROM stakeholder
  WHERE role = 'decision_maker' AND (slack_user_id IS NOT NULL OR email IS NOT NULL)),
zday AS (
  SELECT z.tz, z.today, z.win, c.country, c.n FROM plan_zone z
  JOIN plan_cal c ON c.day = z.today AND c.bd = 1),
bprior AS (
  SELECT b.project_id, z.tz,
         sum(CASE WHEN z.today < b.start THEN 0 WHEN z.today <= b."end" THEN z.n - b.n0
             ELSE b.n1 - b.n0 END) AS n,
         max(CASE WHEN z.today BETWEEN b.start AND b."end" THEN 1 ELSE 0 END) AS off
  FROM blk b JOIN project p ON p.id = b.project_id
  JOIN zday z ON z.country = p.holiday_country
  GROUP BY b.project_id, z.tz),
day AS (
  SELECT p.id AS project_id, p.timezone, p.reminder_lead_days, p.channel_id,
         p.decision_maker_after_days, p.decision_maker_overdue_tasks,
         z.tz, z.today, z.win, z.n - coalesce(bp.n, 0) AS n
  FROM project p JOIN zday z ON z.country = p.holiday_country
  LEFT JOIN bprior bp ON bp.project_id = p.id AND bp.tz = z.tz
  WHERE (p.status = 'active' OR (p.status = 'paused' AND p.paused_until IS NOT NULL))
    AND (p.paused_until IS NULL OR p.paused_until < z.today) AND coalesce(bp.off, 0) = 0),
open AS (
  SELECT t.id, t.project_id, t.due, t.owner_side, t.owner_role = 'decision_maker' AS dm_task,
         s.id AS sid, s.slack_user_id AS uid, s.tz, s.snoozed_until,
         c.n - c.bd - coalesce(sum(CASE WHEN t.due < b.start THEN 0
           WHEN t.due <= b."end" THEN c.n - c.bd - b.n0 ELSE b.n1 - b.n0 END), 0) AS before_due,
         c.n - coalesce(sum(CASE WHEN t.due < b.start THEN 0
           WHEN t.due <= b."end" THEN c.n - b.n0 ELSE b.n1 - b.n0 END), 0) AS at_due
  FROM task t JOIN project p ON p.id = t.project_id
  JOIN plan_cal c ON c.country = p.holiday_country AND c.day = t.due
  LEFT JOIN blk b ON b.project_id = t.project_id
  LEFT JOIN stakeholder s ON s.project_id = t.project_id AND s.role = CASE t.owner_role
    WHEN 'champion' THEN 'champion' WHEN 'customer_member' THEN 'champion'
    WHEN 'decision_maker' THEN 'decision_maker' ELSE 'csm' END
  WHERE t.status = 'open'
    AND (t.due <= {last_due} OR t.project_id IN (SELECT project_id FROM blk))
  GROUP BY t.id, t.project_id, t.due, t.owner_side, t.owner_role, s.id, s.slack_user_id,
           s.tz, s.snoozed_until, c.n, c.bd),
overdue AS (
  SELECT o.id, o.due, o.dm_task, d.project_id, d.today,
         d.n - o.at_due AS days_overdue, d.decision_maker_after_days,
         count(*) OVER (PARTITION BY o.project_id) AS customer_overdue,
         d.decision_maker_overdue_tasks, dm.project_id IS NOT NULL AS linked
  FROM open o JOIN day d ON d.project_id = o.project_id AND d.tz = d.timezone
  JOIN csm ON csm.project_id = o.project_id
  LEFT JOIN dmaker dm ON dm.project_id = o.project_id
  WHERE o.owner_side = 'customer' AND o.due < d.today)
SELECT CASE
         WHEN o.uid IS NOT NULL THEN 'reminder:' || o.uid || ':' || d.today
         WHEN o.dm_task AND dm.project_id IS NOT NULL
           THEN 'reminder-forward:' || d.project_id || ':'
                || coalesce(CAST(o.sid AS TEXT), 'None') || ':' || d.today
         ELSE 'reminder-channel:' || d.project_id || ':'
              || coalesce(CAST(o.sid AS TEXT), 'None') || ':' || d.today
       END AS key, o.id, 'reminder' AS step
FROM open o
JOIN day d ON d.project_id = o.project_id AND d.tz = coalesce(o.tz, d.timezone) AND d.win = 1
LEFT JOIN csm ON csm.project_id = d.project_id
LEFT JOIN dmaker dm ON dm.project_id = d.project_id
WHERE o.before_due < d.n + d.reminder_lead_days
  AND (o.uid IS NULL OR csm.uid IS NULL OR o.uid <> csm.uid)
  AND (o.snoozed_until IS NULL OR o.snoozed_until < d.today)
  AND (o.uid IS NOT NULL
       OR (o.dm_task AND dm.project_id IS NOT NULL AND csm.uid IS NOT NULL)
       OR (NOT (o.dm_task AND dm.project_id IS NOT NULL) AND d.channel_id IS NOT NULL))
UNION ALL
SELECT 'dm:' || o.project_id || ':' || o.today,
       o.id,
       CASE WHEN NOT o.linked THEN 'waiting' WHEN o.dm_task THEN 'own' ELSE 'decision_maker' END
FROM overdue o
WHERE (o.customer_overdue >= o.decision_maker_overdue_tasks
       OR o.days_overdue >= o.decision_maker_after_days)
  AND NOT EXISTS (
    SELECT 1 FROM escalatedtask e
    WHERE e.task_id = o.id AND e.due = o.due AND e.step IN (
      CASE WHEN NOT o.linked THEN 'waiting' WHEN o.dm_task THEN 'own' ELSE 'decision_maker' END,
      CASE WHEN NOT o.linked THEN 'decision_maker' ELSE '-' END))
"""


@dataclass(frozen=True)
class Plan:
    """A morning's plan as both sides can state it: each reminder key with its tasks, each
    decision-maker step key with the tasks it lists and those she owns herself."""

    reminders: dict[str, frozenset[int]]
    steps: dict[str, tuple[frozenset[int], frozenset[int]]]


def project_plan(reminders: Iterable[ReminderDraft], steps: Iterable[DecisionMakerStep]) -> Plan:
    return Plan(
        reminders={d.key: frozenset(d.task_ids) for d in reminders},
        steps={s.key: (frozenset(s.task_ids), frozenset(s.own_task_ids)) for s in steps},
    )


def baseline_statements(
    engine: Engine,
    *,
    now: datetime,
    zones: Iterable[str],
    calendar: Callable[[str], BusinessCalendar],
    countries: Iterable[str],
    last_due: date,
    reminder_hour: int,
) -> list[str]:
    """The setup with its rows (the zones' local days at `now`, the countries' calendars),
    `BASELINE_SQL`, and the teardown: run in this order, the plan is the one SELECT."""

    def day(value: date) -> str:
        iso = f"'{value.isoformat()}'"
        return f"DATE {iso}" if engine.dialect.name == "postgresql" else iso

    zone_rows = []
    for zone in sorted(set(zones)):
        local = local_moment(now, zone)
        if local.hour >= reminder_hour:
            win = int(local.hour < reminder_hour + REMINDER_WINDOW_HOURS)
            zone_rows.append(f"('{zone}', {day(local.date())}, {win})")
    calendar_rows = []
    for country in sorted(set(countries)):
        count = 0
        for offset in range(-CALENDAR_DAYS, CALENDAR_DAYS + 1):
            when = now.date() + timedelta(days=offset)
            open_ = int(calendar(country).is_business_day(when))
            count += open_
            calendar_rows.append(f"('{country}', {day(when)}, {count}, {open_})")
    rows = {"zones": ", ".join(zone_rows), "calendar": ", ".join(calendar_rows)}
    setup = [statement.format(**rows) for statement in BASELINE_SETUP]
    if not zone_rows:
        setup.remove(BASELINE_SETUP[2].format(**rows))
    return [*setup, BASELINE_SQL.format(last_due=day(last_due)), *BASELINE_TEARDOWN]


def run_baseline(engine: Engine, statements: list[str]) -> Plan:
    """The statements through the DB-API cursor, the plan's rows fetched and grouped by key."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        rows: list[Any] = []
        for statement in statements:
            cursor.execute(statement)
            if statement is statements[-len(BASELINE_TEARDOWN) - 1]:
                rows = cursor.fetchall()
        cursor.close()
        connection.commit()
    finally:
        connection.close()
    reminders: dict[str, set[int]] = defaultdict(set)
    steps: dict[str, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for key, task_id, step in rows:
        if step == "reminder":
            reminders[key].add(task_id)
        else:
            steps[key][1 if step == "own" else 0].add(task_id)
    return Plan(
        reminders={k: frozenset(v) for k, v in reminders.items()},
        steps={k: (frozenset(a), frozenset(b)) for k, (a, b) in steps.items()},
    )
