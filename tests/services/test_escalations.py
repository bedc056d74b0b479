"""The decision-maker step's units of work: a step recorded once, a draft decided once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.domain.calendar import BusinessCalendar
from bot.domain.command_text import Person
from bot.domain.permissions import Actor
from bot.domain.reminders import DecisionMakerStep, plan_decision_maker_steps
from bot.services import escalations, outbox
from bot.services.escalations import EscalationStatus, StepView
from bot.services.outbox import OutboxMessage
from bot.services.reminders import load_portfolio, project_calendars
from storage import outbox as outbox_rows
from storage.db import session_scope
from tests.services.world import CSM, started

LATER = datetime(2027, 4, 28, 0, 5, tzinfo=UTC)  # Wed 09:05 in Tokyo, three weeks on
STAFF = Actor(CSM, "T0VENDOR", is_staff=True, is_external=False)
CUSTOMER = Actor("U0TARO", "T0ACME", is_staff=False, is_external=True)


def _steps(engine: Engine) -> list[DecisionMakerStep]:
    with session_scope(engine) as session:
        portfolio = load_portfolio(session=session)
        reached = escalations.reached(session=session)
    return plan_decision_maker_steps(
        now=LATER,
        projects=portfolio.projects,
        tasks=portfolio.tasks,
        calendar_for=project_calendars(
            portfolio, lambda country, blackouts: BusinessCalendar(country=country)
        ),
        reminder_hour=9,
        reached=reached,
    )


def _note(key: str) -> OutboxMessage:
    return OutboxMessage(key=key, kind="escalation", recipient=CSM, text=key, blocks=[], at=LATER)


def _record(engine: Engine, step: DecisionMakerStep, approval: str) -> int | None:
    outcome = escalations.outcome_of(step, approval=approval)
    record = escalations.StepRecord(
        step,
        outcome,
        "Please decide",
        [],
        lambda escalation_id: [_note(f"escalation:draft:{escalation_id}")],
    )
    with session_scope(engine) as session:
        return escalations.record_steps(session=session, records=[record], now=LATER).get(step.key)


def test_a_step_is_recorded_once_with_its_messages(engine: Engine) -> None:
    started(engine, decision_maker=Person(email="boss@acme.example"))
    [step] = _steps(engine)
    assert escalations.outcome_of(step, approval="csm").status == EscalationStatus.DRAFT
    assert escalations.outcome_of(step, approval="auto").status == EscalationStatus.SENT
    escalation_id = _record(engine, step, "csm")
    assert escalation_id is not None
    assert _record(engine, step, "csm") is None  # a second run, or another replica
    assert _steps(engine) == []  # its tasks reached the step: never again
    with session_scope(engine) as session:
        keys = [m.key for m in outbox.pending(session=session)]
        waiting = escalations.view(session=session, escalation_id=escalation_id)
    assert keys == [f"escalation:draft:{escalation_id}"]
    assert waiting is not None
    assert (waiting.status, waiting.text, waiting.task_ids) == (
        "draft",
        "Please decide",
        step.task_ids,
    )


def test_a_step_without_a_decision_maker_waits(engine: Engine) -> None:
    started(engine)
    [step] = _steps(engine)
    assert not step.linked
    assert escalations.outcome_of(step, approval="auto").status == EscalationStatus.WAITING


def test_the_csm_sees_how_many_reminders_each_owner_got(engine: Engine) -> None:
    started(engine, decision_maker=Person(email="boss@acme.example"))
    [step] = _steps(engine)
    task_id = step.task_ids[0]
    reminder = OutboxMessage(
        key="reminder:1",
        kind="reminder",
        recipient="U0TARO",
        text="",
        blocks=[],
        at=LATER,
        project_id=step.project.id,
        task_ids=(task_id, 999_999),
    )
    with session_scope(engine) as session:
        outbox.enqueue(session=session, rows=[reminder])
        assert escalations.reminders_sent(session=session, steps=[step]) == {}  # not sent yet
    with session_scope(engine) as session:
        [row] = outbox.claim_batch(
            session=session, now=LATER, worker="w", lease=timedelta(minutes=2), limit=1
        )
        outbox.record_sent_many(
            session=session, worker="w", now=LATER, sent=[(row, "D1", "1.1", "dm")]
        )
    with session_scope(engine) as session:
        assert escalations.reminders_sent(session=session, steps=[step]) == {task_id: 1}


def test_a_draft_is_sent_once_and_only_by_cs_staff(engine: Engine) -> None:
    started(engine, decision_maker=Person(email="boss@acme.example"))
    [step] = _steps(engine)
    escalation_id = _record(engine, step, "csm")
    assert escalation_id is not None

    def to_her(view: StepView) -> OutboxMessage:
        return _note(view.send_key)

    def send(actor: Actor) -> escalations.Decision:
        with session_scope(engine) as session:
            return escalations.send(
                session=session, escalation_id=escalation_id, actor=actor, now=LATER, message=to_her
            )

    assert send(CUSTOMER).refusal == "deny.draft_not_staff"
    decided = send(STAFF)
    assert decided.done and decided.step is not None and decided.step.status == "sent"
    again = send(STAFF)
    assert not again.done and again.refusal == "error.draft_sent"
    with session_scope(engine) as session:
        sent = [r.key for r in outbox_rows.rows(session=session) if r.key == decided.step.send_key]
        skipped = escalations.skip(
            session=session, escalation_id=escalation_id, actor=STAFF, reason="late", now=LATER
        )
    assert len(sent) == 1 and skipped.refusal == "error.draft_sent"
