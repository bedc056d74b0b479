"""The digest section's portfolio: the `reminders` fill plus what the KPIs need to have
something to count (completed and cancelled projects with survey answers, committed go-live
dates, `task.replanned` and `escalation.sent` events, risks). Deterministic for its seed;
every section that needs a filled portfolio uses this one (kept between runs: bench.cache).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bench.reminders import NOW, TODAY, FillStats, Tables, columns, fill
from bot.config import Settings
from bot.domain.schedule import SLIP_REASONS
from storage.db import make_engine

SEED = 20270405

EVENT_COLUMNS = columns("id project_id task_id kind actor at before after")
RISK_COLUMNS = columns("""
    id project_id kind reason text period_start period_end said_by said_at status closed_by
    closed_at
""")
SURVEY_COLUMNS = columns("id project_id user_id csat nps comment answered_at")


# -- filling ---------------------------------------------------------------------------------
@dataclass
class DigestFill:
    """What `extend` added (counted while generating)."""

    completed: int = 0
    cancelled: int = 0
    replans: int = 0
    escalations: int = 0
    risks: int = 0
    surveys: int = 0


def _at(day: date, hour: int = 1) -> datetime:
    """A moment on `day` (01:00 UTC is 10:00 in Tokyo), never after NOW."""
    return min(datetime.combine(day, time(hour), UTC), NOW - timedelta(hours=1))


def _index(columns: list[str]) -> dict[str, int]:
    return {c: i for i, c in enumerate(columns)}


def extender(stats: DigestFill) -> Callable[[Tables], None]:
    """The `fill` hook that gives the KPIs their data (deterministic for the seed)."""

    def extend(tables: Tables) -> None:
        rng = random.Random(SEED)
        closed = _close_projects(tables, rng)
        stats.completed = sum(1 for state, _ in closed.values() if state == "completed")
        stats.cancelled = len(closed) - stats.completed
        tables["event"] = (EVENT_COLUMNS, _events(tables, rng, stats))
        tables["risk"] = (RISK_COLUMNS, _risks(tables, rng))
        tables["surveyanswer"] = (SURVEY_COLUMNS, _surveys(closed, rng))
        stats.risks, stats.surveys = len(tables["risk"][1]), len(tables["surveyanswer"][1])

    return extend


def _close_projects(tables: Tables, rng: random.Random) -> dict[int, tuple[str, datetime]]:
    """Complete (all tasks done) or cancel some older projects; commit a go-live date for
    some running ones. Returns {project id: (status, closed at)}."""
    p_cols, p_rows = tables["project"]
    t_cols, t_rows = tables["task"]
    p, t = _index(p_cols), _index(t_cols)
    closed: dict[int, tuple[str, datetime]] = {}
    projects = []
    for row in p_rows:
        pid, kickoff, r = row[p["id"]], row[p["kickoff"]], rng.random()
        age = (TODAY - kickoff).days
        committed = None
        if age >= 10 and r < 0.03:  # churned during onboarding
            closed[pid] = ("cancelled", _at(kickoff + timedelta(days=rng.randint(5, age)), 6))
        elif age >= 30 and r < 0.28:
            closed[pid] = ("completed", _at(kickoff + timedelta(days=rng.randint(25, age - 1)), 6))
        elif rng.random() < 0.3:  # planned with the customer: a committed go-live
            committed = row[p["target_go_live"]] + timedelta(days=rng.randint(-7, 10))
        values = list(row)
        state, at = closed.get(pid, (None, None))
        if state:
            values[p["status"]], values[p["paused_until"]] = state, None
        reason = "budget frozen" if state == "cancelled" else None
        projects.append((*values, at, reason, committed))
    tables["project"] = ([*p_cols, "completed_at", "close_reason", "committed_go_live"], projects)

    tasks = []
    for row in t_rows:
        state, at = closed.get(row[t["project_id"]], (None, None))
        if state == "completed" and at is not None and row[t["status"]] == "open":
            values = list(row)
            on = min(row[t["due"]], at.date())
            values[t["status"]], values[t["completed_on"]] = "done", on
            values[t["completed_at"]], values[t["completed_by"]] = _at(on, 5), "UCH000001"
            row = tuple(values)
        tasks.append(row)
    tables["task"] = (t_cols, tasks)
    return closed


def _events(tables: Tables, rng: random.Random, stats: DigestFill) -> list[tuple]:
    """`task.replanned` for every re-planned task; `escalation.sent` (the CSM, and for
    customer tasks the decision-maker and the CSM's notice) for most late tasks."""
    t_cols, t_rows = tables["task"]
    t = _index(t_cols)
    events: list[tuple] = []

    def add(pid: int, tid: int | None, kind: str, at: datetime, before: Any, after: Any) -> None:
        encoded = json.dumps(before) if before is not None else None
        events.append((len(events) + 1, pid, tid, kind, "system", at, encoded, json.dumps(after)))

    for row in t_rows:
        pid, tid, due, planned = (row[t[c]] for c in ("project_id", "id", "due", "planned_due"))
        if row[t["replan_count"]]:
            at = _at(min(planned, TODAY) - timedelta(days=rng.randint(1, 5)), 2)
            reason = rng.choice(SLIP_REASONS)
            after = {"due": due.isoformat(), "reason": reason, "source": "more_time"}
            add(pid, tid, "task.replanned", at, {"due": planned.isoformat()}, after)
            stats.replans += 1
        late_done = row[t["completed_on"]] is not None and row[t["completed_on"]] > due
        still_open = row[t["status"]] == "open" and due < TODAY - timedelta(days=3)
        if (late_done or still_open) and rng.random() < 0.8:
            levels = [("csm", 3)]
            if row[t["owner_side"]] == "customer" and due < TODAY - timedelta(days=8):
                levels += [("dm", 7), ("dm-notice", 7)]
            for level, days in levels:
                key = f"escalation:{level}:{tid}:{due.isoformat()}"
                after = {"key": key, "to": "UCSM0000", "via": "dm", "task_ids": [tid]}
                add(pid, None, "escalation.sent", _at(due + timedelta(days=days), 0), None, after)
                stats.escalations += 1
    return events


def _risks(tables: Tables, rng: random.Random) -> list[tuple]:
    """Every blackout as a busy period; slip reasons and other initiatives; a fifth closed."""
    risks: list[tuple] = []

    def add(pid: int, kind: str, *, reason=None, text=None, start=None, end=None) -> None:  # type: ignore[no-untyped-def]
        closed = rng.random() < 0.2
        said = _at(TODAY - timedelta(days=rng.randint(5, 80)), 3)
        closing = ("UCSM0000", said + timedelta(days=3)) if closed else (None, None)
        status = "closed" if closed else "open"
        risks.append(
            (len(risks) + 1, pid, kind, reason, text, start, end, "UCH000001", said, status,
             *closing)
        )  # fmt: skip

    b_cols, b_rows = tables["blackout"]
    b = _index(b_cols)
    for row in b_rows:
        add(row[b["project_id"]], "busy_period", text=row[b["label"]],
            start=row[b["start"]], end=row[b["end"]])  # fmt: skip
    p_cols, p_rows = tables["project"]
    p = _index(p_cols)
    for row in p_rows:
        if rng.random() < 0.3:
            add(row[p["id"]], "slip_reason", reason=rng.choice(SLIP_REASONS), text="人手が足りない")
        if rng.random() < 0.1:
            add(row[p["id"]], "initiatives", text="ERP migration in the same quarter")
    return risks


def _surveys(closed: dict[int, tuple[str, datetime]], rng: random.Random) -> list[tuple]:
    """The champion's answers for most completed projects, the day after completion."""
    surveys: list[tuple] = []
    for pid, (state, at) in sorted(closed.items()):
        if state == "completed" and rng.random() < 0.7:
            answered = min(at + timedelta(days=1), NOW - timedelta(hours=1))
            csat, nps = rng.choice((3, 4, 4, 5, 5, 2)), rng.choice((10, 9, 8, 7, 6, 9, 3))
            surveys.append((len(surveys) + 1, pid, f"UCH{pid:06d}", csat, nps, None, answered))
    return surveys


def fill_digest(url: str, *, projects: int, settings: Settings) -> tuple[FillStats, DigestFill]:
    """The reminders portfolio plus the digest's extras, in the database at `url`."""
    extra = DigestFill()
    engine = make_engine(url)
    try:
        stats = fill(engine, projects=projects, settings=settings, extend=extender(extra))
    finally:
        engine.dispose()
    return stats, extra
