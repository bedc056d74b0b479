"""The decision-maker step: record each project's step of the day once, tell the CSM (a
draft to approve, a note that the step waits for a decision-maker, her own late tasks),
and the CSM's Send / Edit / Skip. Nothing reaches the decision-maker in `csm` mode before
Send, and Send delivers exactly once."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.blocks.escalation import escalation_message
from bot.blocks.escalation_step import (
    decided_message,
    draft_message,
    edit_modal,
    editable_text,
    edited_request,
    own_tasks_message,
    skip_modal,
    waiting_message,
    with_own_tasks,
)
from bot.blocks.escape import mention
from bot.blocks.forward import Why, forward_message
from bot.blocks.message import Message
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.domain.reminders import DecisionMakerStep, EscalationDraft
from bot.errors import UserError
from bot.flows.context import Caller
from bot.flows.locale import locale_for
from bot.flows.modals import open_modal
from bot.flows.outbox import dispatch, outbox_row
from bot.i18n import t
from bot.services import escalations as service
from bot.services.escalations import EscalationStatus, StepView, draft_key
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


@dataclass
class StepReport:
    planned: list[str] = field(default_factory=list)  # one readable line per message
    recorded: int = 0


def reached(deps: Deps) -> set[tuple[int, date, str]]:
    """`(task id, due date, step)` that open tasks already reached: never repeated."""
    with unit_of_work(deps.engine) as session:
        return service.reached(session=session)


def record_steps(
    deps: Deps,
    steps: list[DecisionMakerStep],
    *,
    now: datetime,
    reminders_sent: Mapping[int, int],
    dry_run: bool = False,
) -> StepReport:
    """Record each step once (its key is once per project and day) with its messages in
    the outbox; the caller dispatches them. A dry run only says what would be sent."""
    report = StepReport()
    for step in steps:
        approval = step.project.escalation_approval or deps.settings.escalation_approval
        outcome = service.outcome_of(step, approval=approval)
        request = _request(step)
        messages = functools.partial(
            _messages, step, outcome.status, request, reminders_sent=reminders_sent
        )
        if dry_run:
            report.planned += [
                f"{r['key']} → {r['recipient']}: {r['text'][:120]}" for r in messages(0)
            ]
            continue
        with unit_of_work(deps.engine) as session:
            recorded = service.record_step(
                session=session,
                step=step,
                outcome=outcome,
                text=request.text if request else "",
                blocks=request.blocks if request else [],
                messages=messages,
                now=now,
            )
        if recorded is not None:
            report.recorded += 1
            report.planned += [f"{step.key}: {outcome.status}"]
    return report


def _request(step: DecisionMakerStep) -> Message | None:
    """The message to the decision-maker (None when nothing may go to her)."""
    if not step.linked or not step.tasks:
        return None
    return escalation_message(_draft(step, "decision_maker"), owner_labels={}, reminders_sent={})


def _draft(step: DecisionMakerStep, level: str) -> EscalationDraft:
    project = step.project
    return EscalationDraft(
        key=step.key,
        level=level,
        project=project,
        tasks=step.tasks,
        recipient_user_id=project.decision_maker_user_id
        if level == "decision_maker"
        else project.csm_user_id,
        forward=project.decision_maker_user_id is None,
        local_date=step.local_date,
    )


def _messages(
    step: DecisionMakerStep,
    status: str,
    request: Message | None,
    escalation_id: int,
    *,
    reminders_sent: Mapping[int, int],
) -> list[dict[str, Any]]:
    """The outbox rows of a step (every one private: the CSM's DM, or hers)."""
    project, day = step.project, step.local_date.isoformat()
    csm = project.csm_user_id
    assert csm is not None  # the domain plans no step without a CSM
    row = functools.partial(outbox_row, kind="escalation", project_id=project.id)
    every = [*step.task_ids, *step.own_task_ids]
    if status == EscalationStatus.WAITING:
        message = waiting_message(project, step.tasks)
        key = f"escalation:dm-waiting:{project.id}:{day}"
        return [
            row(key, recipient=csm, message=message, task_ids=every, local_date=step.local_date)
        ]
    if status == EscalationStatus.NOTED:
        message = own_tasks_message(project, step.own_tasks)
        key = f"escalation:dm-own:{project.id}:{day}"
        return [
            row(key, recipient=csm, message=message, task_ids=every, local_date=step.local_date)
        ]
    assert request is not None
    if status == EscalationStatus.DRAFT:
        message = draft_message(
            project,
            escalation_id=escalation_id,
            request=request,
            tasks=step.tasks,
            own_tasks=step.own_tasks,
        )
        return [
            row(
                draft_key(project.id, step.local_date),
                recipient=csm,
                message=message,
                task_ids=every,
                local_date=step.local_date,
            )
        ]
    rows = [
        to_decision_maker(
            f"escalation:dm:{project.id}:{day}",
            request,
            project_id=project.id,
            locale=project.locale,
            customer=project.customer_name,
            user_id=project.decision_maker_user_id,
            email=project.decision_maker_email,
            csm_user_id=csm,
            task_ids=step.task_ids,
            local_date=step.local_date,
        )
    ]
    if project.decision_maker_user_id:  # forwarded by the CSM: that is their notice
        labels = {
            d.task.id: mention(d.task.owner_user_id)
            if d.task.owner_user_id
            else t(project.locale, "role.champion")
            for d in step.tasks
        }
        notice = escalation_message(
            _draft(step, "decision_maker_notice"),
            owner_labels=labels,
            reminders_sent=reminders_sent,
        )
        rows.append(
            row(
                f"escalation:dm-notice:{project.id}:{day}",
                recipient=csm,
                message=with_own_tasks(notice, project, step.own_tasks),
                task_ids=every,
                local_date=step.local_date,
            )
        )
    elif step.own_tasks:
        rows.append(
            row(
                f"escalation:dm-own:{project.id}:{day}",
                recipient=csm,
                message=own_tasks_message(project, step.own_tasks),
                task_ids=step.own_task_ids,
                local_date=step.local_date,
            )
        )
    return rows


def to_decision_maker(
    key: str,
    message: Message,
    *,
    project_id: int,
    locale: str,
    customer: str,
    user_id: str | None,
    email: str | None,
    csm_user_id: str | None,
    task_ids: list[int],
    local_date: date,
) -> dict[str, Any]:
    """The outbox row of a message for the decision-maker alone: her DM (the CSM gets it to
    pass on if Slack refuses), or the CSM's when she is not on Slack. Never a channel."""
    row = functools.partial(
        outbox_row,
        key,
        "escalation",
        project_id=project_id,
        task_ids=task_ids,
        local_date=local_date,
    )

    def forwarded(why: Why) -> Message:
        return forward_message(
            message,
            locale=locale,
            customer=customer,
            why=why,
            user_id=user_id,
            email=None if user_id else email,
        )

    if user_id is None:
        assert csm_user_id is not None
        return row(csm_user_id, forwarded(Why.NOT_ON_SLACK))
    if not csm_user_id:
        return row(user_id, message)
    return row(user_id, message, fallback=forwarded(Why.DM_REFUSED), fallback_channel=csm_user_id)


# --- the CSM's answers ----------------------------------------------------------------------


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
        actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
        with unit_of_work(deps.engine) as session:
            decision = service.editable(
                session=session, escalation_id=escalation_id, actor=actor, now=deps.clock()
            )
        step = _decided_or_refused(decision)
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
        actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
        with unit_of_work(deps.engine) as session:
            decision = service.editable(
                session=session, escalation_id=escalation_id, actor=actor, now=deps.clock()
            )
        step = _decided_or_refused(decision)
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
            message=_send_row,
            edited=change,
        )
    step = _decided_or_refused(decision)
    dispatch(deps, now=now)
    return _decided(step)


def _send_row(step: StepView) -> dict[str, Any]:
    return to_decision_maker(
        step.send_key,
        Message(step.text, step.blocks),
        project_id=step.project_id,
        locale=step.locale,
        customer=step.customer_name,
        user_id=step.decision_maker_user_id,
        email=step.decision_maker_email,
        csm_user_id=step.csm_user_id,
        task_ids=step.task_ids,
        local_date=step.local_date,
    )


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
