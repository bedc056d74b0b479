"""Sending what the outbox holds: claim, send once through the gateway, record the ts."""

from __future__ import annotations

import functools
import logging
import os
import secrets
import socket
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot import metrics
from bot.blocks.message import EVENT_TYPES, Message, metadata
from bot.deps import Deps
from bot.services import outbox as outbox_service
from bot.slack.gateway import SEND_TIMEOUT, SlackError
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
# A claim is renewed (for every row of the batch, in one statement) when less than this
# is left of it: a post that starts with more left ends before the lease does.
RENEW_MARGIN = timedelta(seconds=SEND_TIMEOUT + 5)
# ...and at least this often while posting, so a row withdrawn meanwhile (a project closed
# or deleted drops its queued messages) is found gone within a second and not posted.
RENEW_EVERY = 1.0
# After a 429, rows whose post would wait longer than this for its Retry-After are handed
# back for then instead of holding a worker (and the batch) asleep.
LONGEST_PACING_WAIT = 2.0
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


@dataclass(frozen=True)
class _Retry:
    row: Outbox
    attempts: int
    error: SlackError
    at: datetime


@dataclass
class _Batch:
    """One claimed batch: what its workers posted and what must be tried again, recorded
    together in one transaction when the batch ends."""

    rows: list[Outbox]
    until: datetime  # when our claims on the rows run out unless renewed
    lost: set[int] = field(default_factory=set)
    sent: list[tuple[Outbox, str, str, str]] = field(default_factory=list)
    retries: list[_Retry] = field(default_factory=list)
    untried: list[Outbox] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


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

    def hold(self, batch: _Batch, row: Outbox) -> None:
        """Make sure our claim on `row` lasts through a post that starts now; raise
        ClaimLost when it is no longer ours (taken over, or withdrawn). The batch's claims
        are renewed from now in one statement (not one per post) when they run short, and
        at least every RENEW_EVERY seconds."""
        with batch.lock:
            due = time.monotonic() - self.held_at >= RENEW_EVERY
            if row.id not in batch.lost and (due or batch.until - self.now() <= RENEW_MARGIN):
                until = self.now() + self.lease
                ids = [r.id for r in batch.rows if r.id is not None and r.id not in batch.lost]
                with session_scope(self.deps.engine) as session:
                    held = outbox_service.hold_many(
                        session=session, row_ids=ids, worker=self.worker, until=until
                    )
                batch.lost |= set(ids) - held
                batch.until = until
                self.held_at = time.monotonic()
            if row.id in batch.lost:
                raise ClaimLost(row.key)


def dispatch(
    deps: Deps,
    *,
    now: datetime,
    worker: str | None = None,
    limit: int = 200,
    lease: timedelta = LEASE,
    workers: int | None = None,
) -> DispatchResult:
    """Send every due outbox row once. Safe to run in several processes (and several times
    in one process) at the same time.

    Rows are claimed in batches (one statement, a try counted on each). A batch's rows go
    out through `workers` threads, one conversation per thread at a time, each post paced
    by the gateway (per channel, and per method for the workspace: so one busy channel
    never holds up the other recipients, and `workers` (OUTBOX_WORKERS) only bounds how many
    posts are in flight, never the rate); what Slack answered is
    recorded for the whole batch in one transaction. A row is only posted while this run's
    claim on it lasts longer than a post may take (claims running short are renewed
    first), and a row whose claim another worker took is skipped. A worker that dies
    mid-batch leaves its rows claimed and counted: whoever takes them after the lease
    looks for each in its conversation before posting it again.
    """
    run = _Dispatcher(
        deps, worker=f"{worker or worker_id()}/{secrets.token_hex(4)}", lease=lease, start=now
    )
    _know_dm_channels(deps)
    size = FIRST_BATCH
    threads = workers or deps.settings.outbox_workers
    with ThreadPoolExecutor(threads, thread_name_prefix="outbox") as pool:
        while True:
            with session_scope(deps.engine) as session:
                claimed_at = run.now()
                rows = outbox_service.claim_batch(
                    session=session, now=claimed_at, worker=run.worker, lease=lease, limit=size
                )
            if not rows:
                return run.result
            batch = _Batch(rows, until=claimed_at + lease)
            run.held_at = time.monotonic()
            started = time.monotonic()
            conversations: defaultdict[str, list[Outbox]] = defaultdict(list)
            for row in rows:
                conversations[row.recipient].append(row)
            failures = [
                exc
                for exc in pool.map(
                    functools.partial(_send_all, run, batch), conversations.values()
                )
                if exc is not None
            ]
            _record(run, batch)
            if failures:
                raise failures[0]
            if deps.stopping.is_set():
                return run.result
            per_row = (time.monotonic() - started) / len(rows)
            if len(rows) < size:
                return run.result
            size = max(
                1, min(limit, int(lease.total_seconds() * BATCH_SHARE / max(per_row, 0.001)))
            )


