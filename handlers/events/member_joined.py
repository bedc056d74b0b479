"""`member_joined_channel`: link customers who accepted the Slack Connect invitation."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.flows import membership
from handlers.errors import after_ack


def register(app: App, deps: Deps) -> None:
    @app.event("member_joined_channel")
    @after_ack(deps)
    def joined(event: dict[str, Any]) -> None:
        membership.member_joined(deps, channel_id=event["channel"], user_id=event["user"])
