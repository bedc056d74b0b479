"""Sending webhook deliveries: claim, sign, POST, record; retried with backoff.

Runs from the scheduler (never on a Slack request's thread). A delivery is POSTed only
while this sender's lease on it is current (renewed right before the request, which gives
up after TIMEOUT, well inside the lease), so several replicas never send one at once; a
receiver that answers anything but 2xx, or not in time, gets it again later.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import metrics
from bot.deps import Deps
from bot.flows.job_report import JobReport
from bot.flows.outbox import worker_id
from bot.services import webhooks as webhook_service
from bot.services.session import unit_of_work
from bot.services.webhooks import Delivery

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
TIMEOUT = 10.0  # seconds a receiver may take to answer
MAX_ATTEMPTS = 12  # about 17 hours of tries with the backoff below
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
BATCH = 50
SIGNATURE_HEADER = "X-Onboardbot-Signature"
USER_AGENT = "onboardbot-webhooks/1"


def sign(secret: str, *, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed
    too, so a receiver can refuse old deliveries replayed by someone who captured one."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: float, tolerance: float = 300) -> bool:
    """What a receiver checks (the README shows it): signature and a recent timestamp."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = sign(secret, timestamp=timestamp, body=body).split(",v1=", 1)[1]
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, parts.get("v1", ""))


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, … at most 4 h."""
    return min(LONGEST_WAIT, FIRST_RETRY * 2 ** max(0, attempts - 1))


@dataclass
class WebhookResult:
    delivered: list[str] = field(default_factory=list)  # "event id → receiver"
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """The webhooks job: deliver what is due (retries with backoff, rows left by a dead
    sender). A dry run lists what waits and sends nothing."""
    if dry_run:
        with unit_of_work(deps.engine) as session:
            waiting = webhook_service.pending(session=session)
        return JobReport(
            "webhooks", [f"{r.event_type} {r.event_id} → {r.receiver}" for r in waiting]
        )
    result = deliver(deps, now=now)
    return JobReport("webhooks", sent=len(result.delivered), failed=len(result.failed))


@dataclass(frozen=True)
class _Sender:
    """One run of `deliver`: its claimer id and its settings."""

    deps: Deps
    worker: str
    secret: str
    now: datetime
    lease: timedelta
    timeout: float
    result: WebhookResult


def deliver(
    deps: Deps,
    *,
    now: datetime,
    worker: str | None = None,
    lease: timedelta = LEASE,
    timeout: float = TIMEOUT,
    batch_size: int = BATCH,
) -> WebhookResult:
    """Send every due delivery once. Safe in several processes at the same time.
    `timeout`: how long a receiver may take (it must stay well inside `lease`)."""
    me = f"{worker or worker_id()}/{secrets.token_hex(4)}"
    sender = _Sender(deps, me, deps.settings.webhook_secret, now, lease, timeout, WebhookResult())
    while not deps.stopping.is_set():
        current = max(now, deps.clock())
        with unit_of_work(deps.engine) as session:
            batch = webhook_service.claim(
                session=session, now=current, worker=me, lease=lease, limit=batch_size
            )
        if not batch:
            break
        for row in batch:
            if deps.stopping.is_set():
                break  # the rest goes back when the process releases its rows
            _send(sender, row)
        if len(batch) < batch_size:
            break
    return sender.result


def _send(sender: _Sender, row: Delivery) -> None:
    deps, result = sender.deps, sender.result
    with unit_of_work(deps.engine) as session:
        held = webhook_service.hold(
            session=session,
            row_id=row.id,
            worker=sender.worker,
            until=max(sender.now, deps.clock()) + sender.lease,
        )
    if not held:
        result.lost.append(row.label)
        return
    started = time.monotonic()
    error = _post(row, secret=sender.secret, timeout=sender.timeout)
    metrics.WEBHOOK_LATENCY.observe(time.monotonic() - started)
    _record(sender, row, error)


def _post(row: Delivery, *, secret: str, timeout: float) -> str | None:
    """POST the delivery, signed; None when the receiver took it (2xx), else why not."""
    body = row.body.encode()
    request = urllib.request.Request(
        row.receiver,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Onboardbot-Event": row.event_type,
            "X-Onboardbot-Event-Id": row.event_id,
            "X-Onboardbot-Delivery-Attempt": str(row.attempts),
            SIGNATURE_HEADER: sign(secret, timestamp=int(time.time()), body=body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            status = response.status
        return None if 200 <= status < 300 else f"http_{status}"
    except urllib.error.HTTPError as exc:
        return f"http_{exc.code}"
    except TimeoutError:
        return "timeout"
    except (urllib.error.URLError, OSError) as exc:
        return f"connection_error: {type(getattr(exc, 'reason', exc)).__name__}"


def _record(sender: _Sender, row: Delivery, error: str | None) -> None:
    """Delivered, to be tried again after a backoff, or given up."""
    deps, result, label = sender.deps, sender.result, row.label
    current = max(sender.now, deps.clock())
    if error is None:
        with unit_of_work(deps.engine) as session:
            webhook_service.delivered(
                session=session, row_id=row.id, worker=sender.worker, now=current
            )
        metrics.WEBHOOKS.labels(row.event_type, "delivered").inc()
        result.delivered.append(label)
        return
    give_up = row.attempts >= MAX_ATTEMPTS
    next_at = None if give_up else current + backoff(row.attempts)
    with unit_of_work(deps.engine) as session:
        webhook_service.retry(
            session=session,
            row_id=row.id,
            worker=sender.worker,
            error=error,
            next_attempt_at=next_at,
        )
    if give_up:
        logger.error("gave up delivering webhook %s after %s tries: %s", label, row.attempts, error)
        metrics.WEBHOOKS.labels(row.event_type, "failed").inc()
        result.failed.append(label)
    else:
        logger.warning("webhook %s failed (%s); trying again at %s", label, error, next_at)
        metrics.WEBHOOKS.labels(row.event_type, "retried").inc()
        result.retried.append(label)
