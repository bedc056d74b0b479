"""Submission of the start-project modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import CallbackId, StartField
from bot.deps import Deps
from bot.domain.start_form import start_command_from_form
from bot.flows import start_modal
from bot.flows.context import Caller
from bot.flows.locale import locale_for
from bot.i18n import t
from handlers.errors import Later, after_ack
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.START_PROJECT)
    @after_ack(deps)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> Later | None:
        user = body["user"]
        metadata = view.get("private_metadata")
        caller = Caller(
            user_id=user["id"],
            # The channel the form was opened from, to answer there; nothing else is trusted.
            channel_id=metadata if isinstance(metadata, str) and metadata.isalnum() else None,
            payload_team_id=user.get("team_id"),
        )
        fields = {field.value: field_value(view, field.value) for field in StartField}
        result = start_command_from_form(fields, playbooks=set(deps.playbooks), today=deps.today())
        if isinstance(result, list):
            locale = locale_for(deps, caller)
            ack(
                response_action="errors",
                errors={e.field: t(locale, e.key, **e.values) for e in result},
            )
            return None
        refusal = start_modal.refusal(deps, caller)
        if refusal is not None:
            message = t(locale_for(deps, caller), refusal)
            ack(response_action="errors", errors={StartField.CUSTOMER_NAME.value: message})
            return None
        ack()
        # One form starts one project, however often its submission arrives.
        request = f"start-form:{view.get('id') or ''}"
        return lambda: start_modal.submit(deps, result, caller, request=request)
