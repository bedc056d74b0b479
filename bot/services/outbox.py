"""Units of work on the outbox: queue decided messages, claim a batch, hold the claims,
record what Slack said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import events
from storage import outbox as outbox_rows
from storage.models import Event, OutboxStatus
from storage.outbox import Fallback, OutboxMessage

__all__ = [
    "Claimed",
    "Fallback",
    "OutboxMessage",
    "claim_batch",
    "dm_channels",
    "enqueue",
    "existing_keys",
    "give_back",
    "hold_many",
    "pending",
    "record_retry",
    "record_sent_many",
    "sent_ts",
]


@dataclass(frozen=True, slots=True)
class Claimed:
    """An outbox row a sender holds: its message, and its tries so far (this one included)."""

    id: int
    attempts: int
    message: OutboxMessage


def enqueue(*, session: Session, rows: Sequence[OutboxMessage]) -> int:
    """Queue messages to send (the only way in); known keys are skipped. Returns how many
    were new."""
    return outbox_rows.enqueue(session=session, rows=rows)


def existing_keys(*, session: Session, keys: Sequence[str]) -> set[str]:
    """Which of `keys` the outbox holds already (decided before: not rendered again)."""
    return outbox_rows.existing_keys(session=session, keys=keys)


def pending(*, session: Session) -> list[OutboxMessage]:
    """The messages waiting to be sent, oldest first."""
    return [
        outbox_rows.message_of(row)
        for row in outbox_rows.rows(session=session, status=OutboxStatus.PENDING)
    ]


def sent_ts(*, session: Session, key: str) -> str | None:
    """The ts Slack gave the message `key`, once it was sent (None until then)."""
    row = outbox_rows.by_key(session=session, key=key)
    if row is None or row.status != OutboxStatus.SENT:
        return None
    return row.sent_ts or None


def claim_batch(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Claimed]:
    """Up to `limit` due rows, held by `worker` until `now + lease`, each counted as tried."""
    return [
        Claimed(row.id, row.attempts, outbox_rows.message_of(row))
        for row in outbox_rows.claim_batch(
            session=session, now=now, worker=worker, lease=lease, limit=limit
        )
        if row.id is not None
    ]


def hold_many(
    *, session: Session, row_ids: Sequence[int], worker: str, until: datetime
) -> set[int]:
    """Keep `worker`'s claims on these rows until `until`; the ids it still holds."""
    return outbox_rows.renew_many(session=session, row_ids=row_ids, worker=worker, until=until)


def dm_channels(*, session: Session) -> dict[str, str]:
    """Each person's DM conversation, as earlier sends found it."""
    return outbox_rows.dm_channels(session=session)


def record_sent_many(
    *, session: Session, worker: str, now: datetime, sent: Sequence[tuple[Claimed, str, str, str]]
) -> set[int]:
    """Mark rows sent (row, channel, ts, via) and log each, in the caller's one transaction;
    returns the ids recorded (those `worker` still held)."""
    recorded = outbox_rows.mark_sent_many(
        session=session,
        worker=worker,
        now=now,
        sent=[
            {"row_id": row.id, "channel": channel, "ts": ts, "via": via}
            for row, channel, ts, via in sent
        ],
    )
    events.record_many(
        session=session,
        events=[
            _outcome(
                row,
                "sent",
                now=now,
                detail={
                    "channel": channel,
                    "ts": ts,
                    "via": via,
                    "task_ids": list(row.message.task_ids),
                },
            )
            for row, channel, ts, via in sent
            if row.id in recorded
        ],
    )
    return recorded


def _outcome(row: Claimed, outcome: str, *, now: datetime, detail: dict[str, object]) -> Event:
    """The event `<kind>.<outcome>` of the row's message, with its key and recipient first."""
    message = row.message
    return Event(
        kind=f"{message.kind}.{outcome}",
        actor=events.SYSTEM,
        at=now,
        project_id=message.project_id,
        after={"key": message.key, "to": message.recipient, **detail},
    )


def record_retry(
    *,
    session: Session,
    row: Claimed,
    worker: str,
    error: str,
    now: datetime,
    next_attempt_at: datetime | None,
    refund_attempt: bool = False,
) -> None:
    """Give the row back for `next_attempt_at`, or give up on it (None) and log that."""
    held = outbox_rows.mark_retry(
        session=session,
        row_id=row.id,
        worker=worker,
        error=error,
        next_attempt_at=next_attempt_at,
        refund_attempt=refund_attempt,
    )
    if held and next_attempt_at is None:
        events.record_many(
            session=session,
            events=[
                _outcome(row, "failed", now=now, detail={"error": error, "attempts": row.attempts})
            ],
        )


def give_back(*, session: Session, rows: Sequence[Claimed], worker: str, now: datetime) -> None:
    """Hand untried rows back at once (shutting down): another worker may send them, and
    the try counted when they were claimed is taken back."""
    for row in rows:
        outbox_rows.mark_retry(
            session=session,
            row_id=row.id,
            worker=worker,
            error="shutdown",
            next_attempt_at=now,
            refund_attempt=True,
        )
