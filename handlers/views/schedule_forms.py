"""Submissions of the scheduling form and the Need more time form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks.ids import CallbackId, MoreTimeField, ScheduleField
from bot.deps import Deps
from bot.domain.schedule import ScheduleAnswers, parse_day, schedule_answers
from bot.flows import schedule
from bot.flows.context import Caller
from bot.i18n import t
from handlers.acks import field_error, field_errors
from handlers.errors import reported
from handlers.payload import metadata_id
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    _register_schedule(app, deps)
    _register_more_time(app, deps)


def _register_schedule(app: App, deps: Deps) -> None:
    def schedule_submitted(
        ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext
    ) -> None:
        fields = {f.value: field_value(view, f.value) for f in ScheduleField}
        project_id = metadata_id(view, gone="error.project_not_found")
        answers = schedule_answers(fields, today=deps.today())
        if isinstance(answers, list):
            field_errors(ack, caller.locale, answers)
            return
        # Checked on the way back too: the metadata may name any project.
        refusal = schedule.submission_refusal(deps, caller, project_id=project_id)
        if refusal is not None:
            field_error(ack, ScheduleField.SLIP_REASON, refusal)
            return
        ack()
        # The same submission sent again (a replay) is applied once.
        context["parsed"] = (project_id, answers, f"schedule:{view.get('id') or ''}")

    def scheduled(
        parsed: tuple[int, ScheduleAnswers, str], body: dict[str, Any], caller: Caller
    ) -> None:
        project_id, answers, request = parsed
        schedule.submit_schedule(
            deps, caller, project_id=project_id, answers=answers, request=request
        )

    app.view(CallbackId.SCHEDULE)(ack=schedule_submitted, lazy=[reported(deps, scheduled)])


def _register_more_time(app: App, deps: Deps) -> None:
    def more_time_submitted(
        ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext
    ) -> None:
        raw_due = field_value(view, MoreTimeField.NEW_DUE)
        reason = field_value(view, MoreTimeField.REASON) or "other"
        note = field_value(view, MoreTimeField.NOTE)
        task_id = metadata_id(view, gone="error.task_not_found")
        new_due = parse_day(raw_due)
        if raw_due and new_due is None:  # not a calendar day, e.g. 2027-13-45
            field_error(ack, MoreTimeField.NEW_DUE, t(caller.locale, "form.bad_date"))
            return
        # Validate and apply before answering: a refused date is shown on the form itself.
        moved = schedule.move_task(
            deps, caller, task_id=task_id, new_due=new_due, reason=reason, note=note
        )
        if isinstance(moved, str):
            field_error(ack, MoreTimeField.NEW_DUE, moved)
            return
        ack()
        # Announced by the lazy part, which Bolt starts only once this has returned: after
        # the move is saved. None (the date it had) leaves nothing to tell.
        context["parsed"] = moved

    def announce(parsed: schedule.MovedTask, body: dict[str, Any], caller: Caller) -> None:
        schedule.announce_move(deps, caller, parsed)

    app.view(CallbackId.MORE_TIME)(ack=more_time_submitted, lazy=[reported(deps, announce)])
