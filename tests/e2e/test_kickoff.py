"""`/onboard start` end to end: channel, invitations, welcome, pinned checklist."""

import re

from tests.e2e.harness import Harness


def test_start_by_command_creates_channel_welcome_and_pinned_checklist(bot: Harness) -> None:
    channel_id = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 "
        "--champion taro@acme.example --decision-maker hanako@acme.example --lang ja"
    )
    channel = bot.sandbox.channel(channel_id)
    assert channel["name"] == "onb-acme"  # legal-entity words dropped
    assert bot.people.csm.id in channel["members"]
    assert "Acme Corp" in channel["topic"]["value"]
    invites = sorted(i["email"] for i in channel["shared_invites"])
    assert invites == ["hanako@acme.example", "taro@acme.example"]
    posts = bot.sandbox.messages(channel_id)
    assert len(posts) >= 2
    welcome, checklist = posts[0], posts[1]
    assert f"<@{bot.people.csm.id}>" in str(welcome["blocks"])
    assert channel["pins"] == [checklist["ts"]]
    assert "0/12" in str(checklist["blocks"])
    assert any(b.get("action_id") == "task_done" for b in _buttons(checklist))
    notes = bot.ephemerals(bot.people.csm)
    assert any("Acme Corp" in n for n in notes)
    assert bot.sandbox.block_violations == []


def _buttons(message: dict) -> list[dict]:
    out = []
    for block in message.get("blocks", []):
        if block.get("accessory", {}).get("type") == "button":
            out.append(block["accessory"])
        out += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return out


def test_topic_and_purpose_are_cut_on_character_boundaries_keeping_the_csm(bot: Harness) -> None:
    """80 `<` become 320 characters once escaped: more than a topic (250) may hold."""
    channel_id = bot.start_project('"' + "<" * 80 + '" --playbook tech-touch --lang en')
    calls = {
        c.method: c.args
        for c in bot.sandbox.calls()
        if c.method in ("conversations.setTopic", "conversations.setPurpose")
    }
    topic = calls["conversations.setTopic"]["topic"]
    purpose = calls["conversations.setPurpose"]["purpose"]
    for text in (topic, purpose):
        assert len(text) <= 250
        assert "…" in text and "<<" not in text
        assert not re.search(r"&[a-z]*…", text), text  # no entity cut in half
    assert topic.endswith(f"CSM <@{bot.people.csm.id}>")  # the mention is whole
    assert bot.sandbox.channel(channel_id)["topic"]["value"]
