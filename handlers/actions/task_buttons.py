"""Done / Undo buttons on the checklist and in reminder DMs."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import task_buttons
from bot.flows.context import Caller
from handlers.errors import Later, after_ack
from handlers.payload import id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.TASK_DONE)
    @after_ack(deps)
    def done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        task_id = id_value(action)
        return lambda: ephemeral(respond, task_buttons.done(deps, task_id, caller))

    @app.action(ActionId.TASK_UNDO)
    @after_ack(deps)
    def undo(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        task_id = id_value(action)
        return lambda: ephemeral(respond, task_buttons.undo(deps, task_id, caller))
