"""Plan the schedule, Need more time, Skip (optional task) and Close (risk) buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import schedule
from bot.flows.context import Caller
from handlers.errors import Later, after_ack
from handlers.payload import id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    @app.action(ActionId.PLAN_SCHEDULE)
    @after_ack(deps)
    def plan(ack: Ack, body: dict[str, Any], action: dict[str, Any], caller: Caller) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        project_id = id_value(action, gone="error.project_not_found")
        return lambda: schedule.open_schedule_form(
            deps, caller, trigger_id=trigger_id, project_id=project_id
        )

    @app.action(ActionId.TASK_MORE_TIME)
    @after_ack(deps)
    def more_time(ack: Ack, body: dict[str, Any], action: dict[str, Any], caller: Caller) -> Later:
        ack()
        trigger_id = str(body.get("trigger_id") or "")
        task_id = id_value(action)
        return lambda: schedule.open_more_time_form(
            deps, caller, trigger_id=trigger_id, task_id=task_id
        )

    @app.action(ActionId.TASK_SKIP)
    @after_ack(deps)
    def skip(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        task_id = id_value(action)
        return lambda: ephemeral(respond, schedule.skip(deps, caller, task_id=task_id))

    @app.action(ActionId.RISK_CLOSE)
    @after_ack(deps)
    def close_risk(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, caller: Caller
    ) -> Later:
        ack()
        risk_id = id_value(action, gone="error.risk_not_found")
        return lambda: ephemeral(respond, schedule.close_risk(deps, caller, risk_id=risk_id))
