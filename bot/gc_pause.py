"""Pausing Python's cyclic garbage collector around bulk loads, and giving memory back
after them."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Reading a whole portfolio creates a few hundred thousand small objects and no
    cycles; the collector would walk them again and again while they are being created."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_frozen_lock = threading.Lock()
_frozen_runs = 0


@contextlib.contextmanager
def kept_out_of_collections() -> Iterator[Callable[[], None]]:
    """For a job run over a portfolio: `with kept_out_of_collections() as loaded:` read it,
    call `loaded()`, then plan and write from it (calling `loaded()` again after planning
    keeps the plans out too).

    The read runs with the collector paused; `loaded()` freezes everything alive then
    (`gc.freeze`) and lets the collector run again. The hundreds of thousands of objects
    read stay out of the collections the rest of the run sets off (at 50,000 projects each
    full collection walked them again, 0.7-1.4 s a run) and are freed by reference
    counting as usual; they hold no cycles. Leaving the block unfreezes (the last of
    overlapping runs does)."""
    global _frozen_runs
    was_enabled = gc.isenabled()
    gc.disable()
    frozen = False

    def loaded() -> None:
        nonlocal frozen
        global _frozen_runs
        with _frozen_lock:
            gc.freeze()
            _frozen_runs += 0 if frozen else 1
        if not frozen and was_enabled:
            gc.enable()
        frozen = True

    try:
        yield loaded
    finally:
        if frozen:
            with _frozen_lock:
                _frozen_runs -= 1
                if _frozen_runs == 0:
                    gc.unfreeze()
        elif was_enabled:
            gc.enable()


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def give_back_memory() -> None:
    """After a job run: collect what is left of its objects and hand the heap pages they
    freed back to the operating system (glibc's `malloc_trim`; elsewhere only the collect).

    glibc keeps freed memory for the next allocation, in one pool per thread that
    allocated it: after a run that read a whole portfolio, the process would keep its
    peak resident for the rest of its life, and the next job's own peak would come on top
    of it."""
    gc.collect()
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)
