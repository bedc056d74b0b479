"""People joining project channels, the CSM's "who is this?" answers, and `/onboard assign`."""

from __future__ import annotations

import logging

from bot.blocks.escape import mention
from bot.blocks.identify import identified, who_is_this
from bot.blocks.message import Message, about
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.i18n import t
from bot.services import membership
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


def member_joined(deps: Deps, *, channel_id: str, user_id: str) -> None:
    """Link someone who joined a project channel; ask the CSM when the bot can't tell who."""
    if user_id == deps.directory.bot_user_id:
        return
    info = deps.directory.user(user_id)
    actor = deps.directory.actor(user_id)
    with unit_of_work(deps.engine) as session:
        joined = membership.joined(
            session=session,
            channel_id=channel_id,
            user_id=user_id,
            email=info.email if info else None,
            team_id=actor.team_id,
            is_external=actor.is_external,
            now=deps.clock(),
        )
    if joined is None:
        return
    refresh_checklist(deps, joined.project_id)
    if joined.ask_csm and joined.csm_user_id:
        question = who_is_this(
            locale=joined.locale,
            project_id=joined.project_id,
            user_id=user_id,
            customer=joined.customer_name,
            channel_id=channel_id,
            open_seats=joined.open_seats,
        )
        try:
            deps.gateway.post_message(
                joined.csm_user_id,
                about(question, "onboarding_person_joined", project_id=joined.project_id),
            )
        except SlackError as exc:
            logger.warning("could not ask the CSM who joined: %s", exc.code)


def identify(deps: Deps, caller: Caller, *, project_id: int, user_id: str, answer: str) -> Message:
    """The CSM's answer to "who is this?"; returns what replaces the question."""
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        result = membership.identify(
            session=session,
            project_id=project_id,
            user_id=user_id,
            answer=membership.Answer(answer),
            actor=actor,
            now=deps.clock(),
        )
    if result.refusal is not None and result.project_id is None:
        raise UserError(result.refusal)
    assert result.project_id is not None and result.locale is not None
    if result.refusal is not None:
        return reply(result.locale, result.refusal)
    refresh_checklist(deps, result.project_id)
    return identified(
        locale=result.locale, user_id=user_id, customer=result.customer_name, answer=answer
    )


def assign(deps: Deps, caller: Caller, *, user_id: str, role: str) -> Message:
    """Link a Slack user to champion, decision-maker or member of this channel's project."""
    actor = caller.actor
    info = deps.directory.user(user_id) if actor.is_staff else None
    person = deps.directory.actor(user_id) if info is not None else None
    with unit_of_work(deps.engine) as session:
        result = membership.assign_by_hand(
            session=session,
            channel_id=caller.channel_id or "",
            actor=actor,
            user_id=user_id,
            known=info is not None,
            team_id=person.team_id if person else None,
            is_external=bool(person and person.is_external),
            role=role,
            now=deps.clock(),
        )
    if result.refusal is not None:
        raise UserError(result.refusal, user=mention(user_id))
    assert result.project_id is not None and result.locale is not None
    refresh_checklist(deps, result.project_id)
    locale = result.locale
    return reply(locale, "assign.done", user=mention(user_id), role=t(locale, f"role.{role}"))
