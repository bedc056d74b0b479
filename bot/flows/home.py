"""The App Home tab: a CSM's projects at a glance; a short explanation for everyone else."""

from __future__ import annotations

import dataclasses
import logging

from bot.blocks.home import home_for_others, home_for_staff
from bot.deps import Deps
from bot.domain.views import HomeProject
from bot.services.health import project_health
from bot.services.projects import OPEN_STATUSES, local_today, project_view
from bot.services.schedule import risk_views
from bot.slack.gateway import SlackError
from storage import projects as project_rows
from storage.db import session_scope

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
    lines = []
    with session_scope(deps.engine) as session:
        for project in project_rows.by_csm(
            session=session, user_id=user_id, statuses=OPEN_STATUSES
        ):
            assert project.id is not None
            view = project_view(session=session, project=project)
            today = local_today(project, deps.clock())
            risks = [
                r for r in risk_views(session=session, project_id=project.id) if r.status == "open"
            ]
            state = project_health(
                session=session,
                project=project,
                view=view,
                now=deps.clock(),
                calendar_for=deps.calendar,
            )
            view = dataclasses.replace(view, health=state)
            lines.append(
                HomeProject(
                    project=view,
                    overdue=len(view.overdue(today)),
                    open_risks=len(risks),
                    state=state,
                )
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
