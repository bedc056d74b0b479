"""Every message the bot posts about a project says so in Slack message metadata, for other
apps and Workflow Builder: an onboarding_* event type, the project id and the task ids."""

from datetime import UTC, datetime, timedelta

from bot.blocks.message import EVENT_TYPES
from bot.flows.escalation_steps import run as escalations
from bot.flows.reminders import run as reminders
from tests.e2e.harness import Harness, project_tasks


def test_posts_about_a_project_carry_its_ids(bot: Harness) -> None:
    bot.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    tasks = project_tasks(bot, channel)
    project_id = tasks[0].project_id
    task = next(t for t in tasks if t.owner_side == "customer")
    bot.driver.click(
        bot.people.customer.id, channel_id=channel, action_id="task_done", value=str(task.id)
    )
    bot.settle()
    late = datetime.combine(tasks[0].due, datetime.min.time(), tzinfo=UTC) + timedelta(days=6)
    bot.now = late
    reminders(bot.deps, now=late)
    escalations(bot.deps, now=late)
    bot.settle()

    posts = bot.sandbox.messages(channel, include_replies=True)
    dms = bot.sandbox.dm_messages(bot.people.csm.id) + bot.sandbox.dm_messages(
        bot.people.customer.id
    )
    assert len(posts) >= 4 and dms
    for message in posts + dms:
        metadata = message.get("metadata") or {}
        assert metadata.get("event_type") in EVENT_TYPES, message.get("text")
        payload = metadata["event_payload"]
        if metadata["event_type"] == "onboarding_summary":
            # The CSM's morning summary spans their projects: it names the tasks.
            assert payload["task_ids"], message.get("text")
            continue
        assert payload.get("project_id") == project_id, message.get("text")
    by_type = {m["metadata"]["event_type"]: m["metadata"]["event_payload"] for m in posts + dms}
    assert by_type["onboarding_project_started"]["project_id"] == project_id
    assert "onboarding_checklist" in by_type
    done = by_type["onboarding_task_completed"]
    assert done["task_id"] == task.id and done["task_ids"] == [task.id]
    assert by_type["onboarding_reminder"]["task_ids"]
    assert by_type["onboarding_summary"]["task_ids"]
    # The checklist keeps its metadata when it is edited in place.
    checklist = bot.sandbox.messages(channel)[1]
    assert checklist["metadata"]["event_type"] == "onboarding_checklist"
