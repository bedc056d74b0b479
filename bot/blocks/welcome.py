"""The first message in a customer channel: who we are, what we aim for, how we'll work."""

from __future__ import annotations

from bot.blocks.checklist import long_date
from bot.blocks.escape import clip, escape, mention
from bot.blocks.ids import BlockId
from bot.blocks.message import Message, context, section
from bot.domain.views import ProjectView
from bot.i18n import t

GOAL_LIMIT = 1500
CRITERION_LIMIT = 300
MAX_CRITERIA = 8


def welcome_message(project: ProjectView) -> Message:
    """Welcome the customer: CSM, team, goal, completion criteria, dates, how the checklist works."""
    locale = project.locale
    customer = clip(escape(project.customer_name), 200)

    team = [
        t(locale, "welcome.csm", user=mention(project.csm_user_id))
        if project.csm_user_id
        else t(locale, "welcome.csm_unassigned"),
        t(
            locale,
            "welcome.role",
            role=t(locale, "role.champion"),
            person=_person(project.champion_user_id, locale),
        ),
        t(
            locale,
            "welcome.role",
            role=t(locale, "role.decision_maker"),
            person=_person(project.decision_maker_user_id, locale),
        ),
    ]

    goal = clip(escape(project.goal.strip()), GOAL_LIMIT) or t(locale, "welcome.goal_empty")

    criteria = [c.strip() for c in project.completion_criteria if c.strip()]
    if criteria:
        lines = [f"• {clip(escape(c), CRITERION_LIMIT)}" for c in criteria[:MAX_CRITERIA]]
        if len(criteria) > MAX_CRITERIA:
            lines.append(t(locale, "welcome.criteria_more", count=len(criteria) - MAX_CRITERIA))
        criteria_text = "\n".join(lines)
    else:
        criteria_text = t(locale, "welcome.criteria_empty")

    go_live = (
        long_date(project.target_go_live, locale)
        if project.target_go_live
        else t(locale, "welcome.go_live_tbd")
    )
    blocks = [
        section(
            BlockId.WELCOME_TITLE,
            t(locale, "welcome.title", customer=customer) + "\n" + t(locale, "welcome.intro"),
        ),
        section(BlockId.WELCOME_TEAM, "\n".join(team)),
        section(BlockId.WELCOME_GOAL, t(locale, "welcome.goal", goal=goal)),
        section(BlockId.WELCOME_CRITERIA, t(locale, "welcome.criteria", criteria=criteria_text)),
        section(
            BlockId.WELCOME_DATES,
            t(locale, "welcome.dates", kickoff=long_date(project.kickoff, locale), go_live=go_live),
        ),
        context(BlockId.WELCOME_HOW, t(locale, "welcome.how")),
    ]
    return Message(text=t(locale, "welcome.text", customer=customer), blocks=blocks)


def _person(user_id: str | None, locale: str) -> str:
    return mention(user_id) if user_id else t(locale, "welcome.tbc")
