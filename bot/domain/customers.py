"""Telling customers apart by name. Pure."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.channel_names import without_legal_entity


def customer_key(name: str) -> str:
    """One key for the ways one customer gets typed: `株式会社サンプル`, `サンプル(株)`,
    `ＳＡＭＰＬＥ Inc.` and `sample` meet; legal form, width, case and spaces aside."""
    text = unicodedata.normalize("NFKC", without_legal_entity(name)).casefold()
    return re.sub(r"[\s,.・]+", "", text)
