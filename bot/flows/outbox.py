"""Sending what the outbox holds: claim, send once through the gateway, record the ts."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot import metrics
from bot.blocks.message import EVENT_TYPES, Message, metadata
from bot.deps import Deps
from bot.services import outbox as outbox_service
from bot.slack.gateway import SlackError
from storage.db import session_scope
from storage.models import Outbox

logger = logging.getLogger(__name__)

# How long a claim on a row lasts. A post takes at most SEND_TIMEOUT once its claim was
# renewed, so only a process that stalls for longer than LEASE - SEND_TIMEOUT mid-post can
# have its row taken (and then possibly sent twice): see the README's "remaining window".
LEASE = timedelta(minutes=2)
FIRST_BATCH = 10
BATCH_SHARE = 0.5  # a batch should take about half the lease at the last batch's pace
MAX_ATTEMPTS = 6
# Slack's answers when a person cannot get a DM from the app (external, deactivated, gone).
UNDELIVERABLE_DM = {
    "channel_not_found",
    "user_disabled",
    "user_not_found",
    "cannot_dm_bot",
    "invalid_user_combination",
    "user_is_restricted",
    "user_not_visible",
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
    `fallback` is what to send to `fallback_channel` (a channel, or the CSM who passes it on)
    when the recipient cannot get a DM."""
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
    """This process, as a claimer of outbox rows (each dispatch adds its own suffix)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class ClaimLost(Exception):
    """Another worker took the row after our lease ran out: it is theirs to send now."""


@dataclass
class DispatchResult:
    sent: list[str] = field(default_factory=list)  # keys
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # claimed by another worker meanwhile


@dataclass
class _Dispatcher:
    """One run of `dispatch`: its own claimer id and its clock."""

    deps: Deps
    worker: str
    lease: timedelta
    start: datetime
    result: DispatchResult = field(default_factory=DispatchResult)
    held_at: float = 0.0  # monotonic time of the last renewal

    def now(self) -> datetime:
        """The current time: leases and retries count from when things happen, never from
        the job's start (a slow batch would otherwise hold rows on an expired lease)."""
        return max(self.start, self.deps.clock())

    def hold(self, row: Outbox, *, count_attempt: bool = False) -> int:
        """Extend our claim on `row` from now; raise ClaimLost when it is no longer ours."""
        with session_scope(self.deps.engine) as session:
            attempts = outbox_service.hold(
                session=session,
                row=row,
                worker=self.worker,
                until=self.now() + self.lease,
                count_attempt=count_attempt,
            )
        if attempts is None:
            raise ClaimLost(row.key)
        self.held_at = time.monotonic()
        return attempts


def dispatch(
    deps: Deps,
    *,
    now: datetime,
    worker: str | None = None,
    limit: int = 200,
    lease: timedelta = LEASE,
) -> DispatchResult:
    """Send every due outbox row once. Safe to run in several processes (and several times
    in one process) at the same time.

    A row is posted only while this run's claim on it is current: the claim is extended
    from the current time right before each post, and a row whose claim another worker
    took (our lease ran out while Slack was slow) is skipped. Batches are sized so that a
    batch takes about half the lease at the speed Slack answered the previous one.
    """
    run = _Dispatcher(
        deps, worker=f"{worker or worker_id()}/{secrets.token_hex(4)}", lease=lease, start=now
    )
    size = FIRST_BATCH
    while True:
        with session_scope(deps.engine) as session:
            batch = outbox_service.claim(
                session=session, now=run.now(), worker=run.worker, lease=lease, limit=size
            )
        if not batch:
            return run.result
        started = time.monotonic()
        for n, row in enumerate(batch):
            if deps.stopping.is_set():
                # Shutting down: give the rest back for another worker (or the next start).
                with session_scope(deps.engine) as session:
                    outbox_service.give_back(
                        session=session, rows=batch[n:], worker=run.worker, now=run.now()
                    )
                return run.result
            _send(run, row)
        per_row = (time.monotonic() - started) / len(batch)
        if len(batch) < size:
            return run.result
        size = max(1, min(limit, int(lease.total_seconds() * BATCH_SHARE / max(per_row, 0.001))))


