"""Slack's rate limits: tiers per method, chat.postMessage per channel and per workspace."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_sandbox import Sandbox
from slack_sandbox.methods import METHODS
from slack_sandbox.rate_limits import METHOD_TIERS, POST_METHOD, TIER_2, PostLimits, RateLimits
from slack_sandbox.scopes import EVERY_METHOD_SCOPE


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited(call) -> SlackApiError:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as caught:
        call()
    assert caught.value.response.status_code == 429
    assert caught.value.response["error"] == "ratelimited"
    return caught.value


def test_every_emulated_method_has_a_tier() -> None:
    assert set(METHODS) - {POST_METHOD} <= set(METHOD_TIERS)


def test_limits_are_on_by_default(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("burst").id
    for i in range(PostLimits().burst):  # Slack tolerates a short burst
        client.chat_postMessage(channel=channel, text=str(i))
    error = limited(lambda: client.chat_postMessage(channel=channel, text="too fast"))
    assert int(error.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel=sandbox.add_channel("other").id, text="ok")["ok"]
    assert len(sandbox.messages(channel)) == PostLimits().burst


def test_the_switch_off_allows_any_burst() -> None:
    with Sandbox(signing_secret="s", scopes=EVERY_METHOD_SCOPE, rate_limits=False) as sandbox:
        client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        channel = sandbox.add_channel("burst").id
        answers = [client.chat_postMessage(channel=channel, text=str(i)) for i in range(10)]
        assert all(answer["ok"] for answer in answers)


def test_a_tier_2_method_takes_20_a_minute_then_429_until_the_minute_is_over() -> None:
    clock = FakeClock()
    with Sandbox(signing_secret="s", scopes=EVERY_METHOD_SCOPE, rate_clock=clock) as sandbox:
        client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        for n in range(TIER_2):
            client.conversations_create(name=f"onb-{n}")
            clock.now += 1
        error = limited(lambda: client.conversations_create(name="onb-late"))
        # The oldest call leaves the minute 40 s later (20 calls, one a second).
        assert int(error.response.headers["Retry-After"]) == 40
        assert sandbox.channel_by_name("onb-late") is None
        assert client.users_info(user=sandbox.bot_user_id)["ok"], "other methods have their own"
        clock.now += 40
        assert client.conversations_create(name="onb-late")["ok"]


def test_posts_per_channel_refill_at_one_a_second() -> None:
    clock = FakeClock()
    limits = RateLimits(clock=clock, posts=PostLimits(per_second=1, burst=2))
    assert limits.admit("chat.postMessage", channel="C1") is None
    assert limits.admit("chat.postMessage", channel="C1") is None
    assert limits.admit("chat.postMessage", channel="C1") == 1
    assert limits.admit("chat.postMessage", channel="C2") is None
    clock.now += 1
    assert limits.admit("chat.postMessage", channel="C1") is None


def test_posts_have_a_workspace_budget_across_channels() -> None:
    clock = FakeClock()
    limits = RateLimits(clock=clock, posts=PostLimits(workspace_per_minute=3))
    for channel in ("C1", "C2", "C3"):
        assert limits.admit("chat.postMessage", channel=channel) is None
    assert limits.admit("chat.postMessage", channel="C4") == 60
    clock.now += 60
    assert limits.admit("chat.postMessage", channel="C4") is None


def test_a_refused_call_is_not_counted() -> None:
    clock = FakeClock()
    limits = RateLimits(clock=clock)
    for _ in range(TIER_2):
        assert limits.admit("pins.add") is None
    for _ in range(5):
        assert limits.admit("pins.add") is not None
    clock.now += 60
    assert all(limits.admit("pins.add") is None for _ in range(TIER_2))


def test_a_clock_going_back_never_refills() -> None:
    clock = FakeClock()
    limits = RateLimits(clock=clock, posts=PostLimits(burst=1))
    assert limits.admit("chat.postMessage", channel="C1") is None
    clock.now -= 3600
    assert limits.admit("chat.postMessage", channel="C1") is not None
