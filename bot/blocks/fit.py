"""One section's worth of lines: as many as fit under a title, then "…and N more". Pure."""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks import limits


def fit_lines(title: str, lines: list[str], *, more: Callable[[int], str]) -> str:
    """`title` and as many lines as fit in one section, then `more(hidden)`."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        left_after = len(lines) - index - 1
        tail = [more(left_after)] if left_after else []
        if len("\n".join([title, *kept, line, *tail])) > limits.TEXT:
            # The previous round checked that this very "more" line fits after `kept`.
            return "\n".join([title, *kept, more(len(lines) - index)])
        kept.append(line)
    return "\n".join([title, *kept])
