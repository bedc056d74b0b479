"""The project's health as every surface names it (status, checklist, App Home)."""

from __future__ import annotations

from bot.domain.health import STATES
from bot.i18n import t


def health_label(locale: str, state: str) -> str:
    """`🔴 Late`, `🟢 On track`…: one label per state, the same everywhere."""
    if state not in STATES:
        raise ValueError(f"unknown health state: {state!r}")
    return t(locale, f"health.{state}")
