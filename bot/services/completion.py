"""The finish line: completing or closing a project, the survey, the adoption check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.domain.permissions import Actor, can_use_cs_commands
from bot.services.projects import OPEN_STATUSES, customer_member
from storage import escalations as escalation_rows
from storage import events
from storage import outbox as outbox_rows
from storage import projects as project_rows
from storage import tasks as task_rows
from storage.models import Project, ProjectStatus, SurveyAnswer, TaskStatus

CHECKIN_ANSWERS = ("regularly", "occasionally", "stalled")
HABIT_WEEKS = 4  # nudge about the agreed habits weekly for the first month


class Closed(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


def finish_if_done(*, session: Session, project: Project, now: datetime) -> bool:
    """Complete the project when every required task is done; True only for the request
    that completed it (a guarded update, so two last clicks can't both celebrate)."""
    assert project.id is not None
    rows = task_rows.of_project(session=session, project_id=project.id)
    if any(t.required and t.status != TaskStatus.DONE for t in rows):
        return False
    result = session.execute(
        update(Project)
        .where(col(Project.id) == project.id, col(Project.status).in_(OPEN_STATUSES))
        .values(status=ProjectStatus.COMPLETED, completed_at=now, paused_until=None)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    events.record(
        session=session,
        kind="project.completed",
        actor="system",
        at=now,
        project_id=project.id,
        after={"status": "completed"},
    )
    session.refresh(project)
    return True


def close(
    *,
    session: Session,
    project: Project,
    outcome: str,
    reason: str | None,
    actor: Actor,
    now: datetime,
    share_reason: bool = False,
) -> tuple[Closed, str | None]:
    """`/onboard close completed|cancelled [reason]` by CS staff: the reason stays with CS
    staff unless `share_reason`; queued reminders and unanswered drafts are withdrawn."""
    decision = can_use_cs_commands(actor)
    if not decision:
        return Closed.REFUSED, decision.reason
    if project.status not in OPEN_STATUSES:
        return Closed.UNCHANGED, "error.project_closed"
    before = project.status
    project.status = ProjectStatus.COMPLETED if outcome == "completed" else ProjectStatus.CANCELLED
    project.completed_at, project.close_reason, project.paused_until = now, reason, None
    project.close_reason_shared = bool(reason and share_reason)
    assert project.id is not None
    events.record(
        session=session,
        kind=f"project.{project.status}",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        before={"status": before},
        after={
            "status": project.status,
            "reason": reason,
            "reason_shared": project.close_reason_shared,
        },
    )
    end_messages(session=session, project_id=project.id, now=now)
    return Closed.CHANGED, None


def end_messages(*, session: Session, project_id: int, now: datetime) -> int:
    """A project ended: what was queued for it is never sent (reminders, escalations,
    check-ins), and drafts for its decision-maker are withdrawn. Returns rows cancelled."""
    escalation_rows.withdraw(session=session, project_id=project_id, at=now)
    return outbox_rows.cancel_for_project(session=session, project_id=project_id)


def survey_refusal(*, session: Session, project: Project, actor: Actor) -> str | None:
    """The survey is the project's customers' to answer (a message key when not)."""
    assert project.id is not None
    if customer_member(session=session, project_id=project.id, user_id=actor.user_id) is None:
        return "deny.survey_customers_only"
    return None


@dataclass(frozen=True)
class SurveyAnswered:
    """One person's survey scores after their answer was stored."""

    csat: int | None
    nps: int | None


def record_survey(
    *,
    session: Session,
    project: Project,
    actor: Actor,
    now: datetime,
    csat: int | None = None,
    nps: int | None = None,
    comment: str | None = None,
) -> str | SurveyAnswered:
    """Store (or update) a customer's answer; returns a refusal message key, or both scores
    as now stored (so the thanks can tell whether the other question is still open)."""
    assert project.id is not None
    refusal = survey_refusal(session=session, project=project, actor=actor)
    if refusal is not None:
        return refusal
    if (csat is not None and not 1 <= csat <= 5) or (nps is not None and not 0 <= nps <= 10):
        return "error.unexpected"
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
    return SurveyAnswered(csat=answer.csat, nps=answer.nps)


def record_checkin(
    *, session: Session, project: Project, actor: Actor, answer: str, now: datetime
) -> str | None:
    """The customer's answer to the adoption check-in; returns a refusal key or None."""
    assert project.id is not None
    if answer not in CHECKIN_ANSWERS:
        return "error.unexpected"
    if (
        not actor.is_staff
        and customer_member(session=session, project_id=project.id, user_id=actor.user_id) is None
    ):
        return "deny.not_project_member"
    events.record(
        session=session,
        kind="checkin.answered",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        after={"answer": answer},
    )
    return None


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
