"""The App Home tab: a CSM's projects at a glance; a short explanation for everyone else."""

from __future__ import annotations

import logging

from bot.blocks.home import home_for_others, home_for_staff
from bot.deps import Deps
from bot.services.home import staff_home
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


def publish(deps: Deps, user_id: str) -> None:
    """Render and publish `user_id`'s Home tab."""
    actor = deps.directory.actor(user_id)
    locale = deps.directory.locale_of(user_id, deps.settings.default_locale)
    if not actor.is_staff:
        try:
            deps.gateway.publish_home(user_id, home_for_others(locale))
        except SlackError as exc:
            # A user Slack does not know (Slack sends no such event; a forged one does).
            if exc.code != "user_not_found":
                raise
            logger.info("no Home tab for an unknown user")
        return
    with unit_of_work(deps.engine) as session:
        lines = staff_home(
            session=session, user_id=user_id, now=deps.clock(), calendar_for=deps.calendar
        )
    deps.gateway.publish_home(user_id, home_for_staff(lines, locale=locale, today=deps.today()))


def refresh_quietly(deps: Deps, user_id: str | None) -> None:
    """Re-publish a Home tab after a change; a failure here must not undo the change."""
    if not user_id:
        return
    try:
        publish(deps, user_id)
    except SlackError as exc:
        logger.warning("could not refresh the Home tab: %s", exc.code)
