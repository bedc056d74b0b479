"""Handlers: Bolt listeners, one module per Slack surface. Each parses the payload into a
typed request, calls one flow and responds: no SQL, no rules, no services, no storage.
Only the composition root imports this package.
The rule is in `.importlinter` (see README, "Where does it go"); `make lint` checks it.
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import errors, request_context
from handlers.actions import (
    adoption_buttons,
    escalation_buttons,
    identify_buttons,
    schedule_buttons,
    snooze_button,
    start_again,
    status_button,
    task_buttons,
)
from handlers.commands import onboard
from handlers.events import app_home, member_joined
from handlers.views import escalation_forms, schedule_forms, start_project, survey_comment


def register(app: App, deps: Deps) -> None:
    for module in (
        request_context,
        onboard,
        task_buttons,
        status_button,
        schedule_buttons,
        start_project,
        start_again,
        schedule_forms,
        adoption_buttons,
        identify_buttons,
        escalation_buttons,
        escalation_forms,
        snooze_button,
        survey_comment,
        member_joined,
        app_home,
        errors,
    ):
        module.register(app, deps)
