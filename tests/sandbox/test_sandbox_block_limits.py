"""Block Kit limits: the pure checker, and how the Web API answers and records them."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_sandbox import Sandbox
from slack_sandbox.block_limits import check_blocks, check_view


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str = "go", text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        **extra,
    }


def overflow(options: int) -> dict[str, Any]:
    return {
        "type": "overflow",
        "action_id": "more",
        "options": [
            {"text": {"type": "plain_text", "text": f"o{i}"}, "value": str(i)}
            for i in range(options)
        ],
    }


def codes(blocks: list[dict[str, Any]], max_blocks: int = 50) -> list[str]:
    return [p.code for p in check_blocks(blocks, max_blocks=max_blocks)]


def test_valid_blocks_pass() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Onboarding"}},
        section("x" * 3000, fields=[{"type": "mrkdwn", "text": "y" * 2000}] * 10),
        {"type": "actions", "elements": [button(f"b{i}") for i in range(25)]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        {"type": "divider"},
    ]
    assert codes(blocks) == []
    assert codes([section(accessory=overflow(2))]) == codes([section(accessory=overflow(5))]) == []


@pytest.mark.parametrize(
    ("blocks", "code"),
    [
        ([section()] * 51, "too_many_blocks"),
        ([section("x" * 3001)], "section_text_too_long"),
        ([section(fields=[{"type": "mrkdwn", "text": "f"}] * 11)], "too_many_fields"),
        ([section(fields=[{"type": "mrkdwn", "text": "f" * 2001}])], "field_too_long"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "header_text_too_long",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "plain_text_required"),
        ([{"type": "actions", "elements": [button(text="t" * 76)]}], "button_text_too_long"),
        ([{"type": "actions", "elements": [button(action_id="a" * 256)]}], "action_id_too_long"),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "button_value_too_long"),
        (
            [{"type": "actions", "elements": [button(f"b{i}") for i in range(26)]}],
            "too_many_elements",
        ),
        (
            [{"type": "actions", "elements": [button("same"), button("same")]}],
            "duplicate_action_id",
        ),
        (
            [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            "too_many_context_elements",
        ),
        ([section(block_id="b" * 256)], "block_id_too_long"),
        ([section(block_id="x"), section(block_id="x")], "duplicate_block_id"),
        ([section("")], "empty_text"),
        ([{"type": "carousel"}], "unsupported_block_type"),
        ([section(accessory=overflow(1))], "too_few_options"),
        ([section(accessory=overflow(6))], "too_many_options"),
    ],
)
def test_each_limit(blocks: list[dict[str, Any]], code: str) -> None:
    assert code in codes(blocks)


def test_same_action_id_in_different_blocks_is_fine() -> None:
    blocks = [
        {"type": "actions", "elements": [button("task_done", value=str(i))]} for i in range(3)
    ]
    assert codes(blocks) == []


def test_view_limits() -> None:
    ok = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t" * 24},
        "blocks": [section()] * 100,
    }
    assert check_view(ok) == []
    too_long = {**ok, "title": {"type": "plain_text", "text": "t" * 25}}
    assert [p.code for p in check_view(too_long)] == ["title_too_long"]
    too_many = {**ok, "blocks": [section()] * 101}
    assert [p.code for p in check_view(too_many)] == ["too_many_blocks"]
    home = {"type": "home", "blocks": [section()] * 101}
    assert [p.pointer for p in check_view(home)] == ["/view/blocks"]


def test_51_blocks_answer_invalid_blocks_and_are_recorded(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = sandbox.add_channel("limits").id
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=channel, text="t", blocks=[section()] * 51)
    response = caught.value.response
    assert response["error"] == "invalid_blocks"
    assert response["errors"] == ["[ERROR] must be less than 51 items [json-pointer:/blocks]"]
    [violation] = sandbox.block_violations
    assert (violation.method, violation.target, violation.code) == (
        "chat.postMessage",
        channel,
        "too_many_blocks",
    )
    assert sandbox.messages(channel) == []


def test_chat_update_is_checked_too(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("limits").id
    ts = client.chat_postMessage(channel=channel, text="t", blocks=[section()])["ts"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel=channel, ts=ts, text="t", blocks=[section("x" * 3001)])
    assert caught.value.response["error"] == "invalid_blocks"
    assert sandbox.block_violations[0].method == "chat.update"


def test_missing_text_fallback_is_accepted_but_recorded(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = sandbox.add_channel("fallback").id
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # slack_sdk warns about it too
        assert client.chat_postMessage(channel=channel, blocks=[section()])["ok"]
    [violation] = sandbox.block_violations
    assert violation.code == "missing_text_fallback"
    assert len(sandbox.messages(channel)) == 1


def test_generated_ids_fill_in_what_the_app_left_out(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("ids").id
    client.chat_postMessage(
        channel=channel,
        text="t",
        blocks=[
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b"}}],
            }
        ],
    )
    [block] = sandbox.messages(channel)[0]["blocks"]
    assert block["block_id"] and block["elements"][0]["action_id"]
