"""The end of onboarding: congratulations, the satisfaction survey, and closing a project.

Finishing should feel like an achievement: the completion message shows what was agreed at
kickoff and achieved, thanks the people who did the work, and says what comes next — the
habit, and a check-in about a month later. The survey asks two questions (CSAT and NPS)
with one press each; the comment is optional and lives in a modal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.blocks import limits
from bot.blocks.checklist import long_date
from bot.blocks.escape import clip, escape, mention
from bot.blocks.fit import fit_lines
from bot.blocks.ids import ActionId, CallbackId, SurveyField, survey_action
from bot.blocks.message import Block, Message, actions, button, context, modal, plain, section
from bot.blocks.progress import progress_bar
from bot.domain.answers import CSAT, CSAT_SCORES, NPS, NPS_SCORES
from bot.domain.command_text import CLOSE_OUTCOMES
from bot.domain.views import ProjectView
from bot.i18n import t

CUSTOMER_LIMIT = 80
GOAL_LIMIT = 1000
CRITERION_LIMIT = 300
REASON_LIMIT = 1000


class CompletionBlockId(StrEnum):
    """Fixed `block_id`s of the completion, survey and close messages and the comment modal."""

    TITLE = "completion-title"
    GOAL = "completion-goal"
    CRITERIA = "completion-criteria"
    TIME = "completion-time"
    THANKS = "completion-thanks"
    NEXT = "completion-next"
    SURVEY_INTRO = "survey-intro"
    SURVEY_CSAT_QUESTION = "survey-csat-question"
    SURVEY_CSAT = "survey-csat"
    SURVEY_CSAT_SCALE = "survey-csat-scale"
    SURVEY_NPS_QUESTION = "survey-nps-question"
    SURVEY_NPS = "survey-nps"
    SURVEY_NPS_SCALE = "survey-nps-scale"
    SURVEY_COMMENT = "survey-comment"
    SURVEY_THANKS = "survey-thanks"
    SURVEY_THANKS_MORE = "survey-thanks-more"
    COMMENT_INTRO = "survey-comment-intro"
    CLOSE = "close"
    CLOSE_REASON = "close-reason"
    CLOSE_FOOTER = "close-footer"


def completion_message(project: ProjectView, *, business_days: int, calendar_days: int) -> Message:
    """Congratulate the channel when every required task is done.

    Args:
        project: The finished project, with its goal and the completion criteria agreed at
            kickoff.
        business_days: Business days from kickoff to today, by the project's calendar.
        calendar_days: Calendar days from kickoff to today.
    """
    locale = project.locale
    customer = _customer(project)
    blocks: list[Block] = [
        section(CompletionBlockId.TITLE, t(locale, "completion.title", customer=customer))
    ]
    goal = clip(escape(project.goal.strip()), GOAL_LIMIT)
    if goal:
        blocks.append(section(CompletionBlockId.GOAL, t(locale, "completion.goal", goal=goal)))
    blocks.append(section(CompletionBlockId.CRITERIA, _criteria_text(project)))

    done, total = project.progress
    days = t(locale, _one("completion.days", calendar_days), count=calendar_days)
    business = t(locale, _one("completion.business_days", business_days), count=business_days)
    time_text = t(
        locale,
        "completion.time",
        days=days,
        business=business,
        kickoff=long_date(project.kickoff, locale),
        bar=progress_bar(done, total),
    )
    blocks.append(section(CompletionBlockId.TIME, time_text))

    if project.champion_user_id:
        thanks = t(locale, "completion.thanks_champion", champion=mention(project.champion_user_id))
    else:
        thanks = t(locale, "completion.thanks_team")
    blocks.append(section(CompletionBlockId.THANKS, thanks))

    if project.csm_user_id:
        contact = t(locale, "completion.contact_user", csm=mention(project.csm_user_id))
    else:
        contact = t(locale, "completion.contact_role")
    blocks.append(section(CompletionBlockId.NEXT, t(locale, "completion.next") + "\n" + contact))
    return Message(text=t(locale, "completion.text", customer=customer), blocks=blocks)


def survey_message(project: ProjectView) -> Message:
    """Ask the champion for a satisfaction score (CSAT 1–5) and a recommendation score (NPS 0–10).

    Each score is one button: its action id is `survey_action(kind, score)` and its value
    `"<project id>:<score>"`. The comment button (`ActionId.SURVEY_COMMENT`, value: the
    project id) opens `survey_comment_modal`.
    """
    locale = project.locale
    if project.champion_user_id:
        intro = t(locale, "survey.intro_user", user=mention(project.champion_user_id))
    else:
        intro = t(locale, "survey.intro_role", role=t(locale, "role.champion"))
    blocks: list[Block] = [
        section(CompletionBlockId.SURVEY_INTRO, intro),
        section(CompletionBlockId.SURVEY_CSAT_QUESTION, t(locale, "survey.csat_question")),
        _score_buttons(CompletionBlockId.SURVEY_CSAT, CSAT, CSAT_SCORES, project.id),
        context(CompletionBlockId.SURVEY_CSAT_SCALE, t(locale, "survey.csat_scale")),
        section(CompletionBlockId.SURVEY_NPS_QUESTION, t(locale, "survey.nps_question")),
        _score_buttons(CompletionBlockId.SURVEY_NPS, NPS, NPS_SCORES, project.id),
        context(CompletionBlockId.SURVEY_NPS_SCALE, t(locale, "survey.nps_scale")),
        section(
            CompletionBlockId.SURVEY_COMMENT,
            t(locale, "survey.comment_prompt"),
            accessory=button(
                _label(locale, "survey.comment_button"),
                action_id=ActionId.SURVEY_COMMENT,
                value=str(project.id),
            ),
        ),
    ]
    return Message(text=t(locale, "survey.text", customer=_customer(project)), blocks=blocks)


def survey_thanks(locale: str, *, csat: int | None, nps: int | None) -> Message:
    """Thank the person who answered (ephemeral), repeating the scores they have given.

    With neither score (the comment was sent), thanks for the comment.
    """
    if csat is not None and nps is not None:
        text = t(locale, "survey.thanks_both", csat=csat, nps=nps)
    elif csat is not None:
        text = t(locale, "survey.thanks_csat", csat=csat)
    elif nps is not None:
        text = t(locale, "survey.thanks_nps", nps=nps)
    else:
        text = t(locale, "survey.thanks_comment")
        return Message(text=text, blocks=[section(CompletionBlockId.SURVEY_THANKS, text)])
    blocks = [
        section(CompletionBlockId.SURVEY_THANKS, text),
        context(CompletionBlockId.SURVEY_THANKS_MORE, t(locale, "survey.thanks_more")),
    ]
    return Message(text=text, blocks=blocks)


def survey_comment_modal(project_id: int, *, locale: str) -> dict[str, Any]:
    """The optional comment: one multiline input (`SurveyField.COMMENT`), up to 3,000 characters."""
    element: Block = {
        "type": "plain_text_input",
        "action_id": SurveyField.COMMENT,
        "multiline": True,
        "max_length": limits.INPUT_TEXT,
        "placeholder": plain(clip(t(locale, "survey.modal.placeholder"), limits.PLACEHOLDER)),
    }
    return modal(
        CallbackId.SURVEY_COMMENT,
        title=t(locale, "survey.modal.title"),
        submit=t(locale, "survey.modal.submit"),
        close=t(locale, "survey.modal.close"),
        private_metadata=str(project_id),
        blocks=[
            section(CompletionBlockId.COMMENT_INTRO, t(locale, "survey.modal.intro")),
            {
                "type": "input",
                "block_id": SurveyField.COMMENT,
                "label": plain(t(locale, "survey.modal.label")),
                "element": element,
            },
        ],
    )


def closed_message(
    project: ProjectView, *, outcome: str, reason: str | None, actor_user_id: str
) -> Message:
    """Tell the channel that `/onboard close` ended the project.

    Args:
        project: The closed project.
        outcome: `completed` or `cancelled`; a cancelled project is thanked, never blamed.
        reason: As the closer typed it, if at all (escaped here).
        actor_user_id: Who closed it.

    Raises:
        ValueError: For any other outcome.
    """
    if outcome not in CLOSE_OUTCOMES:
        raise ValueError(f"unknown outcome: {outcome!r}")
    locale = project.locale
    blocks: list[Block] = [
        section(
            CompletionBlockId.CLOSE, t(locale, f"close.{outcome}", actor=mention(actor_user_id))
        )
    ]
    note = clip(escape((reason or "").strip()), REASON_LIMIT)
    if note:
        blocks.append(
            section(CompletionBlockId.CLOSE_REASON, t(locale, "close.reason", reason=note))
        )
    blocks.append(context(CompletionBlockId.CLOSE_FOOTER, t(locale, f"close.footer_{outcome}")))
    text = t(locale, f"close.text_{outcome}", customer=_customer(project))
    return Message(text=text, blocks=blocks)


def _criteria_text(project: ProjectView) -> str:
    """The criteria, one ✅ line each, cut with `…and N more` to fit one section."""
    locale = project.locale
    title = t(locale, "completion.criteria_title")
    criteria = [c for c in (escape(c.strip()) for c in project.completion_criteria) if c]
    if not criteria:
        return title + "\n" + t(locale, "completion.criteria_empty")
    lines = [
        t(locale, "completion.criterion", criterion=clip(c, CRITERION_LIMIT)) for c in criteria
    ]
    return fit_lines(title, lines, more=lambda n: t(locale, "completion.more", count=n))


def _score_buttons(block_id: str, kind: str, scores: range, project_id: int) -> Block:
    return actions(
        block_id,
        *(
            button(str(n), action_id=survey_action(kind, n), value=f"{project_id}:{n}")
            for n in scores
        ),
    )


def _one(key: str, count: int) -> str:
    return f"{key}_one" if count == 1 else key


def _label(locale: str, key: str) -> str:
    return clip(t(locale, key), limits.BUTTON_TEXT)


def _customer(project: ProjectView) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)
