"""A text progress bar that reads the same in every locale and font."""

from __future__ import annotations

FULL = "▓"
EMPTY = "░"


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """`▓▓▓▓░░░░░░ 4/10`; the bar is full only when everything is done.

    Any progress shows at least one filled cell, so the first ticked task is visible.
    """
    done = max(0, min(done, total))
    if total <= 0:
        filled = 0
    else:
        filled = done * width // total
        if done and not filled:
            filled = 1
    return f"{FULL * filled}{EMPTY * (width - filled)} {done}/{max(total, 0)}"
