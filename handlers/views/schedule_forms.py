"""Submissions of the scheduling form and the Need more time form."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.ids import CallbackId, MoreTimeField, ScheduleField
from bot.deps import Deps
from bot.domain.schedule import parse_day, schedule_answers
from bot.flows import schedule
from bot.flows.context import Caller
from bot.i18n import t
from handlers.errors import Later, after_ack
from handlers.payload import metadata_id
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.SCHEDULE)
    @after_ack(deps)
    def schedule_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], caller: Caller
    ) -> Later | None:
        fields = {f.value: field_value(view, f.value) for f in ScheduleField}
        project_id = metadata_id(view, gone="error.project_not_found")
        answers = schedule_answers(fields, today=deps.today())
        if isinstance(answers, list):
            locale = caller.locale
            ack(
                response_action="errors",
                errors={e.field: t(locale, e.key, **e.values) for e in answers},
            )
            return None
        # Checked on the way back too: the metadata may name any project.
        refusal = schedule.submission_refusal(deps, caller, project_id=project_id)
        if refusal is not None:
            message = t(caller.locale, refusal)
            ack(response_action="errors", errors={ScheduleField.SLIP_REASON.value: message})
            return None
        ack()
        # The same submission sent again (a replay) is applied once.
        request = f"schedule:{view.get('id') or ''}"
        return lambda: schedule.submit_schedule(
            deps, caller, project_id=project_id, answers=answers, request=request
        )

    @app.view(CallbackId.MORE_TIME)
    @after_ack(deps)
    def more_time_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], caller: Caller
    ) -> Later | None:
        raw_due = field_value(view, MoreTimeField.NEW_DUE)
        reason = field_value(view, MoreTimeField.REASON) or "other"
        note = field_value(view, MoreTimeField.NOTE)
        task_id = metadata_id(view, gone="error.task_not_found")
        new_due = parse_day(raw_due)
        if raw_due and new_due is None:  # not a calendar day, e.g. 2027-13-45
            locale = caller.locale
            ack(
                response_action="errors",
                errors={MoreTimeField.NEW_DUE.value: t(locale, "form.bad_date")},
            )
            return None
        # Validate and apply before answering: a refused date is shown on the form itself.
        moved = schedule.move_task(
            deps, caller, task_id=task_id, new_due=new_due, reason=reason, note=note
        )
        if isinstance(moved, str):
            locale = caller.locale
            ack(response_action="errors", errors={MoreTimeField.NEW_DUE.value: t(locale, moved)})
            return None
        ack()
        if moved is None:
            return None  # the date it had: nothing to tell
        return lambda: schedule.announce_move(deps, caller, moved)
