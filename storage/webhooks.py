"""Webhook deliveries: one row per event and receiver, claimed with a lease."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, or_, select

from storage.models import WebhookDelivery, WebhookStatus


def enqueue(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert deliveries whose (event id, receiver) is new; returns how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(WebhookDelivery)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["event_id", "receiver"])
        .returning(col(WebhookDelivery.id))
    )
    return len(session.execute(statement).all())


def _due(now: datetime) -> Any:
    return or_(
        (col(WebhookDelivery.status) == WebhookStatus.PENDING)
        & (col(WebhookDelivery.next_attempt_at) <= now),
        (col(WebhookDelivery.status) == WebhookStatus.CLAIMED)
        & (col(WebhookDelivery.claimed_until) < now),
    )


def claim(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[WebhookDelivery]:
    """Up to `limit` due deliveries for `worker` until `now + lease`: pending ones, and
    claimed ones whose lease ran out (their sender died). One holder at a time."""
    # More candidates than wanted: another sender may take some between our look and
    # our claim, and an empty claim would end a sender's run while rows are still due.
    due = (
        select(WebhookDelivery.id)
        .where(_due(now))
        .order_by(col(WebhookDelivery.id))
        .limit(limit * 2 + 10)
    )
    claimed: list[int] = []
    for row_id in list(session.exec(due)):
        assert row_id is not None
        if len(claimed) == limit:
            break
        result = session.exec(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == row_id, _due(now))
            .values(
                status=WebhookStatus.CLAIMED,
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=WebhookDelivery.attempts + 1,
            )
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    if not claimed:
        return []
    query = (
        select(WebhookDelivery)
        .where(col(WebhookDelivery.id).in_(claimed))
        .order_by(col(WebhookDelivery.id))
    )
    return list(session.exec(query.execution_options(populate_existing=True)))


def _held(row_id: int, worker: str) -> tuple[Any, ...]:
    return (
        col(WebhookDelivery.id) == row_id,
        col(WebhookDelivery.claimed_by) == worker,
        col(WebhookDelivery.status) == WebhookStatus.CLAIMED,
    )


def renew(*, session: Session, row_id: int, worker: str, until: datetime) -> bool:
    """Extend `worker`'s claim; False when another sender holds the row now."""
    result = session.exec(
        update(WebhookDelivery).where(*_held(row_id, worker)).values(claimed_until=until)
    )
    return result.rowcount == 1


def mark_delivered(*, session: Session, row_id: int, worker: str, now: datetime) -> bool:
    result = session.exec(
        update(WebhookDelivery)
        .where(*_held(row_id, worker))
        .values(
            status=WebhookStatus.DELIVERED,
            delivered_at=now,
            claimed_until=None,
            last_error=None,
        )
    )
    return result.rowcount == 1


def mark_retry(
    *, session: Session, row_id: int, worker: str, error: str, next_attempt_at: datetime | None
) -> bool:
    """Give the row back for `next_attempt_at`, or give up on it (None)."""
    values: dict[str, Any] = {"last_error": error[:200], "claimed_by": None, "claimed_until": None}
    if next_attempt_at is None:
        values["status"] = WebhookStatus.FAILED
    else:
        values.update(status=WebhookStatus.PENDING, next_attempt_at=next_attempt_at)
    result = session.exec(update(WebhookDelivery).where(*_held(row_id, worker)).values(**values))
    return result.rowcount == 1


def release(*, session: Session, worker: str) -> int:
    """Give back every row a process holds (shutdown), as `worker` or `worker/…`."""
    result = session.exec(
        update(WebhookDelivery)
        .where(
            or_(
                col(WebhookDelivery.claimed_by) == worker,
                col(WebhookDelivery.claimed_by).startswith(f"{worker}/", autoescape=True),
            ),
            col(WebhookDelivery.status) == WebhookStatus.CLAIMED,
        )
        .values(status=WebhookStatus.PENDING, claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount or 0)


def backlog(*, session: Session) -> int:
    query = (
        select(func.count())
        .select_from(WebhookDelivery)
        .where(col(WebhookDelivery.status).in_((WebhookStatus.PENDING, WebhookStatus.CLAIMED)))
    )
    return int(session.exec(query).one())


def rows(*, session: Session, status: str | None = None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return list(session.exec(query.order_by(col(WebhookDelivery.id))))
