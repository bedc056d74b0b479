"""Finishing a project: the completion message and survey, closing by hand, the check-in."""

from __future__ import annotations

from typing import Any

from bot.blocks.adoption import checkin_thanks, stalled_alert
from bot.blocks.completion import (
    closed_message,
    completion_message,
    survey_comment_modal,
    survey_message,
    survey_thanks,
)
from bot.blocks.escape import clip
from bot.blocks.message import Message, about
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.flows.lookup import existing_project
from bot.flows.modals import open_modal
from bot.flows.outbox import dispatch, outbox_row
from bot.services import completion
from bot.services.completion import Closed
from bot.services.projects import blackouts, customer_member, local_today, project_view
from storage import outbox as outbox_rows
from storage import projects as project_rows
from storage.db import session_scope

MAX_COMMENT = 3000


def celebrate_if_done(deps: Deps, project_id: int) -> None:
    """After a task is done: if that was the last required one, close the project and post
    the completion message and the survey (once, even if two last clicks race)."""
    now = deps.clock()
    with session_scope(deps.engine) as session:
        project = project_rows.get(session=session, project_id=project_id)
        if project is None or not completion.finish_if_done(
            session=session, project=project, now=now
        ):
            return
        view = project_view(session=session, project=project)
        calendar = deps.calendar(
            project.holiday_country, blackouts(session=session, project_id=project_id)
        )
        today = local_today(project, now)
        channel = project.channel_id
    if not channel:
        return
    business = calendar.business_days_between(view.kickoff, today)
    deps.gateway.post_message(
        channel,
        about(
            completion_message(
                view, business_days=business, calendar_days=(today - view.kickoff).days
            ),
            "onboarding_project_completed",
            project_id=project_id,
        ),
    )
    deps.gateway.post_message(
        channel, about(survey_message(view), "onboarding_survey", project_id=project_id)
    )
    refresh_checklist(deps, project_id)


def close(
    deps: Deps, caller: Caller, *, outcome: str, reason: str | None, share_reason: bool = False
) -> Message:
    """`/onboard close completed|cancelled [reason] [--share-reason]` in the project channel.

    The reason is kept for CS staff (event log, digest, report); the channel sees it only
    with `--share-reason`."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        project = project_rows.by_channel(session=session, channel_id=caller.channel_id or "")
        if project is None:
            raise UserError("deny.not_a_project_channel")
        result, refusal = completion.close(
            session=session,
            project=project,
            outcome=outcome,
            reason=clip(reason, 500) if reason else None,
            actor=actor,
            now=deps.clock(),
            share_reason=share_reason,
        )
        if result != Closed.CHANGED:
            raise UserError(refusal or "error.project_closed")
        view, channel = project_view(session=session, project=project), project.channel_id
    assert channel is not None
    closed = closed_message(
        view,
        outcome=outcome,
        reason=reason if share_reason else None,
        actor_user_id=caller.user_id,
    )
    event = (
        "onboarding_project_completed" if outcome == "completed" else "onboarding_project_cancelled"
    )
    deps.gateway.post_message(channel, about(closed, event, project_id=view.id))
    refresh_checklist(deps, view.id)  # its header shows the project closed
    if reason and not share_reason:
        return reply(view.locale, "closing.done_reason_kept")
    return reply(view.locale, "closing.done")


def answer_survey(
    deps: Deps, caller: Caller, *, project_id: int, kind: str, score: int
) -> list[Message]:
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        project = existing_project(session=session, project_id=project_id)
        values = {"csat": score} if kind == "csat" else {"nps": score}
        answered = completion.record_survey(
            session=session, project=project, actor=actor, now=deps.clock(), **values
        )
        locale = project.locale
    if isinstance(answered, str):
        return [reply(locale, answered)]
    # Thanks for what is stored: after both questions, no request to answer the other one.
    return [survey_thanks(locale, csat=answered.csat, nps=answered.nps)]


def open_comment_form(deps: Deps, caller: Caller, *, trigger_id: str, project_id: int) -> None:
    """The survey's comment form, for the customer's people."""

    def form() -> dict[str, Any]:
        with session_scope(deps.engine) as session:
            project = existing_project(session=session, project_id=project_id)
            # Refused in the modal, before anyone types a comment that could not be kept.
            actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
            member = customer_member(session=session, project_id=project_id, user_id=actor.user_id)
            if member is None:
                raise UserError("deny.survey_customers_only")
            locale = project.locale
        return survey_comment_modal(project_id, locale=locale)

    open_modal(deps, caller, trigger_id=trigger_id, build=form)


def comment_refusal(deps: Deps, caller: Caller, *, project_id: int) -> str | None:
    """Why this person's survey comment would not be taken (a message key), or None."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        project = project_rows.get(session=session, project_id=project_id)
        if project is None:
            return "error.project_not_found"
        return completion.survey_refusal(session=session, project=project, actor=actor)


def save_comment(deps: Deps, caller: Caller, *, project_id: int, comment: str) -> None:
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    with session_scope(deps.engine) as session:
        project = existing_project(session=session, project_id=project_id)
        answered = completion.record_survey(
            session=session,
            project=project,
            actor=actor,
            now=deps.clock(),
            comment=comment[:MAX_COMMENT],
        )
    if isinstance(answered, str):
        raise UserError(answered)


def answer_checkin(deps: Deps, caller: Caller, *, project_id: int, answer: str) -> list[Message]:
    """The customer's check-in answer; *stalled* alerts the CSM (once)."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    now = deps.clock()
    with session_scope(deps.engine) as session:
        project = existing_project(session=session, project_id=project_id)
        refusal = completion.record_checkin(
            session=session, project=project, actor=actor, answer=answer, now=now
        )
        view = project_view(session=session, project=project)
        if refusal is None and answer == "stalled" and view.csm_user_id:
            alert = stalled_alert(view, answered_by=caller.user_id)
            outbox_rows.enqueue(
                session=session,
                rows=[
                    outbox_row(
                        f"checkin-stalled:{project_id}",
                        "checkin",
                        view.csm_user_id,
                        alert,
                        project_id=project_id,
                        now=now,
                    )
                ],
            )
    if refusal:
        return [reply(view.locale, refusal)]
    if answer == "stalled":
        dispatch(deps, now=now)
    return [checkin_thanks(view.locale, answer)]
