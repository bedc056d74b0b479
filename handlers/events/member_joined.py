"""`member_joined_channel`: link customers who accepted the Slack Connect invitation."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.deps import Deps
from bot.flows import membership
from handlers.errors import reported


def register(app: App, deps: Deps) -> None:
    def joined(event: dict[str, Any], context: BoltContext) -> None:
        channel_id, user_id = event.get("channel"), event.get("user")
        if isinstance(channel_id, str) and isinstance(user_id, str):
            context["parsed"] = (channel_id, user_id)

    def link(parsed: tuple[str, str], body: dict[str, Any]) -> None:
        channel_id, user_id = parsed
        membership.member_joined(deps, channel_id=channel_id, user_id=user_id)

    app.event("member_joined_channel")(ack=joined, lazy=[reported(deps, link)])
