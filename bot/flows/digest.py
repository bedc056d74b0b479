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
from bot.flows.outbox import dispatch, outbox_row
from bot.i18n import t
from bot.services.digest import (
    build_digest,
    cancel_reasons,
    load_facts,
    undelivered_reminders,
)
from bot.slack.gateway import SlackError
from storage import events
from storage import outbox as outbox_rows
from storage.db import session_scope
from storage.models import OutboxStatus

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
    with session_scope(deps.engine) as session:
        facts = load_facts(
            session=session,
            today=today,
            timezone=deps.settings.default_timezone,
            calendar_for=deps.calendar,
        )
        since = datetime.combine(start or week_start, datetime.min.time(), zone)
        until = datetime.combine(end or week_end, datetime.min.time(), zone)
        lost = undelivered_reminders(session=session, since=since, until=until)
        cancelled = cancel_reasons(session=session, since=since, until=until)
    digest = build_digest(
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
    with session_scope(deps.engine) as session:
        outbox_rows.enqueue(
            session=session,
            rows=[outbox_row(key, DIGEST, channel, summary, project_id=None, now=now)],
        )
    dispatch(deps, now=now)
    with session_scope(deps.engine) as session:
        sent = next(
            (r for r in outbox_rows.rows(session=session, kind_prefix=DIGEST) if r.key == key),
            None,
        )
    if sent is None or sent.status != OutboxStatus.SENT or not sent.sent_ts:
        return [key]  # the outbox retries; the thread follows on the next run
    with session_scope(deps.engine) as session:
        outbox_rows.enqueue(
            session=session,
            rows=[
                outbox_row(
                    f"{key}:detail:{n}",
                    DIGEST,
                    channel,
                    message,
                    project_id=None,
                    now=now,
                    thread_ts=sent.sent_ts,
                )
                for n, message in enumerate(details)
            ],
        )
    dispatch(deps, now=now)
    _upload_chart_once(
        deps, digest, key=f"{key}:chart", channel=channel, thread_ts=sent.sent_ts, now=now
    )
    return [key]


def _upload_chart_once(
    deps: Deps, digest: Digest, *, key: str, channel: str, thread_ts: str, now: datetime
) -> None:
    with session_scope(deps.engine) as session:
        if any(
            (e.after or {}).get("key") == key
            for e in events.by_kind(session=session, kind="digest.chart")
        ):
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
    with session_scope(deps.engine) as session:
        events.record(
            session=session,
            kind="digest.chart",
            actor="system",
            at=now,
            after={"key": key, "file": file_id},
        )
