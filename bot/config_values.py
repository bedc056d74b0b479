"""The forms setting values take: API tokens, the digest's time, a MM-DD range, and how a
secret or a database password is shown masked. Pure parsing; `bot.config` uses it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import urlsplit

# Slack's token kinds are public prefixes: showing them reveals nothing secret.
_PUBLIC_PREFIXES = ("xoxb-", "xapp-", "xoxp-", "xoxe-")
# At most this share of a secret is ever shown (from its end, like a card number).
MASK_SHARE = 8  # one character in eight
MASK_MAX = 4

_TOKEN_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_API_TOKEN = re.compile(r"[A-Za-z0-9_.~+/=-]{24,200}")


@dataclass(frozen=True)
class ApiToken:
    """One bearer token of the HTTP API: its name (for logs and the CSM's note) and rights."""

    name: str
    token: str
    read_only: bool = False


def parse_api_tokens(value: str) -> tuple[ApiToken, ...]:
    """`NAME:TOKEN[:read],…` → ApiTokens; ValueError naming the entry that is wrong."""
    tokens: list[ApiToken] = []
    for n, entry in enumerate(p.strip() for p in value.split(",")):
        if not entry:
            continue
        parts = entry.split(":")
        read_only = len(parts) == 3 and parts[2] == "read"
        if len(parts) not in (2, 3) or (len(parts) == 3 and not read_only):
            raise ValueError(f"entry {n + 1} is not NAME:TOKEN or NAME:TOKEN:read")
        name, token = parts[0], parts[1]
        if not _TOKEN_NAME.fullmatch(name):
            raise ValueError(f"entry {n + 1}: {name!r} is not a name (letters, digits, _.-)")
        if not _API_TOKEN.fullmatch(token):
            raise ValueError(
                f"entry {n + 1} ({name}): the token must be 24-200 URL-safe characters"
                " (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        if any(t.name == name for t in tokens) or any(t.token == token for t in tokens):
            raise ValueError(f"entry {n + 1} ({name}): its name or token is used twice")
        tokens.append(ApiToken(name, token, read_only))
    return tuple(tokens)


@dataclass(frozen=True)
class DigestTime:
    """DIGEST_CRON parsed: an APScheduler day-of-week expression and a time of day."""

    day_of_week: str
    hour: int
    minute: int


def parse_digest_cron(value: str) -> DigestTime:
    """`mon 09:00` (or `mon-fri 8:30`, `thu 17:00`) → DigestTime; ValueError when not."""
    from apscheduler.triggers.cron import CronTrigger  # only what validation needs

    shape = f"{value!r} is not a weekday and time such as 'mon 09:00'"
    match = re.fullmatch(r"\s*(\S+)\s+(\d{1,2}):(\d{2})\s*", value)
    if match is None:
        raise ValueError(shape)
    day, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"{value!r}: {hour:02d}:{minute:02d} is not a time of day")
    try:
        CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=UTC)
    except ValueError:
        raise ValueError(
            f"{value!r}: {day!r} is not a weekday (mon, tue, …, sun, or a range like mon-fri)"
        ) from None
    return DigestTime(day, hour, minute)


def mask_secret(value: str) -> str:
    """A secret as `xoxb-…3f9a`: its public kind prefix, then at most one character in
    MASK_SHARE (never more than MASK_MAX) from its end; nothing of a short one."""
    if not value:
        return ""
    prefix = next((p for p in _PUBLIC_PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix) :]
    shown = min(len(rest) // MASK_SHARE, MASK_MAX)
    return f"{prefix}…{rest[-shown:] if shown else ''}"


def parse_month_day_range(value: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Parse `MM-DD:MM-DD` (e.g. `12-29:01-03`) into two (month, day) pairs."""
    try:
        start, end = value.split(":")
        pairs = tuple(tuple(int(x) for x in part.split("-")) for part in (start, end))
        for month, day in pairs:
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise ValueError
    except ValueError:
        raise ValueError(f"{value!r} is not a MM-DD:MM-DD range such as 12-29:01-03") from None
    return pairs  # type: ignore[return-value]  # two pairs of two ints, checked above; a comprehension's tuple is typed tuple[int, ...]


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":******@", 1)
    return url
