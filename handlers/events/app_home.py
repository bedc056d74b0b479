"""`app_home_opened`: render the Home tab for whoever opened it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.flows import home
from handlers.errors import Later, after_ack


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    @after_ack(deps)
    def opened(event: dict[str, Any]) -> Later | None:
        user_id = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user_id, str) or not user_id:
            return None
        return lambda: home.publish(deps, user_id)
