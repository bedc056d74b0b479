"""The Status button on the checklist: the project's status, to the one who pressed it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import status
from bot.flows.context import Caller
from handlers.errors import reported
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, context: BoltContext) -> None:
        ack()
        context["parsed"] = True  # nothing to read but who pressed it

    def open_status(parsed: bool, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, [status.status(deps, caller)])

    app.action(ActionId.OPEN_STATUS)(ack=pressed, lazy=[reported(deps, open_status)])
