"""The CSM's answer to "who is this?" about someone who joined a project channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import IDENTIFY_ACTION
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import membership
from bot.flows.context import Caller
from handlers.errors import Later, after_ack
from handlers.payload import bounded_id


def register(app: App, deps: Deps) -> None:
    @app.action(IDENTIFY_ACTION)
    @after_ack(deps)
    def answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        choice = IDENTIFY_ACTION.match(action["action_id"]).group(1)  # type: ignore[union-attr]
        # value: "<project id>:<user id>"
        project, _, user_id = str(action.get("value") or "").partition(":")
        project_id = bounded_id(project, gone="error.project_not_found")
        if not user_id.isalnum():
            raise UserError("error.project_not_found")  # a forged payload

        def answered() -> None:
            note = membership.identify(
                deps, caller, project_id=project_id, user_id=user_id, answer=choice
            )
            respond(text=note.text, blocks=note.blocks, replace_original=True)

        return answered
