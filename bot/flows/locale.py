"""Which language to answer a person in (see `Caller.locale`)."""

from __future__ import annotations

from bot.flows.context import locale_for

__all__ = ["locale_for"]
