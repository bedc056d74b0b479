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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot import metrics
from bot.blocks.message import EVENT_TYPES, Message, metadata
from bot.deps import Deps
from bot.flows.outgoing import outbox_row
from bot.services import outbox as outbox_service
from bot.services.outbox import Claimed, OutboxMessage
from bot.services.session import unit_of_work
from bot.slack.gateway import SEND_TIMEOUT, SlackError
from bot.slack.pacing import LONGEST_BULK_HOLD

__all__ = ["LEASE", "ClaimLost", "DispatchResult", "dispatch", "outbox_row", "worker_id"]

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
    row: Claimed  # its tries so far: this one included (counted when the row was claimed)
    error: SlackError
    at: datetime


@dataclass
class _Batch:
    """One claimed batch: what its workers posted and what must be tried again, recorded
    together in one transaction when the batch ends."""

    rows: list[Claimed]
    until: datetime  # when our claims on the rows run out unless renewed
    lost: set[int] = field(default_factory=set)
    sent: list[tuple[Claimed, str, str, str]] = field(default_factory=list)
    retries: list[_Retry] = field(default_factory=list)
    untried: list[Claimed] = field(default_factory=list)
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

    def hold(self, batch: _Batch, row: Claimed) -> None:
        """Make sure our claim on `row` lasts through a post that starts now; raise
        ClaimLost when it is no longer ours (taken over, or withdrawn). The batch's claims
        are renewed from now in one statement (not one per post) when they run short, and
        at least every RENEW_EVERY seconds."""
        with batch.lock:
            due = time.monotonic() - self.held_at >= RENEW_EVERY
            if row.id not in batch.lost and (due or batch.until - self.now() <= RENEW_MARGIN):
                until = self.now() + self.lease
                ids = [r.id for r in batch.rows if r.id is not None and r.id not in batch.lost]
                with unit_of_work(self.deps.engine) as session:
                    held = outbox_service.hold_many(
                        session=session, row_ids=ids, worker=self.worker, until=until
                    )
                batch.lost |= set(ids) - held
                batch.until = until
                self.held_at = time.monotonic()
            if row.id in batch.lost:
                raise ClaimLost(row.message.key)


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
            with unit_of_work(deps.engine) as session:
                claimed_at = run.now()
                rows = outbox_service.claim_batch(
                    session=session, now=claimed_at, worker=run.worker, lease=lease, limit=size
                )
            if not rows:
                return run.result
            per_row = _send_batch(run, pool, _Batch(rows, until=claimed_at + lease))
            if deps.stopping.is_set() or len(rows) < size:
                return run.result
            size = max(
                1, min(limit, int(lease.total_seconds() * BATCH_SHARE / max(per_row, 0.001)))
            )


def _send_batch(run: _Dispatcher, pool: ThreadPoolExecutor, batch: _Batch) -> float:
    """Post a claimed batch, one conversation per worker thread, and record what Slack
    answered; returns the seconds a row took."""
    run.held_at = time.monotonic()
    started = time.monotonic()
    conversations: defaultdict[str, list[Claimed]] = defaultdict(list)
    for row in batch.rows:
        conversations[row.message.recipient].append(row)
    failures = [
        exc
        for exc in pool.map(functools.partial(_send_all, run, batch), conversations.values())
        if exc is not None
    ]
    _record(run, batch)
    if failures:
        raise failures[0]
    return (time.monotonic() - started) / len(batch.rows)


def _know_dm_channels(deps: Deps) -> None:
    """Once per process: the DM conversations earlier sends used, so a restart does not
    open thousands of DMs again (conversations.open is Tier 3, 50 a minute)."""
    if deps.gateway.dm_channels_loaded:
        return
    with unit_of_work(deps.engine) as session:
        known = outbox_service.dm_channels(session=session)
    deps.gateway.remember_dm_channels(known)


def _send_all(run: _Dispatcher, batch: _Batch, rows: list[Claimed]) -> BaseException | None:
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
            logger.exception("sending %s failed unexpectedly", row.message.key)
            return exc
    return None


