"""Planning the schedule with the customer, and asking for more time on a task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks.message import Message, about
from bot.blocks.replan import replan_alert, replan_note, replan_summary
from bot.blocks.replies import reply
from bot.blocks.schedule import more_time_modal, schedule_modal
from bot.deps import Deps
from bot.domain.schedule import ScheduleAnswers
from bot.domain.views import ProjectView, TaskView
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.flows.modals import open_modal
from bot.flows.timeline import share_timeline
from bot.i18n import t
from bot.services import schedule as schedule_service
from bot.services import schedule_views
from bot.services.results import Refused
from bot.services.session import unit_of_work


def open_schedule_form(
    deps: Deps, caller: Caller, *, trigger_id: str, project_id: int | None = None
) -> None:
    """The scheduling form, for the project's customer members and CS staff."""
    open_modal(
        deps,
        caller,
        trigger_id=trigger_id,
        build=lambda: _schedule_form(deps, caller, project_id=project_id),
    )


def _schedule_form(deps: Deps, caller: Caller, *, project_id: int | None) -> dict[str, Any]:
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        form = schedule_views.schedule_form(
            session=session,
            project_id=project_id,
            channel_id=caller.channel_id,
            actor=actor,
            now=deps.clock(),
        )
    if isinstance(form, Refused):
        raise UserError(form.key, **form.values)
    return schedule_modal(
        form.view,
        suggestion=form.suggestion,
        in_suggestion=form.in_suggestion,
        plan_end=form.plan_end,
        committed_go_live=form.committed_go_live,
    )


def submission_refusal(deps: Deps, caller: Caller, *, project_id: int) -> str | None:
    """Why this person may not plan this project, in their language (shown on the form), or
    None: checked when the form comes back, whatever project its metadata names."""
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        refused = schedule_views.submission_refusal(
            session=session, project_id=project_id, actor=actor
        )
    return _form_text(caller, refused) if refused is not None else None


def submit_schedule(
    deps: Deps,
    caller: Caller,
    *,
    project_id: int,
    answers: ScheduleAnswers,
    request: str | None = None,
) -> None:
    """Store the answers, re-plan around the busy periods, tell the channel what moved.
    Refused (and nothing stored) unless the person may plan this project; a submission
    that arrives again (`request`, the form's view) changes nothing more."""
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        result = schedule_service.apply_answers(
            session=session,
            project_id=project_id,
            answers=answers,
            actor=actor,
            now=deps.clock(),
            calendar_for=deps.calendar,
            request=request,
        )
    if isinstance(result, Refused):
        raise UserError(result.key, **result.values)
    if result.value is None:
        return  # this submission was applied before
    replanned = result.value
    view = replanned.view
    assert view is not None and view.channel_id is not None and replanned.plan_end is not None
    tasks_by_id = {t.id: t for t in view.tasks}
    moved = [(tasks_by_id[row.id], old, new, days) for row, old, new, days in replanned.moved]  # type: ignore[index]  # a stored task has its id
    refresh_checklist(deps, project_id)
    summary = replan_summary(
        view,
        moved=moved,
        plan_end=replanned.plan_end,
        committed_go_live=replanned.committed_go_live,
        initiatives=replanned.initiatives,
        optional_open=[t for t in view.tasks if t.is_open and not t.required],
    )
    deps.gateway.post_message(
        view.channel_id,
        about(
            summary,
            "onboarding_schedule_replanned",
            project_id=project_id,
            task_ids=[row.id for row, *_ in replanned.moved],  # type: ignore[misc]  # likewise
        ),
    )
    share_timeline(deps, project_id)


def open_more_time_form(deps: Deps, caller: Caller, *, trigger_id: str, task_id: int) -> None:
    """The Need more time form, for who may complete the task."""
    open_modal(
        deps,
        caller,
        trigger_id=trigger_id,
        build=lambda: _more_time_form(deps, caller, task_id=task_id),
    )


