"""Helpers for calling the sandbox's Web API in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError


def error_of(call: Callable[[], Any]) -> str:
    """The `error` of the `ok: false` answer that `call` must get."""
    with pytest.raises(SlackApiError) as caught:
        call()
    return str(caught.value.response["error"])
