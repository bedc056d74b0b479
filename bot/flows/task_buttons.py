"""Done and Undo on a task, from the checklist or from a reminder DM."""

from __future__ import annotations

from bot.blocks.message import Message, about
from bot.blocks.notes import task_done_note, task_undone_note
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.flows.checklist import refresh_checklist
from bot.flows.completion import celebrate_if_done
from bot.flows.context import Caller
from bot.services.projects import project_view
from bot.services.tasks import Outcome, TaskChange, complete_task, undo_task
from storage.db import session_scope


def done(deps: Deps, task_id: int, caller: Caller) -> list[Message]:
    """Mark a task done; a second click or a retried delivery records nothing more.
    The last required task completes the project."""
    replies, project_id = _change(
        deps, task_id, caller, complete_task, note=task_done_note, event="onboarding_task_completed"
    )
    if project_id is not None:
        celebrate_if_done(deps, project_id)
    return replies


def undo(deps: Deps, task_id: int, caller: Caller) -> list[Message]:
    return _change(
        deps, task_id, caller, undo_task, note=task_undone_note, event="onboarding_task_reopened"
    )[0]


def _change(
    deps: Deps, task_id: int, caller: Caller, use_case, *, note, event: str
) -> tuple[list[Message], int | None]:  # type: ignore[no-untyped-def]
    """Apply the change; returns the replies and, when something changed, the project id."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        change: TaskChange = use_case(
            session=session, task_id=task_id, actor=actor, now=deps.clock()
        )
        locale = (
            change.project.locale
            if change.project
            else deps.directory.locale_of(caller.user_id, deps.settings.default_locale)
        )
        view = None
        if change.outcome == Outcome.CHANGED and change.project is not None:
            view = project_view(session=session, project=change.project)
    if change.outcome == Outcome.REFUSED:
        return [reply(locale, change.reason or "error.unexpected")], None
    assert change.project is not None and change.project.id is not None
    # Refresh on UNCHANGED too: a click on a stale message repairs what that person sees.
    refresh_checklist(deps, change.project.id)
    if change.outcome == Outcome.UNCHANGED:
        return [], None
    assert view is not None and change.project.channel_id and change.project.checklist_ts
    task_view = next(t for t in view.tasks if t.id == task_id)
    deps.gateway.post_message(
        change.project.channel_id,
        about(
            note(
                task_view,
                actor_user_id=caller.user_id,
                locale=locale,
                customers=view.customer_user_ids,
            ),
            event,
            project_id=change.project.id,
            task_ids=[task_id],
        ),
        thread_ts=change.project.checklist_ts[0],
    )
    return [], change.project.id
