"""One health rule everywhere: for each state, `/onboard status`, the checklist header, the
App Home and the digest show the same state of the same project (table-driven)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from sqlmodel import col

from bot.blocks.health import health_label
from bot.flows.checklist import refresh_checklist
from bot.flows.digest import compute
from storage.db import session_scope
from storage.models import Task
from tests.e2e.harness import Harness, project_tasks

NOW = datetime(2027, 4, 21, 1, 0, tzinfo=UTC)  # Wednesday 10:00 in Tokyo


def overdue_by(days_ago: date) -> Callable[[Harness, str], None]:
    """One required customer task was due on `days_ago` and is still open."""

    def setup(bot: Harness, channel: str) -> None:
        task = next(
            t for t in project_tasks(bot, channel) if t.owner_side == "customer" and t.required
        )
        with session_scope(bot.deps.engine) as session:
            session.execute(update(Task).where(col(Task.id) == task.id).values(due=days_ago))

    return setup


def nothing_due(bot: Harness, channel: str) -> None:
    """Every open task moved after today: nothing is overdue."""
    with session_scope(bot.deps.engine) as session:
        for task in project_tasks(bot, channel):
            if task.due <= date(2027, 4, 21):
                session.execute(
                    update(Task).where(col(Task.id) == task.id).values(due=date(2027, 5, 6))
                )


def command(text: str) -> Callable[[Harness, str], None]:
    def setup(bot: Harness, channel: str) -> None:
        nothing_due(bot, channel)
        bot.slash(bot.people.csm, channel, text)

    return setup


STATES = [
    ("on_track", nothing_due),
    ("at_risk", overdue_by(date(2027, 4, 19))),  # 2 business days overdue
    ("late", overdue_by(date(2027, 4, 9))),  # 7 business days overdue
    ("paused", command("pause")),
    ("completed", command("close completed")),
    ("cancelled", command("close cancelled")),
]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("state", "setup"), STATES, ids=[s for s, _ in STATES])
def test_every_surface_shows_the_same_state(
    bot: Harness, state: str, setup: Callable[[Harness, str], None]
) -> None:
    csm = bot.people.csm
    bot.now = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --go-live 2027-07-30 "
        "--champion taro@acme.example --lang en"
    )
    bot.now = NOW
    nothing_due(bot, channel)
    setup(bot, channel)
    label = health_label("en", state)
    project_id = project_tasks(bot, channel)[0].project_id
    # /onboard status in the channel.
    bot.slash(csm, channel, "status")
    status = bot.sandbox.ephemerals(user_id=csm.id)[-1]
    assert label in status["blocks"][0]["text"]["text"]
    others = [health_label("en", s) for s, _ in STATES if s != state]
    assert not [o for o in others if o in status["blocks"][0]["text"]["text"]]
    # The checklist's header.
    refresh_checklist(bot.deps, project_id)
    header = next(
        b["text"]["text"]
        for m in bot.sandbox.messages(channel)
        for b in m["blocks"]
        if b.get("block_id") == "checklist-header"
    )
    assert label in header and not [o for o in others if o in header]
    # The App Home lists running projects, each with its state (in the CSM's language).
    bot.driver.app_home_opened(csm.id)
    bot.settle()
    home = str(bot.sandbox.home_view(csm.id)["blocks"])
    if state in ("completed", "cancelled"):
        assert "Acme Corp" not in home
    else:
        assert f"*Acme Corp* · {health_label('ja', state)}" in home
    # The digest counts it under the same state (ended projects are not running).
    portfolio = compute(bot.deps, now=bot.now).portfolio
    if state in ("completed", "cancelled"):
        assert portfolio.running == 0
    else:
        assert getattr(portfolio, state) == 1 and portfolio.running == 1
        assert [line.state for line in portfolio.lines] == (
            [state] if state in ("at_risk", "late") else []
        )
