"""A job run's freed memory goes back to the operating system once the run is over."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.gc_pause import _LIBC, give_back_memory

MB = 1024 * 1024


def _resident() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(_LIBC, "malloc_trim"),
    reason="glibc on Linux",
)
def test_memory_a_run_freed_is_resident_no_more() -> None:
    before = _resident()
    # Rows of a portfolio read, from malloc's heap (larger than pymalloc's small blocks),
    # with a few kept beyond the run: the heap cannot simply shrink from its top.
    rows = [f"{n:08d}" + "x" * 1000 for n in range(200_000)]
    grown = _resident() - before
    assert grown > 150 * MB
    kept = rows[::100]
    del rows
    give_back_memory()
    assert _resident() - before < grown / 3
    assert len(kept) == 2_000
