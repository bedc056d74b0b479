"""Done / Undo buttons on the checklist and in reminder DMs."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import task_buttons
from handlers.errors import after_ack
from handlers.payload import caller_from_interaction
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.TASK_DONE)
    @after_ack(deps)
    def done(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        ephemeral(respond, task_buttons.done(deps, _task_id(action), caller_from_interaction(body)))

    @app.action(ActionId.TASK_UNDO)
    @after_ack(deps)
    def undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        ephemeral(respond, task_buttons.undo(deps, _task_id(action), caller_from_interaction(body)))


def _task_id(action: dict[str, Any]) -> int:
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise UserError("error.task_not_found")
    return int(value)
