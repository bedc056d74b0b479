"""Slack channel names for customer projects. Pure.

Slack's rules: lowercase, at most 80 characters, only letters, digits, `-` and `_`.
"""

from __future__ import annotations

import re
import unicodedata

PREFIX = "onb-"
MAX_LENGTH = 80
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")


def slug(customer_name: str) -> str:
    """The ASCII part of a customer name as a channel-name slug ('' when nothing is left)."""
    # NFKC turns full-width letters and digits (ＡＢＣ１２３) into ASCII.
    text = unicodedata.normalize("NFKC", customer_name).lower()
    text = _NOT_ALLOWED.sub("-", text)
    return re.sub(r"-{2,}", "-", text).strip("-_")


def channel_name(customer_name: str, *, short_id: str, suffix: int = 0) -> str:
    """`onb-acme-corp`; a name with too little ASCII gets `onb-<short id>`.

    Args:
        customer_name: as typed by the CSM, any script.
        short_id: a short stable id (e.g. from the project id) for names without ASCII.
        suffix: 0 for the first try; n > 0 appends `-n` after `name_taken`.
    """
    base = slug(customer_name)
    if len(base.replace("-", "")) < 2:
        base = short_id.lower()
    tail = f"-{suffix}" if suffix else ""
    room = MAX_LENGTH - len(PREFIX) - len(tail)
    return PREFIX + base[:room].rstrip("-_") + tail