def _know_dm_channels(deps: Deps) -> None:
    """Once per process: the DM conversations earlier sends used, so a restart does not
    open thousands of DMs again (conversations.open is Tier 3, 50 a minute)."""
    if deps.gateway.dm_channels_loaded:
        return
    with session_scope(deps.engine) as session:
        known = outbox_service.dm_channels(session=session)
    deps.gateway.remember_dm_channels(known)


def _send_all(run: _Dispatcher, batch: _Batch, rows: list[Outbox]) -> BaseException | None:
    """One conversation's rows, in order (a worker thread). Returns an unexpected error
    instead of raising it, so the batch's other results are still recorded."""
    for n, row in enumerate(rows):
        if run.deps.stopping.is_set():
            with batch.lock:
                batch.untried += rows[n:]
            return None
        try:
            _send(run, batch, row)
        except Exception as exc:  # a defect: record the rest of the batch, then raise it
            logger.exception("sending %s failed unexpectedly", row.key)
            return exc
    return None


def _send(run: _Dispatcher, batch: _Batch, row: Outbox) -> None:
    deps, result = run.deps, run.result
    try:
        run.hold(batch, row)
    except ClaimLost:
        result.lost.append(row.key)
        return
    attempts = row.attempts  # this try included (counted when the row was claimed)
    wait = deps.gateway.held_off("chat.postMessage")
    if wait > LONGEST_PACING_WAIT:
        # Slack said 429 a moment ago: the whole method waits, this row included.
        limited = SlackError("chat.postMessage", "ratelimited", retry_after=wait)
        with batch.lock:
            batch.retries.append(_Retry(row, attempts, limited, run.now()))
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
                hold=lambda: run.hold(batch, row),
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
                hold=lambda: run.hold(batch, row),
            )
        metrics.OUTBOX_HOLD.observe(time.monotonic() - run.held_at)
    except ClaimLost:
        logger.warning(
            "lost the claim on %s while Slack was slow; its new holder sends it", row.key
        )
        result.lost.append(row.key)
        return
    except SlackError as exc:
        with batch.lock:
            batch.retries.append(_Retry(row, attempts, exc, run.now()))
        return
    with batch.lock:
        batch.sent.append((row, channel, ts, via))


def _metadata(row: Outbox) -> dict[str, Any]:
    """What an outbox message is about (its kind, project and tasks), for other apps; the
    gateway adds the row's key."""
    kind = f"onboarding_{row.kind}"
    if kind not in EVENT_TYPES:
        kind = "onboarding_message"
    return metadata(kind, project_id=row.project_id, task_ids=row.task_ids or ())


def _record(run: _Dispatcher, batch: _Batch) -> None:
    """What the batch did, in one transaction: sent rows with Slack's ts, rows to try again
    (or given up), rows never tried handed back."""
    deps, result = run.deps, run.result
    now = run.now()
    with session_scope(deps.engine) as session:
        recorded = outbox_service.record_sent_many(
            session=session, worker=run.worker, now=now, sent=batch.sent
        )
        for retry in batch.retries:
            _retry_later(run, session, retry)
        if batch.untried:
            # Shutting down: give the rest back for another worker (or the next start).
            outbox_service.give_back(
                session=session, rows=batch.untried, worker=run.worker, now=now
            )
    for row, _channel, _ts, _via in batch.sent:
        if row.id not in recorded:
            # Sent while our claim was current, recorded after it ran out: the new holder
            # looks for the key in the conversation before sending, so it finds this one.
            logger.warning("sent %s but another worker holds it now", row.key)
        result.sent.append(row.key)
        metrics.MESSAGES.labels(row.kind, "sent").inc()


def _retry_later(run: _Dispatcher, session: Any, retry: _Retry) -> None:
    row, error, attempts, now = retry.row, retry.error, retry.attempts, retry.at
    if error.code == "ratelimited":
        # Slack did nothing: try again once Retry-After has passed, without using up a try.
        wait = max(1.0, error.retry_after or 0.0)
        next_at, give_up, refund = now + timedelta(seconds=wait), False, True
    else:
        give_up = error.code in PERMANENT or attempts >= MAX_ATTEMPTS
        next_at = None if give_up else now + timedelta(seconds=30 * 2 ** (attempts - 1))
        refund = False
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
