"""A job run's freed memory goes back to the operating system once the run is over."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from bot.gc_pause import _LIBC, give_back_memory, kept_out_of_collections

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


class _Node:
    """A tracked object, as a loaded project is."""

    def __init__(self, n: int) -> None:
        self.n = n


def test_what_a_run_read_is_left_out_of_collections_until_the_run_ends() -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with kept_out_of_collections() as loaded:
        assert not gc.isenabled()  # the read runs with the collector paused
        portfolio = [_Node(n) for n in range(10_000)]
        loaded()
        assert gc.isenabled()  # the rest of the run collects as usual...
        assert gc.get_freeze_count() >= len(portfolio)  # ...without walking the portfolio
        garbage = _Node(-1)
        garbage.self = garbage  # type: ignore[attr-defined]  # a cycle made after the read
        del garbage
        assert gc.collect() >= 1  # is still collected
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_overlapping_runs_unfreeze_when_the_last_ends_and_a_failed_read_restores_the_collector() -> (
    None
):
    with kept_out_of_collections() as first:
        first()
        with kept_out_of_collections() as second:
            second()
        assert gc.get_freeze_count() > 0  # the first run still plans from what it read
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), kept_out_of_collections():
        raise RuntimeError("the read failed")
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_what_was_planned_after_the_read_can_be_kept_out_too() -> None:
    with kept_out_of_collections() as loaded:
        loaded()
        read = gc.get_freeze_count()
        plans = [_Node(n) for n in range(5_000)]
        loaded()
        assert gc.get_freeze_count() >= read + len(plans)
    assert gc.get_freeze_count() == 0
