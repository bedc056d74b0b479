"""The outbox: decided messages, claimed with a lease, marked sent with Slack's ts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, any_, bindparam, case, delete, func, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, or_, select

from storage.bulk import chunks
from storage.models import Outbox, OutboxStatus


@dataclass(frozen=True, slots=True)
class Fallback:
    """Where a message goes when Slack refuses its DM: a threaded mention in a channel, or
    a DM to the CSM who passes it on."""

    to: str  # a channel id, or the CSM's user id
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One decided message, as it is written to the outbox. Its unique `key` makes deciding
    it twice harmless; `at` is when it was decided (and may first be tried)."""

    key: str
    kind: str
    recipient: str  # a user id (a DM) or a channel id
    text: str
    blocks: list[dict[str, Any]]
    at: datetime
    project_id: int | None = None
    thread_ts: str | None = None
    task_ids: tuple[int, ...] = ()
    local_date: date | None = None
    fallback: Fallback | None = None

    def columns(self) -> dict[str, Any]:
        """The row's column values for the INSERT."""
        fallback = self.fallback
        return {
            "key": self.key,
            "kind": self.kind,
            "project_id": self.project_id,
            "recipient": self.recipient,
            "thread_ts": self.thread_ts,
            "text": self.text,
            "blocks": self.blocks,
            "task_ids": list(self.task_ids),
            "local_date": self.local_date,
            "fallback_channel": fallback.to if fallback else None,
            "fallback_thread_ts": fallback.thread_ts if fallback else None,
            "fallback_text": fallback.text if fallback else None,
            "fallback_blocks": fallback.blocks if fallback else None,
            "next_attempt_at": self.at,
            "created_at": self.at,
        }


def message_of(row: Outbox) -> OutboxMessage:
    """A stored row as the message it holds."""
    fallback = None
    if row.fallback_channel:
        fallback = Fallback(
            row.fallback_channel,
            row.fallback_text or row.text,
            row.fallback_blocks or row.blocks,
            row.fallback_thread_ts,
        )
    return OutboxMessage(
        key=row.key,
        kind=row.kind,
        recipient=row.recipient,
        text=row.text,
        blocks=row.blocks,
        at=row.created_at,
        project_id=row.project_id,
        thread_ts=row.thread_ts,
        task_ids=tuple(row.task_ids or ()),
        local_date=row.local_date,
        fallback=fallback,
    )


def enqueue(*, session: Session, rows: Sequence[OutboxMessage]) -> int:
    """Insert rows whose key is new; rows with a known key are skipped. Returns how many
    were inserted (also correct when another replica inserts the same keys at once)."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # One statement, compiled once, sent with every row's values: SQLAlchemy splits it into
    # multi-row INSERTs of a bounded size (insertmanyvalues), under both databases'
    # parameter limits, and gathers what RETURNING names across them.
    statement = (
        insert(Outbox).on_conflict_do_nothing(index_elements=["key"]).returning(col(Outbox.key))
    )
    return len(session.execute(statement, [row.columns() for row in rows]).all())


def existing_keys(*, session: Session, keys: Sequence[str]) -> set[str]:
    """Which of `keys` are already in the outbox."""
    if session.get_bind().dialect.name == "postgresql":
        param = bindparam("keys", value=list(keys), type_=ARRAY(String))
        return set(session.exec(select(Outbox.key).where(col(Outbox.key) == any_(param))))
    # SQLite: the keys as one JSON array, one parameter (no IN list of thousands to build).
    in_list = text("outbox.key IN (SELECT value FROM json_each(:keys))").bindparams(
        keys=json.dumps(list(keys))
    )
    return set(session.exec(select(Outbox.key).where(in_list)))


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
    chosen = select(col(Outbox.id)).where(_due(now)).order_by(col(Outbox.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    # A materialised CTE, not `IN (subquery)`: PostgreSQL may run a locking subquery once
    # per candidate row, and its LIMIT then bounds nothing (one worker took every due row).
    due = chosen.cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    claimed = [
        row_id
        for (row_id,) in session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(select(due.c.id)), _due(now))
            .values(
                status=OutboxStatus.CLAIMED,
                claimed_by=worker,
                claimed_until=now + lease,
                attempts=Outbox.attempts + 1,
            )
            .returning(col(Outbox.id))
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
                .returning(col(Outbox.id))
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
        held |= {
            row_id
            for row_id in session.exec(
                select(col(Outbox.id)).where(
                    col(Outbox.id).in_(list(piece)),
                    col(Outbox.claimed_by) == worker,
                    col(Outbox.status) == OutboxStatus.CLAIMED,
                )
            )
            if row_id is not None
        }
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
        table = Outbox.metadata.tables["outbox"]
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
    result = session.exec(update(Outbox).where(*_held(row_id, worker)).values(**values))
    return result.rowcount == 1


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
    result = session.exec(
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
    return int(result.rowcount or 0)


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


def by_key(*, session: Session, key: str) -> Outbox | None:
    return session.exec(select(Outbox).where(col(Outbox.key) == key)).first()


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
    result = session.exec(
        delete(Outbox).where(
            col(Outbox.project_id) == project_id,
            col(Outbox.status).in_((OutboxStatus.PENDING, OutboxStatus.CLAIMED)),
        )
    )
    return int(result.rowcount or 0)
