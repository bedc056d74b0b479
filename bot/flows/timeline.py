"""The plan's timeline picture, shared in the project channel after it changes."""

from __future__ import annotations

import logging

from bot.blocks.timeline import timeline_png
from bot.deps import Deps
from bot.i18n import t
from bot.services.session import unit_of_work
from bot.services.timeline import timeline_of
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


def share_timeline(deps: Deps, project_id: int, *, thread_ts: str | None = None) -> None:
    """Upload the project's timeline PNG to its channel (or a thread of it). A picture that
    Slack refuses is logged and left out: the messages about the change are already sent."""
    now = deps.clock()
    with unit_of_work(deps.engine) as session:
        found = timeline_of(
            session=session, project_id=project_id, now=now, calendar_for=deps.calendar
        )
    if found is None:
        return
    timeline, channel = found
    if channel is None or not timeline.tasks:
        return
    assert timeline.today is not None and timeline.customer is not None
    try:
        deps.gateway.upload_file(
            channel,
            timeline_png(timeline),
            filename=f"plan-{project_id}-{timeline.today.isoformat()}.png",
            title=t(
                timeline.locale,
                "timeline.file_title",
                customer=timeline.customer,
                date=timeline.today.isoformat(),
            ),
            thread_ts=thread_ts,
        )
    except SlackError as exc:
        logger.warning("timeline not shared: %s", exc.code)
