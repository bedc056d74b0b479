"""Outgoing webhooks: which recorded events other systems hear of, and in what words.

A follower of the event log (`storage.events.follow`) turns each event of interest into one
delivery per receiver, in the transaction that recorded the event: a change and its
webhooks commit together or not at all. `bot.flows.webhooks` sends them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from storage import webhooks as webhook_rows
from storage.models import Event, Project, Task, WebhookDelivery, WebhookStatus

# Event-log kinds → webhook event types. A project is "started" for others once it is live
# (its channel and checklist exist): a start rolled back before that was never seen.
WEBHOOK_EVENTS = {
    "project.activated": "project.started",
    "task.completed": "task.completed",
    "task.replanned": "task.replanned",
    "escalation.sent": "escalation.sent",
    "project.completed": "project.completed",
    "project.cancelled": "project.cancelled",
    "survey.answered": "survey.answered",
}
EVENT_TYPES = tuple(dict.fromkeys(WEBHOOK_EVENTS.values()))
ESCALATION_LEVELS = {"csm": "csm", "dm": "decision_maker"}


def follower(receivers: Sequence[str]) -> Callable[[Session, Event], None]:
    """The event-log follower that queues a delivery per receiver for each event of
    interest (nothing when no receiver is configured)."""
    targets = tuple(dict.fromkeys(receivers))

    def follow(session: Session, event: Event) -> None:
        webhook_type = WEBHOOK_EVENTS.get(event.kind)
        if webhook_type is None or not targets or event.project_id is None:
            return
        data = _data(session, event, webhook_type)
        if data is None:
            return
        event_id = f"evt_{uuid.uuid4().hex}"
        body = json.dumps(
            {
                "id": event_id,
                "type": webhook_type,
                "created_at": _iso(event.at),
                "data": data,
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        webhook_rows.enqueue(
            session=session,
            rows=[
                {
                    "event_id": event_id,
                    "event_type": webhook_type,
                    "receiver": receiver,
                    "project_id": event.project_id,
                    "body": body,
                    "next_attempt_at": event.at,
                    "created_at": event.at,
                }
                for receiver in targets
            ],
        )

    return follow


def _data(session: Session, event: Event, webhook_type: str) -> dict[str, Any] | None:
    project = session.get(Project, event.project_id)
    if project is None:
        return None
    data: dict[str, Any] = {"project": project_ref(project)}
    after = event.after or {}
    if webhook_type.startswith("task.") and event.task_id is not None:
        task = session.get(Task, event.task_id)
        if task is None:
            return None
        data["task"] = {
            "id": task.id,
            "key": task.key,
            "title": {"ja": task.title_ja, "en": task.title_en},
            "owner_side": task.owner_side,
            "planned_due": task.planned_due.isoformat(),
            "due": task.due.isoformat(),
            "completed_on": task.completed_on.isoformat() if task.completed_on else None,
        }
        if webhook_type == "task.replanned":
            data["previous_due"] = (event.before or {}).get("due")
            data["reason"] = after.get("reason")
    elif webhook_type == "escalation.sent":
        level = (str(after.get("key") or "").split(":")[1:2] or [""])[0]
        if level not in ESCALATION_LEVELS:
            # The CSM's draft to approve, the notice that she heard, "link a decision-maker"
            # and "only her own tasks": notes to the CSM, not escalations.
            return None
        data["level"] = ESCALATION_LEVELS[level]
        data["task_ids"] = list(after.get("task_ids") or [])
    elif webhook_type in ("project.completed", "project.cancelled"):
        data["reason"] = after.get("reason")
    elif webhook_type == "survey.answered":
        data["csat"], data["nps"] = after.get("csat"), after.get("nps")
    return data


def project_ref(project: Project) -> dict[str, Any]:
    """How a webhook names a project: its ids and state (no personal data)."""
    return {
        "id": project.id,
        "external_id": project.external_id,
        "state": project.status,
        "channel_id": project.channel_id,
    }


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- sending (units of work for bot.flows.webhooks) ------------------------------------
@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one receiver, as a sender holds it."""

    id: int
    event_id: str
    event_type: str
    receiver: str
    body: str  # the JSON sent, exactly as signed
    attempts: int  # this try included

    @property
    def label(self) -> str:
        return f"{self.event_id} → {self.receiver}"


def _delivery(row: WebhookDelivery) -> Delivery:
    assert row.id is not None
    return Delivery(row.id, row.event_id, row.event_type, row.receiver, row.body, row.attempts)


def claim(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Delivery]:
    """Up to `limit` due deliveries, held by `worker` until `now + lease`."""
    found = webhook_rows.claim(session=session, now=now, worker=worker, lease=lease, limit=limit)
    return [_delivery(row) for row in found]


def pending(*, session: Session) -> list[Delivery]:
    """The deliveries waiting to be sent, oldest first."""
    return [
        _delivery(row) for row in webhook_rows.rows(session=session, status=WebhookStatus.PENDING)
    ]


def hold(*, session: Session, row_id: int, worker: str, until: datetime) -> bool:
    """Keep `worker`'s claim until `until`; False when another sender took it since."""
    return webhook_rows.renew(session=session, row_id=row_id, worker=worker, until=until)


def delivered(*, session: Session, row_id: int, worker: str, now: datetime) -> bool:
    return webhook_rows.mark_delivered(session=session, row_id=row_id, worker=worker, now=now)


def retry(
    *, session: Session, row_id: int, worker: str, error: str, next_attempt_at: datetime | None
) -> bool:
    """Try again at `next_attempt_at`, or give up (None)."""
    return webhook_rows.mark_retry(
        session=session, row_id=row_id, worker=worker, error=error, next_attempt_at=next_attempt_at
    )
