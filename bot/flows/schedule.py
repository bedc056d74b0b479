"""Planning the schedule with the customer, and asking for more time on a task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bot.blocks.message import Message, about
from bot.blocks.replies import reply
from bot.blocks.schedule import (
    more_time_modal,
    replan_alert,
    replan_note,
    replan_summary,
    schedule_modal,
)
from bot.deps import Deps
from bot.domain.schedule import ScheduleAnswers, fiscal_year_end
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.flows.lookup import existing_project
from bot.flows.modals import open_modal
from bot.flows.timeline import share_timeline
from bot.services import schedule as schedule_service
from bot.services.projects import local_today, project_view
from bot.services.tasks import Outcome, TaskChange
from storage import projects as project_rows
from storage.db import session_scope


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
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        if project_id is not None:
            project = project_rows.get(session=session, project_id=project_id)
        else:
            project = project_rows.by_channel(session=session, channel_id=caller.channel_id or "")
        if project is None or project.id is None:
            raise UserError("deny.not_a_project_channel")
        refusal = schedule_service.plan_refusal(session=session, project=project, actor=actor)
        if refusal is not None:
            raise UserError(refusal)
        view = project_view(session=session, project=project)
        today = local_today(project, deps.clock())
        suggestion = fiscal_year_end(today, month=project.fiscal_year_end_month)
        in_suggestion = [t for t in view.tasks if t.is_open and suggestion.contains(t.due)]
        plan_end = max(t.due for t in view.tasks if t.status != "skipped")
        committed = project.committed_go_live
    return schedule_modal(
        view,
        suggestion=suggestion,
        in_suggestion=in_suggestion,
        plan_end=plan_end,
        committed_go_live=committed,
    )


def submission_refusal(deps: Deps, caller: Caller, *, project_id: int) -> str | None:
    """Why this person may not plan this project (a message key), or None: checked when
    the form comes back, whatever project its metadata names."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        project = project_rows.get(session=session, project_id=project_id)
        if project is None:
            return "error.project_not_found"
        return schedule_service.plan_refusal(session=session, project=project, actor=actor)


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
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        project = existing_project(session=session, project_id=project_id)
        result = schedule_service.apply_answers(
            session=session,
            project=project,
            answers=answers,
            actor=actor,
            now=deps.clock(),
            calendar_for=deps.calendar,
            request=request,
        )
        if result.refused is not None:
            raise UserError(result.refused)
        if result.repeated:
            return
        view = project_view(session=session, project=project)
        tasks_by_id = {t.id: t for t in view.tasks}
        moved = [(tasks_by_id[row.id], old, new, days) for row, old, new, days in result.moved]  # type: ignore[index]
        optional_open = [t for t in view.tasks if t.is_open and not t.required]
        channel = project.channel_id
    refresh_checklist(deps, project_id)
    assert channel is not None and result.plan_end is not None
    summary = replan_summary(
        view,
        moved=moved,
        plan_end=result.plan_end,
        committed_go_live=result.committed_go_live,
        initiatives=result.initiatives,
        optional_open=optional_open,
    )
    deps.gateway.post_message(
        channel,
        about(
            summary,
            "onboarding_schedule_replanned",
            project_id=project_id,
            task_ids=[row.id for row, *_ in result.moved],  # type: ignore[misc]
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
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        target = schedule_service.more_time_target(session=session, task_id=task_id, actor=actor)
        if isinstance(target, TaskChange):
            raise UserError(target.reason or "deny.not_project_member")
        project, _task = target
        assert project.id is not None
        view = next(
            t for t in project_view(session=session, project=project).tasks if t.id == task_id
        )
        locale, today = project.locale, local_today(project, deps.clock())
    return more_time_modal(view, project_id=project.id, locale=locale, today=today)


def submit_more_time(
    deps: Deps, caller: Caller, *, task_id: int, new_due: date | None, reason: str, note: str | None
) -> tuple[str | None, Callable[[], None]]:
    """Move the task in the database (fast, before the form is answered).

    Returns a message key for the form when the date can't be used, and the Slack work that
    follows (checklist, thread note, alert) to run once the form is answered.
    """
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        outcome = schedule_service.request_more_time(
            session=session,
            task_id=task_id,
            actor=actor,
            new_due=new_due,
            reason=reason,
            note=note,
            now=deps.clock(),
            calendar_for=deps.calendar,
        )
        change = outcome.change
        if outcome.problem is not None:
            return outcome.problem, _nothing
        if change.outcome == Outcome.REFUSED:
            # Shown on the form itself: the form is still open, so the person sees why.
            return change.reason or "error.unexpected", _nothing
        if change.outcome == Outcome.UNCHANGED:
            return None, _nothing
        project = change.project
        assert project is not None and project.id is not None and outcome.old_due is not None
        view = project_view(session=session, project=project)
    task_view = next(t for t in view.tasks if t.id == task_id)
    project_id, old_due = project.id, outcome.old_due
    channel, thread = project.channel_id, (project.checklist_ts or [None])[0]

    def tell_slack() -> None:
        refresh_checklist(deps, project_id)
        if channel:
            note_message = replan_note(
                task_view,
                old_due=old_due,
                new_due=task_view.due,
                reason=reason,
                actor_user_id=caller.user_id,
                locale=view.locale,
                customers=view.customer_user_ids,
            )
            deps.gateway.post_message(
                channel,
                about(
                    note_message,
                    "onboarding_task_replanned",
                    project_id=project_id,
                    task_ids=[task_id],
                ),
                thread_ts=thread,
            )
            share_timeline(deps, project_id, thread_ts=thread)
        if outcome.alert and view.csm_user_id:
            alert = replan_alert(
                view, task_view, count=task_view.replan_count, reasons=list(outcome.reasons)
            )
            deps.gateway.post_message(
                view.csm_user_id,
                about(alert, "onboarding_replan_alert", project_id=project_id, task_ids=[task_id]),
            )

    return None, tell_slack


def _nothing() -> None:
    return None


def skip(deps: Deps, caller: Caller, *, task_id: int) -> list[Message]:
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        change = schedule_service.skip_task(
            session=session, task_id=task_id, actor=actor, now=deps.clock()
        )
        locale = change.project.locale if change.project else deps.settings.default_locale
    if change.outcome == Outcome.REFUSED:
        return [reply(locale, change.reason or "error.unexpected")]
    if change.project is not None and change.project.id is not None:
        refresh_checklist(deps, change.project.id)
    return []


def close_risk(deps: Deps, caller: Caller, *, risk_id: int) -> list[Message]:
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        outcome, project, reason = schedule_service.close_risk(
            session=session, risk_id=risk_id, actor=actor, now=deps.clock()
        )
        locale = project.locale if project else deps.settings.default_locale
    if outcome == Outcome.REFUSED:
        return [reply(locale, reason or "error.unexpected")]
    return [reply(locale, "riskreg.closed")]
