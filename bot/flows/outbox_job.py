"""The outbox job: send what is due in the outbox (retries with backoff, rows left by a
dead worker), after finishing or rolling back `/onboard start`s whose worker died (their
CSM is told through the outbox)."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.flows.job_report import JobReport
from bot.flows.kickoff import recover_starts
from bot.flows.outbox import dispatch
from bot.services import outbox as outbox_service
from bot.services.session import unit_of_work


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Recover interrupted starts, then send. A dry run lists what waits to be sent."""
    if dry_run:
        with unit_of_work(deps.engine) as session:
            waiting = outbox_service.pending(session=session)
        return JobReport("outbox", [f"{r.key} → {r.recipient}" for r in waiting])
    recover_starts(deps, now=now)
    result = dispatch(deps, now=now)
    return JobReport("outbox", sent=len(result.sent), failed=len(result.failed))
