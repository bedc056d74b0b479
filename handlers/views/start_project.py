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


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.START_PROJECT)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]
        caller = Caller(
            user_id=user["id"],
            channel_id=view.get("private_metadata") or None,
            payload_team_id=user.get("team_id"),
        )
        fields = {field.value: _value(view, field.value) for field in StartField}
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


def _value(view: dict[str, Any], block_id: str) -> str | None:
    """The submitted value of one input, whatever its element type."""
    element = (view.get("state", {}).get("values", {}).get(block_id) or {}).get(block_id) or {}
    for key in ("value", "selected_date", "selected_user", "selected_conversation"):
        if element.get(key):
            return str(element[key])
    option = element.get("selected_option")
    return str(option["value"]) if option else None
