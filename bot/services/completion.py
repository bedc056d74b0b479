"""The finish line: completing or closing a project, the survey, the adoption check-in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.domain.answers import CHECKIN_ANSWERS, CSAT_SCORES, NPS_SCORES, STALLED
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.permissions import Actor, can_use_cs_commands
from bot.domain.views import ProjectView
from bot.services import access
from bot.services.outbox import OutboxMessage
from bot.services.projects import (
    blackouts,
    customer_member,
    local_today,
    project_view,
)
from bot.services.results import Changed, Refused, Result, denied
from storage import escalations as escalation_rows
from storage import events
from storage import outbox as outbox_rows
from storage import projects as project_rows
from storage import tasks as task_rows
from storage.models import RUNNING_STATUSES, Project, ProjectStatus, SurveyAnswer, TaskStatus

HABIT_WEEKS = 4  # nudge about the agreed habits weekly for the first month
NOT_FOUND = Refused("error.project_not_found")

CalendarFor = Callable[[str, list[DateRange]], BusinessCalendar]


@dataclass(frozen=True)
class Finished:
    """A project its last required task completed: what the celebration shows."""

    view: ProjectView
    channel_id: str
    business_days: int
    calendar_days: int


def celebrate(
    *, session: Session, project_id: int, now: datetime, calendar_for: CalendarFor
) -> Finished | None:
    """Complete the project if its last required task is done (for one request only, even
    if two last clicks race); None when there is nothing to celebrate in a channel."""
    project = access.project(session=session, project_id=project_id)
    if project is None or not finish_if_done(session=session, project=project, now=now):
        return None
    view = project_view(session=session, project=project)
    calendar = calendar_for(
        project.holiday_country, blackouts(session=session, project_id=project_id)
    )
    today = local_today(project, now)
    if not project.channel_id:
        return None
    return Finished(
        view=view,
        channel_id=project.channel_id,
        business_days=calendar.business_days_between(view.kickoff, today),
        calendar_days=(today - view.kickoff).days,
    )


def finish_if_done(*, session: Session, project: Project, now: datetime) -> bool:
    """Complete the project when every required task is done; True only for the request
    that completed it (a guarded update, so two last clicks can't both celebrate)."""
    assert project.id is not None
    rows = task_rows.of_project(session=session, project_id=project.id)
    if any(t.required and t.status != TaskStatus.DONE for t in rows):
        return False
    result = session.execute(
        update(Project)
        .where(col(Project.id) == project.id, col(Project.status).in_(RUNNING_STATUSES))
        .values(status=ProjectStatus.COMPLETED, completed_at=now, paused_until=None)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # Session.execute() is typed as Result; an UPDATE/DELETE returns a CursorResult, which has rowcount
        return False
    events.record(
        session=session,
        kind="project.completed",
        actor=events.SYSTEM,
        at=now,
        project_id=project.id,
        after={"status": "completed"},
    )
    session.refresh(project)
    return True


def close(
    *,
    session: Session,
    channel_id: str | None,
    outcome: str,
    reason: str | None,
    actor: Actor,
    now: datetime,
    share_reason: bool = False,
) -> Result[ProjectView]:
    """`/onboard close completed|cancelled [reason]` by CS staff in the project's channel:
    the reason stays with CS staff unless `share_reason`; queued reminders and unanswered
    drafts are withdrawn. Returns the closed project."""
    project = access.channel_project(session=session, channel_id=channel_id)
    if project is None:
        return Refused("deny.not_a_project_channel")
    decision = can_use_cs_commands(actor)
    if not decision:
        return denied(decision)
    if project.status not in RUNNING_STATUSES:
        return Refused("error.project_closed")
    before = project.status
    project.status = ProjectStatus.COMPLETED if outcome == "completed" else ProjectStatus.CANCELLED
    project.completed_at, project.close_reason, project.paused_until = now, reason, None
    project.close_reason_shared = bool(reason and share_reason)
    assert project.id is not None
    events.status_changed(
        session=session,
        kind=f"project.{project.status}",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        before=before,
        after=project.status,
        reason=reason,
        reason_shared=project.close_reason_shared,
    )
    end_messages(session=session, project_id=project.id, now=now)
    return Changed(project_view(session=session, project=project))


def end_messages(*, session: Session, project_id: int, now: datetime) -> int:
    """A project ended: what was queued for it is never sent (reminders, escalations,
    check-ins), and drafts for its decision-maker are withdrawn. Returns rows cancelled."""
    escalation_rows.withdraw(session=session, project_id=project_id, at=now)
    return outbox_rows.cancel_for_project(session=session, project_id=project_id)


def survey_project(*, session: Session, project_id: int, actor: Actor) -> Project | Refused:
    """The project whose survey `actor` may answer: it is the project's customers' to
    answer."""
    project = access.project(session=session, project_id=project_id)
    if project is None:
        return NOT_FOUND
    if customer_member(session=session, project_id=project_id, user_id=actor.user_id) is None:
        return Refused("deny.survey_customers_only", locale=project.locale)
    return project


@dataclass(frozen=True)
class SurveyAnswered:
    """One person's survey scores after their answer was stored."""

    csat: int | None
    nps: int | None
    locale: str  # the project's


def record_survey(
    *,
    session: Session,
    project_id: int,
    actor: Actor,
    now: datetime,
    csat: int | None = None,
    nps: int | None = None,
    comment: str | None = None,
) -> Result[SurveyAnswered]:
    """Store (or update) a customer's answer; returns both scores as now stored (so the
    thanks can tell whether the other question is still open)."""
    project = survey_project(session=session, project_id=project_id, actor=actor)
    if isinstance(project, Refused):
        return project
    if (csat is not None and csat not in CSAT_SCORES) or (
        nps is not None and nps not in NPS_SCORES
    ):
        return Refused("error.unexpected", locale=project.locale)
    # Two answers of one person at once (CSAT and NPS clicked together): the row is made
    # first, once, so the second waits for the first and then updates the same row.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(SurveyAnswer)
        .values(project_id=project.id, user_id=actor.user_id, answered_at=now)
        .on_conflict_do_nothing(index_elements=["project_id", "user_id"])
    )
    answer = session.exec(
        select(SurveyAnswer)
        .where(SurveyAnswer.project_id == project.id, SurveyAnswer.user_id == actor.user_id)
        .execution_options(populate_existing=True)
    ).one()
    if csat is not None:
        answer.csat = csat
    if nps is not None:
        answer.nps = nps
    if comment is not None:
        answer.comment = comment
    answer.answered_at = now
    session.add(answer)
    events.record(
        session=session,
        kind="survey.answered",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        after={"csat": csat, "nps": nps, "comment": bool(comment)},
    )
    return Changed(SurveyAnswered(csat=answer.csat, nps=answer.nps, locale=project.locale))


def record_checkin(
    *,
    session: Session,
    project_id: int,
    actor: Actor,
    answer: str,
    now: datetime,
    stalled_alert: Callable[[ProjectView], OutboxMessage],
) -> Result[ProjectView]:
    """The customer's answer to the adoption check-in. *stalled* queues `stalled_alert`
    (an outbox row for the CSM, once) in the same unit of work. Returns the project."""
    project = access.project(session=session, project_id=project_id)
    if project is None:
        return NOT_FOUND
    if answer not in CHECKIN_ANSWERS:
        return Refused("error.unexpected", locale=project.locale)
    if not access.sees_project(session=session, project=project, actor=actor):
        return Refused("deny.not_project_member", locale=project.locale)
    events.record(
        session=session,
        kind="checkin.answered",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        after={"answer": answer},
    )
    view = project_view(session=session, project=project)
    if answer == STALLED and view.csm_user_id:
        outbox_rows.enqueue(session=session, rows=[stalled_alert(view)])
    return Changed(view)


CHECKIN_KEY = "checkin:"


@dataclass(frozen=True)
class AdoptionDue:
    project_id: int
    kind: str  # "checkin" | "habit"
    week: int = 0  # habit nudges: 1..HABIT_WEEKS
    days_since: int = 0

    @property
    def key(self) -> str:
        """The outbox key: a check-in once per project, a nudge once per week."""
        if self.kind == "checkin":
            return f"{CHECKIN_KEY}{self.project_id}"
        return f"habit:{self.project_id}:{self.week}"


def adoption_due(*, session: Session, now: datetime, reminder_hour: int) -> list[AdoptionDue]:
    """Check-ins and habit nudges due at `now` (each keyed once by the caller's outbox;
    habit nudges only for playbooks with habits, which the caller checks when rendering).
    One statement: projects whose check-in went out and whose habit weeks are over are
    not read at all."""
    due = []
    since = now - timedelta(weeks=HABIT_WEEKS + 1, days=1)
    for project_id, timezone, completed_at, checkin_after in project_rows.completed_for_adoption(
        session=session, since=since, checkin_key_prefix=CHECKIN_KEY
    ):
        zone = ZoneInfo(timezone)
        local = now.astimezone(zone)
        if local.hour < reminder_hour or local.weekday() >= 5:
            continue
        days = (local.date() - completed_at.astimezone(zone).date()).days
        if days >= checkin_after:
            due.append(AdoptionDue(project_id, "checkin", days_since=days))
        week = days // 7
        if 1 <= week <= HABIT_WEEKS:
            due.append(AdoptionDue(project_id, "habit", week=week, days_since=days))
    return due
