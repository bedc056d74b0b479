"""Units of work of the decision-maker step: record a step once per project and day, and
the CSM's Send / Edit / Skip of a draft, each deciding a draft exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.domain.permissions import Actor
from bot.domain.reminders import (
    STEP_DECISION_MAKER,
    STEP_OWN,
    STEP_WAITING,
    DecisionMakerStep,
)
from bot.services import outbox as outbox_service
from bot.services.outbox import OutboxMessage
from storage import escalations as rows
from storage import events
from storage import outbox as outbox_rows
from storage.models import (
    RUNNING_STATUSES,
    Escalation,
    EscalationStatus,
    Event,
    Project,
    Stakeholder,
    StakeholderRole,
)


def reached(*, session: Session) -> set[tuple[int, date, str]]:
    """`(task id, due date, step)` already taken by open tasks (never repeated)."""
    return rows.reached(session=session)


def reminders_sent(*, session: Session, steps: Sequence[DecisionMakerStep]) -> dict[int, int]:
    """How many reminders have reached each step's task owners so far (for the CSM)."""
    wanted = {task_id for step in steps for task_id in step.task_ids}
    counts: Counter[int] = Counter()
    projects = sorted({step.project.id for step in steps})
    for task_ids in outbox_rows.sent_task_ids(
        session=session, kind="reminder", project_ids=projects
    ):
        counts.update(task_id for task_id in task_ids if task_id in wanted)
    return dict(counts)


@dataclass(frozen=True)
class Outcome:
    """What a step became when it was recorded."""

    status: str  # an EscalationStatus value
    approval: str


def outcome_of(step: DecisionMakerStep, *, approval: str) -> Outcome:
    """Waiting (no decision-maker linked), noted (only her own tasks), a draft for the CSM,
    or sent at once (`auto`)."""
    if not step.linked:
        return Outcome(EscalationStatus.WAITING, approval)
    if not step.tasks:
        return Outcome(EscalationStatus.NOTED, approval)
    if approval == "csm":
        return Outcome(EscalationStatus.DRAFT, approval)
    return Outcome(EscalationStatus.SENT, approval)


@dataclass(frozen=True)
class StepRecord:
    """A step to record: what it became, the message to her as drafted, and its outbox
    rows once its id is known (`messages(escalation id)`)."""

    step: DecisionMakerStep
    outcome: Outcome
    text: str
    blocks: list[dict[str, Any]]
    messages: Callable[[int], Sequence[OutboxMessage]]


def record_steps(
    *, session: Session, records: Sequence[StepRecord], now: datetime
) -> dict[str, int]:
    """Record the steps not recorded yet (each key once per project and day, whoever runs
    the job: a second run or another replica adds nothing), the tasks each takes and their
    messages, in the caller's one transaction with a fixed number of statements: one
    multi-row INSERT of the steps and one of their tasks, one outbox enqueue, one append
    to the event log. Returns the ids of the steps this call recorded, by key."""
    ids = rows.insert_many(session=session, steps=[_row(r, now) for r in records])
    new = [(r, ids[r.step.key]) for r in records if r.step.key in ids]
    outbox_service.enqueue(
        session=session, rows=[row for r, escalation_id in new for row in r.messages(escalation_id)]
    )
    events.record_many(session=session, events=[_event(r, i, now) for r, i in new])
    return ids


def _row(record: StepRecord, now: datetime) -> tuple[dict[str, Any], list[tuple[int, date, str]]]:
    """The step's row, and the `(task id, due date, step)` it takes."""
    step, outcome = record.step, record.outcome
    project = step.project
    main = STEP_WAITING if outcome.status == EscalationStatus.WAITING else STEP_DECISION_MAKER
    tasks = [(d.task.id, d.task.due, main) for d in step.tasks]
    tasks += [(d.task.id, d.task.due, STEP_OWN) for d in step.own_tasks]
    values = {
        "key": step.key,
        "project_id": project.id,
        "local_date": step.local_date,
        "status": outcome.status,
        "approval": outcome.approval,
        "csm_user_id": project.csm_user_id,
        "decision_maker_user_id": project.decision_maker_user_id,
        "task_ids": step.task_ids,
        "own_task_ids": step.own_task_ids,
        "text": record.text,
        "blocks": record.blocks,
        "edited": False,
        "created_at": now,
    }
    return values, tasks


