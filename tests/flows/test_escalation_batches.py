"""The escalations job records the day's decision-maker steps several to a transaction:
every step exactly once however many transactions the morning takes, when the job runs
twice, when two runs start at the same instant, and when a run stops between two
transactions (the next run records the rest)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.domain.command_text import Person
from bot.flows import escalation_steps
from bot.flows.job_report import Queued
from storage import events
from storage.db import session_scope
from storage.models import Escalation, Event, Outbox, Project
from tests.flows.fakes import fake_deps
from tests.services.world import started

LATER = datetime(2027, 4, 28, 0, 5, tzinfo=UTC)  # Wed 09:05 in Tokyo, three weeks on
PROJECTS = 7


@dataclass(frozen=True)
class Written:
    """What the job wrote about the day's steps, in the order it was written."""

    steps: list[str]  # escalation keys
    statuses: list[str]
    messages: list[str]  # outbox keys of the steps' messages
    events: list[int | None]  # project ids of the `escalation.*` events


def portfolio(engine: Engine) -> list[int]:
    """Seven projects three weeks late: with and without a decision-maker linked, in `csm`
    approval mode (the default) and one in `auto` mode."""
    ids = [
        started(
            engine,
            customer=f"Customer{n}",
            champion=Person(email=f"taro@c{n}.example"),
            decision_maker=Person(email=f"boss@c{n}.example") if n % 2 else None,
        )
        for n in range(PROJECTS)
    ]
    with session_scope(engine) as session:
        session.execute(
            update(Project).where(col(Project.id) == ids[1]).values(escalation_approval="auto")
        )
    return ids


def written(engine: Engine) -> Written:
    with session_scope(engine) as session:
        steps = session.exec(select(Escalation).order_by(col(Escalation.id))).all()
        messages = session.exec(
            select(Outbox.key).where(Outbox.kind == "escalation").order_by(col(Outbox.id))
        ).all()
        logged = session.exec(
            select(Event.project_id)
            .where(col(Event.kind).startswith("escalation."))
            .order_by(col(Event.id))
        ).all()
    return Written([s.key for s in steps], [s.status for s in steps], list(messages), list(logged))


def step_lines(queued: Queued) -> list[str]:
    """The report's lines about steps recorded (`dm:<project>:<day>: <status>`)."""
    return [line for line in queued.planned if line.startswith("dm:")]


def run(engine: Engine) -> Queued:
    deps, _gateway, _directory = fake_deps(engine, now=LATER)
    return escalation_steps.queue_escalations(deps, now=LATER, dry_run=False)


def dry_run_keys(engine: Engine) -> list[str]:
    """The outbox keys a dry run says the steps' messages would have."""
    deps, _gateway, _directory = fake_deps(engine, now=LATER)
    queued = escalation_steps.queue_escalations(deps, now=LATER, dry_run=True)
    return [line.split(" → ")[0] for line in queued.planned if line.startswith("escalation:")]


def morning(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, *, per_transaction: int
) -> tuple[list[int], list[str]]:
    """The portfolio's projects and the keys of their steps' messages (as a dry run lists
    them), the job recording `per_transaction` steps to a transaction."""
    projects = portfolio(engine)
    monkeypatch.setattr(escalation_steps, "STEPS_PER_TRANSACTION", per_transaction)
    return projects, dry_run_keys(engine)


def assert_each_step_once(
    engine: Engine, projects: list[int], expected_messages: list[str]
) -> None:
    """One step per project (its status by the project's decision-maker and approval mode),
    its messages and its event, each once (in any order: two runs may share the work)."""
    done = written(engine)
    statuses = ["waiting", "sent", "waiting", "draft", "waiting", "draft", "waiting"]
    assert sorted(zip(done.steps, done.statuses, strict=True)) == sorted(
        (f"dm:{pid}:2027-04-28", status) for pid, status in zip(projects, statuses, strict=True)
    )
    assert sorted(done.messages) == sorted(expected_messages)
    assert sorted(p or 0 for p in done.events) == projects


def test_a_morning_of_more_steps_than_one_transaction_records_each_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects, expected = morning(engine, monkeypatch, per_transaction=3)  # three of them
    assert len(expected) >= PROJECTS  # every step has a message (the CSM's, or hers)
    first = run(engine)
    assert step_lines(first) == [
        f"dm:{pid}:2027-04-28: {status}"
        for pid, status in zip(projects, written(engine).statuses, strict=True)
    ]
    assert_each_step_once(engine, projects, expected)
    assert written(engine).messages == expected  # in the plan's order, as one by one
    again = run(engine)  # the job run again (another hour, a restart): nothing more
    assert step_lines(again) == [] and again.enqueued == 0
    assert_each_step_once(engine, projects, expected)


def test_a_run_stopped_between_transactions_loses_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects, expected = morning(engine, monkeypatch, per_transaction=3)
    failed: list[int] = []

    def crash_in_the_second_transaction(session: Session, event: Event) -> None:
        if event.project_id == projects[4] and not failed:
            failed.append(projects[4])
            raise RuntimeError("the process died here")

    events.follow(engine, crash_in_the_second_transaction)
    with pytest.raises(RuntimeError, match="died"):
        run(engine)
    halfway = written(engine)
    # The first transaction, whole; nothing of the second (its first step came before the crash).
    assert failed and halfway.events == projects[:3]
    assert halfway.steps == [f"dm:{pid}:2027-04-28" for pid in projects[:3]]
    assert halfway.messages == expected[: len(halfway.messages)]
    rest = run(engine)  # the next run records the rest
    assert [line.split(":")[1] for line in step_lines(rest)] == [str(p) for p in projects[3:]]
    assert_each_step_once(engine, projects, expected)


def test_two_runs_at_the_same_instant_record_each_step_once(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    projects, expected = morning(engine, monkeypatch, per_transaction=2)
    start = threading.Barrier(2)
    reports: list[Queued] = []
    errors: list[BaseException] = []

    def replica() -> None:
        start.wait()
        try:
            reports.append(run(engine))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(reports) == 2
    lines = step_lines(reports[0]) + step_lines(reports[1])
    assert sorted(line.split(":")[1] for line in lines) == sorted(str(p) for p in projects)
    assert sum(r.enqueued for r in reports) >= PROJECTS
    assert_each_step_once(engine, projects, expected)
