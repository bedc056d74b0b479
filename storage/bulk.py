"""Bulk statements in bounded pieces.

A statement may carry at most 65,535 bound parameters on PostgreSQL (the wire protocol
counts them in 16 bits) and 32,766 on SQLite; an `IN (…)` list or a multi-row INSERT
built from an unbounded list crosses that once the portfolio grows. Everything that
binds one parameter per row goes through these pieces instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Well under both databases' limits, and small enough that one piece stays a short statement.
MAX_PARAMETERS = 30_000


def chunks(items: Sequence[T], *, per_item: int = 1) -> Iterator[Sequence[T]]:
    """`items` in consecutive pieces that bind at most MAX_PARAMETERS parameters each,
    `per_item` parameters per item."""
    size = max(1, MAX_PARAMETERS // max(1, per_item))
    for start in range(0, len(items), size):
        yield items[start : start + size]
