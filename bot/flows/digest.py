"""The weekly digest in the CS team channel: a summary, details in its thread, a chart."""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.blocks.chart import digest_chart_png
from bot.blocks.digest import digest_messages
from bot.deps import Deps
from bot.domain.digest import Digest
from bot.flows.job_report import JobReport
from bot.flows.outbox import dispatch
from bot.flows.outgoing import outbox_row
from bot.i18n import t
from bot.services import digest as service
from bot.services import outbox as outbox_service
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)
DIGEST = "digest"  # the outbox kind of the summary and its thread


def week_of(now: datetime, timezone: str) -> tuple[date, date, date]:
    """(start, end, today): the week before the Monday of `now`'s week, in `timezone`."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(days=7), monday, today


def compute(
    deps: Deps, *, now: datetime, start: date | None = None, end: date | None = None
) -> Digest:
    """The digest as of `now` (or the KPIs for [start, end), for `onboardbot report`)."""
    week_start, week_end, today = week_of(now, deps.settings.default_timezone)
    zone = ZoneInfo(deps.settings.default_timezone)
    with unit_of_work(deps.engine) as session:
        facts = service.load_facts(
            session=session,
            today=today,
            timezone=deps.settings.default_timezone,
            calendar_for=deps.calendar,
        )
        since = datetime.combine(start or week_start, datetime.min.time(), zone)
        until = datetime.combine(end or week_end, datetime.min.time(), zone)
        lost = service.undelivered_reminders(session=session, since=since, until=until)
        cancelled = service.cancel_reasons(session=session, since=since, until=until)
    digest = service.build_digest(
        facts=facts,
        start=start or week_start,
        end=end or week_end,
        today=today,
        undelivered=lost,
        kpi_start=start,
        kpi_end=end,
        weekly=start is None and end is None,
    )
    return dataclasses.replace(digest, cancellations=cancelled)


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """The weekly digest to CS_TEAM_CHANNEL (once per week)."""
    return JobReport("digest", post_weekly(deps, now=now, dry_run=dry_run))


def post_weekly(deps: Deps, *, now: datetime, dry_run: bool = False) -> list[str]:
    """Post the week's digest once: the summary and each detail are outbox rows keyed by the
    week, so running twice (or after a restart) posts nothing more. Returns planned keys."""
    channel = deps.settings.cs_team_channel
    if not channel:
        logger.warning("CS_TEAM_CHANNEL is not set: no digest")
        return []
    digest = compute(deps, now=now)
    week = digest.end.isoformat()
    summary, details = digest_messages(digest, locale=deps.settings.default_locale)
    key = f"digest:{week}"
    if dry_run:
        return [key, *(f"{key}:detail:{n}" for n in range(len(details))), f"{key}:chart"]
    with unit_of_work(deps.engine) as session:
        outbox_service.enqueue(
            session=session,
            rows=[outbox_row(key, DIGEST, channel, summary, project_id=None, now=now)],
        )
    dispatch(deps, now=now)
    with unit_of_work(deps.engine) as session:
        thread_ts = outbox_service.sent_ts(session=session, key=key)
    if thread_ts is None:
        return [key]  # the outbox retries; the thread follows on the next run
    with unit_of_work(deps.engine) as session:
        outbox_service.enqueue(
            session=session,
            rows=[
                outbox_row(
                    f"{key}:detail:{n}",
                    DIGEST,
                    channel,
                    message,
                    project_id=None,
                    now=now,
                    thread_ts=thread_ts,
                )
                for n, message in enumerate(details)
            ],
        )
    dispatch(deps, now=now)
    _upload_chart_once(
        deps, digest, key=f"{key}:chart", channel=channel, thread_ts=thread_ts, now=now
    )
    return [key]


def _upload_chart_once(
    deps: Deps, digest: Digest, *, key: str, channel: str, thread_ts: str, now: datetime
) -> None:
    with unit_of_work(deps.engine) as session:
        if service.chart_shared(session=session, key=key):
            return
    filename = f"onboarding-{digest.end}.png"
    try:
        # A crash after Slack took the file and before the event below was recorded would
        # otherwise upload it again: look in the thread first.
        file_id = deps.gateway.find_file(channel, thread_ts=thread_ts, filename=filename)
        if file_id is None:
            file_id = deps.gateway.upload_file(
                channel,
                digest_chart_png(digest, locale=deps.settings.default_locale),
                filename=filename,
                title=t(deps.settings.default_locale, "chart.title", date=digest.end.isoformat()),
                thread_ts=thread_ts,
            )
    except SlackError as exc:
        logger.warning("digest chart not shared this run (tried again next run): %s", exc.code)
        return
    with unit_of_work(deps.engine) as session:
        service.record_chart(session=session, key=key, file_id=file_id, now=now)
