"""Done / Undo through real button clicks, with permissions, double clicks and retries."""

import pytest

from slack_sandbox.models import ButtonRef
from tests.e2e.harness import Harness, project_events, project_tasks

START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"


@pytest.fixture
def channel(bot: Harness) -> str:
    channel_id = bot.start_project(START)
    bot.sandbox.accept_shared_invite(channel_id, "taro@acme.example")
    bot.settle()
    return channel_id


def _task(bot: Harness, channel: str, side: str):  # type: ignore[no-untyped-def]
    return next(
        t for t in project_tasks(bot, channel) if t.owner_side == side and t.status == "open"
    )


def _click(bot: Harness, user, channel: str, action: str, task_id: int, **options):  # type: ignore[no-untyped-def]
    response = bot.driver.click(
        user.id, channel_id=channel, action_id=action, value=str(task_id), **options
    )
    bot.settle()
    return response


def _checklist(bot: Harness, channel: str) -> str:
    return str(bot.sandbox.messages(channel)[1]["blocks"])


def test_joined_customer_is_linked_as_champion(bot: Harness, channel: str) -> None:
    # The champion's tasks now show the person, not the role.
    assert f"<@{bot.people.customer.id}>" in _checklist(bot, channel)
    joined = project_events(bot, channel, "stakeholder.joined")
    assert len(joined) == 1 and joined[0].after["role"] == "champion"


def test_customer_completes_customer_task_checklist_updates_and_thread_note(
    bot: Harness, channel: str
) -> None:
    task = _task(bot, channel, "customer")
    assert _click(bot, bot.people.customer, channel, "task_done", task.id).status == 200
    done = next(t for t in project_tasks(bot, channel) if t.id == task.id)
    assert done.status == "done" and done.completed_by == bot.people.customer.id
    assert "1/12" in _checklist(bot, channel)
    checklist_ts = bot.sandbox.messages(channel)[1]["ts"]
    notes = bot.sandbox.replies(channel, checklist_ts)
    assert any(bot.people.customer.id in n.get("text", "") for n in notes)
    assert len(bot.sandbox.calls("chat.update")) >= 1


def test_customer_is_refused_on_a_vendor_task_and_nothing_changes(
    bot: Harness, channel: str
) -> None:
    task = _task(bot, channel, "vendor")
    _click(bot, bot.people.customer, channel, "task_done", task.id)
    assert next(t for t in project_tasks(bot, channel) if t.id == task.id).status == "open"
    refusals = bot.ephemerals(bot.people.customer)
    assert any("vendor" in text for text in refusals), refusals
    assert project_events(bot, channel, "task.completed") == []


def test_undo_by_csm_and_refused_for_another_customer_member(bot: Harness, channel: str) -> None:
    task = _task(bot, channel, "customer")
    _click(bot, bot.people.csm, channel, "task_done", task.id)
    _click(bot, bot.people.customer, channel, "task_undo", task.id)
    assert next(t for t in project_tasks(bot, channel) if t.id == task.id).status == "done"
    assert any("undo" in text.lower() for text in bot.ephemerals(bot.people.customer))
    _click(bot, bot.people.csm, channel, "task_undo", task.id)
    assert next(t for t in project_tasks(bot, channel) if t.id == task.id).status == "open"
    assert len(project_events(bot, channel, "task.reopened")) == 1


def test_double_click_and_slack_retry_record_once(bot: Harness, channel: str) -> None:
    task = _task(bot, channel, "customer")
    _click(bot, bot.people.customer, channel, "task_done", task.id)
    # The checklist now shows Undo; a stale copy of the message on another device still
    # shows Done: the second click and Slack's retry of it must not record anything.
    for options in ({}, {"retry_num": 1, "retry_reason": "http_timeout"}):
        bot.driver.press(
            bot.people.customer.id,
            _stale_done_button(bot, channel, task.id),
            value=str(task.id),
            **options,
        )
        bot.settle()
    assert len(project_events(bot, channel, "task.completed")) == 1
    assert (
        next(t for t in project_tasks(bot, channel) if t.id == task.id).completed_by
        == bot.people.customer.id
    )


def _stale_done_button(bot: Harness, channel: str, task_id: int):  # type: ignore[no-untyped-def]
    """The Done button as it was in the first posted version of the checklist."""
    ts = bot.sandbox.messages(channel)[1]["ts"]
    return ButtonRef(
        action_id="task_done",
        block_id=f"task-{task_id}-actions",
        channel_id=channel,
        message_ts=ts,
        element={"type": "button", "action_id": "task_done", "value": str(task_id)},
    )
