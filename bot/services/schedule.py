"""Use cases of scheduling: kickoff answers (blackouts, risks, re-plan), more time, skip."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.permissions import Actor, can_complete, can_use_cs_commands
from bot.domain.planning import PlannedTask, shifts
from bot.domain.playbook import Playbook
from bot.domain.schedule import (
    REPLANS_BEFORE_ALERT,
    ScheduleAnswers,
    initiative_count,
    more_time_problem,
    replan_open_tasks,
)
from bot.domain.views import ProjectView, RiskView
from bot.services import access
from bot.services.projects import (
    blackouts,
    customer_member,
    local_today,
    project_view,
)
from bot.services.results import Changed, Refused, Result, Unchanged, denied
from bot.services.tasks import OnTask, closed_reason
from storage import events, requests
from storage import projects as project_rows
from storage import risks as risk_rows
from storage import tasks as task_rows
from storage.models import RUNNING_STATUSES, Blackout, Project, Risk, Task, TaskStatus

CalendarFor = Callable[[str, list[DateRange]], BusinessCalendar]


@dataclass
class ReplanResult:
    moved: list[tuple[Task, date, date, int]] = field(
        default_factory=list
    )  # task, old, new, business days
    plan_end: date | None = None
    committed_go_live: date | None = None
    initiatives: int = 0
    view: ProjectView | None = None  # the project as re-planned


def plan_refusal(*, session: Session, project: Project, actor: Actor) -> Refused | None:
    """Why `actor` may not plan `project`'s schedule, or None: CS staff and the project's
    own customer members may, while the project runs."""
    assert project.id is not None
    if project.status not in RUNNING_STATUSES:
        return Refused(closed_reason(project), locale=project.locale)
    if not access.sees_project(session=session, project=project, actor=actor):
        return Refused("deny.not_this_project")
    return None


def apply_answers(
    *,
    session: Session,
    project_id: int,
    answers: ScheduleAnswers,
    actor: Actor,
    now: datetime,
    calendar_for: CalendarFor,
    request: str | None = None,
) -> Result[ReplanResult | None]:
    """Store the customer's answers as blackouts and risks, then move open tasks around them.

    Checked here, whatever the form said: who may plan this project (a submission may
    name any project in its metadata), and that this submission (`request`) is new: one
    applied before is `Unchanged`."""
    project = access.project(session=session, project_id=project_id)
    if project is None:
        return Refused("error.project_not_found")
    refusal = plan_refusal(session=session, project=project, actor=actor)
    if refusal is not None:
        return refusal
    if request is not None and not requests.claim(
        session=session, key=request, at=now, project_id=project_id
    ):
        return Unchanged(None)
    _store_answers(session=session, project=project, answers=answers, actor=actor, now=now)
    result = replan(
        session=session,
        project=project,
        actor=actor.user_id,
        now=now,
        calendar_for=calendar_for,
        reason="busy_period",
    )
    result.committed_go_live = project.committed_go_live
    result.initiatives = initiative_count(answers.initiatives)
    result.view = project_view(session=session, project=project)
    return Changed(result)


def _store_answers(
    *, session: Session, project: Project, answers: ScheduleAnswers, actor: Actor, now: datetime
) -> None:
    """The answers as blackouts and risks (a busy period told twice is kept once)."""
    project_id = project.id
    assert project_id is not None

    def risk(**fields: Any) -> Risk:
        return Risk(project_id=project_id, said_by=actor.user_id, said_at=now, **fields)

    known = {
        (b.start, b.end) for b in project_rows.blackouts(session=session, project_id=project_id)
    }
    for period in answers.busy_periods:
        if (period.start, period.end) in known:
            continue  # the same busy period told twice is one blackout and one risk
        known.add((period.start, period.end))
        session.add(
            Blackout(project_id=project_id, start=period.start, end=period.end, label="busy period")
        )
        session.add(risk(kind="busy_period", period_start=period.start, period_end=period.end))
    if answers.slip_reason or answers.slip_note:
        session.add(risk(kind="slip_reason", reason=answers.slip_reason, text=answers.slip_note))
    if answers.initiatives:
        session.add(risk(kind="initiatives", text=answers.initiatives))
    if answers.committed_go_live:
        project.committed_go_live = answers.committed_go_live
    session.flush()
    events.record(
        session=session,
        kind="schedule.answered",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        after={
            "busy_periods": [str(p) for p in answers.busy_periods],
            "slip_reason": answers.slip_reason,
            "committed_go_live": answers.committed_go_live.isoformat()
            if answers.committed_go_live
            else None,
        },
    )


def replan(
    *,
    session: Session,
    project: Project,
    actor: str,
    now: datetime,
    calendar_for: CalendarFor,
    reason: str,
) -> ReplanResult:
    """Move open tasks out of closed days (blackouts), keeping dependencies and done dates."""
    assert project.id is not None
    calendar = calendar_for(
        project.holiday_country, blackouts(session=session, project_id=project.id)
    )
    rows = task_rows.of_project(session=session, project_id=project.id)
    playbook = Playbook.model_validate(project.playbook_snapshot)
    specs = [playbook.task(row.key) for row in rows]
    planned = replan_open_tasks(
        specs,
        current_due={row.key: row.due for row in rows},
        fixed={row.key: row.due for row in rows if row.status != TaskStatus.OPEN},
        kickoff=project.kickoff,
        calendar=calendar,
        today=local_today(project, now),
    )
    result = ReplanResult()
    before = [PlannedTask(row.key, row.start_date, row.due) for row in rows]
    by_key = {row.key: row for row in rows}
    for shift in shifts(before, planned, calendar=calendar):
        row = by_key[shift.task_id]
        if row.status == TaskStatus.OPEN:
            row.due = shift.new_due
            result.moved.append((row, shift.old_due, shift.new_due, shift.business_days))
            events.record(
                session=session,
                kind="task.replanned",
                actor=actor,
                at=now,
                project_id=project.id,
                task_id=row.id,
                before={"due": shift.old_due.isoformat()},
                after={"due": shift.new_due.isoformat(), "reason": reason, "source": "schedule"},
            )
    result.plan_end = max(
        (row.due for row in rows if row.status != TaskStatus.SKIPPED), default=None
    )
    return result


@dataclass(frozen=True)
class Moved:
    """A task moved at its owner's request."""

    project: Project
    task: Task
    old_due: date
    alert: bool  # tell the CSM: re-planned more than twice
    reasons: tuple[str, ...]  # every reason given for moving it
    view: ProjectView  # the project after the change


