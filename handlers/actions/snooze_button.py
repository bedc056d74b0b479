"""The 💤 button of a reminder DM, and its form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import ActionId, CallbackId, SnoozeField
from bot.deps import Deps
from bot.domain.schedule import parse_day
from bot.flows import snooze
from bot.flows.context import Caller
from bot.i18n import t
from handlers.errors import Later, after_ack
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.REMINDER_SNOOZE)
    @after_ack(deps)
    def pressed(ack: Ack, body: dict[str, Any], caller: Caller) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        return lambda: snooze.open_form(deps, caller, trigger_id=trigger_id)

    @app.view(CallbackId.SNOOZE)
    @after_ack(deps)
    def submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], caller: Caller
    ) -> Later | None:
        until = parse_day(field_value(view, SnoozeField.UNTIL))
        if until is None:
            message = t(caller.locale, "form.bad_date")
            ack(response_action="errors", errors={SnoozeField.UNTIL.value: message})
            return None
        problem = snooze.problem(deps, caller, until=until)
        if problem is not None:
            ack(response_action="errors", errors={SnoozeField.UNTIL.value: problem})
            return None
        ack()
        return lambda: snooze.submit(deps, caller, until=until)
