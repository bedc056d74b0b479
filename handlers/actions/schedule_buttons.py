"""Plan the schedule, Need more time, Skip (optional task) and Close (risk) buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bot.blocks.ids import ActionId
from bot.deps import Deps
from bot.flows import schedule
from bot.flows.context import Caller
from handlers.acks import id_pressed
from handlers.errors import reported
from handlers.respond import ephemeral


def register(app: App, deps: Deps) -> None:
    plan_pressed = id_pressed(gone="error.project_not_found")

    def plan(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        schedule.open_schedule_form(deps, caller, trigger_id=trigger_id, project_id=parsed)

    task_pressed = id_pressed()

    def more_time(parsed: int, body: dict[str, Any], caller: Caller) -> None:
        trigger_id = str(body.get("trigger_id") or "")
        schedule.open_more_time_form(deps, caller, trigger_id=trigger_id, task_id=parsed)

    def skip(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, schedule.skip(deps, caller, task_id=parsed))

    risk_pressed = id_pressed(gone="error.risk_not_found")

    def close_risk(parsed: int, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        ephemeral(respond, schedule.close_risk(deps, caller, risk_id=parsed))

    app.action(ActionId.PLAN_SCHEDULE)(ack=plan_pressed, lazy=[reported(deps, plan)])
    app.action(ActionId.TASK_MORE_TIME)(ack=task_pressed, lazy=[reported(deps, more_time)])
    app.action(ActionId.TASK_SKIP)(ack=task_pressed, lazy=[reported(deps, skip)])
    app.action(ActionId.RISK_CLOSE)(ack=risk_pressed, lazy=[reported(deps, close_risk)])
