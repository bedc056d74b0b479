"""The bot token's scopes are the manifest's, checked per method and kind of conversation,
and what an app may see of people of other organisations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_sandbox import Sandbox
from slack_sandbox.methods import METHODS
from slack_sandbox.scopes import EVERY_METHOD_SCOPE, METHOD_SCOPES, manifest_scopes
from tests.sandbox.calls import error_of


def missing(call) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as caught:
        call()
    body = caught.value.response.data
    assert isinstance(body, dict) and body["error"] == "missing_scope"
    return body  # type: ignore[return-value]


@pytest.fixture
def bots_own() -> Iterator[Sandbox]:
    """A sandbox whose token is exactly the app's manifest.yml."""
    with Sandbox(signing_secret="s") as running:
        yield running


def test_every_emulated_method_names_its_scopes() -> None:
    assert set(METHODS) <= set(METHOD_SCOPES)


def test_the_default_token_holds_exactly_the_manifests_scopes(bots_own: Sandbox) -> None:
    assert bots_own.scopes == manifest_scopes()
    assert {"chat:write", "groups:read", "groups:history"} <= bots_own.scopes


def test_a_missing_scope_is_named_with_what_the_token_has() -> None:
    with Sandbox(signing_secret="s", scopes={"chat:write", "channels:read"}) as sandbox:
        client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        public = sandbox.add_channel("cs-team").id
        private = sandbox.add_channel("cs-secret", is_private=True).id
        assert client.conversations_members(channel=public)["ok"]
        body = missing(lambda: client.conversations_members(channel=private))
        assert body["needed"] == "groups:read"
        assert body["provided"] == "channels:read,chat:write"
        assert missing(lambda: client.conversations_history(channel=public))["needed"] == (
            "channels:history"
        )
        # A scope with granular alternatives names them all.
        assert missing(lambda: client.conversations_setTopic(channel=public, topic="x"))[
            "needed"
        ] == ("channels:manage,channels:write.topic")
        assert missing(lambda: client.conversations_open(users=sandbox.bot_user_id))["needed"] == (
            "im:write"
        )
        # Nothing happened.
        assert sandbox.channel(public)["topic"]["value"] == ""


def test_dm_history_needs_im_history(bots_own: Sandbox) -> None:
    client = WebClient(token=bots_own.bot_token, base_url=bots_own.api_url)
    alice = bots_own.add_user("alice")
    im = client.conversations_open(users=alice.id)["channel"]["id"]
    client.chat_postMessage(channel=im, text="hello")
    assert [m["text"] for m in client.conversations_history(channel=im)["messages"]] == ["hello"]
    with Sandbox(signing_secret="s", scopes=EVERY_METHOD_SCOPE - {"im:history"}) as bare:
        other = WebClient(token=bare.bot_token, base_url=bare.api_url)
        bob = bare.add_user("bob")
        im = other.conversations_open(users=bob.id)["channel"]["id"]
        assert missing(lambda: other.conversations_history(channel=im))["needed"] == "im:history"


def test_chat_write_public_posts_where_the_bot_has_not_joined() -> None:
    with Sandbox(signing_secret="s", scopes={"chat:write", "chat:write.public"}) as sandbox:
        client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        outside = sandbox.add_channel("announcements", bot_is_member=False).id
        secret = sandbox.add_channel("secret", bot_is_member=False, is_private=True).id
        assert client.chat_postMessage(channel=outside, text="hello")["ok"]
        assert error_of(lambda: client.chat_postMessage(channel=secret, text="x")) == (
            "channel_not_found"
        )


# -- people of other organisations -----------------------------------------------------------


def test_external_email_is_hidden_unless_their_organisation_shows_it(bots_own: Sandbox) -> None:
    client = WebClient(token=bots_own.bot_token, base_url=bots_own.api_url)
    taro = bots_own.add_external_user("taro@acme.example", locale="ja-JP")
    ours = bots_own.add_user("sato", email="sato@vendor.example")
    bots_own.add_channel("onb-acme", members=[taro.id])
    shown = client.users_info(user=taro.id, include_locale=True)["user"]
    assert "email" not in shown["profile"] and shown["team_id"] == taro.team_id
    assert "locale" not in shown, "external people carry no locale"
    assert client.users_info(user=ours.id)["user"]["profile"]["email"] == "sato@vendor.example"
    bots_own.show_email_to_others(taro.team_id)
    assert client.users_info(user=taro.id)["user"]["profile"]["email"] == "taro@acme.example"
    bots_own.show_email_to_others(taro.team_id, visible=False)
    assert "email" not in client.users_info(user=taro.id)["user"]["profile"]


def test_no_email_at_all_without_users_read_email() -> None:
    scopes = EVERY_METHOD_SCOPE - {"users:read.email"}
    with Sandbox(signing_secret="s", scopes=scopes) as sandbox:
        client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        ours = sandbox.add_user("sato", email="sato@vendor.example")
        assert "email" not in client.users_info(user=ours.id)["user"]["profile"]
        assert missing(lambda: client.users_lookupByEmail(email="sato@vendor.example"))


def test_strangers_and_lookups(bots_own: Sandbox) -> None:
    client = WebClient(token=bots_own.bot_token, base_url=bots_own.api_url)
    carol = bots_own.add_external_user("carol@customer.example")
    assert client.users_info(user=carol.id)["user"]["is_stranger"] is True
    bots_own.add_channel("onb-carol", members=[carol.id])
    assert "is_stranger" not in client.users_info(user=carol.id)["user"]
    # users.lookupByEmail finds only people of the installed workspace.
    bots_own.show_email_to_others(carol.team_id)
    assert error_of(lambda: client.users_lookupByEmail(email="carol@customer.example")) == (
        "users_not_found"
    )
    sato = bots_own.add_user("sato", email="sato@vendor.example")
    assert client.users_lookupByEmail(email="sato@vendor.example")["user"]["id"] == sato.id
