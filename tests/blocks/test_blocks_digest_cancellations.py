"""The digest's list of cancelled projects, when it is too long for one message."""

from __future__ import annotations

import pytest

from bot.blocks.digest import digest_messages
from bot.i18n import LOCALES
from tests.blocks.test_blocks_digest import all_text, assert_valid, digest


@pytest.mark.parametrize("locale", LOCALES)
def test_many_cancellations_continue_over_messages_in_each_language(locale: str) -> None:
    cancelled = tuple((f"Customer {n}", f"reason {n} " + "r" * 300) for n in range(400))
    _, thread = digest_messages(digest(cancellations=cancelled), locale=locale)
    listed = [
        m for m in thread if "Customer 0:" in all_text(m) or "digest-cancelled" in all_text(m)
    ]
    assert len(listed) > 1
    for message in listed:
        assert_valid(message)
    assert "2/" in listed[1].text  # "continued (2/N)", in the locale's words
    assert "{" not in listed[1].text
    shown = "".join(all_text(m) for m in listed)
    assert "Customer 0" in shown and "Customer 99" in shown