def _event(record: StepRecord, escalation_id: int, now: datetime) -> Event:
    step, outcome = record.step, record.outcome
    return Event(
        kind=f"escalation.{outcome.status}",
        actor=events.SYSTEM,
        at=now,
        project_id=step.project.id,
        after={
            "escalation_id": escalation_id,
            "status": outcome.status,
            "approval": outcome.approval,
            "task_ids": step.task_ids,
            "own_task_ids": step.own_task_ids,
            "local_date": step.local_date.isoformat(),
        },
    )


@dataclass(frozen=True)
class StepView:
    """A recorded step as the CSM's buttons need it."""

    id: int
    key: str
    project_id: int
    local_date: date
    status: str
    customer_name: str
    locale: str
    running: bool
    csm_user_id: str | None
    decision_maker_user_id: str | None
    decision_maker_email: str | None
    task_ids: list[int]
    text: str
    blocks: list[dict[str, Any]]
    edited: bool
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    draft_channel: str | None  # where the CSM's draft is, to show the answer there
    draft_ts: str | None

    @property
    def send_key(self) -> str:
        return f"escalation:dm:{self.project_id}:{self.local_date.isoformat()}"


def draft_key(project_id: int, day: date) -> str:
    return f"escalation:draft:{project_id}:{day.isoformat()}"


def view(*, session: Session, escalation_id: int) -> StepView | None:
    found = rows.get(session=session, escalation_id=escalation_id)
    if found is None:
        return None
    return _view(session, found)


def _view(session: Session, found: Escalation) -> StepView:
    assert found.id is not None
    project = session.get(Project, found.project_id)
    assert project is not None
    email = None
    people = session.exec(
        select(Stakeholder)
        .where(
            Stakeholder.project_id == found.project_id,
            Stakeholder.role == StakeholderRole.DECISION_MAKER,
        )
        .order_by(col(Stakeholder.id))
    ).all()
    dm_user = found.decision_maker_user_id
    for person in people:
        if person.slack_user_id and not dm_user:
            dm_user = person.slack_user_id
        if person.email and not email:
            email = person.email
    draft = rows.outbox_by_key(session=session, key=draft_key(found.project_id, found.local_date))
    return StepView(
        id=found.id,
        key=found.key,
        project_id=found.project_id,
        local_date=found.local_date,
        status=found.status,
        customer_name=project.customer_name,
        locale=project.locale,
        running=project.status in RUNNING_STATUSES,
        csm_user_id=found.csm_user_id,
        decision_maker_user_id=dm_user,
        decision_maker_email=email,
        task_ids=list(found.task_ids),
        text=found.text,
        blocks=list(found.blocks),
        edited=found.edited,
        reason=found.reason,
        decided_by=found.decided_by,
        decided_at=found.decided_at,
        draft_channel=draft.sent_channel if draft else None,
        draft_ts=draft.sent_ts if draft else None,
    )


@dataclass(frozen=True)
class Decision:
    """The answer to Send / Edit / Skip: `done` when this request decided the draft;
    otherwise `refusal` (a message key) and the step as it stands."""

    done: bool
    step: StepView | None
    refusal: str | None = None


