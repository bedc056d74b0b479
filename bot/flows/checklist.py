"""Keeping a project's pinned checklist in step with the database."""

from __future__ import annotations

import dataclasses

from bot.blocks.checklist import checklist_messages
from bot.blocks.message import about
from bot.deps import Deps
from bot.flows import home
from bot.logs import bind
from bot.services.health import project_health
from bot.services.projects import local_today, project_view
from storage import projects as project_rows
from storage.db import session_scope


def refresh_checklist(deps: Deps, project_id: int) -> None:
    """Re-render the checklist from the database and edit its messages in place.

    The per-project lock keeps two concurrent clicks from landing their edits out of order:
    each edit renders what is committed at the time it holds the lock. When another refresh
    is already queued behind this one it renders this change too, so this one is skipped:
    a burst of clicks costs Slack's chat.update (Tier 3, 50 a minute) one edit per message,
    not one per click. The number of checklist messages depends only on the task list, so
    it never changes.
    """
    bind(project_id=project_id)  # later log lines of this request name the project
    with deps.project_turn(project_id) as last:
        if not last:
            return
        with session_scope(deps.engine) as session:
            project = project_rows.get(session=session, project_id=project_id)
            if project is None or not project.channel_id:
                return
            view = project_view(session=session, project=project)
            view = dataclasses.replace(
                view,
                health=project_health(
                    session=session,
                    project=project,
                    view=view,
                    now=deps.clock(),
                    calendar_for=deps.calendar,
                ),
            )
            today = local_today(project, deps.clock())
            channel, stamps = project.channel_id, list(project.checklist_ts)
        for ts, message in zip(stamps, checklist_messages(view, today=today), strict=False):
            deps.gateway.update_message(
                channel, ts, about(message, "onboarding_checklist", project_id=project_id)
            )
    home.refresh_quietly(deps, view.csm_user_id)
