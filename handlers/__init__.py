"""Bolt listeners, one module per Slack surface. Only the composition root imports this."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import errors
from handlers.actions import status_button, task_buttons
from handlers.commands import onboard
from handlers.events import member_joined
from handlers.views import start_project


def register(app: App, deps: Deps) -> None:
    for module in (onboard, task_buttons, status_button, start_project, member_joined, errors):
        module.register(app, deps)
