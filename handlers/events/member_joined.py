"""`member_joined_channel`: link customers who accepted the Slack Connect invitation."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.flows import membership
from handlers.errors import Later, after_ack


def register(app: App, deps: Deps) -> None:
    @app.event("member_joined_channel")
    @after_ack(deps)
    def joined(event: dict[str, Any]) -> Later | None:
        channel_id, user_id = event.get("channel"), event.get("user")
        if not isinstance(channel_id, str) or not isinstance(user_id, str):
            return None
        return lambda: membership.member_joined(deps, channel_id=channel_id, user_id=user_id)
