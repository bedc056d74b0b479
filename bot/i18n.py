"""Message catalogs: every text the bot shows exists in Japanese and English."""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path
from typing import Literal, get_args

Locale = Literal["ja", "en"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
CATALOG_DIR = Path(__file__).parent / "locales"


@cache
def catalog(locale: Locale) -> dict[str, str]:
    """The flat key → template mapping of one locale, merged from `locales/<locale>/*.json`."""
    merged: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / locale).glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            part = json.load(fh)
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"{path}: keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


def t(locale: str, key: str, /, **values: object) -> str:
    """Render message `key` in `locale` (falling back to English for an unknown locale)."""
    messages = catalog(locale if locale in LOCALES else "en")
    return messages[key].format(**values)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
