"""The check every end-to-end test ends with: slack_sdk's own models accept each payload the
bot sent (tests/e2e/payloads.py). Here: that the check itself catches what it should."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_sandbox import DriverResponse, Sandbox
from slack_sandbox.scopes import EVERY_METHOD_SCOPE
from tests.e2e.payloads import invalid_payloads


class FakeDriver:
    def __init__(self, *bodies: str) -> None:
        self.answers = [DriverResponse(200, {}, body) for body in bodies]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(signing_secret="s", scopes=EVERY_METHOD_SCOPE) as running:
        yield running


def test_valid_messages_views_and_acks_pass(sandbox: Sandbox) -> None:
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    channel = sandbox.add_channel("ok").id
    block = {"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "hi"}}
    client.chat_postMessage(channel=channel, text="hi", blocks=[block])
    client.views_publish(user_id=sandbox.add_user("a").id, view={"type": "home", "blocks": [block]})
    ack = FakeDriver('{"response_type": "ephemeral", "text": "x", "blocks": []}', "")
    assert invalid_payloads(sandbox, ack) == []  # type: ignore[arg-type]


def test_what_slack_sdk_refuses_is_reported_wherever_it_was_sent(sandbox: Sandbox) -> None:
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    channel = sandbox.add_channel("bad").id
    long_button = {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x" * 80}}
        ],
    }
    # Sent, whether or not Slack then took it: either way the bot had a bug.
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel=channel, text="x", blocks=[{"type": "no_such_block"}])
    with pytest.raises(SlackApiError):
        client.api_call(
            "chat.postMessage", json={"channel": channel, "text": "x", "blocks": [long_button]}
        )
    ack = FakeDriver(
        '{"response_action": "update", "view": {"type": "modal", "title": '
        '{"type": "plain_text", "text": "' + "t" * 30 + '"}, "blocks": []}}'
    )
    problems = invalid_payloads(sandbox, ack)  # type: ignore[arg-type]
    assert any("unknown type 'no_such_block'" in p for p in problems)
    assert any(p.startswith("chat.postMessage: block 0") and "75" in p for p in problems)
    assert any(p.startswith("response_action update") for p in problems)
    # ...and what the sandbox page could not draw.
    assert (
        "chat.postMessage: the sandbox page drops block 0: unknown type 'no_such_block'" in problems
    )
