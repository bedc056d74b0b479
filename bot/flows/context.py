"""Who is asking and where: the part of a Slack payload that flows need."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    user_id: str
    channel_id: str | None = None
    payload_team_id: str | None = None  # the acting user's team as the payload states it
