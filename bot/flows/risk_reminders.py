"""The risk-reminders job: the day before a customer's busy period starts, remind the CSM
(once per risk and period)."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.risks import risk_reminder
from bot.deps import Deps
from bot.flows.job_report import JobReport, queue_and_send, unsent
from bot.flows.outgoing import outbox_row
from bot.services import schedule as schedule_service
from bot.services.projects import project_views, projects_by_id
from bot.services.session import unit_of_work


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Queue a reminder to the CSM of each busy period starting tomorrow, then send."""
    rows = []
    with unit_of_work(deps.engine) as session:
        due = schedule_service.periods_starting_tomorrow(
            session=session, now=now, reminder_hour=deps.settings.reminder_hour
        )
        new = unsent(deps, [f"risk:{risk.id}:{risk.period_start}" for risk, _ in due])
        due = [(r, pid) for r, pid in due if f"risk:{r.id}:{r.period_start}" in new]
        projects = projects_by_id(session=session, project_ids=sorted({pid for _, pid in due}))
        views = project_views(session=session, projects=list(projects.values()))
        for risk, project_id in due:
            view = views[project_id]
            if not view.csm_user_id:
                continue
            rows.append(
                outbox_row(
                    f"risk:{risk.id}:{risk.period_start}",
                    "risk_reminder",
                    view.csm_user_id,
                    risk_reminder(view, risk),
                    project_id=project_id,
                    now=now,
                )
            )
    return queue_and_send(deps, "risk_reminders", rows, now=now, dry_run=dry_run)
