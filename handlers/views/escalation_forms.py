"""Submissions of the draft's Edit form (sends the edited text) and Skip form (the reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks.ids import CallbackId, EscalationField
from bot.deps import Deps
from bot.flows import escalations
from bot.flows.context import Caller
from bot.i18n import t
from handlers.acks import field_error
from handlers.errors import reported
from handlers.payload import metadata_id
from handlers.views.values import field_value

GONE = "error.draft_gone"


def register(app: App, deps: Deps) -> None:
    def edited(parsed: tuple[int, str], body: dict[str, Any], caller: Caller) -> None:
        escalation_id, text = parsed
        escalations.submit_edit(deps, caller, escalation_id=escalation_id, text=text)

    def skipped(parsed: tuple[int, str], body: dict[str, Any], caller: Caller) -> None:
        escalation_id, reason = parsed
        escalations.submit_skip(deps, caller, escalation_id=escalation_id, reason=reason)

    edit_submitted = _required(EscalationField.TEXT, empty="dmstep.edit.empty")
    skip_submitted = _required(EscalationField.REASON, empty="dmstep.skip.placeholder")
    app.view(CallbackId.ESCALATION_EDIT)(ack=edit_submitted, lazy=[reported(deps, edited)])
    app.view(CallbackId.ESCALATION_SKIP)(ack=skip_submitted, lazy=[reported(deps, skipped)])


def _required(field: EscalationField, *, empty: str) -> Callable[..., None]:
    """The ack of a form with one required text: blank is answered in the form (message
    key `empty`), else (escalation id, text) go on to the lazy listener."""

    def submitted(ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext) -> None:
        text = field_value(view, field) or ""
        if not text.strip():
            field_error(ack, field, t(caller.locale, empty))
            return
        escalation_id = metadata_id(view, gone=GONE)
        ack()
        context["parsed"] = (escalation_id, text)

    return submitted
