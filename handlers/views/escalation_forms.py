"""Submissions of the draft's Edit form (sends the edited text) and Skip form (the reason)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import CallbackId, EscalationField
from bot.deps import Deps
from bot.flows import escalations
from bot.flows.context import Caller
from bot.flows.locale import locale_for
from bot.i18n import t
from handlers.errors import Later, after_ack
from handlers.payload import metadata_id
from handlers.views.values import field_value

GONE = "error.draft_gone"


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.ESCALATION_EDIT)
    @after_ack(deps)
    def edited(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> Later | None:
        caller = _caller(body)
        text = field_value(view, EscalationField.TEXT) or ""
        if not text.strip():
            message = t(locale_for(deps, caller), "dmstep.edit.empty")
            ack(response_action="errors", errors={EscalationField.TEXT.value: message})
            return None
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        return lambda: escalations.submit_edit(deps, caller, escalation_id=escalation_id, text=text)

    @app.view(CallbackId.ESCALATION_SKIP)
    @after_ack(deps)
    def skipped(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> Later | None:
        caller = _caller(body)
        reason = field_value(view, EscalationField.REASON) or ""
        if not reason.strip():
            message = t(locale_for(deps, caller), "dmstep.skip.placeholder")
            ack(response_action="errors", errors={EscalationField.REASON.value: message})
            return None
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        return lambda: escalations.submit_skip(
            deps, caller, escalation_id=escalation_id, reason=reason
        )


def _caller(body: dict[str, Any]) -> Caller:
    user = body["user"]
    return Caller(user_id=user["id"], payload_team_id=user.get("team_id"))
