"""The work after an acknowledgement (Bolt's lazy listeners): what it sees and who hears of
its failures."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.flows import home, schedule, status
from bot.i18n import LOCALES, t
from tests.e2e.harness import Harness, project_tasks

UNEXPECTED = {t(locale, "error.unexpected") for locale in LOCALES}


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("a defect in the work after the answer")


def test_an_error_in_a_buttons_lazy_work_reaches_the_person_in_their_language(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = bot.start_project("Acme Corp --playbook low-touch --kickoff 2027-04-05")
    monkeypatch.setattr(status, "status", _boom)
    checklist = bot.sandbox.messages(channel)[1]
    answer = bot.driver.click_button(bot.people.csm.id, checklist, "open_status")
    bot.settle()
    assert answer.status == 200 and answer.text == ""
    assert [text for text in bot.ephemerals(bot.people.csm) if text in UNEXPECTED]


def test_an_error_in_a_commands_lazy_work_reaches_the_person(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.start_project("Acme Corp --playbook low-touch --kickoff 2027-04-05")
    monkeypatch.setattr(status, "status", _boom)
    before = len(bot.ephemerals(bot.people.csm))
    answer = bot.slash(bot.people.csm, bot.general, "status")
    assert answer.status == 200
    assert [text for text in bot.ephemerals(bot.people.csm)[before:] if text in UNEXPECTED]


def test_an_error_in_an_events_lazy_work_is_logged(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(home, "publish", _boom)
    answer = bot.driver.app_home_opened(bot.people.csm.id)
    bot.settle()
    assert answer.status == 200
    assert any(
        r.name == "onboardbot.handlers" and "a defect" in str(r.exc_info and r.exc_info[1])
        for r in caplog.records
    )


def test_need_more_time_announces_the_move_once_it_is_saved(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.now = datetime(2027, 2, 26, 1, 0, tzinfo=UTC)
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-03-01 --champion taro@acme.example"
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    task = next(t for t in project_tasks(bot, channel) if t.owner_role == "champion")
    new_due = task.due + timedelta(days=7)
    while new_due.weekday() >= 5:
        new_due += timedelta(days=1)
    seen: list[tuple[date, str]] = []
    announce = schedule.announce_move

    def recording(deps: Any, caller: Any, moved: Any) -> None:
        saved = next(t for t in project_tasks(bot, channel) if t.id == task.id)
        seen.append((saved.due, threading.current_thread().name))
        announce(deps, caller, moved)

    monkeypatch.setattr(schedule, "announce_move", recording)
    bot.driver.click(
        bot.people.customer.id,
        channel_id=channel,
        action_id="task_more_time",
        value=str(task.id),
        message_ts=bot.sandbox.messages(channel)[1]["ts"],
    )
    bot.settle()
    view_id = bot.sandbox.views_for(bot.people.customer.id)[-1]["id"]
    answer = bot.driver.submit_view(
        bot.people.customer.id,
        view_id,
        {"new_due": {"new_due": new_due.isoformat()}, "reason": {"reason": "other"}},
    )
    bot.settle()
    assert answer.status == 200 and not (answer.json or {}).get("errors")
    # Announced once, on the work pool, and the move it announces was already saved.
    assert len(seen) == 1
    assert seen[0][0] == new_due
    assert seen[0][1].startswith("after-ack")
