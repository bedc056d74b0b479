"""The `reminders` section's baseline: the morning's plan (who is reminded of which tasks,
which tasks reach each project's decision-maker step) in one plain SQL statement through
the DB-API cursor, and the same plan read off the project's drafts to check them equal.

What SQL cannot know is given to it as rows: each time zone's local day at `now` (within
the reminder window, or past the reminder hour), and each holiday country's calendar as
`(country, day, n, bd)`: `bd` 1 on a business day (weekends, public holidays and the
year-end closure off), `n` the business days up to and including `day`. A project's
blackouts take their business days off its count (`bday`): business days in (a, b] are
`np(b) - np(a)`, and a task is within the look-ahead when the business days before its
due date are fewer than today's count plus the lead days.
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

# {zones}, {calendar}: VALUES rows; {last_due}: a date literal (a bound on what may be read).
BASELINE_SQL = """
WITH zone(tz, today, win) AS (VALUES {zones}),
cal(country, day, n, bd) AS (VALUES {calendar}),
live AS (
  SELECT p.* FROM project p
  WHERE p.status = 'active' OR (p.status = 'paused' AND p.paused_until IS NOT NULL)),
bday AS (
  SELECT DISTINCT b.project_id, c.day FROM blackout b
  JOIN live p ON p.id = b.project_id
  JOIN cal c ON c.country = p.holiday_country AND c.bd = 1 AND c.day BETWEEN b.start AND b."end"),
csm AS (
  SELECT project_id, min(slack_user_id) AS uid FROM stakeholder
  WHERE role = 'csm' AND slack_user_id IS NOT NULL GROUP BY project_id),
dmaker AS (
  SELECT DISTINCT project_id FROM stakeholder
  WHERE role = 'decision_maker' AND (slack_user_id IS NOT NULL OR email IS NOT NULL)),
bprior AS (
  SELECT b.project_id, z.tz, count(*) AS n FROM bday b CROSS JOIN zone z
  WHERE b.day <= z.today GROUP BY b.project_id, z.tz),
day AS (
  SELECT p.id AS project_id, z.tz, z.today, z.win, c.n - coalesce(bp.n, 0) AS n
  FROM live p CROSS JOIN zone z
  JOIN cal c ON c.country = p.holiday_country AND c.day = z.today AND c.bd = 1
  LEFT JOIN bprior bp ON bp.project_id = p.id AND bp.tz = z.tz
  LEFT JOIN bday off ON off.project_id = p.id AND off.day = z.today
  WHERE (p.paused_until IS NULL OR p.paused_until < z.today) AND off.project_id IS NULL),
bdue AS (
  SELECT t.id, sum(CASE WHEN b.day < t.due THEN 1 ELSE 0 END) AS lt, count(*) AS le
  FROM task t JOIN bday b ON b.project_id = t.project_id AND b.day <= t.due
  WHERE t.status = 'open' GROUP BY t.id),
open AS (
  SELECT t.id, t.project_id, t.due, t.owner_side, t.owner_role = 'decision_maker' AS dm_task,
         s.id AS sid, s.slack_user_id AS uid, s.tz, s.snoozed_until,
         c.n - c.bd - coalesce(bd.lt, 0) AS before_due, c.n - coalesce(bd.le, 0) AS at_due
  FROM task t
  JOIN live p ON p.id = t.project_id
  JOIN cal c ON c.country = p.holiday_country AND c.day = t.due
  LEFT JOIN bdue bd ON bd.id = t.id
  LEFT JOIN stakeholder s ON s.project_id = t.project_id AND s.role = CASE t.owner_role
    WHEN 'champion' THEN 'champion' WHEN 'customer_member' THEN 'champion'
    WHEN 'decision_maker' THEN 'decision_maker' ELSE 'csm' END
  WHERE t.status = 'open'
    AND (t.due <= {last_due} OR t.project_id IN (SELECT project_id FROM bday))),
overdue AS (
  SELECT o.*, d.today, d.n - o.at_due AS days_overdue, p.decision_maker_after_days,
         count(*) OVER (PARTITION BY o.project_id) AS customer_overdue,
         p.decision_maker_overdue_tasks, o.project_id IN (SELECT project_id FROM dmaker) AS linked
  FROM open o
  JOIN live p ON p.id = o.project_id
  JOIN day d ON d.project_id = p.id AND d.tz = p.timezone
  WHERE o.owner_side = 'customer' AND o.due < d.today
    AND p.id IN (SELECT project_id FROM csm))
SELECT CASE
         WHEN o.uid IS NOT NULL THEN 'reminder:' || o.uid || ':' || d.today
         WHEN o.dm_task AND p.id IN (SELECT project_id FROM dmaker)
           THEN 'reminder-forward:' || p.id || ':' || coalesce(CAST(o.sid AS TEXT), 'None')
                || ':' || d.today
         ELSE 'reminder-channel:' || p.id || ':' || coalesce(CAST(o.sid AS TEXT), 'None')
              || ':' || d.today
       END AS key, o.id, 'reminder' AS step
FROM open o
JOIN live p ON p.id = o.project_id
JOIN day d ON d.project_id = p.id AND d.tz = coalesce(o.tz, p.timezone) AND d.win = 1
LEFT JOIN csm ON csm.project_id = p.id
WHERE o.before_due < d.n + p.reminder_lead_days
  AND (o.uid IS NULL OR csm.uid IS NULL OR o.uid <> csm.uid)
  AND (o.snoozed_until IS NULL OR o.snoozed_until < d.today)
  AND (o.uid IS NOT NULL
       OR (o.dm_task AND p.id IN (SELECT project_id FROM dmaker) AND csm.uid IS NOT NULL)
       OR (NOT (o.dm_task AND p.id IN (SELECT project_id FROM dmaker))
           AND p.channel_id IS NOT NULL))
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


def baseline_sql(
    engine: Engine,
    *,
    now: datetime,
    zones: Iterable[str],
    calendar: Callable[[str], BusinessCalendar],
    countries: Iterable[str],
    last_due: date,
    reminder_hour: int,
) -> str:
    """`BASELINE_SQL` with its rows: the zones' local days at `now`, the countries' calendars."""

    def day(value: date) -> str:
        iso = f"'{value.isoformat()}'"
        return f"DATE {iso}" if engine.dialect.name == "postgresql" else iso

    zone_rows = []
    for zone in sorted(set(zones)):
        local = local_moment(now, zone)
        if local.hour >= reminder_hour:
            win = int(local.hour < reminder_hour + REMINDER_WINDOW_HOURS)
            zone_rows.append(f"('{zone}', {day(local.date())}, {win})")
    middle = now.date()
    calendar_rows = []
    for country in sorted(set(countries)):
        count = 0
        for offset in range(-CALENDAR_DAYS, CALENDAR_DAYS + 1):
            when = middle + timedelta(days=offset)
            open_ = int(calendar(country).is_business_day(when))
            count += open_
            calendar_rows.append(f"('{country}', {day(when)}, {count}, {open_})")
    return BASELINE_SQL.format(
        zones=", ".join(zone_rows) or "('-', NULL, 0)",
        calendar=", ".join(calendar_rows),
        last_due=day(last_due),
    )


def run_baseline(engine: Engine, sql: str) -> Plan:
    """The statement through the DB-API cursor, every row fetched and grouped by key."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        rows: list[Any] = cursor.fetchall()
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
