"""What every scheduled job's flow shares: its report, and the one way it queues messages.

A job decides what to send, writes it to the outbox (a unique key per message makes a
second decision harmless), then sends what the outbox holds. A dry run decides and says
what it would send; it writes nothing and calls no Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.deps import Deps
from bot.flows.outbox import dispatch
from bot.services import outbox as outbox_service
from bot.services.outbox import OutboxMessage
from bot.services.session import unit_of_work


@dataclass(frozen=True)
class JobReport:
    """What a run decided and did; a dry run fills `planned` and sends nothing."""

    job: str
    planned: list[str] = field(default_factory=list)  # one readable line per message
    enqueued: int = 0
    sent: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"{self.job}: {len(self.planned)} planned, {self.enqueued} new,"
            f" {self.sent} sent, {self.failed} failed"
        )


@dataclass(frozen=True)
class Queued:
    """What a job wrote to the outbox (or, in a dry run, would have)."""

    planned: tuple[str, ...] = ()
    enqueued: int = 0

    def __add__(self, other: Queued) -> Queued:
        return Queued(self.planned + other.planned, self.enqueued + other.enqueued)


def describe(row: OutboxMessage) -> str:
    """A message as one line of a report."""
    return f"{row.key} → {row.recipient}: {row.text[:120]}"


def unsent(deps: Deps, keys: Sequence[str]) -> set[str]:
    """Which of `keys` the outbox does not hold yet: only those are rendered."""
    with unit_of_work(deps.engine) as session:
        known = outbox_service.existing_keys(session=session, keys=keys)
    return set(keys) - known


def queue(deps: Deps, rows: Sequence[OutboxMessage], *, dry_run: bool) -> Queued:
    """Write the rows whose key is new (in bounded statements, whatever their number)."""
    new = unsent(deps, [row.key for row in rows])
    fresh = [row for row in rows if row.key in new]
    planned = tuple(describe(row) for row in fresh)
    if dry_run:
        return Queued(planned)
    with unit_of_work(deps.engine) as session:
        return Queued(planned, outbox_service.enqueue(session=session, rows=fresh))


def send(deps: Deps, *, now: datetime, dry_run: bool) -> tuple[int, int]:
    """Send what the outbox holds: (sent, failed). A dry run sends nothing."""
    if dry_run:
        return 0, 0
    result = dispatch(deps, now=now)
    return len(result.sent), len(result.failed)


def queue_and_send(
    deps: Deps, job: str, rows: Sequence[OutboxMessage], *, now: datetime, dry_run: bool
) -> JobReport:
    """The usual job: queue what is new, then send everything due."""
    queued = queue(deps, rows, dry_run=dry_run)
    return report(deps, job, queued, now=now, dry_run=dry_run)


def report(deps: Deps, job: str, queued: Queued, *, now: datetime, dry_run: bool) -> JobReport:
    """Send what is due after `queued` was written, and say what the run did."""
    sent, failed = send(deps, now=now, dry_run=dry_run)
    return JobReport(job, list(queued.planned), queued.enqueued, sent, failed)
