"""The CSM's morning summary: planned from the portfolio, one outbox row per CSM and day
(its key), sent with everything else the job queued."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.blocks.summary import summary_message
from bot.deps import Deps
from bot.domain.reminders import CalendarFor, OpenTask, ProjectInfo
from bot.domain.summary import plan_summaries
from bot.flows.job_report import unsent
from bot.flows.outgoing import outbox_row
from bot.services import summary as service
from bot.services.outbox import OutboxMessage
from bot.services.session import unit_of_work


def summary_rows(
    deps: Deps,
    *,
    now: datetime,
    projects: Mapping[int, ProjectInfo],
    tasks: Sequence[OpenTask],
    calendar_for: CalendarFor,
) -> list[OutboxMessage]:
    """The summaries due at `now` not queued yet, as outbox rows."""
    with unit_of_work(deps.engine) as session:
        extras, zones = service.for_run(
            session=session, projects=projects, now=now, reminder_hour=deps.settings.reminder_hour
        )
    drafts = plan_summaries(
        now=now,
        projects=projects,
        tasks=tasks,
        calendar_for=calendar_for,
        reminder_hour=deps.settings.reminder_hour,
        extras=extras,
        csm_zones=zones,
    )
    new = unsent(deps, [d.key for d in drafts])
    drafts = [d for d in drafts if d.key in new]  # render only what is new
    with unit_of_work(deps.engine) as session:
        locales = service.csm_locales(session=session, user_ids=[d.csm_user_id for d in drafts])
    return [
        outbox_row(
            d.key,
            "summary",
            d.csm_user_id,
            # In the CSM's own language as Slack told it (their projects may be in several),
            # else their first project's.
            summary_message(dataclasses.replace(d, locale=locales.get(d.csm_user_id, d.locale))),
            project_id=None,  # one DM across the CSM's projects
            now=now,
            task_ids=d.task_ids,
            local_date=d.local_date,
        )
        for d in drafts
    ]
