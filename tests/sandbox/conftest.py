"""The sandbox running on a free port, and the real slack_sdk WebClient pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(signing_secret="secret") as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> WebClient:
    return WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
