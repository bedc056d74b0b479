"""Sending what the outbox holds: claim, send once through the gateway, record the ts."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot import metrics
from bot.blocks.message import Message
from bot.deps import Deps
from bot.slack.gateway import SlackError
from storage import events
from storage import outbox as outbox_rows
from storage.db import session_scope
from storage.models import Outbox

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
# Slack's answers when a person cannot get a DM from the app (external, deactivated, gone).
UNDELIVERABLE_DM = {
    "channel_not_found",
    "user_disabled",
    "user_not_found",
    "cannot_dm_bot",
    "invalid_user_combination",
    "user_is_restricted",
    "not_allowed_token_type",
}
# Answers that will not change however often we try.
PERMANENT = {
    "invalid_blocks",
    "msg_too_long",
    "no_text",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "missing_scope",
    "not_in_channel",
}


def outbox_row(
    key: str,
    kind: str,
    recipient: str,
    message: Message,
    *,
    project_id: int | None,
    now: datetime | None = None,
    thread_ts: str | None = None,
    task_ids: list[int] | None = None,
    local_date: date | None = None,
    fallback: Message | None = None,
    fallback_channel: str | None = None,
    fallback_thread_ts: str | None = None,
) -> dict[str, Any]:
    """One message to send, as a row for `storage.outbox.enqueue`. `now` is when it was
    decided and may first be tried (jobs fill it in once they know which keys are new);
    `fallback` is what to post in `fallback_channel` when the recipient cannot get a DM."""
    row: dict[str, Any] = {
        "key": key,
        "kind": kind,
        "project_id": project_id,
        "recipient": recipient,
        "thread_ts": thread_ts,
        "text": message.text,
        "blocks": message.blocks,
        "task_ids": task_ids or [],
        "local_date": local_date,
        "fallback_channel": fallback_channel,
        "fallback_thread_ts": fallback_thread_ts,
        "fallback_text": fallback.text if fallback else None,
        "fallback_blocks": fallback.blocks if fallback else None,
    }
    if now is not None:  # left out, not None: the columns are required
        row["next_attempt_at"] = row["created_at"] = now
    return row


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DispatchResult:
    sent: list[str] = field(default_factory=list)  # keys
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def dispatch(
    deps: Deps, *, now: datetime, worker: str | None = None, limit: int = 200
) -> DispatchResult:
    """Send every due outbox row once. Safe to run in several processes at the same time."""
    me = worker or worker_id()
    result = DispatchResult()
    while True:
        with session_scope(deps.engine) as session:
            batch = outbox_rows.claim(session=session, now=now, worker=me, lease=LEASE, limit=limit)
        if not batch:
            return result
        for n, row in enumerate(batch):
            if deps.stopping.is_set():
                # Shutting down: give the rest back for another worker (or the next start).
                with session_scope(deps.engine) as session:
                    for left in batch[n:]:
                        assert left.id is not None
                        outbox_rows.mark_retry(
                            session=session,
                            row_id=left.id,
                            worker=me,
                            error="shutdown",
                            next_attempt_at=now,
                        )
                return result
            _send(deps, row, now=now, worker=me, result=result)
        if len(batch) < limit:
            return result


def _send(deps: Deps, row: Outbox, *, now: datetime, worker: str, result: DispatchResult) -> None:
    assert row.id is not None
    # A row tried before may have reached Slack without us recording it: look first.
    check_first = row.attempts > 1
    try:
        try:
            channel, ts = deps.gateway.post_once(
                row.recipient,
                Message(row.text, row.blocks),
                key=row.key,
                thread_ts=row.thread_ts,
                check_first=check_first,
            )
            via = "channel" if row.recipient[:1] in ("C", "G") else "dm"
        except SlackError as exc:
            if exc.code not in UNDELIVERABLE_DM or not row.fallback_channel:
                raise
            logger.info("DM refused (%s), posting in the project channel instead", exc.code)
            channel, ts = deps.gateway.post_once(
                row.fallback_channel,
                Message(row.fallback_text or row.text, row.fallback_blocks or row.blocks),
                key=row.key,
                thread_ts=row.fallback_thread_ts,
                check_first=check_first,
            )
            via = "channel"
    except SlackError as exc:
        _retry_later(deps, row, now=now, worker=worker, error=exc.code, result=result)
        return
    with session_scope(deps.engine) as session:
        if outbox_rows.mark_sent(
            session=session, row_id=row.id, worker=worker, now=now, channel=channel, ts=ts, via=via
        ):
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
    result.sent.append(row.key)
    metrics.MESSAGES.labels(row.kind, "sent").inc()


def _retry_later(
    deps: Deps, row: Outbox, *, now: datetime, worker: str, error: str, result: DispatchResult
) -> None:
    assert row.id is not None
    give_up = error in PERMANENT or row.attempts >= MAX_ATTEMPTS
    next_at = None if give_up else now + timedelta(seconds=30 * 2 ** (row.attempts - 1))
    with session_scope(deps.engine) as session:
        outbox_rows.mark_retry(
            session=session, row_id=row.id, worker=worker, error=error, next_attempt_at=next_at
        )
        if give_up:
            events.record(
                session=session,
                kind=f"{row.kind}.failed",
                actor="system",
                at=now,
                project_id=row.project_id,
                after={
                    "key": row.key,
                    "to": row.recipient,
                    "error": error,
                    "attempts": row.attempts,
                },
            )
    metrics.MESSAGES.labels(row.kind, "failed" if give_up else "retried").inc()
    if give_up:
        logger.error("gave up sending %s after %s tries: %s", row.key, row.attempts, error)
        result.failed.append(row.key)
    else:
        logger.warning("sending %s failed (%s); trying again at %s", row.key, error, next_at)
        result.retried.append(row.key)
