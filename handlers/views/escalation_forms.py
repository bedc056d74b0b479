"""Submissions of the draft's Edit form (sends the edited text) and Skip form (the reason)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import CallbackId, EscalationField
from bot.deps import Deps
from bot.flows import escalations
from bot.flows.context import Caller
from bot.i18n import t
from handlers.errors import Later, after_ack
from handlers.payload import metadata_id
from handlers.views.values import field_value

GONE = "error.draft_gone"


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.ESCALATION_EDIT)
    @after_ack(deps)
    def edited(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], caller: Caller
    ) -> Later | None:
        text = field_value(view, EscalationField.TEXT) or ""
        if not text.strip():
            message = t(caller.locale, "dmstep.edit.empty")
            ack(response_action="errors", errors={EscalationField.TEXT.value: message})
            return None
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        return lambda: escalations.submit_edit(deps, caller, escalation_id=escalation_id, text=text)

    @app.view(CallbackId.ESCALATION_SKIP)
    @after_ack(deps)
    def skipped(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], caller: Caller
    ) -> Later | None:
        reason = field_value(view, EscalationField.REASON) or ""
        if not reason.strip():
            message = t(caller.locale, "dmstep.skip.placeholder")
            ack(response_action="errors", errors={EscalationField.REASON.value: message})
            return None
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        return lambda: escalations.submit_skip(
            deps, caller, escalation_id=escalation_id, reason=reason
        )
