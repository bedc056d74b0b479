"""Messages through the real WebClient: post, thread, update, ephemeral, DMs, pins, auth."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from slack_sandbox import Sandbox
from tests.sandbox.calls import error_of
from tests.sandbox.conftest import RateClock

BUTTON_BLOCKS = [
    {"type": "section", "block_id": "task", "text": {"type": "mrkdwn", "text": "*Kickoff*"}},
    {
        "type": "actions",
        "block_id": "task_actions",
        "elements": [
            {
                "type": "button",
                "action_id": "task_done",
                "value": "42",
                "text": {"type": "plain_text", "text": "Done"},
            }
        ],
    },
]


def test_auth_test_and_token_errors(sandbox: Sandbox) -> None:
    good = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url).auth_test()
    assert (good["user_id"], good["bot_id"], good["team_id"]) == ("U0BOT", "B0BOT", "T0INTERNAL")
    bad = WebClient(token="xoxb-wrong", base_url=sandbox.api_url)
    assert error_of(bad.auth_test) == "invalid_auth"
    anonymous = WebClient(base_url=sandbox.api_url)
    assert error_of(anonymous.auth_test) == "not_authed"
    good_client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    assert error_of(lambda: good_client.api_call("chat.teleport")) == "unknown_method"


def test_post_and_update_in_place(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-acme").id
    posted = client.chat_postMessage(channel=channel, text="Checklist", blocks=BUTTON_BLOCKS)
    assert posted["channel"] == channel
    assert posted["message"]["bot_id"] == sandbox.bot_id
    updated = client.chat_update(
        channel=channel, ts=posted["ts"], text="Checklist (1/1)", blocks=BUTTON_BLOCKS[:1]
    )
    assert updated["ts"] == posted["ts"]
    [message] = sandbox.messages(channel)
    assert message["text"] == "Checklist (1/1)"
    assert len(message["blocks"]) == 1
    assert "edited" in message
    assert error_of(lambda: client.chat_update(channel=channel, ts="1.000001", text="x")) == (
        "message_not_found"
    )


def test_update_keeps_blocks_when_left_out(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-keep").id
    ts = client.chat_postMessage(channel=channel, text="t", blocks=BUTTON_BLOCKS)["ts"]
    client.chat_update(channel=channel, ts=ts, text="new text")
    assert len(sandbox.messages(channel)[0]["blocks"]) == 2


def test_cannot_update_someone_elses_message(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice")
    channel = sandbox.add_channel("onb-x", members=[alice.id])
    sandbox.join_channel(channel.id, sandbox.add_user("bob").id)  # a channel_join notice
    notice = sandbox.messages(channel.id, include_system=True)[0]
    assert error_of(lambda: client.chat_update(channel=channel.id, ts=notice["ts"], text="x")) == (
        "cant_update_message"
    )


def test_post_errors(sandbox: Sandbox, client: WebClient) -> None:
    outside = sandbox.add_channel("elsewhere", bot_is_member=False).id
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == (
        "channel_not_found"
    )
    assert error_of(lambda: client.chat_postMessage(channel=outside, text="x")) == (
        "not_in_channel"
    )
    mine = sandbox.add_channel("mine").id
    with pytest.warns(UserWarning, match="top-level `text`"):
        assert error_of(lambda: client.chat_postMessage(channel=mine, text="")) == "no_text"
    assert error_of(lambda: client.chat_postMessage(channel=mine, text="x" * 40_001)) == (
        "msg_too_long"
    )
    assert [v.code for v in sandbox.block_violations] == ["msg_too_long"]
    sandbox.archive_channel(mine)
    assert error_of(lambda: client.chat_postMessage(channel=mine, text="x")) == "is_archived"


def test_ts_are_unique_and_increasing(
    sandbox: Sandbox, client: WebClient, rate_clock: RateClock
) -> None:
    channel = sandbox.add_channel("fast").id
    stamps = []
    for i in range(20):
        stamps.append(client.chat_postMessage(channel=channel, text=str(i))["ts"])
        rate_clock.tick()
    assert len(set(stamps)) == 20
    assert stamps == sorted(stamps, key=float)
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_thread_replies(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("threads").id
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    client.chat_postMessage(channel=channel, text="reply", thread_ts=parent)
    assert [m["text"] for m in sandbox.messages(channel)] == ["parent"]
    assert [m["text"] for m in sandbox.replies(channel, parent)] == ["reply"]
    assert sandbox.messages(channel)[0]["reply_count"] == 1
    thread = client.conversations_replies(channel=channel, ts=parent)["messages"]
    assert [m["text"] for m in thread] == ["parent", "reply"]


def test_dm_goes_to_the_id_conversations_open_gives(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice", tz="Asia/Tokyo")
    im = client.conversations_open(users=alice.id)["channel"]["id"]
    posted = client.chat_postMessage(channel=im, text="Reminder: kickoff today")
    assert posted["channel"] == im and im.startswith("D")
    assert [m["text"] for m in sandbox.dm_messages(alice.id)] == ["Reminder: kickoff today"]
    history = client.conversations_history(channel=im)["messages"]
    assert [m["text"] for m in history] == ["Reminder: kickoff today"]


def test_a_post_to_a_bare_user_id_lands_in_their_slackbot_dm(
    sandbox: Sandbox, client: WebClient
) -> None:
    alice = sandbox.add_user("alice")
    im = client.conversations_open(users=alice.id)["channel"]["id"]
    posted = client.chat_postMessage(channel=alice.id, text="lost")
    assert posted["channel"] != im
    assert sandbox.dm_messages(alice.id) == []
    assert [m["text"] for m in sandbox.slackbot_messages(alice.id)] == ["lost"]
    # The app is not in that conversation: it cannot find its message there again.
    assert error_of(lambda: client.conversations_history(channel=posted["channel"])) == (
        "not_in_channel"
    )


def test_external_people_get_a_dm_once_they_share_a_channel(
    sandbox: Sandbox, client: WebClient
) -> None:
    customer = sandbox.add_external_user("carol@customer.example")
    assert customer.team_id != sandbox.team_id
    assert error_of(lambda: client.conversations_open(users=customer.id)) == (
        "invalid_user_combination"
    )
    sandbox.add_channel("onb-carol", members=[customer.id])
    im = client.conversations_open(users=customer.id)["channel"]["id"]
    client.chat_postMessage(channel=im, text="Your tasks this week")
    assert [m["text"] for m in sandbox.dm_messages(customer.id)] == ["Your tasks this week"]
    # A bare user id of another organisation is no conversation at all.
    assert error_of(lambda: client.chat_postMessage(channel=customer.id, text="hi")) == (
        "channel_not_found"
    )


def test_deactivated_users_cannot_be_dmed(sandbox: Sandbox, client: WebClient) -> None:
    gone = sandbox.add_user("gone", deleted=True)
    assert error_of(lambda: client.chat_postMessage(channel=gone.id, text="hi")) == (
        "channel_not_found"
    )
    assert error_of(lambda: client.conversations_open(users=gone.id)) == "user_disabled"


def test_ephemeral(sandbox: Sandbox, client: WebClient) -> None:
    alice, bob = sandbox.add_user("alice"), sandbox.add_user("bob")
    channel = sandbox.add_channel("onb-eph", members=[alice.id]).id
    client.chat_postEphemeral(channel=channel, user=alice.id, text="only you")
    assert (
        error_of(lambda: client.chat_postEphemeral(channel=channel, user=bob.id, text="x"))
        == "user_not_in_channel"
    )
    [seen] = sandbox.ephemerals(user_id=alice.id)
    assert (seen["channel"], seen["text"], seen["source"]) == (
        channel,
        "only you",
        "chat.postEphemeral",
    )
    assert sandbox.ephemerals(user_id=bob.id) == []
    assert sandbox.messages(channel) == []


def test_pins_and_permalink(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-pins").id
    ts = client.chat_postMessage(channel=channel, text="Checklist")["ts"]
    assert error_of(lambda: client.pins_add(channel=channel)) == "no_item_specified"
    client.pins_add(channel=channel, timestamp=ts)
    assert error_of(lambda: client.pins_add(channel=channel, timestamp=ts)) == "already_pinned"
    items = client.pins_list(channel=channel)["items"]
    assert [i["message"]["ts"] for i in items] == [ts]
    assert sandbox.channel(channel)["pins"] == [ts]
    link = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/{channel}/p{ts.replace('.', '')}")


def test_users_info_lookup_and_team(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user(
        "alice", email="alice@acme.test", tz="America/New_York", locale="ja-JP"
    )
    info = client.users_info(user=alice.id, include_locale=True)["user"]
    assert info["tz"] == "America/New_York"
    assert info["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert info["profile"]["email"] == "alice@acme.test"
    assert info["locale"] == "ja-JP"
    assert client.users_lookupByEmail(email="ALICE@acme.test")["user"]["id"] == alice.id
    assert error_of(lambda: client.users_lookupByEmail(email="x@y.z")) == "users_not_found"
    assert error_of(lambda: client.users_info(user="U0NOPE")) == "user_not_found"
    assert client.team_info()["team"]["id"] == sandbox.team_id


def test_calls_log_decodes_json_fields(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("log").id
    client.chat_postMessage(channel=channel, text="t", blocks=BUTTON_BLOCKS)
    [call] = sandbox.calls("chat.postMessage")
    assert call.args["blocks"][0]["block_id"] == "task"
    assert call.result["ok"] is True and call.status == 200


def test_find_button_in_posted_message(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("btn").id
    client.chat_postMessage(channel=channel, text="t", blocks=BUTTON_BLOCKS)
    ref = sandbox.find_button(channel, "task_done", value="42")
    assert (ref.block_id, ref.value, ref.channel_id) == ("task_actions", "42", channel)
    message = sandbox.messages(channel)[0]
    assert sandbox.find_button(message, "task_done").message_ts == message["ts"]


def test_updating_in_an_archived_channel_is_inactive(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("old").id
    ts = client.chat_postMessage(channel=channel, text="checklist")["ts"]
    sandbox.archive_channel(channel)
    assert error_of(lambda: client.chat_update(channel=channel, ts=ts, text="x")) == "is_inactive"
