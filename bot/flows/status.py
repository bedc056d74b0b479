"""`/onboard status`: one project in its channel, or the caller's projects elsewhere."""

from __future__ import annotations

from typing import Any

from bot.blocks.message import Message
from bot.blocks.status import project_status, projects_overview
from bot.blocks.status_modal import message_modal
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.context import Caller
from bot.flows.modals import open_modal
from bot.i18n import t
from bot.services import status as status_service
from bot.services.results import Refused
from bot.services.session import unit_of_work


def status(deps: Deps, caller: Caller, *, project_id: int | None = None) -> Message:
    """A project's status (by id, or the channel's project), else the caller's projects."""
    actor = caller.actor
    default_locale = caller.own_locale
    with unit_of_work(deps.engine) as session:
        shown = status_service.status(
            session=session,
            project_id=project_id,
            channel_id=caller.channel_id,
            actor=actor,
            now=deps.clock(),
            calendar_for=deps.calendar,
        )
    if isinstance(shown, Refused):
        raise UserError(shown.key, **shown.values)
    if isinstance(shown, status_service.OneProject):
        return project_status(
            shown.view, today=shown.today, overdue_days=shown.overdue_days, risks=shown.risks
        )
    return projects_overview(shown.views, locale=default_locale, today=deps.today())


def open_status_modal(deps: Deps, caller: Caller, *, trigger_id: str, project_id: int) -> None:
    """A project's status in a modal (from the App Home)."""

    def view() -> dict[str, Any]:
        message = status(deps, caller, project_id=project_id)
        locale = caller.locale
        return message_modal(
            message, title=t(locale, "homeui.status_title"), close=t(locale, "homeui.close")
        )

    open_modal(deps, caller, trigger_id=trigger_id, build=view)
