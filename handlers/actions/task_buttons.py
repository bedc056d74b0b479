"""Done / Undo buttons on the checklist and in reminder DMs."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import task_buttons
from handlers.errors import Later, after_ack
from handlers.payload import caller_from_interaction, id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.TASK_DONE)
    @after_ack(deps)
    def done(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> Later:
        ack()
        caller, task_id = caller_from_interaction(body), id_value(action)
        return lambda: ephemeral(respond, task_buttons.done(deps, task_id, caller))

    @app.action(ActionId.TASK_UNDO)
    @after_ack(deps)
    def undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> Later:
        ack()
        caller, task_id = caller_from_interaction(body), id_value(action)
        return lambda: ephemeral(respond, task_buttons.undo(deps, task_id, caller))
