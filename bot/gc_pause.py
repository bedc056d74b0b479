"""Pausing Python's cyclic garbage collector around bulk loads."""

from __future__ import annotations

import contextlib
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
