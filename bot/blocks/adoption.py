"""After onboarding: the weekly habit nudges, the check-in about a month later, and its answers.

Onboarding that ends with "done, never touching that again" has failed: the product has to
become a habit. For the first month the channel gets a weekly reminder of the habits agreed
at kickoff, each with why it matters; then one question asks how the team uses it now.
Customers who say it has stalled are followed up by their CSM, not by more automation.
"""

from __future__ import annotations

from enum import StrEnum

from bot.blocks import limits
from bot.blocks.escape import clip, escape, mention
from bot.blocks.ids import ActionId, checkin_action
from bot.blocks.message import Block, Message, actions, button, channel_note, context, section
from bot.domain.answers import CHECKIN_ANSWERS
from bot.domain.views import HabitView, ProjectView
from bot.i18n import t

HABIT_WEEKS = range(1, 5)
MAX_HABITS = 10  # listed one section each; the rest are counted
CUSTOMER_LIMIT = 80
GOAL_LIMIT = 1000
HABIT_TITLE_LIMIT = 200
HABIT_WHY_LIMIT = 1000


class AdoptionBlockId(StrEnum):
    """Fixed `block_id`s of the check-in, its answers, the stalled alert and the nudges."""

    CHECKIN_QUESTION = "checkin-question"
    CHECKIN_GOAL = "checkin-goal"
    CHECKIN_ACTIONS = "checkin-actions"
    CHECKIN_HINT = "checkin-hint"
    CHECKIN_THANKS = "checkin-thanks"
    STALLED_TITLE = "stalled-title"
    STALLED_GOAL = "stalled-goal"
    STALLED_NEXT = "stalled-next"
    STALLED_CHANNEL = "stalled-channel"
    HABIT_INTRO = "habit-intro"
    HABIT_EMPTY = "habit-empty"
    HABIT_MORE = "habit-more"
    HABIT_FOOTER = "habit-footer"


def habit_block_id(index: int) -> str:
    """Block id of the `index`-th (1-based) habit in a nudge."""
    return f"habit-{index}"


def checkin_message(project: ProjectView, *, days_since: int) -> Message:
    """Ask the channel how the team uses the product now, with one button per answer.

    Each button's action id is `checkin_action(answer)` and its value the project id.

    Args:
        project: The completed project.
        days_since: Calendar days since onboarding was completed.
    """
    locale = project.locale
    key = "checkin.question_one" if days_since == 1 else "checkin.question"
    blocks: list[Block] = [
        section(AdoptionBlockId.CHECKIN_QUESTION, t(locale, key, days=days_since))
    ]
    goal = clip(escape(project.goal.strip()), GOAL_LIMIT)
    if goal:
        blocks.append(context(AdoptionBlockId.CHECKIN_GOAL, t(locale, "checkin.goal", goal=goal)))
    blocks += [
        actions(
            AdoptionBlockId.CHECKIN_ACTIONS,
            *(
                button(
                    clip(t(locale, f"checkin.answer.{answer}"), limits.BUTTON_TEXT),
                    action_id=checkin_action(answer),
                    value=str(project.id),
                )
                for answer in CHECKIN_ANSWERS
            ),
        ),
        context(AdoptionBlockId.CHECKIN_HINT, t(locale, "checkin.hint")),
    ]
    return Message(text=t(locale, "checkin.text", customer=_customer(project)), blocks=blocks)


def checkin_thanks(locale: str, answer: str) -> Message:
    """Thank whoever answered the check-in; for `stalled`, say that the CSM will be in touch.

    Raises:
        ValueError: For an answer that is not one of `CHECKIN_ANSWERS`.
    """
    if answer not in CHECKIN_ANSWERS:
        raise ValueError(f"unknown check-in answer: {answer!r}")
    text = t(locale, f"checkin.thanks.{answer}")
    return Message(text=text, blocks=[section(AdoptionBlockId.CHECKIN_THANKS, text)])


def stalled_alert(project: ProjectView, *, answered_by: str) -> Message:
    """Tell the CSM (a DM) that the customer says usage has stalled, with next steps to try.

    Args:
        project: The project whose check-in was answered.
        answered_by: Slack user id of the person who answered.
    """
    locale = project.locale
    customer = _customer(project)
    goal = clip(escape(project.goal.strip()), GOAL_LIMIT)
    goal_text = (
        t(locale, "checkin.stalled.goal", goal=goal)
        if goal
        else t(locale, "checkin.stalled.goal_empty")
    )
    blocks: list[Block] = [
        section(
            AdoptionBlockId.STALLED_TITLE,
            t(locale, "checkin.stalled.title", customer=customer, user=mention(answered_by)),
            accessory=button(
                clip(t(locale, "checkin.stalled.button"), limits.BUTTON_TEXT),
                action_id=ActionId.OPEN_STATUS,
                value=str(project.id),
            ),
        ),
        section(AdoptionBlockId.STALLED_GOAL, goal_text),
        section(AdoptionBlockId.STALLED_NEXT, t(locale, "checkin.stalled.next")),
    ]
    blocks += channel_note(
        AdoptionBlockId.STALLED_CHANNEL, locale, "checkin.stalled.channel", project.channel_id
    )
    return Message(text=t(locale, "checkin.stalled.text", customer=customer), blocks=blocks)


def habit_nudge(project: ProjectView, habits: list[HabitView], *, week: int) -> Message:
    """The weekly reminder, in the channel, of the habits agreed at kickoff, each with its why.

    Args:
        project: The completed project.
        habits: The playbook's adoption habits, in the project's language.
        week: 1 to 4, the week of the first month after onboarding.

    Raises:
        ValueError: For a week outside 1–4.
    """
    if week not in HABIT_WEEKS:
        raise ValueError(f"habit nudges run in weeks 1-4, not {week}")
    locale = project.locale
    blocks: list[Block] = [
        section(AdoptionBlockId.HABIT_INTRO, t(locale, f"habit.intro.{week}", week=week))
    ]
    for index, habit in enumerate(habits[:MAX_HABITS], start=1):
        blocks.append(section(habit_block_id(index), _habit_line(habit, locale)))
    if not habits:
        blocks.append(section(AdoptionBlockId.HABIT_EMPTY, t(locale, "habit.empty")))
    if len(habits) > MAX_HABITS:
        blocks.append(
            context(
                AdoptionBlockId.HABIT_MORE, t(locale, "habit.more", count=len(habits) - MAX_HABITS)
            )
        )
    footer = "habit.footer_last" if week == HABIT_WEEKS[-1] else "habit.footer"
    blocks.append(context(AdoptionBlockId.HABIT_FOOTER, t(locale, footer)))
    text = t(locale, "habit.text", customer=_customer(project), week=week)
    return Message(text=text, blocks=blocks)


def _habit_line(habit: HabitView, locale: str) -> str:
    title = clip(escape(habit.title.strip() or habit.id), HABIT_TITLE_LIMIT)
    why = clip(escape(habit.why.strip()), HABIT_WHY_LIMIT)
    if why:
        return t(locale, "habit.item", title=title, why=why)
    return t(locale, "habit.item_no_why", title=title)


def _customer(project: ProjectView) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)
