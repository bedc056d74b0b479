"""Pausing Python's cyclic garbage collector around bulk loads, and giving memory back
after them."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
from collections.abc import Iterator


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
