"""`/onboard …`: parse, call one flow, answer the caller."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.blocks.escape import escape
from bot.blocks.help import help_message
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.domain import command_text as cmd
from bot.flows import completion, kickoff, membership, pause, schedule, start_modal, status
from bot.flows.context import Caller
from handlers.errors import reported
from handlers.respond import ephemeral
from handlers.views.values import without_nul


def register(app: App, deps: Deps) -> None:
    def onboard(ack: Ack, body: dict[str, Any], caller: Caller, context: BoltContext) -> None:
        try:
            command = cmd.parse(without_nul(body.get("text") or ""))
        except cmd.ParseError as exc:
            # The mistake quotes what the person typed: escape it like any user text.
            values = {k: escape(v) if isinstance(v, str) else v for k, v in exc.values.items()}
            message = reply(caller.locale, exc.key, **values)
            ack(response_type="ephemeral", text=message.text, blocks=message.blocks)
            return
        if isinstance(command, cmd.HelpCommand):
            message = help_message(caller.locale, topic=command.topic)
            ack(response_type="ephemeral", text=message.text, blocks=message.blocks)
            return
        ack()  # answer inside Slack's 3 seconds; the work follows on the work pool
        context["parsed"] = command

    def run(parsed: cmd.Command, body: dict[str, Any], respond: Respond, caller: Caller) -> None:
        _run(deps, parsed, caller, respond, trigger_id=str(body.get("trigger_id") or ""))

    app.command("/onboard")(ack=onboard, lazy=[reported(deps, run)])


def _run(
    deps: Deps, command: cmd.Command, caller: Caller, respond: Respond, *, trigger_id: str
) -> None:
    if isinstance(command, cmd.StartCommand) and command.customer_name is None:
        start_modal.open_start_modal(deps, caller, trigger_id=trigger_id)
    elif isinstance(command, cmd.StartCommand):
        # The same request sent again (a replay) starts nothing more.
        request = f"command:{trigger_id}" if trigger_id else None
        ephemeral(respond, kickoff.start(deps, command, caller, request=request))
    elif isinstance(command, cmd.StatusCommand):
        ephemeral(respond, [status.status(deps, caller)])
    elif isinstance(command, cmd.AssignCommand):
        ephemeral(
            respond,
            [membership.assign(deps, caller, user_id=command.user_id, role=command.role)],
        )
    elif isinstance(command, cmd.PauseCommand):
        ephemeral(respond, [pause.pause(deps, caller, until=command.until)])
    elif isinstance(command, cmd.ResumeCommand):
        ephemeral(respond, [pause.resume(deps, caller)])
    elif isinstance(command, cmd.CloseCommand):
        ephemeral(
            respond,
            [
                completion.close(
                    deps,
                    caller,
                    outcome=command.outcome,
                    reason=command.reason,
                    share_reason=command.share_reason,
                )
            ],
        )
    elif isinstance(command, cmd.ScheduleCommand):
        schedule.open_schedule_form(deps, caller, trigger_id=trigger_id)
    else:
        ephemeral(respond, [help_message(caller.locale)])