def send(
    *,
    session: Session,
    escalation_id: int,
    actor: Actor,
    now: datetime,
    message: Callable[[StepView], OutboxMessage],
    edited: tuple[str, list[dict[str, Any]]] | None = None,
) -> Decision:
    """Send a draft to the decision-maker, exactly once however often it is asked for
    (double clicks, Slack's retries, two replicas): the draft becomes `sent` in one
    statement, and only the request that changed it queues the message (`message(step)`,
    an outbox row whose key is once per step as well). `edited`: the CSM's text and blocks."""
    refused = _refusal(session, escalation_id, actor, now)
    if refused is not None:
        return refused
    text, blocks = edited if edited is not None else (None, None)
    if not rows.decide(
        session=session,
        escalation_id=escalation_id,
        status=EscalationStatus.SENT,
        by=actor.user_id,
        at=now,
        text=text,
        blocks=blocks,
    ):
        return _already(session, escalation_id)
    step = view(session=session, escalation_id=escalation_id)
    assert step is not None
    row = message(step)
    outbox_service.enqueue(session=session, rows=[row])
    events.record(
        session=session,
        kind="escalation.approved",
        actor=actor.user_id,
        at=now,
        project_id=step.project_id,
        after={
            "escalation_id": step.id,
            "status": EscalationStatus.SENT,
            "edited": edited is not None,
            "task_ids": step.task_ids,
            "key": row.key,
        },
    )
    return Decision(True, step)


def skip(
    *, session: Session, escalation_id: int, actor: Actor, reason: str, now: datetime
) -> Decision:
    """Skip a draft with the CSM's reason (kept for CS staff; nothing is sent)."""
    refused = _refusal(session, escalation_id, actor, now)
    if refused is not None:
        return refused
    if not rows.decide(
        session=session,
        escalation_id=escalation_id,
        status=EscalationStatus.SKIPPED,
        by=actor.user_id,
        at=now,
        reason=reason,
    ):
        return _already(session, escalation_id)
    step = view(session=session, escalation_id=escalation_id)
    assert step is not None
    events.record(
        session=session,
        kind="escalation.skipped",
        actor=actor.user_id,
        at=now,
        project_id=step.project_id,
        after={
            "escalation_id": step.id,
            "status": EscalationStatus.SKIPPED,
            "reason": reason,
            "task_ids": step.task_ids,
        },
    )
    return Decision(True, step)


def editable(*, session: Session, escalation_id: int, actor: Actor, now: datetime) -> Decision:
    """May `actor` edit this draft now? (The Edit button opens the form only then.)"""
    refused = _refusal(session, escalation_id, actor, now)
    if refused is not None:
        return refused
    step = view(session=session, escalation_id=escalation_id)
    if step is None or step.status != EscalationStatus.DRAFT:
        return _already(session, escalation_id)
    return Decision(True, step)


def withdraw(*, session: Session, project_id: int, now: datetime) -> int:
    """A project ended: its unanswered drafts can never be sent."""
    count = rows.withdraw(session=session, project_id=project_id, at=now)
    if count:
        events.record(
            session=session,
            kind="escalation.withdrawn",
            actor=events.SYSTEM,
            at=now,
            project_id=project_id,
            after={"drafts": count},
        )
    return count


def _refusal(session: Session, escalation_id: int, actor: Actor, now: datetime) -> Decision | None:
    found = rows.get(session=session, escalation_id=escalation_id)
    if found is None:
        return Decision(False, None, "error.draft_gone")
    if not actor.is_staff:
        return Decision(False, None, "deny.draft_not_staff")
    project = session.get(Project, found.project_id)
    if found.status == EscalationStatus.DRAFT and (
        project is None or project.status not in RUNNING_STATUSES
    ):
        withdraw(session=session, project_id=found.project_id, now=now)
        session.refresh(found)
    if found.status != EscalationStatus.DRAFT:
        return _already(session, escalation_id)
    return None


def _already(session: Session, escalation_id: int) -> Decision:
    step = view(session=session, escalation_id=escalation_id)
    if step is None:
        return Decision(False, None, "error.draft_gone")
    if step.status not in (
        EscalationStatus.SENT,
        EscalationStatus.SKIPPED,
        EscalationStatus.WITHDRAWN,
    ):
        return Decision(False, step, "error.draft_gone")  # not a draft at all (forged)
    return Decision(False, step, f"error.draft_{step.status}")
