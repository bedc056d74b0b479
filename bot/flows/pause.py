"""`/onboard pause [until YYYY-MM-DD]` and `/onboard resume` in a project channel."""

from __future__ import annotations

from datetime import date

from bot.blocks.escape import escape
from bot.blocks.message import Message
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.domain.permissions import can_use_cs_commands
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.services import projects as project_service
from bot.services.projects import OPEN_STATUSES, local_today
from storage import projects as project_rows
from storage.db import session_scope


def pause(deps: Deps, caller: Caller, *, until: date | None) -> Message:
    with session_scope(deps.engine) as session:
        project = _project_for_cs(deps, session, caller)
        if until is not None and until <= local_today(project, deps.clock()):
            raise UserError("error.pause_until_past", date=until.isoformat())
        project_service.pause(
            session=session, project=project, until=until, actor=caller.user_id, now=deps.clock()
        )
        key = "pause.done_until" if until else "pause.done"
        note = reply(
            project.locale,
            key,
            customer=escape(project.customer_name),
            date=until.isoformat() if until else "",
        )
        project_id = project.id
    assert project_id is not None
    refresh_checklist(deps, project_id)  # its header shows the state
    return note


def resume(deps: Deps, caller: Caller) -> Message:
    with session_scope(deps.engine) as session:
        project = _project_for_cs(deps, session, caller)
        if not project_service.resume(
            session=session, project=project, actor=caller.user_id, now=deps.clock()
        ):
            raise UserError("error.not_paused")
        note = reply(project.locale, "resume.done", customer=escape(project.customer_name))
        project_id = project.id
    assert project_id is not None
    refresh_checklist(deps, project_id)
    return note


def _project_for_cs(deps: Deps, session, caller: Caller):  # type: ignore[no-untyped-def]
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    decision = can_use_cs_commands(actor)
    if not decision:
        raise UserError(decision.reason or "deny.not_staff")
    project = project_rows.by_channel(session=session, channel_id=caller.channel_id or "")
    if project is None:
        raise UserError("deny.not_a_project_channel")
    if project.status not in OPEN_STATUSES:
        raise UserError("error.project_closed")
    return project
