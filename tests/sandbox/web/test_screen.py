"""What one person sees on the sandbox page: only their conversations, only their own
ephemeral messages, thread replies in the thread, unread marks until they look."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_sandbox import Sandbox
from slack_sandbox.web.screen import HOME, Screens


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(signing_secret="s", team_name="Vendor Co.", team_domain="vendor") as running:
        yield running


def test_each_person_sees_only_their_channels_dms_and_ephemerals(sandbox: Sandbox) -> None:
    csm = sandbox.add_user("sato", real_name="Kenji Sato")
    staff = sandbox.add_user("suzuki", real_name="Mika Suzuki")
    stranger = sandbox.add_external_user("jane@globex.example", real_name="Jane Smith")
    channel = sandbox.add_channel("onb-acme", members=[csm.id, staff.id]).id
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    client.chat_postMessage(channel=channel, text="*Checklist*")
    client.chat_postEphemeral(channel=channel, user=csm.id, text="only for Kenji")
    dm = client.conversations_open(users=csm.id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text="your reminder")
    screens = Screens(sandbox)

    mine = screens.state(csm.id, conversation=channel, thread=None)
    assert [m["html"] for m in mine["conversation"]["messages"]] == [
        '<div class="mrkdwn"><b>Checklist</b></div>',
        '<div class="mrkdwn">only for Kenji</div>',
    ]
    assert mine["conversation"]["messages"][1]["ephemeral"]
    assert {c["name"] for c in mine["sidebar"]} == {"onb-acme", "onboardbot"}

    theirs = screens.state(staff.id, conversation=channel, thread=None)
    assert [m["html"] for m in theirs["conversation"]["messages"]] == [
        '<div class="mrkdwn"><b>Checklist</b></div>'
    ]
    assert {c["name"] for c in theirs["sidebar"]} == {"onb-acme"}  # no DM of Kenji's

    outsider = screens.state(stranger.id, conversation=channel, thread=None)
    assert outsider["sidebar"] == [] and outsider["conversation"] is None
    assert screens.state(stranger.id, conversation=dm, thread=None)["conversation"] is None


def test_thread_replies_stay_in_the_thread_and_unread_marks_clear_on_reading(
    sandbox: Sandbox,
) -> None:
    csm = sandbox.add_user("sato", real_name="Kenji Sato")
    channel = sandbox.add_channel("onb-acme", members=[csm.id]).id
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    parent = client.chat_postMessage(channel=channel, text="digest")["ts"]
    client.chat_postMessage(channel=channel, text="details", thread_ts=parent)
    client.chat_postMessage(channel=channel, text="more details", thread_ts=parent)
    screens = Screens(sandbox)

    before = screens.state(csm.id, conversation=None, thread=None)
    assert before["sidebar"][0]["unread"] == 1  # the parent; replies wait in their thread

    opened = screens.state(csm.id, conversation=channel, thread=parent)
    assert [m["replies"] for m in opened["conversation"]["messages"]] == [2]
    thread_texts = [m["html"] for m in opened["thread"]["messages"]]
    assert thread_texts == [
        '<div class="mrkdwn">digest</div>',
        '<div class="mrkdwn">details</div>',
        '<div class="mrkdwn">more details</div>',
    ]
    assert screens.state(csm.id, conversation=None, thread=None)["sidebar"][0]["unread"] == 0
    client.chat_postMessage(channel=channel, text="new")
    assert screens.state(csm.id, conversation=None, thread=None)["sidebar"][0]["unread"] == 1


def test_invitations_pins_home_and_modal_errors(sandbox: Sandbox) -> None:
    csm = sandbox.add_user("sato", real_name="Kenji Sato")
    taro = sandbox.add_external_user("taro@acme.example", real_name="Taro Yamada")
    channel = sandbox.add_channel("onb-acme", members=[csm.id]).id
    sandbox.invite_by_hand(channel, "taro@acme.example", inviter=csm.id)
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    ts = client.chat_postMessage(channel=channel, text="Checklist\nline two")["ts"]
    client.pins_add(channel=channel, timestamp=ts)
    section = {"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "Projects"}}
    client.views_publish(user_id=csm.id, view={"type": "home", "blocks": [section]})
    screens = Screens(sandbox)

    invited = screens.state(taro.id, conversation=None, thread=None)
    assert invited["invites"] == [
        {"channel": channel, "name": "onb-acme", "from": "Kenji Sato", "org": "Vendor Co."}
    ]
    state = screens.state(csm.id, conversation=channel, thread=None)
    assert state["conversation"]["pins"] == [{"ts": ts, "text": "Checklist"}]
    assert state["conversation"]["messages"][0]["pinned"]
    home = screens.state(csm.id, conversation=HOME, thread=None)["home"]
    assert "Projects" in home["html"]
