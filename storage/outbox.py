"""The outbox: decided messages, claimed with a lease, marked sent with Slack's ts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, any_, bindparam, case, delete, func, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, or_, select

from storage.bulk import chunks
from storage.models import Outbox, OutboxStatus


def enqueue(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows whose key is new; rows with a known key are skipped. Returns how many
    were inserted (also correct when another replica inserts the same keys at once)."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = max(len(row) for row in rows)
    inserted = 0
    for piece in chunks(rows, per_item=columns):
        statement = (
            insert(Outbox)
            .values(list(piece))
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Outbox.key)
        )
        inserted += len(session.execute(statement).all())
    return inserted


def existing_keys(*, session: Session, keys: Sequence[str]) -> set[str]:
    """Which of `keys` are already in the outbox."""
    if session.get_bind().dialect.name == "postgresql":
        param = bindparam("keys", value=list(keys), type_=ARRAY(String))
        return set(session.exec(select(Outbox.key).where(col(Outbox.key) == any_(param))))
    found: set[str] = set()
    for piece in chunks(keys):
        found |= set(session.exec(select(Outbox.key).where(col(Outbox.key).in_(list(piece)))))
    return found


def claim(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Outbox]:
    """Take up to `limit` due rows for `worker`: pending ones, and claimed ones whose lease
    ran out (their worker died or stalled). A row is only ever held by one worker at a time.
    Claiming is not trying: `renew(count_attempt=True)` counts a try right before it."""
    due = (
        select(Outbox.id)
        .where(
            or_(
                (col(Outbox.status) == OutboxStatus.PENDING) & (col(Outbox.next_attempt_at) <= now),
                (col(Outbox.status) == OutboxStatus.CLAIMED) & (col(Outbox.claimed_until) < now),
            )
        )
        .order_by(col(Outbox.id))
        .limit(limit)
    )
    claimed = []
    for row_id in list(session.exec(due)):
        result = session.execute(
            update(Outbox)
            .where(
                col(Outbox.id) == row_id,
                or_(
                    (col(Outbox.status) == OutboxStatus.PENDING)
                    & (col(Outbox.next_attempt_at) <= now),
                    (col(Outbox.status) == OutboxStatus.CLAIMED)
                    & (col(Outbox.claimed_until) < now),
                ),
            )
            .values(status=OutboxStatus.CLAIMED, claimed_by=worker, claimed_until=now + lease)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(row_id)
    if not claimed:
        return []
    query = select(Outbox).where(col(Outbox.id).in_(claimed)).order_by(col(Outbox.id))
    return list(session.exec(query.execution_options(populate_existing=True)))


def _due(now: datetime) -> Any:
    return or_(
        (col(Outbox.status) == OutboxStatus.PENDING) & (col(Outbox.next_attempt_at) <= now),
        (col(Outbox.status) == OutboxStatus.CLAIMED) & (col(Outbox.claimed_until) < now),
    )


def claim_batch(
    *, session: Session, now: datetime, worker: str, lease: timedelta, limit: int
) -> list[Outbox]:
    """Take up to `limit` due rows for `worker` in one statement, counting a try on each
    (a row claimed again after its holder died may have reached Slack: its count says so).
    On PostgreSQL, rows another transaction is claiming at this moment are skipped, not
    waited for; SQLite runs one writer at a time."""
    due = select(Outbox.id).where(_due(now)).order_by(col(Outbox.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = [
        row_id
        for (row_id,) in session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(due.scalar_subquery()), _due(now))
            .values(
                status=OutboxStatus.CLAIMED,
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=Outbox.attempts + 1,
            )
            .returning(Outbox.id)
        )
    ]
    if not claimed:
        return []
    query = select(Outbox).where(col(Outbox.id).in_(claimed)).order_by(col(Outbox.id))
    return list(session.exec(query.execution_options(populate_existing=True)))


def renew_many(
    *, session: Session, row_ids: Sequence[int], worker: str, until: datetime
) -> set[int]:
    """Extend `worker`'s claims on these rows to `until`, in bounded statements; returns
    the ids still held (a row missing from it was taken over by another worker)."""
    held: set[int] = set()
    for piece in chunks(row_ids):
        held |= {
            row_id
            for (row_id,) in session.execute(
                update(Outbox)
                .where(
                    col(Outbox.id).in_(list(piece)),
                    col(Outbox.claimed_by) == worker,
                    col(Outbox.status) == OutboxStatus.CLAIMED,
                )
                .values(claimed_until=until)
                .returning(Outbox.id)
            )
        }
    return held


def mark_sent_many(
    *, session: Session, worker: str, now: datetime, sent: Sequence[dict[str, Any]]
) -> set[int]:
    """Mark rows sent (`sent`: dicts of row_id, channel, ts, via) while `worker` holds
    them, in one transaction; returns the ids recorded (the others changed hands)."""
    if not sent:
        return set()
    held: set[int] = set()
    for piece in chunks([item["row_id"] for item in sent]):
        held |= set(
            session.exec(
                select(Outbox.id).where(
                    col(Outbox.id).in_(list(piece)),
                    col(Outbox.claimed_by) == worker,
                    col(Outbox.status) == OutboxStatus.CLAIMED,
                )
            )
        )
    params = [
        {
            "b_id": item["row_id"],
            "b_channel": item["channel"],
            "b_ts": item["ts"],
            "b_via": item["via"],
        }
        for item in sent
        if item["row_id"] in held
    ]
    if params:
        table = Outbox.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.claimed_by == worker,
                table.c.status == OutboxStatus.CLAIMED,
            )
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                sent_channel=bindparam("b_channel"),
                sent_ts=bindparam("b_ts"),
                delivered_via=bindparam("b_via"),
                claimed_until=None,
            ),
            params,
        )
    return held


def dm_channels(*, session: Session) -> dict[str, str]:
    """The DM conversation (`D…`) each person's messages went to, from what was sent:
    Slack keeps one DM per app and person, so it need not be opened again."""
    query = (
        select(Outbox.recipient, func.max(Outbox.sent_channel))
        .where(col(Outbox.delivered_via) == "dm", col(Outbox.sent_channel).is_not(None))
        .group_by(col(Outbox.recipient))
    )
    return {str(user): str(channel) for user, channel in session.exec(query)}


def renew(
    *, session: Session, row_id: int, worker: str, until: datetime, count_attempt: bool = False
) -> int | None:
    """Extend `worker`'s claim on a row to `until`, in one statement; with `count_attempt`
    also count a try. Returns the row's tries so far, or None when the claim was lost
    (another worker took the row after the lease ran out): the row must not be sent then."""
    values: dict[str, Any] = {"claimed_until": until}
    if count_attempt:
        values["attempts"] = Outbox.attempts + 1
    found = session.execute(
        update(Outbox).where(*_held(row_id, worker)).values(**values).returning(Outbox.attempts)
    ).first()
    return None if found is None else int(found[0])


def mark_sent(
    *, session: Session, row_id: int, worker: str, now: datetime, channel: str, ts: str, via: str
) -> bool:
    result = session.execute(
        update(Outbox)
        .where(*_held(row_id, worker))
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            sent_channel=channel,
            sent_ts=ts,
            delivered_via=via,
            claimed_until=None,
        )
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_retry(
    *,
    session: Session,
    row_id: int,
    worker: str,
    error: str,
    next_attempt_at: datetime | None,
    refund_attempt: bool = False,
) -> bool:
    """Give the row back for a later try, or give up (`next_attempt_at` None).
    `refund_attempt` un-counts the try (Slack did nothing: a 429, or a row never tried).
    False when `worker` no longer held the row."""
    values: dict[str, Any] = {"last_error": error[:200], "claimed_by": None, "claimed_until": None}
    if next_attempt_at is None:
        values["status"] = OutboxStatus.FAILED
    else:
        values.update(status=OutboxStatus.PENDING, next_attempt_at=next_attempt_at)
    if refund_attempt:
        values["attempts"] = case((col(Outbox.attempts) > 0, col(Outbox.attempts) - 1), else_=0)
    result = session.execute(update(Outbox).where(*_held(row_id, worker)).values(**values))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _held(row_id: int, worker: str) -> tuple[Any, ...]:
    """The row while `worker` holds its claim (nobody took it over since)."""
    return (
        col(Outbox.id) == row_id,
        col(Outbox.claimed_by) == worker,
        col(Outbox.status) == OutboxStatus.CLAIMED,
    )


def release(*, session: Session, worker: str) -> int:
    """Give back every row `worker` holds (graceful shutdown). A process's dispatchers
    claim as `worker/…`, so the process's id releases all of them."""
    result = session.execute(
        update(Outbox)
        .where(
            or_(
                col(Outbox.claimed_by) == worker,
                col(Outbox.claimed_by).startswith(f"{worker}/", autoescape=True),
            ),
            col(Outbox.status) == OutboxStatus.CLAIMED,
        )
        .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def backlog(*, session: Session) -> int:
    query = (
        select(func.count())
        .select_from(Outbox)
        .where(col(Outbox.status).in_((OutboxStatus.PENDING, OutboxStatus.CLAIMED)))
    )
    return int(session.exec(query).one())


def rows(
    *, session: Session, kind_prefix: str | None = None, status: str | None = None
) -> list[Outbox]:
    query = select(Outbox)
    if kind_prefix is not None:
        query = query.where(col(Outbox.kind).startswith(kind_prefix))
    if status is not None:
        query = query.where(Outbox.status == status)
    return list(session.exec(query.order_by(col(Outbox.id))))


def sent_task_ids(*, session: Session, kind: str, project_ids: Sequence[int]) -> list[list[int]]:
    """The task ids of each sent message of `kind` for these projects (no message bodies)."""
    found: list[list[int]] = []
    for piece in chunks(project_ids):
        query = select(Outbox.task_ids).where(
            col(Outbox.kind) == kind,
            col(Outbox.status) == OutboxStatus.SENT,
            col(Outbox.project_id).in_(list(piece)),
        )
        found += [list(ids or []) for ids in session.exec(query)]
    return found


def cancel_for_project(*, session: Session, project_id: int) -> int:
    """Drop a project's messages not sent yet (queued, or claimed by a sender: its next
    lease renewal fails, so it never posts them). Returns how many were dropped."""
    result = session.execute(
        delete(Outbox).where(
            col(Outbox.project_id) == project_id,
            col(Outbox.status).in_((OutboxStatus.PENDING, OutboxStatus.CLAIMED)),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
