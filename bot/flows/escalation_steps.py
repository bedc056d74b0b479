"""The escalations job: each project's decision-maker step of the day, recorded once (a
draft for the CSM to approve in `csm` mode, a note that the step waits for a
decision-maker, her own late tasks), and each CSM's morning summary (their overdue tasks
and alerts, drafts waiting, their own tasks), once per CSM and business morning in their
time zone. The CSM's Send / Edit / Skip of a draft are in `bot.flows.escalations`."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.blocks.escalation import escalation_message
from bot.blocks.escalation_step import (
    draft_message,
    own_tasks_message,
    waiting_message,
    with_own_tasks,
)
from bot.blocks.escape import mention
from bot.blocks.message import Message
from bot.deps import Deps
from bot.domain.reminders import DecisionMakerStep, EscalationDraft, plan_decision_maker_steps
from bot.flows.job_report import JobReport, Queued, describe, queue, report
from bot.flows.outgoing import outbox_row, to_decision_maker
from bot.flows.summary import summary_rows
from bot.gc_pause import kept_out_of_collections
from bot.i18n import t
from bot.services import escalations as service
from bot.services.escalations import EscalationStatus, StepRecord, draft_key
from bot.services.outbox import OutboxMessage
from bot.services.reminders import load_for_run, project_calendars
from bot.services.session import unit_of_work

KIND = "escalation"
# Steps recorded in one transaction: a few statements each, whatever their number; short
# enough that SQLite's one writer is not held for long.
STEPS_PER_TRANSACTION = 250


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Record the day's decision-maker steps and queue the CSMs' summaries, then send."""
    queued = queue_escalations(deps, now=now, dry_run=dry_run)
    return report(deps, "escalations", queued, now=now, dry_run=dry_run)


def queue_escalations(deps: Deps, *, now: datetime, dry_run: bool) -> Queued:
    """The part of the morning that writes the outbox (no Slack call)."""
    with kept_out_of_collections() as loaded:
        with unit_of_work(deps.engine) as session:
            portfolio = load_for_run(
                session=session,
                now=now,
                reminder_hour=deps.settings.reminder_hour,
                calendar=deps.calendar,
            )
            reached = service.reached(session=session)
        loaded()
        calendar_for = project_calendars(portfolio, deps.calendar)
        steps = plan_decision_maker_steps(
            now=now,
            projects=portfolio.projects,
            tasks=portfolio.tasks,
            calendar_for=calendar_for,
            reminder_hour=deps.settings.reminder_hour,
            reached=reached,
        )
        loaded()  # the steps too: recording them sets off collections
        with unit_of_work(deps.engine) as session:
            sent_counts = service.reminders_sent(session=session, steps=steps)
        recorded = record_steps(deps, steps, now=now, reminders_sent=sent_counts, dry_run=dry_run)
        # The CSM's alerts are in their morning summary (one DM per CSM and business morning),
        # with unanswered drafts, their own tasks and the rest: no separate DM per task.
        rows = summary_rows(
            deps,
            now=now,
            projects=portfolio.projects,
            tasks=portfolio.tasks,
            calendar_for=calendar_for,
        )
        return queue(deps, rows, dry_run=dry_run) + recorded


def record_steps(
    deps: Deps,
    steps: list[DecisionMakerStep],
    *,
    now: datetime,
    reminders_sent: Mapping[int, int],
    dry_run: bool = False,
) -> Queued:
    """Record each step once (its key is once per project and day) with its messages in
    the outbox, STEPS_PER_TRANSACTION steps to a transaction; the caller dispatches them.
    A run stopped between two transactions loses nothing: the next run plans again what
    was not recorded. A dry run only says what would be sent."""
    # By project, as planned: two runs at once take the keys in one order, so neither
    # holds a key the other waits for while it waits for one the other holds.
    ordered = sorted(steps, key=lambda step: step.project.id)
    planned: list[str] = []
    recorded = 0
    size = STEPS_PER_TRANSACTION
    for start in range(0, len(ordered), size):
        records = [
            _record(deps, step, now=now, reminders_sent=reminders_sent)
            for step in ordered[start : start + size]
        ]
        if dry_run:
            planned += [describe(row) for record in records for row in record.messages(0)]
            continue
        with unit_of_work(deps.engine) as session:
            ids = service.record_steps(session=session, records=records, now=now)
        done = [f"{r.step.key}: {r.outcome.status}" for r in records if r.step.key in ids]
        planned += done
        recorded += len(done)
    return Queued(tuple(planned), recorded)


