"""Injected faults, as the real WebClient (and its retry handlers) sees them."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from slack_sandbox import Sandbox


def test_ratelimit_answers_429_with_retry_after(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("rl").id
    sandbox.faults.ratelimit("chat.postMessage", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=channel, text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert sandbox.messages(channel) == []
    assert client.chat_postMessage(channel=channel, text="x")["ok"]  # used up


def test_rate_limit_retry_handler_retries(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("rl").id
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    sandbox.faults.ratelimit("chat.postMessage", times=1, retry_after=0)
    assert client.chat_postMessage(channel=channel, text="x")["ok"]
    assert [c.status for c in sandbox.calls("chat.postMessage")] == [429, 200]
    assert len(sandbox.messages(channel)) == 1


def test_server_errors(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("boom").id
    sandbox.faults.server_error("chat.postMessage", times=1)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=channel, text="x")
    assert caught.value.response.status_code == 500
    sandbox.faults.server_error("chat.postMessage", times=1, status=503)
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))
    assert client.chat_postMessage(channel=channel, text="x")["ok"]
    assert [c.status for c in sandbox.calls("chat.postMessage")] == [500, 503, 200]


def test_any_method_and_clear(sandbox: Sandbox, client: WebClient) -> None:
    sandbox.faults.server_error(times=5, status=502)
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert caught.value.response.status_code == 502
    sandbox.faults.clear()
    assert client.auth_test()["ok"]


def test_slack_error_and_slow(sandbox: Sandbox, client: WebClient) -> None:
    sandbox.faults.slack_error("conversations.create", error="restricted_action")
    with pytest.raises(SlackApiError) as caught:
        client.conversations_create(name="onb-x")
    assert caught.value.response["error"] == "restricted_action"
    assert sandbox.channel_by_name("onb-x") is None
    sandbox.faults.slow("auth.test", 0.3)
    started = time.monotonic()
    assert client.auth_test()["ok"]
    assert time.monotonic() - started >= 0.3


def test_crash_after_success_stores_then_answers_500(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("lost").id
    sandbox.faults.crash_after_success("chat.postMessage")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=channel, text="once")
    assert caught.value.response.status_code == 500
    assert caught.value.response["error"] == "internal_error"
    assert [m["text"] for m in sandbox.messages(channel)] == ["once"]
    assert sandbox.faults.pending() == []
    assert client.chat_postMessage(channel=channel, text="next")["ok"]


def test_crash_after_success_makes_a_blind_retry_duplicate(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = sandbox.add_channel("dup").id
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1))
    sandbox.faults.crash_after_success("chat.postMessage", status=503)
    assert client.chat_postMessage(channel=channel, text="hello")["ok"]
    assert [c.status for c in sandbox.calls("chat.postMessage")] == [503, 200]
    assert [m["text"] for m in sandbox.messages(channel)] == ["hello", "hello"]


def test_crash_after_success_waits_for_a_call_that_succeeds(
    sandbox: Sandbox, client: WebClient
) -> None:
    channel = sandbox.add_channel("wait").id
    sandbox.faults.crash_after_success("chat.postMessage", times=2)
    sandbox.faults.ratelimit("chat.postMessage", retry_after=0)
    for call in (
        lambda: client.chat_postMessage(channel=channel, text="limited"),
        lambda: client.chat_postMessage(channel="C0NOPE", text="nowhere"),
        lambda: client.chat_postMessage(channel=channel, text="a"),
        lambda: client.chat_postMessage(channel=channel, text="b"),
    ):
        with pytest.raises(SlackApiError):
            call()
    assert [c.status for c in sandbox.calls("chat.postMessage")] == [429, 200, 500, 500]
    assert [m["text"] for m in sandbox.messages(channel)] == ["a", "b"]
    assert client.chat_postMessage(channel=channel, text="c")["ok"]
    assert client.auth_test()["ok"]  # other methods were never affected
