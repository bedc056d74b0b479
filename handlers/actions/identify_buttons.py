"""The CSM's answer to "who is this?" about someone who joined a project channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.ids import IDENTIFY_ACTION
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import membership
from bot.flows.context import Caller
from handlers.errors import reported
from handlers.payload import bounded_id


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        matched = IDENTIFY_ACTION.match(action["action_id"])
        assert matched is not None  # Bolt routed it here by this pattern
        choice = matched.group(1)
        # value: "<project id>:<user id>"
        project, _, user_id = str(action.get("value") or "").partition(":")
        project_id = bounded_id(project, gone="error.project_not_found")
        if not user_id.isalnum():
            raise UserError("error.project_not_found")  # a forged payload
        context["parsed"] = (project_id, user_id, choice)

    def answer(
        parsed: tuple[int, str, str], body: dict[str, Any], respond: Respond, caller: Caller
    ) -> None:
        project_id, user_id, choice = parsed
        note = membership.identify(
            deps, caller, project_id=project_id, user_id=user_id, answer=choice
        )
        respond(text=note.text, blocks=note.blocks, replace_original=True)

    app.action(IDENTIFY_ACTION)(ack=pressed, lazy=[reported(deps, answer)])
