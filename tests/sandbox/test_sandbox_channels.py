"""Channels through the real WebClient: create, name rules, invite, info, members, history."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from slack_sandbox import Sandbox
from tests.sandbox.calls import error_of
from tests.sandbox.conftest import RateClock


def test_create_channel_returns_slack_shape_and_bot_is_member(
    sandbox: Sandbox, client: WebClient
) -> None:
    created = client.conversations_create(name="onb-acme-corp")
    channel = created["channel"]
    assert channel["id"].startswith("C")
    assert channel["name"] == "onb-acme-corp"
    assert channel["is_member"] is True
    assert channel["is_private"] is False
    assert sandbox.channel(channel["id"])["members"] == [sandbox.bot_user_id]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("x" * 81, "invalid_name_maxlength"),
        ("Acme Corp", "invalid_name_specials"),
        ("acme.corp", "invalid_name_specials"),
        ("ACME", "invalid_name_specials"),
        ("---", "invalid_name_punctuation"),
    ],
)
def test_create_channel_name_rules(client: WebClient, name: str, error: str) -> None:
    assert error_of(lambda: client.conversations_create(name=name)) == error


def test_create_channel_name_taken(client: WebClient) -> None:
    client.conversations_create(name="onb-acme")
    assert error_of(lambda: client.conversations_create(name="onb-acme")) == "name_taken"
    assert client.conversations_create(name="x" * 80)["ok"]


def test_invite_errors_and_success(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice")
    gone = sandbox.add_user("gone", deleted=True)
    channel = client.conversations_create(name="onb-beta")["channel"]["id"]
    assert error_of(lambda: client.conversations_invite(channel=channel, users="U0NOPE")) == (
        "user_not_found"
    )
    assert error_of(lambda: client.conversations_invite(channel=channel, users=gone.id)) == (
        "user_not_found"
    )
    assert (
        error_of(lambda: client.conversations_invite(channel=channel, users=sandbox.bot_user_id))
        == "cant_invite_self"
    )
    client.conversations_invite(channel=channel, users=[alice.id])
    assert alice.id in sandbox.channel(channel)["members"]
    assert error_of(lambda: client.conversations_invite(channel=channel, users=alice.id)) == (
        "already_in_channel"
    )
    assert error_of(lambda: client.conversations_invite(channel="C0MISSING", users=alice.id)) == (
        "channel_not_found"
    )


def test_invite_needs_the_bot_in_the_channel(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice")
    outside = sandbox.add_channel("general-chat", bot_is_member=False)
    assert error_of(lambda: client.conversations_invite(channel=outside.id, users=alice.id)) == (
        "not_in_channel"
    )
    client.conversations_join(channel=outside.id)
    assert client.conversations_invite(channel=outside.id, users=alice.id)["ok"]


def test_members_paginate_with_cursor(sandbox: Sandbox, client: WebClient) -> None:
    people = [sandbox.add_user(f"user{i}").id for i in range(5)]
    channel = sandbox.add_channel("big", members=people)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.conversations_members(channel=channel.id, limit=2, cursor=cursor)
        seen += page["members"]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert seen == [sandbox.bot_user_id, *people]


def test_topic_purpose_and_info(sandbox: Sandbox, client: WebClient) -> None:
    channel = client.conversations_create(name="onb-gamma")["channel"]["id"]
    client.conversations_setTopic(channel=channel, topic="Go-live: 2025-04-01")
    client.conversations_setPurpose(channel=channel, purpose="Onboarding Gamma")
    info = client.conversations_info(channel=channel, include_num_members=True)["channel"]
    assert info["topic"]["value"] == "Go-live: 2025-04-01"
    assert info["purpose"]["value"] == "Onboarding Gamma"
    assert info["num_members"] == 1
    assert error_of(lambda: client.conversations_setTopic(channel=channel, topic="x" * 251)) == (
        "too_long"
    )
    # Notices land in history (as on Slack) but sandbox.messages() hides them by default.
    assert sandbox.messages(channel) == []
    assert [m["subtype"] for m in sandbox.messages(channel, include_system=True)] == [
        "channel_topic",
        "channel_purpose",
    ]


def test_history_newest_first_with_pagination(client: WebClient) -> None:
    channel = client.conversations_create(name="onb-delta")["channel"]["id"]
    sent = [client.chat_postMessage(channel=channel, text=f"m{i}")["ts"] for i in range(3)]
    first = client.conversations_history(channel=channel, limit=2)
    assert [m["ts"] for m in first["messages"]] == [sent[2], sent[1]]
    assert first["has_more"] is True
    rest = client.conversations_history(
        channel=channel, limit=2, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["m0"]
    assert sent == sorted(sent, key=float)


def test_history_cursor_survives_new_posts(client: WebClient, rate_clock: RateClock) -> None:
    channel = client.conversations_create(name="onb-busy")["channel"]["id"]
    for i in range(5):
        client.chat_postMessage(channel=channel, text=f"m{i}")
        rate_clock.tick()
    first = client.conversations_history(channel=channel, limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    client.chat_postMessage(channel=channel, text="late")  # between two pages
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_history(channel=channel, limit=2, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    cursor = second["response_metadata"]["next_cursor"]
    last = client.conversations_history(channel=channel, limit=2, cursor=cursor)
    assert [m["text"] for m in last["messages"]] == ["m0"]
    assert last["has_more"] is False
    assert last["response_metadata"]["next_cursor"] == ""


def test_history_oldest_latest_inclusive(client: WebClient) -> None:
    channel = client.conversations_create(name="onb-range")["channel"]["id"]
    sent = [client.chat_postMessage(channel=channel, text=f"m{i}")["ts"] for i in range(4)]

    def texts(**kwargs: object) -> list[str]:
        found = client.conversations_history(channel=channel, **kwargs)["messages"]
        return [m["text"] for m in found]

    assert texts(oldest=sent[0], latest=sent[3]) == ["m2", "m1"]
    assert texts(oldest=sent[0], latest=sent[3], inclusive=True) == ["m3", "m2", "m1", "m0"]
    assert texts(oldest=sent[2]) == ["m3"]
    assert texts(latest=sent[1]) == ["m0"]
    assert texts(oldest=sent[0], limit=1) == ["m3"]
    # Slack's own way to page by time: the last ts seen becomes `latest`.
    assert texts(latest=sent[2], limit=1) == ["m1"]


def test_history_argument_errors(client: WebClient) -> None:
    channel = client.conversations_create(name="onb-args")["channel"]["id"]
    assert error_of(lambda: client.conversations_history(channel=channel, oldest="soon")) == (
        "invalid_ts_oldest"
    )
    assert error_of(lambda: client.conversations_history(channel=channel, latest="nan")) == (
        "invalid_ts_latest"
    )
    assert error_of(lambda: client.conversations_history(channel=channel, cursor="bm9wZQ==")) == (
        "invalid_cursor"
    )
    assert error_of(lambda: client.conversations_history(channel="C0NOPE")) == ("channel_not_found")


def test_private_channel_the_bot_is_not_in_is_invisible(
    sandbox: Sandbox, client: WebClient
) -> None:
    secret = sandbox.add_channel("secret", is_private=True, bot_is_member=False)
    assert error_of(lambda: client.conversations_info(channel=secret.id)) == "channel_not_found"
    assert error_of(lambda: client.conversations_join(channel=secret.id)) == "channel_not_found"


def test_archive(sandbox: Sandbox, client: WebClient) -> None:
    channel = client.conversations_create(name="onb-done")["channel"]["id"]
    client.conversations_archive(channel=channel)
    assert sandbox.channel(channel)["is_archived"] is True
    assert error_of(lambda: client.chat_postMessage(channel=channel, text="hi")) == "is_archived"
    assert error_of(lambda: client.conversations_archive(channel=channel)) == "already_archived"