def more_time_target(*, session: Session, task_id: int, actor: Actor) -> OnTask | Refused:
    """The task `actor` may ask more time for (its owner side's people, CS staff), with its
    project; or the refusal. Checked when the form opens and again when it is submitted."""
    task = task_rows.get(session=session, task_id=task_id)
    if task is None:
        return Refused("error.task_not_found")
    project = project_rows.get(session=session, project_id=task.project_id)
    assert project is not None and project.id is not None
    member = customer_member(session=session, project_id=project.id, user_id=actor.user_id)
    decision = can_complete(actor, task_side=task.owner_side, is_customer_member=member is not None)
    if not decision:
        return denied(decision, locale=project.locale)
    if project.status not in RUNNING_STATUSES:
        return Refused(closed_reason(project), locale=project.locale)
    if task.status != TaskStatus.OPEN:
        return Refused("error.task_not_open", locale=project.locale)
    return OnTask(project, task)


def request_more_time(
    *,
    session: Session,
    task_id: int,
    actor: Actor,
    new_due: date | None,
    reason: str,
    note: str | None,
    now: datetime,
    calendar_for: CalendarFor,
) -> Result[Moved | None]:
    """Move a task's due date at the owner's (or CS staff's) request, with the reason."""
    target = more_time_target(session=session, task_id=task_id, actor=actor)
    if isinstance(target, Refused):
        return target
    project, task = target.project, target.task
    assert project.id is not None
    calendar = calendar_for(
        project.holiday_country, blackouts(session=session, project_id=project.id)
    )
    problem = more_time_problem(new_due, today=local_today(project, now), calendar=calendar)
    if problem is not None:
        return Refused(problem, locale=project.locale)
    assert new_due is not None
    old = task.due
    if new_due == old:
        return Unchanged(None)
    task.due, task.replan_count = new_due, task.replan_count + 1
    events.record(
        session=session,
        kind="task.replanned",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        task_id=task.id,
        before={"due": old.isoformat()},
        after={"due": new_due.isoformat(), "reason": reason, "note": note, "source": "more_time"},
    )
    session.flush()
    reasons = tuple(
        str((e.after or {}).get("reason"))
        for e in events.for_project(session=session, project_id=project.id, kind="task.replanned")
        if e.task_id == task.id and (e.after or {}).get("source") == "more_time"
    )
    return Changed(
        Moved(
            project=project,
            task=task,
            old_due=old,
            alert=task.replan_count > REPLANS_BEFORE_ALERT,
            reasons=reasons,
            view=project_view(session=session, project=project),
        )
    )


