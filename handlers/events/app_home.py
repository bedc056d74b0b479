"""`app_home_opened`: render the Home tab for whoever opened it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.deps import Deps
from bot.flows import home
from handlers.errors import reported


def register(app: App, deps: Deps) -> None:
    def opened(event: dict[str, Any], context: BoltContext) -> None:
        user_id = event.get("user")
        if event.get("tab", "home") == "home" and isinstance(user_id, str) and user_id:
            context["parsed"] = user_id

    def publish(parsed: str, body: dict[str, Any]) -> None:
        home.publish(deps, parsed)

    app.event("app_home_opened")(ack=opened, lazy=[reported(deps, publish)])
