"""A checklist of several messages is edited on `Deps.edits`, a pool Deps owns: a click
waits for every edit of its checklist, and closing Deps shuts that pool down too."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.deps import EDIT_THREADS
from bot.domain.playbook import Playbook, load_playbooks
from bot.flows import task_buttons
from bot.services.projects import record_messages
from storage import tasks
from storage.db import session_scope
from tests.flows.fakes import FakeGateway, caller, fake_deps
from tests.services.seeds import CHANNEL, NOW, running_project

STAMPS = ["2.0", "3.0", "4.0"]


def _long_playbook() -> Playbook:
    """Low-touch with 60 more optional tasks: its checklist takes three messages."""
    shipped = load_playbooks()["low-touch"].model_dump(mode="json")
    extra = dict(shipped["tasks"][-1], required=False, depends_on=[], first_value=False)
    shipped["tasks"] += [dict(extra, id=f"extra-{n}") for n in range(60)]
    return Playbook.model_validate(shipped)


def _long_checklist(engine: Engine) -> int:
    """A customer task of Acme's project whose checklist is posted as three messages."""
    project_id = running_project(engine, playbook=_long_playbook())
    with session_scope(engine) as session:
        record_messages(
            session=session, project_id=project_id, welcome_ts="1.0", checklist_ts=STAMPS
        )
        rows = tasks.of_project(session=session, project_id=project_id)
        task_id = next(t.id for t in rows if t.owner_side == "customer")
    assert task_id is not None
    return task_id


@dataclass
class SlowGateway(FakeGateway):
    """Edits of the checklist's later messages take a while, on the thread they run in."""

    edited_on: dict[str, str] = field(default_factory=dict)  # ts: thread name
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update_message(self, channel: str, ts: str, message: Any) -> None:
        if ts != STAMPS[0]:
            time.sleep(0.2)
        with self.lock:
            self.edited_on[ts] = threading.current_thread().name
            super().update_message(channel, ts, message)


def test_a_click_returns_once_every_checklist_message_is_edited(engine: Engine) -> None:
    task_id = _long_checklist(engine)
    deps, _, _ = fake_deps(engine, now=NOW)
    gateway = SlowGateway()
    deps.gateway = gateway  # type: ignore[assignment]  # the fake has the part flows use
    try:
        assert task_buttons.done(deps, task_id, caller(deps, "WCUST", channel_id=CHANNEL)) == []
        assert sorted(ts for _, ts in gateway.updated) == STAMPS  # all done when it returns
        assert deps.edits.pending == 0
        assert not gateway.edited_on["2.0"].startswith("checklist-edit")
        assert all(gateway.edited_on[ts].startswith("checklist-edit") for ts in STAMPS[1:])
    finally:
        deps.close()


def test_closing_deps_shuts_every_pool_down(engine: Engine) -> None:
    deps, _, _ = fake_deps(engine, now=NOW)
    assert deps.edits in deps.executors and deps.work in deps.executors
    deps.close()
    for executor in deps.executors:
        with pytest.raises(RuntimeError, match="after shutdown"):
            executor.submit(print)


def test_closing_without_waiting_drops_edits_not_yet_started(engine: Engine) -> None:
    deps, _, _ = fake_deps(engine, now=NOW)
    gate = threading.Event()
    running = [deps.edits.submit(gate.wait, 10) for _ in range(EDIT_THREADS)]
    queued = deps.edits.submit(print)
    deps.close(wait=False)
    gate.set()
    assert queued.cancelled()
    assert all(future.result(timeout=10) for future in running)