def skip_task(*, session: Session, task_id: int, actor: Actor, now: datetime) -> Result[Project]:
    """CS staff drop an optional task from the plan."""
    decision = can_use_cs_commands(actor)
    task = task_rows.get(session=session, task_id=task_id)
    if task is None:
        return Refused("error.task_not_found")
    project = project_rows.get(session=session, project_id=task.project_id)
    assert project is not None
    if not decision:
        return denied(decision, locale=project.locale)
    if project.status not in RUNNING_STATUSES:
        return Refused(closed_reason(project), locale=project.locale)
    if task.required:
        return Refused("error.task_required", locale=project.locale)
    if task.status != TaskStatus.OPEN:
        return Unchanged(project)
    task.status = TaskStatus.SKIPPED
    events.status_changed(
        session=session,
        kind="task.skipped",
        actor=actor.user_id,
        at=now,
        project_id=task.project_id,
        task_id=task.id,
        before="open",
        after="skipped",
    )
    return Changed(project)


def close_risk(
    *, session: Session, risk_id: int, actor: Actor, now: datetime
) -> Result[Project | None]:
    """CS staff close a risk of the register of a running project.

    Who may is checked before anything is looked up: someone who may not close risks
    learns nothing of which risks exist."""
    decision = can_use_cs_commands(actor)
    risk = risk_rows.get(session=session, risk_id=risk_id)
    project = project_rows.get(session=session, project_id=risk.project_id) if risk else None
    if not decision:
        return denied(decision, locale=project.locale if project else None)
    if risk is None or project is None:
        return Refused("error.risk_not_found")
    if project.status not in RUNNING_STATUSES:
        return Refused(closed_reason(project), locale=project.locale)
    if not risk_rows.close(session=session, risk_id=risk_id, by=actor.user_id, at=now):
        return Unchanged(project)
    events.status_changed(
        session=session,
        kind="risk.closed",
        actor=actor.user_id,
        at=now,
        project_id=risk.project_id,
        before="open",
        after="closed",
        risk_id=risk_id,
    )
    return Changed(project)


def risk_view(r: Risk) -> RiskView:
    return RiskView(
        id=r.id,  # type: ignore[arg-type]  # a stored row's id is never None (the model types it int | None for new rows)
        kind=r.kind,
        reason=r.reason,
        text=r.text,
        period_start=r.period_start,
        period_end=r.period_end,
        said_by=r.said_by,
        status=r.status,
    )


def risk_views(*, session: Session, project_id: int) -> list[RiskView]:
    return [risk_view(r) for r in risk_rows.of_project(session=session, project_id=project_id)]


def periods_starting_tomorrow(
    *, session: Session, now: datetime, reminder_hour: int
) -> list[tuple[RiskView, int]]:
    """Busy periods that start the day after the project's today (from the reminder hour),
    with their project's id. One statement, over the few days any time zone's tomorrow
    can be, never the whole register."""
    due = []
    utc_day = now.astimezone(ZoneInfo("UTC")).date()
    for risk, project_id, timezone in risk_rows.periods_starting_between(
        session=session, first=utc_day, last=utc_day + timedelta(days=2)
    ):
        local = now.astimezone(ZoneInfo(timezone))
        if local.hour >= reminder_hour and risk.period_start == local.date() + timedelta(days=1):
            due.append((risk_view(risk), project_id))
    return due