def _record(
    deps: Deps, step: DecisionMakerStep, *, now: datetime, reminders_sent: Mapping[int, int]
) -> StepRecord:
    """The step as it is recorded: its outcome under the project's approval mode, the
    message to her, and its outbox rows once its id is known."""
    approval = step.project.escalation_approval or deps.settings.escalation_approval
    outcome = service.outcome_of(step, approval=approval)
    request = _request(step)
    messages = functools.partial(
        step_rows, step, outcome.status, request, now=now, reminders_sent=reminders_sent
    )
    text, blocks = (request.text, request.blocks) if request else ("", [])
    return StepRecord(step, outcome, text, blocks, messages)


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


@dataclass(frozen=True)
class _Step:
    """A step's messages being written: to the CSM, all on the step's day."""

    step: DecisionMakerStep
    csm: str
    now: datetime

    def to_csm(self, key: str, message: Message, task_ids: list[int]) -> OutboxMessage:
        return outbox_row(
            key,
            KIND,
            self.csm,
            message,
            project_id=self.step.project.id,
            now=self.now,
            task_ids=task_ids,
            local_date=self.step.local_date,
        )


def step_rows(
    step: DecisionMakerStep,
    status: str,
    request: Message | None,
    escalation_id: int,
    *,
    now: datetime,
    reminders_sent: Mapping[int, int],
) -> list[OutboxMessage]:
    """The outbox rows of a step (every one private: the CSM's DM, or hers)."""
    project, day = step.project, step.local_date.isoformat()
    assert project.csm_user_id is not None  # the domain plans no step without a CSM
    rows = _Step(step, project.csm_user_id, now)
    every = [*step.task_ids, *step.own_task_ids]
    if status == EscalationStatus.WAITING:
        message = waiting_message(project, step.tasks)
        return [rows.to_csm(f"escalation:dm-waiting:{project.id}:{day}", message, every)]
    if status == EscalationStatus.NOTED:
        message = own_tasks_message(project, step.own_tasks)
        return [rows.to_csm(f"escalation:dm-own:{project.id}:{day}", message, every)]
    assert request is not None
    if status == EscalationStatus.DRAFT:
        message = draft_message(
            project,
            escalation_id=escalation_id,
            request=request,
            tasks=step.tasks,
            own_tasks=step.own_tasks,
        )
        return [rows.to_csm(draft_key(project.id, step.local_date), message, every)]
    return _sent_rows(rows, request, reminders_sent=reminders_sent)


def _sent_rows(
    rows: _Step, request: Message, *, reminders_sent: Mapping[int, int]
) -> list[OutboxMessage]:
    """A step sent at once: the request to the decision-maker, and the CSM's notice (or,
    when the CSM forwards the request, only her own late tasks)."""
    step = rows.step
    project, day = step.project, step.local_date.isoformat()
    sent = [
        to_decision_maker(
            f"escalation:dm:{project.id}:{day}",
            KIND,
            request,
            project_id=project.id,
            locale=project.locale,
            customer=project.customer_name,
            user_id=project.decision_maker_user_id,
            email=project.decision_maker_email,
            csm_user_id=rows.csm,
            now=rows.now,
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
        message = with_own_tasks(notice, project, step.own_tasks)
        every = [*step.task_ids, *step.own_task_ids]
        sent.append(rows.to_csm(f"escalation:dm-notice:{project.id}:{day}", message, every))
    elif step.own_tasks:
        message = own_tasks_message(project, step.own_tasks)
        key = f"escalation:dm-own:{project.id}:{day}"
        sent.append(rows.to_csm(key, message, step.own_task_ids))
    return sent
