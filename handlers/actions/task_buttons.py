"""Done / Undo buttons on the checklist and in reminder DMs."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import task_buttons
from bot.flows.context import Caller
from handlers.acks import id_pressed
from handlers.errors import reported
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    pressed = id_pressed()

    def done(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, task_buttons.done(deps, parsed, caller))

    def undo(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, task_buttons.undo(deps, parsed, caller))

    app.action(ActionId.TASK_DONE)(ack=pressed, lazy=[reported(deps, done)])
    app.action(ActionId.TASK_UNDO)(ack=pressed, lazy=[reported(deps, undo)])
