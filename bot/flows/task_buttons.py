"""Done and Undo on a task, from the checklist or from a reminder DM."""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks.message import Message, about
from bot.blocks.notes import task_done_note, task_undone_note
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.flows.checklist import refresh_checklist
from bot.flows.completion import celebrate_if_done
from bot.flows.context import Caller
from bot.services.projects import project_view
from bot.services.results import Refused, Result, Unchanged
from bot.services.session import unit_of_work
from bot.services.tasks import OnTask, complete_task, undo_task


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
    deps: Deps,
    task_id: int,
    caller: Caller,
    use_case: Callable[..., Result[OnTask]],
    *,
    note: Callable[..., Message],
    event: str,
) -> tuple[list[Message], int | None]:
    """Apply the change; returns the replies and, when something changed, the project id."""
    actor = caller.actor
    # The change alone in its transaction: on SQLite it holds the database's one write
    # lock, which the other clicks of the moment wait for.
    with unit_of_work(deps.engine) as session:
        change = use_case(session=session, task_id=task_id, actor=actor, now=deps.clock())
    if isinstance(change, Refused):
        return [reply(change.locale or caller.own_locale, change.key, **change.values)], None
    project = change.value.project
    assert project.id is not None
    # Refresh on UNCHANGED too: a click on a stale message repairs what that person sees.
    refresh_checklist(deps, project.id)
    if isinstance(change, Unchanged):
        return [], None
    with unit_of_work(deps.engine) as session:
        view = project_view(session=session, project=project)
    assert project.channel_id and project.checklist_ts
    task_view = next(t for t in view.tasks if t.id == task_id)
    deps.gateway.post_message(
        project.channel_id,
        about(
            note(
                task_view,
                actor_user_id=caller.user_id,
                locale=project.locale,
                customers=view.customer_user_ids,
            ),
            event,
            project_id=project.id,
            task_ids=[task_id],
        ),
        thread_ts=project.checklist_ts[0],
    )
    return [], project.id