def _send(run: _Dispatcher, row: Outbox) -> None:
    deps, result = run.deps, run.result
    try:
        attempts = run.hold(row, count_attempt=True)
    except ClaimLost:
        result.lost.append(row.key)
        return
    # A row tried before may have reached Slack without us recording it: look first.
    check_first = attempts > 1
    try:
        try:
            channel, ts = deps.gateway.post_once(
                row.recipient,
                Message(row.text, row.blocks, _metadata(row)),
                key=row.key,
                thread_ts=row.thread_ts,
                check_first=check_first,
                hold=lambda: run.hold(row),
            )
            via = "channel" if row.recipient[:1] in ("C", "G") else "dm"
        except SlackError as exc:
            if exc.code not in UNDELIVERABLE_DM or not row.fallback_channel:
                raise
            # The fallback is a threaded mention in the project channel, or (for what only
            # the decision-maker may read) a DM asking the CSM to pass it on.
            via = "forward" if row.fallback_channel[:1] in ("U", "W") else "channel"
            logger.info("DM refused (%s), sending by %s instead", exc.code, via)
            channel, ts = deps.gateway.post_once(
                row.fallback_channel,
                Message(
                    row.fallback_text or row.text,
                    row.fallback_blocks or row.blocks,
                    _metadata(row),
                ),
                key=row.key,
                thread_ts=row.fallback_thread_ts,
                check_first=check_first,
                hold=lambda: run.hold(row),
            )
        metrics.OUTBOX_HOLD.observe(time.monotonic() - run.held_at)
    except ClaimLost:
        logger.warning(
            "lost the claim on %s while Slack was slow; its new holder sends it", row.key
        )
        result.lost.append(row.key)
        return
    except SlackError as exc:
        _retry_later(run, row, attempts=attempts, error=exc)
        return
    with session_scope(deps.engine) as session:
        recorded = outbox_service.record_sent(
            session=session,
            row=row,
            worker=run.worker,
            now=run.now(),
            channel=channel,
            ts=ts,
            via=via,
        )
    if not recorded:
        # Sent while our claim was current, recorded after it ran out: the new holder looks
        # for the key in the conversation before sending, so it will find this message.
        logger.warning("sent %s but another worker holds it now", row.key)
    result.sent.append(row.key)
    metrics.MESSAGES.labels(row.kind, "sent").inc()


def _metadata(row: Outbox) -> dict[str, Any]:
    """What an outbox message is about (its kind, project and tasks), for other apps; the
    gateway adds the row's key."""
    kind = f"onboarding_{row.kind}"
    if kind not in EVENT_TYPES:
        kind = "onboarding_message"
    return metadata(kind, project_id=row.project_id, task_ids=row.task_ids or ())


def _retry_later(run: _Dispatcher, row: Outbox, *, attempts: int, error: SlackError) -> None:
    now = run.now()
    if error.code == "ratelimited":
        # Slack did nothing: try again once Retry-After has passed, without using up a try.
        wait = max(1.0, error.retry_after or 0.0)
        next_at, give_up, refund = now + timedelta(seconds=wait), False, True
    else:
        give_up = error.code in PERMANENT or attempts >= MAX_ATTEMPTS
        next_at = None if give_up else now + timedelta(seconds=30 * 2 ** (attempts - 1))
        refund = False
    with session_scope(run.deps.engine) as session:
        outbox_service.record_retry(
            session=session,
            row=row,
            worker=run.worker,
            error=error.code,
            now=now,
            next_attempt_at=next_at,
            attempts=attempts,
            refund_attempt=refund,
        )
    metrics.MESSAGES.labels(row.kind, "failed" if give_up else "retried").inc()
    if give_up:
        logger.error("gave up sending %s after %s tries: %s", row.key, attempts, error.code)
        run.result.failed.append(row.key)
    else:
        logger.warning("sending %s failed (%s); trying again at %s", row.key, error.code, next_at)
        run.result.retried.append(row.key)
