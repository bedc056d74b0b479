"""Submissions of the draft's Edit form (sends the edited text) and Skip form (the reason)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks.ids import CallbackId, EscalationField
from bot.deps import Deps
from bot.flows import escalations
from bot.flows.context import Caller
from bot.i18n import t
from handlers.errors import reported
from handlers.payload import metadata_id
from handlers.views.values import field_value

GONE = "error.draft_gone"


def register(app: App, deps: Deps) -> None:
    def edit_submitted(
        ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext
    ) -> None:
        text = field_value(view, EscalationField.TEXT) or ""
        if not text.strip():
            message = t(caller.locale, "dmstep.edit.empty")
            ack(response_action="errors", errors={EscalationField.TEXT.value: message})
            return
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        context["parsed"] = (escalation_id, text)

    def edited(parsed: tuple[int, str], body: dict[str, Any], caller: Caller) -> None:
        escalation_id, text = parsed
        escalations.submit_edit(deps, caller, escalation_id=escalation_id, text=text)

    def skip_submitted(
        ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext
    ) -> None:
        reason = field_value(view, EscalationField.REASON) or ""
        if not reason.strip():
            message = t(caller.locale, "dmstep.skip.placeholder")
            ack(response_action="errors", errors={EscalationField.REASON.value: message})
            return
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        context["parsed"] = (escalation_id, reason)

    def skipped(parsed: tuple[int, str], body: dict[str, Any], caller: Caller) -> None:
        escalation_id, reason = parsed
        escalations.submit_skip(deps, caller, escalation_id=escalation_id, reason=reason)

    app.view(CallbackId.ESCALATION_EDIT)(ack=edit_submitted, lazy=[reported(deps, edited)])
    app.view(CallbackId.ESCALATION_SKIP)(ack=skip_submitted, lazy=[reported(deps, skipped)])