def _more_time_form(deps: Deps, caller: Caller, *, task_id: int) -> dict[str, Any]:
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        form = schedule_views.more_time_form(
            session=session, task_id=task_id, actor=actor, now=deps.clock()
        )
    if isinstance(form, Refused):
        raise UserError(form.key, **form.values)
    return more_time_modal(
        form.task, project_id=form.project_id, locale=form.locale, today=form.today
    )


@dataclass(frozen=True)
class MovedTask:
    """A task the Need-more-time form moved: what its channel and its CSM are told."""

    task: TaskView  # as moved
    view: ProjectView
    old_due: date
    reason: str
    thread_ts: str | None  # the checklist's thread
    alert: bool  # re-planned more than twice: the CSM hears of it
    reasons: tuple[str, ...]


def move_task(
    deps: Deps, caller: Caller, *, task_id: int, new_due: date | None, reason: str, note: str | None
) -> MovedTask | str | None:
    """Move the task in the database (fast, before the form is answered). Returns the move
    (to announce once the form is answered), the text for the form (in the person's
    language) when the date can't be used or the person may not move it, or None when the
    date is the one it had."""
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        result = schedule_service.request_more_time(
            session=session,
            task_id=task_id,
            actor=actor,
            new_due=new_due,
            reason=reason,
            note=note,
            now=deps.clock(),
            calendar_for=deps.calendar,
        )
    if isinstance(result, Refused):
        # Shown on the form itself: the form is still open, so the person sees why.
        return _form_text(caller, result)
    if result.value is None:
        return None  # the date it had
    moved = result.value
    project, view = moved.project, moved.view
    return MovedTask(
        task=next(t for t in view.tasks if t.id == task_id),
        view=view,
        old_due=moved.old_due,
        reason=reason,
        thread_ts=project.checklist_ts[0] if project.checklist_ts else None,
        alert=moved.alert,
        reasons=moved.reasons,
    )


def announce_move(deps: Deps, caller: Caller, moved: MovedTask) -> None:
    """The Slack work after a move: the checklist, a note in its thread, the CSM's alert."""
    view, task, thread = moved.view, moved.task, moved.thread_ts
    refresh_checklist(deps, view.id)
    if view.channel_id:
        note_message = replan_note(
            task,
            old_due=moved.old_due,
            new_due=task.due,
            reason=moved.reason,
            actor_user_id=caller.user_id,
            locale=view.locale,
            customers=view.customer_user_ids,
        )
        deps.gateway.post_message(
            view.channel_id,
            about(
                note_message, "onboarding_task_replanned", project_id=view.id, task_ids=[task.id]
            ),
            thread_ts=thread,
        )
        share_timeline(deps, view.id, thread_ts=thread)
    if moved.alert and view.csm_user_id:
        alert = replan_alert(view, task, count=task.replan_count, reasons=list(moved.reasons))
        deps.gateway.post_message(
            view.csm_user_id,
            about(alert, "onboarding_replan_alert", project_id=view.id, task_ids=[task.id]),
        )


def skip(deps: Deps, caller: Caller, *, task_id: int) -> list[Message]:
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        change = schedule_service.skip_task(
            session=session, task_id=task_id, actor=actor, now=deps.clock()
        )
    if isinstance(change, Refused):
        return [reply(change.locale or deps.settings.default_locale, change.key, **change.values)]
    assert change.value.id is not None
    refresh_checklist(deps, change.value.id)
    return []


def close_risk(deps: Deps, caller: Caller, *, risk_id: int) -> list[Message]:
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        closed = schedule_service.close_risk(
            session=session, risk_id=risk_id, actor=actor, now=deps.clock()
        )
    if isinstance(closed, Refused):
        return [reply(closed.locale or deps.settings.default_locale, closed.key, **closed.values)]
    locale = closed.value.locale if closed.value else deps.settings.default_locale
    return [reply(locale, "riskreg.closed")]


def _form_text(caller: Caller, refused: Refused) -> str:
    """A refusal as the form shows it under its field, with the refusal's own values."""
    return t(caller.locale, refused.key, **refused.values)
