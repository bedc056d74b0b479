"""Units of work on the outbox: claim a batch, hold a row's claim, record what Slack said."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from storage import events
from storage import outbox as outbox_rows
from storage.models import Outbox


def enqueue(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Add messages to send (see `bot.flows.outbox.outbox_row`); known keys are skipped."""
    return outbox_rows.enqueue(session=session, rows=rows)


def claim(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Outbox]:
    """Up to `limit` due rows, held by `worker` until `now + lease`."""
    return outbox_rows.claim(session=session, now=now, worker=worker, lease=lease, limit=limit)


def claim_batch(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Outbox]:
    """Up to `limit` due rows, held by `worker` until `now + lease`, each counted as tried."""
    return outbox_rows.claim_batch(
        session=session, now=now, worker=worker, lease=lease, limit=limit
    )


def hold_many(
    *, session: Session, row_ids: Sequence[int], worker: str, until: datetime
) -> set[int]:
    """Keep `worker`'s claims on these rows until `until`; the ids it still holds."""
    return outbox_rows.renew_many(session=session, row_ids=row_ids, worker=worker, until=until)


def dm_channels(*, session: Session) -> dict[str, str]:
    """Each person's DM conversation, as earlier sends found it."""
    return outbox_rows.dm_channels(session=session)


def record_sent_many(
    *, session: Session, worker: str, now: datetime, sent: Sequence[tuple[Outbox, str, str, str]]
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
    for row, channel, ts, via in sent:
        if row.id not in recorded:
            continue
        events.record(
            session=session,
            kind=f"{row.kind}.sent",
            actor="system",
            at=now,
            project_id=row.project_id,
            after={
                "key": row.key,
                "to": row.recipient,
                "channel": channel,
                "ts": ts,
                "via": via,
                "task_ids": row.task_ids,
            },
        )
    return recorded


def hold(
    *, session: Session, row: Outbox, worker: str, until: datetime, count_attempt: bool
) -> int | None:
    """Keep `worker`'s claim on `row` until `until`; the row's tries so far, or None when
    another worker has taken it since (then it must not be sent)."""
    assert row.id is not None
    return outbox_rows.renew(
        session=session, row_id=row.id, worker=worker, until=until, count_attempt=count_attempt
    )


def record_sent(
    *, session: Session, row: Outbox, worker: str, now: datetime, channel: str, ts: str, via: str
) -> bool:
    """Mark the row sent with Slack's ts and log it; False when `worker` no longer held it."""
    assert row.id is not None
    if not outbox_rows.mark_sent(
        session=session, row_id=row.id, worker=worker, now=now, channel=channel, ts=ts, via=via
    ):
        return False
    events.record(
        session=session,
        kind=f"{row.kind}.sent",
        actor="system",
        at=now,
        project_id=row.project_id,
        after={
            "key": row.key,
            "to": row.recipient,
            "channel": channel,
            "ts": ts,
            "via": via,
            "task_ids": row.task_ids,
        },
    )
    return True


def record_retry(
    *,
    session: Session,
    row: Outbox,
    worker: str,
    error: str,
    now: datetime,
    next_attempt_at: datetime | None,
    attempts: int,
    refund_attempt: bool = False,
) -> None:
    """Give the row back for `next_attempt_at`, or give up on it (None) and log that."""
    assert row.id is not None
    held = outbox_rows.mark_retry(
        session=session,
        row_id=row.id,
        worker=worker,
        error=error,
        next_attempt_at=next_attempt_at,
        refund_attempt=refund_attempt,
    )
    if held and next_attempt_at is None:
        events.record(
            session=session,
            kind=f"{row.kind}.failed",
            actor="system",
            at=now,
            project_id=row.project_id,
            after={"key": row.key, "to": row.recipient, "error": error, "attempts": attempts},
        )


def give_back(*, session: Session, rows: Sequence[Outbox], worker: str, now: datetime) -> None:
    """Hand untried rows back at once (shutting down): another worker may send them, and
    the try counted when they were claimed is taken back."""
    for row in rows:
        assert row.id is not None
        outbox_rows.mark_retry(
            session=session,
            row_id=row.id,
            worker=worker,
            error="shutdown",
            next_attempt_at=now,
            refund_attempt=True,
        )
