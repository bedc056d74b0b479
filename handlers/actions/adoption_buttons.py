"""Survey, check-in and App Home buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import CHECKIN_ACTION, SURVEY_ACTION, ActionId
from bot.deps import Deps
from bot.flows import completion, status
from bot.flows.context import Caller
from handlers.errors import Later, after_ack
from handlers.payload import bounded_id, id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(SURVEY_ACTION)
    @after_ack(deps)
    def survey(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        kind, score = SURVEY_ACTION.match(action["action_id"]).groups()  # type: ignore[union-attr]
        # value: "project:score"
        project = str(action.get("value") or "").partition(":")[0]
        project_id = bounded_id(project, gone="error.project_not_found")
        return lambda: ephemeral(
            respond,
            completion.answer_survey(
                deps, caller, project_id=project_id, kind=kind, score=int(score)
            ),
        )

    @app.action(ActionId.SURVEY_COMMENT)
    @after_ack(deps)
    def comment(ack: Ack, body: dict[str, Any], action: dict[str, Any], caller: Caller) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        project_id = id_value(action, gone="error.project_not_found")
        return lambda: completion.open_comment_form(
            deps, caller, trigger_id=trigger_id, project_id=project_id
        )

    @app.action(CHECKIN_ACTION)
    @after_ack(deps)
    def checkin(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        answer = CHECKIN_ACTION.match(action["action_id"]).group(1)  # type: ignore[union-attr]
        project_id = id_value(action, gone="error.project_not_found")
        return lambda: ephemeral(
            respond,
            completion.answer_checkin(deps, caller, project_id=project_id, answer=answer),
        )

    @app.action(ActionId.HOME_OPEN_STATUS)
    @after_ack(deps)
    def home_status(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], caller: Caller
    ) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        project_id = id_value(action, gone="error.project_not_found")
        return lambda: status.open_status_modal(
            deps, caller, trigger_id=trigger_id, project_id=project_id
        )

    @app.action(ActionId.HOME_OPEN_CHANNEL)
    @after_ack(deps)
    def home_channel(ack: Ack) -> None:
        ack()  # a link button: Slack opens the channel, the app only acknowledges
