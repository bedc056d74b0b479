"""The survey's optional comment."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks.ids import CallbackId, SurveyField
from bot.deps import Deps
from bot.flows import completion
from bot.flows.context import Caller
from handlers.acks import field_error
from handlers.errors import reported
from handlers.payload import metadata_id
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    def submitted(ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext) -> None:
        comment = field_value(view, SurveyField.COMMENT) or ""
        if not comment.strip():
            ack()
            return
        project_id = metadata_id(view, gone="error.project_not_found")
        refusal = completion.comment_refusal(deps, caller, project_id=project_id)
        if refusal is not None:
            field_error(ack, SurveyField.COMMENT, refusal)
            return
        ack()
        context["parsed"] = (project_id, comment)

    def save(parsed: tuple[int, str], body: dict[str, Any], caller: Caller) -> None:
        project_id, comment = parsed
        completion.save_comment(deps, caller, project_id=project_id, comment=comment)

    app.view(CallbackId.SURVEY_COMMENT)(ack=submitted, lazy=[reported(deps, save)])
