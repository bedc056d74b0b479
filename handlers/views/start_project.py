"""Submission of the start-project modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks.ids import CallbackId, StartField
from bot.deps import Deps
from bot.domain.command_text import StartCommand
from bot.domain.start_form import start_command_from_form
from bot.flows import start_modal
from bot.flows.context import Caller
from handlers.acks import field_error, field_errors
from handlers.errors import reported
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    def submitted(ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext) -> None:
        fields = {field.value: field_value(view, field.value) for field in StartField}
        result = start_command_from_form(fields, playbooks=set(deps.playbooks), today=deps.today())
        if isinstance(result, list):
            field_errors(ack, caller.locale, result)
            return
        refusal = start_modal.refusal(deps, caller)
        if refusal is not None:
            field_error(ack, StartField.CUSTOMER_NAME, refusal)
            return
        ack()
        # One form starts one project, however often its submission arrives.
        context["parsed"] = (result, f"start-form:{view.get('id') or ''}")

    def start(parsed: tuple[StartCommand, str], body: dict[str, Any], caller: Caller) -> None:
        command, request = parsed
        start_modal.submit(deps, command, caller, request=request)

    app.view(CallbackId.START_PROJECT)(ack=submitted, lazy=[reported(deps, start)])
