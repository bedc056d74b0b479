"""The Status button on the checklist: the project's status, to the one who pressed it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import status
from bot.flows.context import Caller
from handlers.errors import Later, after_ack
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.OPEN_STATUS)
    @after_ack(deps)
    def open_status(ack: Ack, body: dict[str, Any], respond: Respond, caller: Caller) -> Later:
        ack()
        return lambda: ephemeral(respond, [status.status(deps, caller)])
