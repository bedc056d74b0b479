"""`/onboard status`: one project in its channel, or the caller's projects elsewhere."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.blocks.message import Message
from bot.blocks.status import project_status, projects_overview
from bot.blocks.status_modal import message_modal
from bot.deps import Deps
from bot.domain.permissions import can_use_cs_commands
from bot.errors import UserError
from bot.flows.context import Caller
from bot.flows.locale import locale_for
from bot.flows.modals import open_modal
from bot.i18n import t
from bot.services.health import project_health
from bot.services.projects import (
    OPEN_STATUSES,
    blackouts,
    customer_member,
    local_today,
    project_view,
)
from bot.services.schedule import risk_views
from bot.services.starts import is_starting
from storage import projects as project_rows
from storage.db import session_scope
from storage.models import ProjectStatus


def status(deps: Deps, caller: Caller, *, project_id: int | None = None) -> Message:
    """A project's status (by id, or the channel's project), else the caller's projects."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    default_locale = deps.directory.locale_of(caller.user_id, deps.settings.default_locale)
    with session_scope(deps.engine) as session:
        project = None
        if project_id is not None:
            project = project_rows.get(session=session, project_id=project_id)
        elif caller.channel_id:
            project = project_rows.by_channel(session=session, channel_id=caller.channel_id)
        if project is not None and project.status == ProjectStatus.DELETED:
            raise UserError("error.project_not_found")  # forgotten: nothing to show
        if project is not None:
            assert project.id is not None
            member = customer_member(session=session, project_id=project.id, user_id=caller.user_id)
            if not actor.is_staff and member is None:
                # A customer never sees another customer's project, and internal
                # non-staff see only what the channel already shows them.
                raise UserError("deny.not_this_project")
            if is_starting(project):
                raise UserError("error.project_starting")
            view = project_view(session=session, project=project)
            today = local_today(project, deps.clock())
            calendar = deps.calendar(
                project.holiday_country, blackouts(session=session, project_id=project.id)
            )
            overdue = {
                t.id: calendar.business_days_between(t.due, today) for t in view.overdue(today)
            }
            risks = risk_views(session=session, project_id=project.id)
            health = project_health(
                session=session,
                project=project,
                view=view,
                now=deps.clock(),
                calendar_for=deps.calendar,
            )
            view = dataclasses.replace(view, health=health)
            return project_status(view, today=today, overdue_days=overdue, risks=risks)
        decision = can_use_cs_commands(actor)
        if not decision:
            raise UserError(decision.reason or "deny.not_staff")
        mine = project_rows.by_csm(session=session, user_id=caller.user_id, statuses=OPEN_STATUSES)
        views = [
            dataclasses.replace(
                view,
                health=project_health(
                    session=session,
                    project=p,
                    view=view,
                    now=deps.clock(),
                    calendar_for=deps.calendar,
                ),
            )
            for p, view in ((p, project_view(session=session, project=p)) for p in mine)
        ]
        return projects_overview(views, locale=default_locale, today=deps.today())


def open_status_modal(deps: Deps, caller: Caller, *, trigger_id: str, project_id: int) -> None:
    """A project's status in a modal (from the App Home)."""

    def view() -> dict[str, Any]:
        message = status(deps, caller, project_id=project_id)
        locale = locale_for(deps, caller)
        return message_modal(
            message, title=t(locale, "homeui.status_title"), close=t(locale, "homeui.close")
        )

    open_modal(deps, caller, trigger_id=trigger_id, build=view)
