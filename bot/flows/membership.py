"""People joining project channels, and `/onboard assign`."""

from __future__ import annotations

from bot.blocks.escape import mention
from bot.blocks.message import Message
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.domain.permissions import can_use_cs_commands
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.i18n import t
from bot.services.projects import assign_role, link_member
from storage import projects as project_rows
from storage.db import session_scope


def member_joined(deps: Deps, *, channel_id: str, user_id: str) -> None:
    """Link a joining customer to their invited stakeholder (matched by e-mail)."""
    if user_id == deps.directory.bot_user_id:
        return
    with session_scope(deps.engine) as session:
        project = project_rows.by_channel(session=session, channel_id=channel_id)
        if project is None or project.id is None:
            return
        info = deps.directory.user(user_id)
        is_external = deps.directory.actor(user_id).is_external
        linked = link_member(
            session=session,
            project_id=project.id,
            user_id=user_id,
            email=info.email if info else None,
            team_id=info.team_id if info else None,
            is_external=is_external,
            now=deps.clock(),
        )
        project_id = project.id
    if linked is not None:
        refresh_checklist(deps, project_id)


def assign(deps: Deps, caller: Caller, *, user_id: str, role: str) -> Message:
    """Link a Slack user to champion, decision-maker or member of this channel's project."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    decision = can_use_cs_commands(actor)
    if not decision:
        raise UserError(decision.reason or "deny.not_staff")
    with session_scope(deps.engine) as session:
        project = project_rows.by_channel(session=session, channel_id=caller.channel_id or "")
        if project is None or project.id is None:
            raise UserError("deny.not_a_project_channel")
        if deps.directory.user(user_id) is None:
            raise UserError("error.unknown_user", user=mention(user_id))
        assign_role(
            session=session,
            project_id=project.id,
            user_id=user_id,
            role=role,
            is_external=deps.directory.actor(user_id).is_external,
            actor=caller.user_id,
            now=deps.clock(),
        )
        project_id, locale = project.id, project.locale
    refresh_checklist(deps, project_id)
    return reply(locale, "assign.done", user=mention(user_id), role=t(locale, f"role.{role}"))
