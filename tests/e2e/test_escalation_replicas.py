"""The escalations job in two processes started at the same instant (two replicas, or a
restart over a run still going): each decision-maker step is recorded once, and the
CSM gets each of its messages once."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from storage import outbox
from storage.db import session_scope
from storage.models import Escalation, Event
from tests.e2e.harness import Harness
from tests.e2e.test_escalation_steps import key_of
from tests.e2e.test_reminder_faults import PEOPLE, crowd, job_process

__all__ = ["crowd"]  # the fixture: six projects, no decision-maker linked in any

LATER = datetime(2027, 4, 28, 0, 5, tzinfo=UTC)  # Wed 09:05 in Tokyo, three weeks on


def run_at_once(bot: Harness, count: int) -> None:
    runs = [job_process(bot, "escalations", "--now", LATER.isoformat()) for _ in range(count)]
    for run in runs:
        output, _ = run.communicate(timeout=180)
        assert run.returncode == 0, output


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_processes_run_the_escalations_job_at_the_same_instant(
    bot: Harness, crowd: list[str]
) -> None:
    run_at_once(bot, 2)
    run_at_once(bot, 1)  # and once more later: nothing new
    with session_scope(bot.deps.engine) as session:
        steps = session.exec(select(Escalation)).all()
        # (the outbox logs `escalation.sent` for each message it delivered)
        waiting = select(Event.project_id).where(Event.kind == "escalation.waiting")
        logged = session.exec(waiting).all()
        rows = outbox.rows(session=session, kind_prefix="escalation")
    projects = sorted(s.project_id for s in steps)
    assert len(projects) == len(set(projects)) == PEOPLE  # one step per project
    assert {s.status for s in steps} == {"waiting"}
    assert sorted(p or 0 for p in logged) == projects
    to_csm = [key_of(m) for m in bot.sandbox.dm_messages(bot.people.csm.id)]
    notes = sorted(key for key in to_csm if key.startswith("escalation:"))
    assert notes == sorted(r.key for r in rows) and len(notes) == PEOPLE  # each once
