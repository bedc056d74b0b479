"""The CSM's Send / Edit / Skip of a decision-maker step's draft (the steps themselves are
recorded by the escalations job, `bot.flows.escalation_steps`). Nothing reaches the
decision-maker in `csm` mode before Send, and Send delivers exactly once."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Any

from bot.blocks.escalation_step import (
    decided_message,
    edit_modal,
    editable_text,
    edited_request,
    skip_modal,
)
from bot.blocks.escape import mention
from bot.blocks.message import Message
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.context import Caller
from bot.flows.locale import locale_for
from bot.flows.modals import open_modal
from bot.flows.outbox import dispatch
from bot.flows.outgoing import to_decision_maker
from bot.services import escalations as service
from bot.services.escalations import StepView
from bot.services.outbox import OutboxMessage
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


def send(deps: Deps, caller: Caller, *, escalation_id: int, on_draft: bool = True) -> Message:
    """**Send**: deliver the draft as written; returns the note saying so. Pressed on the
    morning summary (`on_draft` False), the draft itself is updated here too."""
    note = _send(deps, caller, escalation_id=escalation_id, edited=None)
    if not on_draft:
        _show_on_draft(deps, escalation_id, note)
    return note


def open_edit_form(deps: Deps, caller: Caller, *, trigger_id: str, escalation_id: int) -> None:
    """**Edit**: the draft's text in a form whose submit button sends it."""

    def form() -> dict[str, Any]:
        step = _editable_step(deps, caller, escalation_id=escalation_id)
        request = Message(step.text, step.blocks)
        return edit_modal(escalation_id, locale=step.locale, text=editable_text(request))

    open_modal(deps, caller, trigger_id=trigger_id, build=form)


def submit_edit(deps: Deps, caller: Caller, *, escalation_id: int, text: str) -> None:
    """The edited text goes to the decision-maker (once); the draft shows it was sent."""
    try:
        note = _send(deps, caller, escalation_id=escalation_id, edited=text)
    except UserError as error:
        note = _refusal_note(deps, caller, error)
        _tell(deps, caller, note)
        return
    _show_on_draft(deps, escalation_id, note)


def open_skip_form(deps: Deps, caller: Caller, *, trigger_id: str, escalation_id: int) -> None:
    """**Skip**: asks for the reason first."""

    def form() -> dict[str, Any]:
        step = _editable_step(deps, caller, escalation_id=escalation_id)
        return skip_modal(escalation_id, locale=step.locale)

    open_modal(deps, caller, trigger_id=trigger_id, build=form)


def submit_skip(deps: Deps, caller: Caller, *, escalation_id: int, reason: str) -> None:
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with unit_of_work(deps.engine) as session:
        decision = service.skip(
            session=session,
            escalation_id=escalation_id,
            actor=actor,
            reason=reason.strip()[:500],
            now=deps.clock(),
        )
    try:
        step = _decided_or_refused(decision)
    except UserError as error:
        _tell(deps, caller, _refusal_note(deps, caller, error))
        return
    _show_on_draft(deps, escalation_id, _decided(step))


def _send(deps: Deps, caller: Caller, *, escalation_id: int, edited: str | None) -> Message:
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    now = deps.clock()
    with unit_of_work(deps.engine) as session:
        current = service.view(session=session, escalation_id=escalation_id)
        change = None
        if edited is not None and current is not None:
            message = edited_request(edited, fallback_text=current.text)
            change = (message.text, message.blocks)
        decision = service.send(
            session=session,
            escalation_id=escalation_id,
            actor=actor,
            now=now,
            message=functools.partial(_send_row, now=now),
            edited=change,
        )
    step = _decided_or_refused(decision)
    dispatch(deps, now=now)
    return _decided(step)


def _send_row(step: StepView, *, now: datetime) -> OutboxMessage:
    return to_decision_maker(
        step.send_key,
        "escalation",
        Message(step.text, step.blocks),
        project_id=step.project_id,
        locale=step.locale,
        customer=step.customer_name,
        user_id=step.decision_maker_user_id,
        email=step.decision_maker_email,
        csm_user_id=step.csm_user_id,
        now=now,
        task_ids=step.task_ids,
        local_date=step.local_date,
    )


def _editable_step(deps: Deps, caller: Caller, *, escalation_id: int) -> StepView:
    """The pending step behind a form, or the refusal raised before the form opens."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with unit_of_work(deps.engine) as session:
        decision = service.editable(
            session=session, escalation_id=escalation_id, actor=actor, now=deps.clock()
        )
    return _decided_or_refused(decision)


def _decided_or_refused(decision: service.Decision) -> StepView:
    """The step when this request decided it (or may); else a UserError saying why."""
    if decision.done and decision.step is not None:
        return decision.step
    step = decision.step
    if step is None:
        raise UserError(decision.refusal or "error.draft_gone")
    at = step.decided_at.strftime("%Y-%m-%d %H:%M UTC") if step.decided_at else ""
    actor = mention(step.decided_by) if step.decided_by and step.decided_by != "system" else ""
    raise UserError(decision.refusal or "error.draft_gone", actor=actor, at=at)


def _decided(step: StepView) -> Message:
    return decided_message(
        step.locale,
        customer=step.customer_name,
        status=step.status,
        by=step.decided_by,
        at=step.decided_at,
        reason=step.reason,
        edited=step.edited,
    )


def _refusal_note(deps: Deps, caller: Caller, error: UserError) -> Message:
    return reply(locale_for(deps, caller), error.key, **error.values)


def _tell(deps: Deps, caller: Caller, note: Message) -> None:
    """After a form closed there is no response_url: the answer goes to the person's DM."""
    try:
        deps.gateway.post_message(caller.user_id, note)
    except SlackError as exc:
        logger.warning("could not tell the CSM about their answer to a draft: %s", exc.code)


def _show_on_draft(deps: Deps, escalation_id: int, note: Message) -> None:
    """Replace the draft's buttons with the answer, where the draft was posted."""
    with unit_of_work(deps.engine) as session:
        step = service.view(session=session, escalation_id=escalation_id)
    if step is None or not step.draft_channel or not step.draft_ts:
        return
    try:
        deps.gateway.update_message(step.draft_channel, step.draft_ts, note)
    except SlackError as exc:
        logger.warning("could not update the draft: %s", exc.code)
