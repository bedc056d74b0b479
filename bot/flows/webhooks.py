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
from bot.flows.outbox import worker_id
from bot.services import webhooks as webhook_service
from bot.services.session import unit_of_work
from storage.models import WebhookDelivery

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
    result = WebhookResult()
    secret = deps.settings.webhook_secret
    me = f"{worker or worker_id()}/{secrets.token_hex(4)}"
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
            _send(
                deps,
                row,
                worker=me,
                secret=secret,
                now=now,
                lease=lease,
                timeout=timeout,
                result=result,
            )
        if len(batch) < batch_size:
            break
    return result


def _send(
    deps: Deps,
    row: WebhookDelivery,
    *,
    worker: str,
    secret: str,
    now: datetime,
    lease: timedelta,
    timeout: float,
    result: WebhookResult,
) -> None:
    assert row.id is not None
    label = f"{row.event_id} → {row.receiver}"
    with unit_of_work(deps.engine) as session:
        held = webhook_service.hold(
            session=session, row_id=row.id, worker=worker, until=max(now, deps.clock()) + lease
        )
    if not held:
        result.lost.append(label)
        return
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
    started = time.monotonic()
    error: str | None = None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            status = response.status
        if not 200 <= status < 300:
            error = f"http_{status}"
    except urllib.error.HTTPError as exc:
        error = f"http_{exc.code}"
    except TimeoutError:
        error = "timeout"
    except (urllib.error.URLError, OSError) as exc:
        error = f"connection_error: {type(getattr(exc, 'reason', exc)).__name__}"
    metrics.WEBHOOK_LATENCY.observe(time.monotonic() - started)
    current = max(now, deps.clock())
    if error is None:
        with unit_of_work(deps.engine) as session:
            webhook_service.delivered(session=session, row_id=row.id, worker=worker, now=current)
        metrics.WEBHOOKS.labels(row.event_type, "delivered").inc()
        result.delivered.append(label)
        return
    give_up = row.attempts >= MAX_ATTEMPTS
    next_at = None if give_up else current + backoff(row.attempts)
    with unit_of_work(deps.engine) as session:
        webhook_service.retry(
            session=session, row_id=row.id, worker=worker, error=error, next_attempt_at=next_at
        )
    if give_up:
        logger.error("gave up delivering webhook %s after %s tries: %s", label, row.attempts, error)
        metrics.WEBHOOKS.labels(row.event_type, "failed").inc()
        result.failed.append(label)
    else:
        logger.warning("webhook %s failed (%s); trying again at %s", label, error, next_at)
        metrics.WEBHOOKS.labels(row.event_type, "retried").inc()
        result.retried.append(label)
