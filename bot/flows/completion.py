"""Finishing a project: the completion message and survey, closing by hand, the check-in."""

from __future__ import annotations

from typing import Any

from bot.blocks import limits
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
from bot.domain.answers import CSAT, STALLED
from bot.domain.views import ProjectView
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.flows.modals import open_modal
from bot.flows.outbox import dispatch, outbox_row
from bot.flows.refusals import refused_here
from bot.i18n import t
from bot.services import completion
from bot.services.completion import SurveyAnswered
from bot.services.outbox import OutboxMessage
from bot.services.results import Refused, Result
from bot.services.session import unit_of_work


def celebrate_if_done(deps: Deps, project_id: int) -> None:
    """After a task is done: if that was the last required one, close the project and post
    the completion message and the survey (once, even if two last clicks race)."""
    with unit_of_work(deps.engine) as session:
        finished = completion.celebrate(
            session=session, project_id=project_id, now=deps.clock(), calendar_for=deps.calendar
        )
    if finished is None:
        return
    view, channel = finished.view, finished.channel_id
    deps.gateway.post_message(
        channel,
        about(
            completion_message(
                view, business_days=finished.business_days, calendar_days=finished.calendar_days
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
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        result = completion.close(
            session=session,
            channel_id=caller.channel_id,
            outcome=outcome,
            reason=clip(reason, 500) if reason else None,
            actor=actor,
            now=deps.clock(),
            share_reason=share_reason,
        )
    if isinstance(result, Refused):
        raise UserError(result.key, **result.values)
    view = result.value
    channel = view.channel_id
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
    answered = _record_survey(
        deps,
        caller,
        project_id=project_id,
        csat=score if kind == CSAT else None,
        nps=score if kind != CSAT else None,
    )
    if isinstance(answered, Refused):
        return refused_here(answered)
    scores = answered.value
    # Thanks for what is stored: after both questions, no request to answer the other one.
    return [survey_thanks(scores.locale, csat=scores.csat, nps=scores.nps)]


def open_comment_form(deps: Deps, caller: Caller, *, trigger_id: str, project_id: int) -> None:
    """The survey's comment form, for the customer's people."""

    def form() -> dict[str, Any]:
        # Refused in the modal, before anyone types a comment that could not be kept.
        actor = caller.actor
        with unit_of_work(deps.engine) as session:
            project = completion.survey_project(session=session, project_id=project_id, actor=actor)
            if isinstance(project, Refused):
                raise UserError(project.key, **project.values)
            locale = project.locale
        return survey_comment_modal(project_id, locale=locale)

    open_modal(deps, caller, trigger_id=trigger_id, build=form)


def comment_refusal(deps: Deps, caller: Caller, *, project_id: int) -> str | None:
    """Why this person's survey comment would not be taken, in their language (shown on the
    form), or None."""
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        project = completion.survey_project(session=session, project_id=project_id, actor=actor)
    if isinstance(project, Refused):
        return t(caller.locale, project.key, **project.values)
    return None


def save_comment(deps: Deps, caller: Caller, *, project_id: int, comment: str) -> None:
    answered = _record_survey(
        deps, caller, project_id=project_id, comment=comment[: limits.INPUT_TEXT]
    )
    if isinstance(answered, Refused):
        raise UserError(answered.key, **answered.values)


def _record_survey(
    deps: Deps,
    caller: Caller,
    *,
    project_id: int,
    csat: int | None = None,
    nps: int | None = None,
    comment: str | None = None,
) -> Result[SurveyAnswered]:
    """Store one survey answer (a score or the comment) in its own unit of work."""
    with unit_of_work(deps.engine) as session:
        return completion.record_survey(
            session=session,
            project_id=project_id,
            actor=caller.actor,
            now=deps.clock(),
            csat=csat,
            nps=nps,
            comment=comment,
        )


def answer_checkin(deps: Deps, caller: Caller, *, project_id: int, answer: str) -> list[Message]:
    """The customer's check-in answer; *stalled* alerts the CSM (once)."""
    actor = caller.actor
    now = deps.clock()

    def alert(view: ProjectView) -> OutboxMessage:
        assert view.csm_user_id is not None
        return outbox_row(
            f"checkin-stalled:{project_id}",
            "checkin",
            view.csm_user_id,
            stalled_alert(view, answered_by=caller.user_id),
            project_id=project_id,
            now=now,
        )

    with unit_of_work(deps.engine) as session:
        checked_in = completion.record_checkin(
            session=session,
            project_id=project_id,
            actor=actor,
            answer=answer,
            now=now,
            stalled_alert=alert,
        )
    if isinstance(checked_in, Refused):
        return refused_here(checked_in)
    if answer == STALLED:
        dispatch(deps, now=now)
    return [checkin_thanks(checked_in.value.locale, answer)]
