"""The **Start another project** button: the CSM confirms a second project for a customer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.domain import start_again
from bot.domain.command_text import StartCommand
from bot.errors import UserError
from bot.flows import kickoff
from bot.flows.context import Caller
from handlers.errors import reported
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        try:
            context["parsed"] = start_again.decode(str(action.get("value") or ""))
        except ValueError:
            raise UserError("duplicate.invalid") from None

    def confirmed(
        parsed: StartCommand, body: dict[str, Any], respond: Respond, caller: Caller
    ) -> None:
        # The question goes away with its button, so it is not answered twice.
        respond(delete_original=True)
        ephemeral(respond, kickoff.start(deps, parsed, caller))

    app.action(ActionId.START_AGAIN)(ack=pressed, lazy=[reported(deps, confirmed)])
