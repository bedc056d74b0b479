"""Database ids as people and payloads write them."""

from __future__ import annotations

import re

MAX_ID = 2_147_483_647  # the largest id the database's integer columns hold (PostgreSQL int4)
_ID = re.compile(r"[0-9]{1,10}")


def row_id(raw: object) -> int | None:
    """The id `raw` names: ASCII digits that fit the database's integer ids, or None for
    anything else (40 digits, "1e9", "²", a list, nothing), which no row can have."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_ID:
        return None
    return int(text)
