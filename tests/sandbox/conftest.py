"""The sandbox running on a free port, and the real slack_sdk WebClient pointed at it.

These tests check the emulated methods themselves, so the token holds every scope some
method needs (the bot's own token holds the manifest's: tests/sandbox/test_sandbox_scopes.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_sandbox import Sandbox
from slack_sandbox.scopes import EVERY_METHOD_SCOPE


class RateClock:
    """The seconds Slack's rate limits count in: a test posting a burst lets time pass."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> None:
        self.now += seconds


@pytest.fixture
def rate_clock() -> RateClock:
    return RateClock()


@pytest.fixture
def sandbox(rate_clock: RateClock) -> Iterator[Sandbox]:
    with Sandbox(
        signing_secret="secret", scopes=EVERY_METHOD_SCOPE, rate_clock=rate_clock
    ) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> WebClient:
    return WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
