"""Survey, check-in and App Home buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.ids import CHECKIN_ACTION, SURVEY_ACTION, ActionId
from bot.deps import Deps
from bot.flows import completion, status
from bot.flows.context import Caller
from handlers.acks import id_pressed
from handlers.errors import reported
from handlers.payload import bounded_id, id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    def survey_pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        matched = SURVEY_ACTION.match(action["action_id"])
        assert matched is not None  # Bolt routed it here by this pattern
        kind, score = matched.groups()
        # value: "project:score"
        project = str(action.get("value") or "").partition(":")[0]
        context["parsed"] = (bounded_id(project, gone="error.project_not_found"), kind, int(score))

    def survey(
        parsed: tuple[int, str, int], body: dict[str, Any], respond: Respond, caller: Caller
    ) -> None:
        project_id, kind, score = parsed
        answers = completion.answer_survey(
            deps, caller, project_id=project_id, kind=kind, score=score
        )
        ephemeral(respond, answers)

    project_pressed = id_pressed(gone="error.project_not_found")

    def comment(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        completion.open_comment_form(deps, caller, trigger_id=trigger_id, project_id=parsed)

    def checkin_pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        matched = CHECKIN_ACTION.match(action["action_id"])
        assert matched is not None  # Bolt routed it here by this pattern
        answer = matched.group(1)
        context["parsed"] = (id_value(action, gone="error.project_not_found"), answer)

    def checkin(
        parsed: tuple[int, str], body: dict[str, Any], respond: Respond, caller: Caller
    ) -> None:
        project_id, answer = parsed
        ephemeral(
            respond, completion.answer_checkin(deps, caller, project_id=project_id, answer=answer)
        )

    def home_status(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        status.open_status_modal(deps, caller, trigger_id=trigger_id, project_id=parsed)

    app.action(SURVEY_ACTION)(ack=survey_pressed, lazy=[reported(deps, survey)])
    app.action(ActionId.SURVEY_COMMENT)(ack=project_pressed, lazy=[reported(deps, comment)])
    app.action(CHECKIN_ACTION)(ack=checkin_pressed, lazy=[reported(deps, checkin)])
    app.action(ActionId.HOME_OPEN_STATUS)(ack=project_pressed, lazy=[reported(deps, home_status)])

    @app.action(ActionId.HOME_OPEN_CHANNEL)
    def home_channel(ack: Ack) -> None:
        ack()  # a link button: Slack opens the channel, the app only acknowledges
