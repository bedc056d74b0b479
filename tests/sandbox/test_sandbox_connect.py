"""Slack Connect: inviteShared, workspace refusals, accepting, and the pushed join event."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from slack_sandbox import Sandbox
from slack_sandbox.recorder import RequestRecorder
from slack_sandbox.scopes import EVERY_METHOD_SCOPE
from tests.sandbox.calls import error_of

SECRET = "connect-secret"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(signing_secret=SECRET, scopes=EVERY_METHOD_SCOPE) as running:
        yield running


def test_invite_shared_records_a_pending_invite(sandbox: Sandbox, client: WebClient) -> None:
    channel = client.conversations_create(name="onb-customer")["channel"]["id"]
    result = client.conversations_inviteShared(channel=channel, emails=["dana@customer.example"])
    assert result["invite_id"].startswith("I")
    info = sandbox.channel(channel)
    assert info["is_pending_ext_shared"] is True
    assert info["is_ext_shared"] is False
    [invite] = info["shared_invites"]
    assert (invite["email"], invite["status"]) == ("dana@customer.example", "pending")


def test_invite_shared_argument_errors(sandbox: Sandbox, client: WebClient) -> None:
    channel = client.conversations_create(name="onb-args")["channel"]["id"]
    assert (
        error_of(
            lambda: client.conversations_inviteShared(
                channel=channel, emails=["a@x.example", "b@x.example"]
            )
        )
        == "too_many_emails"
    )
    assert (
        error_of(
            lambda: client.conversations_inviteShared(channel=channel, emails=["not-an-email"])
        )
        == "invalid_email"
    )
    assert (
        error_of(lambda: client.api_call("conversations.inviteShared", params={"channel": channel}))
        == "recipients_not_specified"
    )
    assert (
        error_of(
            lambda: client.conversations_inviteShared(channel="C0NOPE", emails=["a@x.example"])
        )
        == "channel_not_found"
    )


@pytest.mark.parametrize("refusal", ["not_paid", "restricted_action", "not_allowed_token_type"])
def test_workspace_setting_refuses_shared_invites(
    sandbox: Sandbox, client: WebClient, refusal: str
) -> None:
    channel = client.conversations_create(name="onb-free")["channel"]["id"]
    sandbox.refuse_shared_invites(refusal)
    assert (
        error_of(lambda: client.conversations_inviteShared(channel=channel, emails=["a@x.example"]))
        == refusal
    )
    assert sandbox.channel(channel)["shared_invites"] == []
    sandbox.refuse_shared_invites(None)
    assert client.conversations_inviteShared(channel=channel, emails=["a@x.example"])["ok"]


def test_accepting_shares_the_channel_and_pushes_a_signed_event(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = client.conversations_create(name="onb-shared")["channel"]["id"]
    client.conversations_inviteShared(channel=channel, emails=["dana@customer.example"])
    with RequestRecorder() as app:
        sandbox.events_url = app.url
        dana = sandbox.accept_shared_invite(channel, "dana@customer.example")
        [request] = app.wait_for(1)
    info = sandbox.channel(channel)
    assert dana.id in info["members"]
    assert info["is_ext_shared"] is True and info["is_shared"] is True
    assert dana.team_id in info["shared_team_ids"]
    assert SignatureVerifier(SECRET).is_valid_request(request.body, request.headers)
    envelope = json.loads(request.body)
    assert envelope["type"] == "event_callback"
    assert envelope["is_ext_shared_channel"] is True
    assert envelope["authorizations"][0]["user_id"] == sandbox.bot_user_id
    event = envelope["event"]
    assert (event["type"], event["user"], event["channel"], event["team"]) == (
        "member_joined_channel",
        dana.id,
        channel,
        dana.team_id,
    )
    # The customer is a real external user now: no DM, but visible through users.info.
    assert client.users_info(user=dana.id)["user"]["team_id"] == dana.team_id
    assert error_of(lambda: client.chat_postMessage(channel=dana.id, text="hi")) == (
        "channel_not_found"
    )


def test_accept_without_invite_fails_loudly(sandbox: Sandbox) -> None:
    channel = sandbox.add_channel("onb-none")
    with pytest.raises(ValueError, match="no pending shared invite"):
        sandbox.accept_shared_invite(channel.id, "x@y.example")


def test_invite_pushes_member_joined_and_unreachable_app_is_only_logged(
    sandbox: Sandbox, client: WebClient
) -> None:
    alice = sandbox.add_user("alice")
    channel = client.conversations_create(name="onb-join")["channel"]["id"]
    sandbox.events_url = "http://127.0.0.1:9/slack/events"  # nothing listens there
    assert client.conversations_invite(channel=channel, users=alice.id)["ok"]
    assert sandbox.wait_for_events()
    [(envelope, answer)] = sandbox.event_deliveries
    assert envelope["event"]["inviter"] == sandbox.bot_user_id
    assert answer is None


def test_invite_shared_needs_the_bot_in_the_channel(sandbox: Sandbox, client: WebClient) -> None:
    outside = sandbox.add_channel("onb-elsewhere", bot_is_member=False).id
    assert error_of(
        lambda: client.conversations_inviteShared(channel=outside, emails=["a@x.example"])
    ) == ("not_in_channel")


def test_a_workspace_setting_can_refuse_channel_creation(
    sandbox: Sandbox, client: WebClient
) -> None:
    sandbox.refuse_channel_creation("restricted_action")
    assert error_of(lambda: client.conversations_create(name="onb-x")) == "restricted_action"
    assert sandbox.channel_by_name("onb-x") is None
    with pytest.raises(ValueError):
        sandbox.refuse_channel_creation("no_such_setting")
    sandbox.refuse_channel_creation(None)
    assert client.conversations_create(name="onb-x")["ok"]
