"""Forgetting a customer: personal data goes, anonymous task statistics stay for the KPIs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from bot.domain.ids import row_id
from storage import events, requests
from storage.models import (
    Escalation,
    Event,
    Outbox,
    Project,
    ProjectStatus,
    Risk,
    Stakeholder,
    SurveyAnswer,
    Task,
)

REDACTED = "redacted"
# Event fields that hold no personal data; everything else is dropped.
KEEP_FIELDS = {
    "status",
    "due",
    "reason",
    "source",
    "playbook",
    "version",
    "kickoff",
    "csat",
    "nps",
    "busy_periods",
    "slip_reason",
    "committed_go_live",
    "answer",
    "risk_id",
    "via",
    "task_ids",
    "level",
    "role",
}
# Free text typed by people: dropped even under a kept name.
FREE_TEXT_IN = {"project.cancelled", "project.completed"}


class NotFound(LookupError):
    pass


def find(*, session: Session, customer_or_id: str) -> Project:
    """The project with this id, or the one customer with this exact name."""
    as_id = row_id(customer_or_id)
    if as_id is not None:
        project = session.get(Project, as_id)
        if project is not None:
            return project
    matches = list(session.exec(select(Project).where(Project.customer_name == customer_or_id)))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no project with id or customer name {customer_or_id!r}")
    ids = ", ".join(str(p.id) for p in matches)
    raise NotFound(f"several projects for {customer_or_id!r} (ids {ids}): give the id")


def forget(*, session: Session, project: Project, now: datetime) -> dict[str, int]:
    """End the project and remove names, e-mails, Slack user ids, comments and free text.

    The project becomes `deleted`: no job plans anything for it again, its queued messages
    are dropped (a sender holding one loses its claim and never posts it), and the digest
    and `report` count it as deleted, never as running.
    """
    assert project.id is not None
    pid = project.id
    before = project.status
    project.status, project.paused_until = ProjectStatus.DELETED, None
    project.customer_name, project.channel_name, project.close_reason = (
        f"deleted customer {pid}",
        None,
        None,
    )
    project.created_by = None
    counts = {
        "people": session.execute(
            delete(Stakeholder).where(col(Stakeholder.project_id) == pid)
        ).rowcount,  # type: ignore[attr-defined]  # Session.execute() is typed as Result; an UPDATE/DELETE returns a CursorResult, which has rowcount
        "messages": session.execute(delete(Outbox).where(col(Outbox.project_id) == pid)).rowcount,  # type: ignore[attr-defined]  # Session.execute() is typed as Result; an UPDATE/DELETE returns a CursorResult, which has rowcount
        # The drafts and notes of the decision-maker step hold names and her message.
        "escalations": session.execute(
            delete(Escalation).where(col(Escalation.project_id) == pid)
        ).rowcount,  # type: ignore[attr-defined]  # Session.execute() is typed as Result; an UPDATE/DELETE returns a CursorResult, which has rowcount
    }
    # A start under way held the customer's name: it ends here, so the name is free again.
    requests.release_starting(session=session, project_id=pid)
    session.execute(update(Task).where(col(Task.project_id) == pid).values(completed_by=None))
    session.execute(
        update(Risk)
        .where(col(Risk.project_id) == pid)
        .values(text=None, said_by=REDACTED, closed_by=None)
    )
    for answer in session.exec(select(SurveyAnswer).where(SurveyAnswer.project_id == pid)):
        answer.comment, answer.user_id = None, f"{REDACTED}-{answer.id}"
    scrubbed = 0
    for event in session.exec(select(Event).where(Event.project_id == pid)):
        event.actor = REDACTED if event.actor != events.SYSTEM else events.SYSTEM
        event.before, event.after = (
            _scrub(event.kind, event.before),
            _scrub(event.kind, event.after),
        )
        scrubbed += 1
    counts["events"] = scrubbed
    events.status_changed(
        session=session,
        kind="project.forgotten",
        actor="operator",
        at=now,
        project_id=pid,
        before=before,
        after=ProjectStatus.DELETED,
    )
    return counts


def _scrub(kind: str, values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    kept = {k: v for k, v in values.items() if k in KEEP_FIELDS}
    if kind in FREE_TEXT_IN:
        kept.pop("reason", None)
    return kept
