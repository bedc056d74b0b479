"""The start-project modal: open it, and turn a submission into a kickoff."""

from __future__ import annotations

import logging
from typing import Any

from bot.blocks.message import Message
from bot.blocks.start_modal import start_modal
from bot.deps import Deps
from bot.domain.command_text import StartCommand
from bot.domain.permissions import can_use_cs_commands
from bot.errors import UserError
from bot.flows import kickoff
from bot.flows.context import Caller
from bot.flows.modals import open_modal
from bot.i18n import t
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


def open_start_modal(deps: Deps, caller: Caller, *, trigger_id: str) -> None:
    """The start form for CS staff (opened first: checking who asks may take a while)."""

    def form() -> dict[str, Any]:
        actor = caller.actor
        decision = can_use_cs_commands(actor)
        if not decision:
            raise UserError(decision.reason or "deny.not_staff")
        locale = caller.own_locale
        playbooks = sorted((p.name, p.title.get(locale)) for p in deps.playbooks.values())  # type: ignore[arg-type]  # the caller's locale is one of LOCALES (Caller.own_locale); typed str
        return start_modal(
            locale=locale,
            playbooks=playbooks,
            default_playbook=deps.settings.default_playbook,
            csm_user_id=caller.user_id,
            today=deps.today(),
            private_metadata=caller.channel_id or "",
        )

    open_modal(deps, caller, trigger_id=trigger_id, build=form)


def refusal(deps: Deps, caller: Caller) -> str | None:
    """Why this person may not start a project, in their language (shown on the form),
    checked again when the form comes back: a submission can be sent without the form ever
    having been opened."""
    decision = can_use_cs_commands(caller.actor)
    return None if decision else t(caller.locale, decision.reason or "deny.not_staff")


def submit(
    deps: Deps, command: StartCommand, caller: Caller, *, request: str | None = None
) -> None:
    """Run the kickoff and tell the person who submitted the modal how it went."""
    notify(deps, caller, kickoff.start(deps, command, caller, request=request))


def notify(deps: Deps, caller: Caller, messages: list[Message]) -> None:
    """Ephemeral in the channel the person was in; a DM when that is not possible."""
    for message in messages:
        if caller.channel_id:
            try:
                deps.gateway.post_ephemeral(caller.channel_id, caller.user_id, message)
                continue
            except SlackError as exc:
                if exc.code not in ("user_not_in_channel", "channel_not_found", "not_in_channel"):
                    raise
        try:
            deps.gateway.post_message(caller.user_id, message)
        except SlackError as exc:
            # Slack lets no app DM some people (e.g. Slack Connect guests): nothing more to try.
            logger.warning("could not reach the person: %s", exc.code)
