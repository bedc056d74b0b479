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
from handlers.errors import after_ack
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.START_PROJECT)
    @after_ack(deps)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]
        caller = Caller(
            user_id=user["id"],
            channel_id=view.get("private_metadata") or None,
            payload_team_id=user.get("team_id"),
        )
        fields = {field.value: field_value(view, field.value) for field in StartField}
        result = start_command_from_form(fields, playbooks=set(deps.playbooks))
        if isinstance(result, list):
            locale = locale_for(deps, caller)
            ack(
                response_action="errors",
                errors={e.field: t(locale, e.key, **e.values) for e in result},
            )
            return
        ack()
        start_modal.submit(deps, result, caller)
