"""The reminders job: each task owner's reminder for their day, at the reminder hour of
their time zone (a DM, a threaded mention when there is no one to DM, or a note for the
CSM to pass on to a decision-maker who is not on Slack)."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from bot.blocks.reminder import reminder_message
from bot.deps import Deps
from bot.domain.reminders import ReminderDraft, plan_reminders
from bot.flows.job_report import JobReport, Queued, queue, report, unsent
from bot.flows.outgoing import outbox_row, to_decision_maker, with_fallback
from bot.gc_pause import gc_paused, kept_out_of_collections
from bot.services.outbox import OutboxMessage
from bot.services.reminders import (
    load_for_run,
    people_to_refresh,
    project_calendars,
    resume_due,
    save_profile,
)
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)
PROFILE_MAX_AGE = timedelta(days=1)
# users.info is Tier 4 (100 a minute, shared with what people are waiting on): a run takes
# no more than a burst's worth, so the morning never waits on its pacing; people never
# looked up come first. Every 10 minutes that is 5,760 profiles a day.
PROFILES_PER_RUN = 40
RENDER_CHUNK = 1000


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Refresh time zones, resume projects whose pause ended, queue the reminders due at
    `now` and send them. A dry run neither calls Slack nor writes: it plans with the zones
    known."""
    if not dry_run:
        _refresh_profiles(deps, now=now)
        with unit_of_work(deps.engine) as session:
            resume_due(session=session, now=now)
    queued = queue_reminders(deps, now=now, dry_run=dry_run)
    return report(deps, "reminders", queued, now=now, dry_run=dry_run)


def queue_reminders(deps: Deps, *, now: datetime, dry_run: bool) -> Queued:
    """The part of the morning that writes the outbox (no Slack call)."""
    with kept_out_of_collections() as loaded:
        with unit_of_work(deps.engine) as session:
            portfolio = load_for_run(
                session=session,
                now=now,
                reminder_hour=deps.settings.reminder_hour,
                calendar=deps.calendar,
            )
        loaded()
        drafts = plan_reminders(
            now=now,
            projects=portfolio.projects,
            tasks=portfolio.tasks,
            calendar_for=project_calendars(portfolio, deps.calendar),
            reminder_hour=deps.settings.reminder_hour,
        )
        loaded()  # the plans too: rendering sets off collections that would walk them
        new = unsent(deps, [d.key for d in drafts])
        fresh = [d for d in drafts if d.key in new]  # render only what is new
        del drafts
        # Rendered and written a chunk at a time: a 50,000-project morning's tens of
        # thousands of rendered messages never sit in memory together (each chunk commits on
        # its own; a run cut short leaves the rest to the next, whose keys are new then).
        queued = Queued()
        for start in range(0, len(fresh), RENDER_CHUNK):
            with gc_paused():  # rendering makes no cycles
                rows = [reminder_row(d, now=now) for d in fresh[start : start + RENDER_CHUNK]]
            queued += queue(deps, rows, dry_run=dry_run)
        return queued


def reminder_row(draft: ReminderDraft, *, now: datetime) -> OutboxMessage:
    """A reminder's outbox row: the DM (or the channel mention), with where it goes if
    Slack refuses the DM."""
    first = draft.items[0][0]
    message = reminder_message(draft)
    if draft.channel_id is None and draft.is_decision_maker:
        # Never a mention in the shared channel: the CSM passes it on.
        return to_decision_maker(
            draft.key,
            "reminder",
            message,
            project_id=first.id,
            locale=first.locale,
            customer=first.customer_name,
            user_id=draft.user_id,
            email=first.decision_maker_email,
            csm_user_id=first.csm_user_id,
            now=now,
            task_ids=draft.task_ids,
            local_date=draft.local_date,
        )
    recipient = draft.channel_id or draft.user_id
    assert recipient is not None  # the domain plans no reminder for nobody
    row = outbox_row(
        draft.key,
        "reminder",
        recipient,
        message,
        project_id=first.id,
        now=now,
        thread_ts=draft.thread_ts,
        task_ids=draft.task_ids,
        local_date=draft.local_date,
    )
    if draft.channel_id is not None or not first.channel_id:
        return row
    mention = dataclasses.replace(draft, channel_id=first.channel_id, thread_ts=first.thread_ts)
    return with_fallback(
        row, reminder_message(mention), to=first.channel_id, thread_ts=first.thread_ts
    )


def _refresh_profiles(deps: Deps, *, now: datetime) -> None:
    """Keep people's time zones current (users.info, a few dozen per run at most)."""
    with unit_of_work(deps.engine) as session:
        stale = people_to_refresh(
            session=session, before=now - PROFILE_MAX_AGE, limit=PROFILES_PER_RUN
        )
    for _, user_id in stale:
        try:
            info = deps.directory.user(user_id)
        except SlackError as exc:
            logger.warning("users.info failed for a stakeholder: %s", exc.code)
            continue
        with unit_of_work(deps.engine) as session:
            save_profile(
                session=session,
                user_id=user_id,
                tz=info.tz if info else None,
                locale=info.locale if info else None,
                now=now,
            )
