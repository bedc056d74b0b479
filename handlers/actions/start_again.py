"""The **Start another project** button: the CSM confirms a second project for a customer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.domain import start_again
from bot.errors import UserError
from bot.flows import kickoff
from bot.flows.context import Caller
from handlers.errors import after_ack
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.START_AGAIN)
    @after_ack(deps)
    def confirmed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> None:
        ack()
        try:
            command = start_again.decode(str(action.get("value") or ""))
        except ValueError:
            raise UserError("duplicate.invalid") from None
        # The question goes away with its button, so it is not answered twice.
        respond(delete_original=True)
        ephemeral(respond, kickoff.start(deps, command, caller))
