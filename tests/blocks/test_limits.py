"""Each Block Kit limit the renderers use is Slack's: slack_sdk accepts it and refuses one more.

slack_sdk's models check what Slack checks; building an element at a limit and at the limit
plus one shows both that the limit is right and that it is not too tight.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ButtonElement,
    HeaderBlock,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import limits
from bot.domain import start_again


def _options(n: int) -> list[Option]:
    return [Option(text=f"o{i}", value=str(i)) for i in range(n)]


def _view(**changes: Any) -> View:
    fields: dict[str, Any] = {
        "type": "modal",
        "title": "t",
        "blocks": [SectionBlock(text="s")],
        **changes,
    }
    return View(**fields)


BUILDERS: dict[str, tuple[int, Callable[[int], Any]]] = {
    "TEXT": (limits.TEXT, lambda n: SectionBlock(text="x" * n)),
    "HEADER_TEXT": (limits.HEADER_TEXT, lambda n: HeaderBlock(text="x" * n)),
    "BUTTON_TEXT": (limits.BUTTON_TEXT, lambda n: ButtonElement(text="x" * n, action_id="a")),
    "BUTTON_VALUE": (
        limits.BUTTON_VALUE,
        lambda n: ButtonElement(text="b", action_id="a", value="x" * n),
    ),
    "OPTION_TEXT": (limits.OPTION_TEXT, lambda n: Option(text="x" * n, value="v")),
    "OPTION_VALUE": (limits.OPTION_VALUE, lambda n: Option(text="t", value="x" * n)),
    "SELECT_OPTIONS": (
        limits.SELECT_OPTIONS,
        lambda n: StaticSelectElement(action_id="a", options=_options(n)),
    ),
    "PLACEHOLDER": (
        limits.PLACEHOLDER,
        lambda n: StaticSelectElement(
            action_id="a", placeholder=PlainTextObject(text="x" * n), options=_options(1)
        ),
    ),
    "VIEW_TITLE": (limits.VIEW_TITLE, lambda n: _view(title="x" * n)),
    "VIEW_TITLE (submit)": (limits.VIEW_TITLE, lambda n: _view(submit="x" * n)),
    "VIEW_TITLE (close)": (limits.VIEW_TITLE, lambda n: _view(close="x" * n)),
    "VIEW_BLOCKS": (
        limits.VIEW_BLOCKS,
        lambda n: _view(blocks=[SectionBlock(text="s") for _ in range(n)]),
    ),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_slack_sdk_accepts_the_limit_and_refuses_one_more(name: str) -> None:
    limit, build = BUILDERS[name]
    build(limit).to_dict()
    with pytest.raises(SlackObjectFormationError):
        build(limit + 1).to_dict()


def test_limits_slack_sdk_does_not_check_are_slacks_documented_values() -> None:
    # Slack's Block Kit reference: 50 blocks in a message; a context text element and a
    # plain-text input's `max_length` up to 3000 characters.
    assert limits.MESSAGE_BLOCKS == 50
    assert limits.INPUT_TEXT == 3000
    assert limits.TEXT == 3000


def test_the_start_again_button_value_fits_a_button() -> None:
    # The domain codec is pure and cannot import the renderers; it keeps Slack's number.
    assert start_again.BUTTON_VALUE_LIMIT == limits.BUTTON_VALUE
