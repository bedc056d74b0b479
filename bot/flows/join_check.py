"""The join-check job: tell the CSM when nobody from the customer has joined the channel
3 business days after kickoff (once per project)."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.escape import escape
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.flows.job_report import JobReport, queue_and_send, unsent
from bot.flows.outgoing import outbox_row
from bot.services import onboarding_checks
from bot.services.session import unit_of_work


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Queue a note to the CSM of each project nobody joined yet, then send."""
    with unit_of_work(deps.engine) as session:
        waiting = onboarding_checks.nobody_joined(
            session=session, now=now, calendar_for=lambda country: deps.calendar(country)
        )
    waiting = [item for item in waiting if item.csm_user_id]
    new = unsent(deps, [f"join-check:{item.project_id}" for item in waiting])
    rows = []
    for item in waiting:
        key = f"join-check:{item.project_id}"
        if key not in new:
            continue  # told before: not rendered again
        message = reply(
            item.locale,
            "joincheck.nobody_joined",
            customer=escape(item.customer_name),
            channel=f"<#{item.channel_id}>",
            emails=", ".join(escape(e) for e in item.emails) or "—",
        )
        assert item.csm_user_id is not None
        rows.append(
            outbox_row(
                key, "join_check", item.csm_user_id, message, project_id=item.project_id, now=now
            )
        )
    return queue_and_send(deps, "join_check", rows, now=now, dry_run=dry_run)
