"""Plan the schedule, Need more time, Skip (optional task) and Close (risk) buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import schedule
from bot.flows.context import Caller
from handlers.errors import reported
from handlers.payload import id_value
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    def plan_pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        context["parsed"] = id_value(action, gone="error.project_not_found")

    def plan(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        schedule.open_schedule_form(deps, caller, trigger_id=trigger_id, project_id=parsed)

    def task_pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        context["parsed"] = id_value(action)

    def more_time(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        schedule.open_more_time_form(deps, caller, trigger_id=trigger_id, task_id=parsed)

    def skip(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, schedule.skip(deps, caller, task_id=parsed))

    def risk_pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        context["parsed"] = id_value(action, gone="error.risk_not_found")

    def close_risk(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, schedule.close_risk(deps, caller, risk_id=parsed))

    app.action(ActionId.PLAN_SCHEDULE)(ack=plan_pressed, lazy=[reported(deps, plan)])
    app.action(ActionId.TASK_MORE_TIME)(ack=task_pressed, lazy=[reported(deps, more_time)])
    app.action(ActionId.TASK_SKIP)(ack=task_pressed, lazy=[reported(deps, skip)])
    app.action(ActionId.RISK_CLOSE)(ack=risk_pressed, lazy=[reported(deps, close_risk)])
