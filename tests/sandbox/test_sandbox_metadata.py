"""Message metadata through the real WebClient: post, update, history, replies, DMs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient

from slack_sandbox import Sandbox
from tests.sandbox.calls import error_of

SENT = {"event_type": "onboarding_reminder", "event_payload": {"send_key": "k-1", "step": 2}}


def test_post_stores_metadata(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-meta").id
    posted = client.chat_postMessage(channel=channel, text="Reminder", metadata=SENT)
    assert posted["message"]["metadata"] == SENT
    [message] = sandbox.messages(channel)
    assert message["metadata"] == SENT
    assert sandbox.message(channel, posted["ts"])["metadata"] == SENT  # type: ignore[index]


def test_metadata_as_a_json_string_in_a_form_body(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-form").id
    client.api_call(
        "chat.postMessage",
        data={"channel": channel, "text": "Reminder", "metadata": json.dumps(SENT)},
    )
    assert sandbox.messages(channel)[0]["metadata"] == SENT


def test_extra_metadata_keys_are_dropped(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-extra").id
    client.chat_postMessage(channel=channel, text="x", metadata={**SENT, "colour": "blue"})
    assert sandbox.messages(channel)[0]["metadata"] == SENT


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ("not json", "invalid_metadata_format"),
        ("[1, 2]", "invalid_metadata_format"),
        ({"event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "", "event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": 7, "event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "task created", "event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "task-created", "event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "x" * 256, "event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "task_created"}, "invalid_metadata_schema"),
        ({"event_type": "task_created", "event_payload": "{}"}, "invalid_metadata_schema"),
    ],
)
def test_invalid_metadata_is_refused(
    sandbox: Sandbox, client: WebClient, metadata: Any, error: str
) -> None:
    channel = sandbox.add_channel("onb-bad").id
    if isinstance(metadata, str):  # as a form field, the way Slack's docs send it
        data = {"channel": channel, "text": "x", "metadata": metadata}
        got = error_of(lambda: client.api_call("chat.postMessage", data=data))
    else:
        got = error_of(
            lambda: client.chat_postMessage(channel=channel, text="x", metadata=metadata)
        )
    assert got == error
    assert sandbox.messages(channel) == []


def test_longest_event_type_is_accepted(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-long").id
    metadata = {"event_type": "A_9" * 85, "event_payload": {}}
    assert client.chat_postMessage(channel=channel, text="x", metadata=metadata)["ok"]
    assert sandbox.messages(channel)[0]["metadata"]["event_type"] == "A_9" * 85


def test_history_shows_metadata_only_with_include_all_metadata(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = sandbox.add_channel("onb-hist").id
    client.chat_postMessage(channel=channel, text="plain")
    client.chat_postMessage(channel=channel, text="tagged", metadata=SENT)
    plain = client.conversations_history(channel=channel)["messages"]
    assert [m["text"] for m in plain] == ["tagged", "plain"]
    assert all("metadata" not in m for m in plain)
    full = client.conversations_history(channel=channel, include_all_metadata=True)["messages"]
    assert full[0]["metadata"] == SENT
    assert "metadata" not in full[1]
    # Hiding it in one answer does not lose it.
    assert sandbox.messages(channel)[1]["metadata"] == SENT


def test_replies_show_metadata_only_with_include_all_metadata(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = sandbox.add_channel("onb-thread").id
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    client.chat_postMessage(channel=channel, text="reply", thread_ts=parent, metadata=SENT)
    plain = client.conversations_replies(channel=channel, ts=parent)["messages"]
    assert all("metadata" not in m for m in plain)
    full = client.conversations_replies(channel=channel, ts=parent, include_all_metadata=True)
    assert full["messages"][1]["metadata"] == SENT
    assert sandbox.replies(channel, parent)[0]["metadata"] == SENT


def test_update_replaces_keeps_or_removes_metadata(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-upd").id
    ts = client.chat_postMessage(channel=channel, text="v1", metadata=SENT)["ts"]
    client.chat_update(channel=channel, ts=ts, text="v2")
    assert sandbox.message(channel, ts)["metadata"] == SENT  # type: ignore[index]
    done = {"event_type": "onboarding_done", "event_payload": {"send_key": "k-1"}}
    updated = client.chat_update(channel=channel, ts=ts, text="v3", metadata=done)
    assert updated["message"]["metadata"] == done
    assert sandbox.message(channel, ts)["metadata"] == done  # type: ignore[index]
    bad = {"event_type": "no spaces", "event_payload": {}}
    refused = error_of(lambda: client.chat_update(channel=channel, ts=ts, text="v4", metadata=bad))
    assert refused == "invalid_metadata_schema"
    assert sandbox.message(channel, ts)["text"] == "v3"  # type: ignore[index]
    client.chat_update(channel=channel, ts=ts, text="v5", metadata={})
    assert "metadata" not in sandbox.message(channel, ts)  # type: ignore[operator]


def test_dm_messages_include_metadata(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice")
    im = client.conversations_open(users=alice.id)["channel"]["id"]
    posted = client.chat_postMessage(channel=im, text="Kickoff today", metadata=SENT)
    [dm] = sandbox.dm_messages(alice.id)
    assert dm["metadata"] == SENT
    history = client.conversations_history(channel=posted["channel"], include_all_metadata=True)
    assert history["messages"][0]["metadata"] == SENT


def test_open_before_posting_gives_the_im_posts_use(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice")
    opened = client.conversations_open(users=alice.id)
    im = opened["channel"]["id"]
    assert im.startswith("D") and "already_open" not in opened
    assert sandbox.dm_channel(alice.id) == im
    again = client.conversations_open(users=alice.id, return_im=True)
    assert again["already_open"] is True
    assert (again["channel"]["id"], again["channel"]["user"]) == (im, alice.id)
    assert client.chat_postMessage(channel=im, text="by im")["channel"] == im
    assert [m["text"] for m in sandbox.dm_messages(alice.id)] == ["by im"]


def test_open_errors(sandbox: Sandbox, client: WebClient) -> None:
    assert error_of(lambda: client.conversations_open(users="U0NOPE")) == "user_not_found"
    assert error_of(lambda: client.conversations_open(users=sandbox.bot_user_id)) == (
        "users_list_not_supplied"
    )
    helper = sandbox.add_user("helper", is_bot=True)
    assert error_of(lambda: client.conversations_open(users=helper.id)) == "cannot_dm_bot"
