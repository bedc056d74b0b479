"""Send / Edit / Skip on the CSM's draft of a message to the customer's decision-maker."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bot.blocks.ids import ESCALATION_SEND_ACTION, ActionId
from bot.deps import Deps
from bot.flows import escalations
from bot.flows.context import Caller
from handlers.acks import id_pressed
from handlers.errors import reported
from handlers.respond import ephemeral

GONE = "error.draft_gone"


def register(app: App, deps: Deps) -> None:
    pressed = id_pressed(gone=GONE)

    def send(
        parsed: int, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> None:
        on_draft = action.get("action_id") == ActionId.ESCALATION_SEND
        note = escalations.send(deps, caller, escalation_id=parsed, on_draft=on_draft)
        if on_draft and respond.response_url is not None:
            respond(text=note.text, blocks=note.blocks, replace_original=True)
        elif not on_draft:  # from the morning summary, which stays as it is
            ephemeral(respond, [note])

    def edit(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        escalations.open_edit_form(deps, caller, trigger_id=trigger_id, escalation_id=parsed)

    def skip(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        escalations.open_skip_form(deps, caller, trigger_id=trigger_id, escalation_id=parsed)

    app.action(ESCALATION_SEND_ACTION)(ack=pressed, lazy=[reported(deps, send)])
    app.action(ActionId.ESCALATION_EDIT)(ack=pressed, lazy=[reported(deps, edit)])
    app.action(ActionId.ESCALATION_SKIP)(ack=pressed, lazy=[reported(deps, skip)])
