"""Keeping a project's pinned checklist in step with the database."""

from __future__ import annotations

from bot.blocks.checklist import checklist_messages
from bot.blocks.message import Message, about
from bot.deps import Deps
from bot.flows import home
from bot.logs import bind
from bot.services.checklist import checklist_state
from bot.services.session import unit_of_work


def refresh_checklist(deps: Deps, project_id: int) -> None:
    """Re-render the checklist from the database and edit its messages in place.

    The per-project lock keeps two concurrent clicks from landing their edits out of order:
    each edit renders what is committed at the time it holds the lock. When another refresh
    is already queued behind this one it renders this change too, so this one is skipped:
    a burst of clicks costs Slack's chat.update (Tier 3, 50 a minute) one edit per message,
    not one per click. The number of checklist messages depends only on the task list, so
    it never changes.
    """
    bind(project_id=project_id)  # later log lines of this request name the project
    with deps.project_turn(project_id) as last:
        if not last:
            return
        with unit_of_work(deps.engine) as session:
            state = checklist_state(
                session=session, project_id=project_id, now=deps.clock(), calendar_for=deps.calendar
            )
        if state is None:
            return
        messages = checklist_messages(state.view, today=state.today)
        _edit_all(
            deps,
            state.channel_id,
            [
                (ts, about(message, "onboarding_checklist", project_id=project_id))
                for ts, message in zip(state.stamps, messages, strict=False)
            ],
        )
    home.refresh_quietly(deps, state.view.csm_user_id)


def _edit_all(deps: Deps, channel: str, edits: list[tuple[str, Message]]) -> None:
    """Edit the checklist's messages at once, one chat.update each: the person waits for
    one round trip to Slack, not one per message (each edit is still paced: Tier 3)."""
    if not edits:
        return
    (ts, first), *rest = edits
    others = [
        deps.edits.submit(deps.gateway.update_message, channel, other_ts, message)
        for other_ts, message in rest
    ]
    deps.gateway.update_message(channel, ts, first)
    for other in others:
        other.result()
