"""Every decision-maker step, one row each, for `onboardbot export escalations`."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Escalation, Project

EXPORT_COLUMNS = (
    "project_id",
    "customer",
    "day",
    "status",
    "approval",
    "task_ids",
    "own_task_ids",
    "edited",
    "decided_by",
    "decided_at",
    "reason",
)


def history(*, session: Session, since: date) -> list[dict[str, Any]]:
    """Every decision-maker step from `since` on, one row each (for `export escalations`):
    what the step became, who decided it and when, and why it was skipped."""
    found = session.exec(
        select(Escalation, Project)
        .join(Project, col(Project.id) == col(Escalation.project_id))
        .where(col(Escalation.local_date) >= since)
        .order_by(col(Escalation.local_date), col(Escalation.id))
    ).all()
    return [
        {
            "project_id": e.project_id,
            "customer": p.customer_name,
            "day": e.local_date.isoformat(),
            "status": e.status,
            "approval": e.approval,
            "task_ids": " ".join(str(i) for i in e.task_ids),
            "own_task_ids": " ".join(str(i) for i in e.own_task_ids),
            "edited": e.edited,
            "decided_by": e.decided_by or "",
            "decided_at": e.decided_at.isoformat() if e.decided_at else "",
            "reason": e.reason or "",
        }
        for e, p in found
    ]
