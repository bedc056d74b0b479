"""Submission of the start-project modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import CallbackId, StartField
from bot.deps import Deps
from bot.domain.start_form import start_command_from_form
from bot.flows import start_modal
from bot.flows.context import Caller
from bot.i18n import t
from handlers.errors import Later, after_ack
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.START_PROJECT)
    @after_ack(deps)
    def submitted(ack: Ack, view: dict[str, Any], caller: Caller) -> Later | None:
        fields = {field.value: field_value(view, field.value) for field in StartField}
        result = start_command_from_form(fields, playbooks=set(deps.playbooks), today=deps.today())
        if isinstance(result, list):
            locale = caller.locale
            ack(
                response_action="errors",
                errors={e.field: t(locale, e.key, **e.values) for e in result},
            )
            return None
        refusal = start_modal.refusal(deps, caller)
        if refusal is not None:
            message = t(caller.locale, refusal)
            ack(response_action="errors", errors={StartField.CUSTOMER_NAME.value: message})
            return None
        ack()
        # One form starts one project, however often its submission arrives.
        request = f"start-form:{view.get('id') or ''}"
        return lambda: start_modal.submit(deps, result, caller, request=request)
