"""Send / Edit / Skip on the CSM's draft of a message to the customer's decision-maker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ESCALATION_SEND_ACTION, ActionId
from bot.deps import Deps
from bot.flows import escalations
from bot.flows.context import Caller
from handlers.errors import Later, after_ack
from handlers.payload import id_value
from handlers.respond import ephemeral

GONE = "error.draft_gone"


def register(app: App, deps: Deps) -> None:
    @app.action(ESCALATION_SEND_ACTION)
    @after_ack(deps)
    def send(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        escalation_id = id_value(action, gone=GONE)
        on_draft = action.get("action_id") == ActionId.ESCALATION_SEND

        def sent() -> None:
            note = escalations.send(deps, caller, escalation_id=escalation_id, on_draft=on_draft)
            if on_draft and respond.response_url is not None:
                respond(text=note.text, blocks=note.blocks, replace_original=True)
            elif not on_draft:  # from the morning summary, which stays as it is
                ephemeral(respond, [note])

        return sent

    @app.action(ActionId.ESCALATION_EDIT)
    @after_ack(deps)
    def edit(ack: Ack, body: dict[str, Any], action: dict[str, Any], caller: Caller) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        escalation_id = id_value(action, gone=GONE)
        return lambda: escalations.open_edit_form(
            deps, caller, trigger_id=trigger_id, escalation_id=escalation_id
        )

    @app.action(ActionId.ESCALATION_SKIP)
    @after_ack(deps)
    def skip(ack: Ack, body: dict[str, Any], action: dict[str, Any], caller: Caller) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        escalation_id = id_value(action, gone=GONE)
        return lambda: escalations.open_skip_form(
            deps, caller, trigger_id=trigger_id, escalation_id=escalation_id
        )