def _send(run: _Dispatcher, batch: _Batch, row: Claimed) -> None:
    deps, result, key = run.deps, run.result, row.message.key
    try:
        run.hold(batch, row)
    except ClaimLost:
        result.lost.append(key)
        return
    wait = deps.gateway.held_off("chat.postMessage")
    if wait > LONGEST_BULK_HOLD:
        # Slack said 429 a moment ago: the whole method waits, this row included.
        limited = SlackError("chat.postMessage", "ratelimited", retry_after=wait)
        with batch.lock:
            batch.retries.append(_Retry(row, limited, run.now()))
        return
    try:
        channel, ts, via = _post(run, batch, row)
        metrics.OUTBOX_HOLD.observe(time.monotonic() - run.held_at)
    except ClaimLost:
        logger.warning("lost the claim on %s while Slack was slow; its new holder sends it", key)
        result.lost.append(key)
        return
    except SlackError as exc:
        with batch.lock:
            batch.retries.append(_Retry(row, exc, run.now()))
        return
    with batch.lock:
        batch.sent.append((row, channel, ts, via))


def _post(run: _Dispatcher, batch: _Batch, row: Claimed) -> tuple[str, str, str]:
    """Post the row's message once: (channel, ts, how it went). A DM Slack refuses goes
    to the row's fallback: a threaded mention in the project channel, or (for what only
    the decision-maker may read) a DM asking the CSM to pass it on."""
    message = row.message
    try:
        channel, ts = _post_once(
            run,
            batch,
            row,
            Message(message.text, message.blocks),
            to=message.recipient,
            thread_ts=message.thread_ts,
        )
        return channel, ts, "channel" if message.recipient[:1] in ("C", "G") else "dm"
    except SlackError as exc:
        fallback = message.fallback
        if exc.code not in UNDELIVERABLE_DM or fallback is None:
            raise
        via = "forward" if fallback.to[:1] in ("U", "W") else "channel"
        logger.info("DM refused (%s), sending by %s instead", exc.code, via)
    instead = Message(fallback.text, fallback.blocks)
    channel, ts = _post_once(run, batch, row, instead, to=fallback.to, thread_ts=fallback.thread_ts)
    return channel, ts, via


def _post_once(
    run: _Dispatcher,
    batch: _Batch,
    row: Claimed,
    message: Message,
    *,
    to: str,
    thread_ts: str | None,
) -> tuple[str, str]:
    # A row tried before may have reached Slack without us recording it: look first.
    return run.deps.gateway.post_once(
        to,
        replace(message, metadata=_metadata(row.message)),
        key=row.message.key,
        thread_ts=thread_ts,
        check_first=row.attempts > 1,
        hold=lambda: run.hold(batch, row),
    )


def _metadata(message: OutboxMessage) -> dict[str, Any]:
    """What an outbox message is about (its kind, project and tasks), for other apps; the
    gateway adds the row's key."""
    kind = f"onboarding_{message.kind}"
    if kind not in EVENT_TYPES:
        kind = "onboarding_message"
    return metadata(kind, project_id=message.project_id, task_ids=message.task_ids)


def _record(run: _Dispatcher, batch: _Batch) -> None:
    """What the batch did, in one transaction: sent rows with Slack's ts, rows to try again
    (or given up), rows never tried handed back."""
    deps, result = run.deps, run.result
    now = run.now()
    with unit_of_work(deps.engine) as session:
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
            logger.warning("sent %s but another worker holds it now", row.message.key)
        result.sent.append(row.message.key)
        metrics.MESSAGES.labels(row.message.kind, "sent").inc()


def _retry_later(run: _Dispatcher, session: Any, retry: _Retry) -> None:
    row, error, now = retry.row, retry.error, retry.at
    key, attempts = row.message.key, row.attempts
    next_at: datetime | None
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
        refund_attempt=refund,
    )
    metrics.MESSAGES.labels(row.message.kind, "failed" if give_up else "retried").inc()
    if give_up:
        logger.error("gave up sending %s after %s tries: %s", key, attempts, error.code)
        run.result.failed.append(key)
    else:
        logger.warning("sending %s failed (%s); trying again at %s", key, error.code, next_at)
        run.result.retried.append(key)
