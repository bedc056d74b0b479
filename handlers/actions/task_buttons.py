"""Done / Undo buttons on the checklist and in reminder DMs."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import task_buttons
from bot.flows.context import Caller
from handlers.errors import reported
from handlers.payload import id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        context["parsed"] = id_value(action)

    def done(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, task_buttons.done(deps, parsed, caller))

    def undo(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, task_buttons.undo(deps, parsed, caller))

    app.action(ActionId.TASK_DONE)(ack=pressed, lazy=[reported(deps, done)])
    app.action(ActionId.TASK_UNDO)(ack=pressed, lazy=[reported(deps, undo)])
