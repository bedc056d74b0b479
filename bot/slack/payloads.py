"""What the gateway sends and reads back: a message to post, with the metadata that finds it
again, and a person's profile. `bot.slack.gateway` re-exports `Postable` and `UserInfo`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

OUTBOX_EVENT = "onboarding_message"  # a message whose sender said nothing more


class Postable(Protocol):
    """Anything with a notification text and blocks (bot.blocks.message.Message). Read-only
    members, so a frozen dataclass matches."""

    @property
    def text(self) -> str: ...

    @property
    def blocks(self) -> list[dict[str, Any]]: ...


def metadata_of(message: Postable, *, key: str | None = None) -> dict[str, Any] | None:
    """The message's Slack metadata; with `key` (an outbox key) always some, the key in it."""
    found = getattr(message, "metadata", None) or None
    if key is None:
        return found
    found = found or {"event_type": OUTBOX_EVENT, "event_payload": {}}
    return {**found, "event_payload": {**found["event_payload"], "key": key}}


@dataclass(frozen=True)
class UserInfo:
    id: str
    team_id: str | None
    tz: str | None
    locale: str | None
    email: str | None
    name: str
    deleted: bool
    is_bot: bool
