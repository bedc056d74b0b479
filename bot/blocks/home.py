"""The App Home: a CSM's projects at a glance, or a short explanation for everyone else."""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Any

from bot.blocks import limits
from bot.blocks.checklist import long_date, short_date
from bot.blocks.escape import clip, escape
from bot.blocks.health import health_label
from bot.blocks.ids import ActionId
from bot.blocks.message import Block, actions, button, context, plain, section
from bot.blocks.progress import progress_bar
from bot.domain.health import RUNNING_STATES
from bot.domain.views import HomeProject
from bot.i18n import t

FIXED_BLOCKS = 4  # header, counts, as-of date, divider
PROJECT_BLOCKS = 2  # summary section, buttons
CUSTOMER_LIMIT = 80
TITLE_LIMIT = 150


class HomeBlockId(StrEnum):
    """Fixed `block_id`s of the App Home; per-project ids come from the functions below."""

    HEADER = "home-header"
    COUNTS = "home-counts"
    UPDATED = "home-updated"
    DIVIDER = "home-divider"
    EMPTY = "home-empty"
    MORE = "home-more"
    OTHERS_BODY = "home-others-body"
    OTHERS_ASK = "home-others-ask"


def home_project_block_id(project_id: int, part: str = "") -> str:
    """`home-project-12` for a project's summary, `home-project-12-actions` for its buttons."""
    return f"home-project-{project_id}-{part}" if part else f"home-project-{project_id}"


def app_redirect_url(channel_id: str) -> str:
    """A link that opens `channel_id` in whichever Slack client follows it."""
    return f"https://slack.com/app_redirect?channel={channel_id}"


def home_for_staff(projects: list[HomeProject], *, locale: str, today: date) -> dict[str, Any]:
    """A CSM's projects, in the order given: state, progress, next task, overdue and risks.

    Each project has a *Status* button (`ActionId.HOME_OPEN_STATUS`, value: project id) and,
    when it has a channel, an *Open channel* link button (`ActionId.HOME_OPEN_CHANNEL`,
    value: channel id). Projects that don't fit in the view are counted at the end.
    """
    counts = Counter(item.state for item in projects)
    blocks: list[Block] = [
        {
            "type": "header",
            "block_id": HomeBlockId.HEADER,
            "text": plain(clip(t(locale, "home.title"), limits.HEADER_TEXT)),
        },
        section(
            HomeBlockId.COUNTS,
            t(
                locale,
                "home.counts_one" if len(projects) == 1 else "home.counts",
                total=len(projects),
                **{state: counts.get(state, 0) for state in RUNNING_STATES},
            ),
        ),
        context(HomeBlockId.UPDATED, t(locale, "home.updated", date=long_date(today, locale))),
        {"type": "divider", "block_id": HomeBlockId.DIVIDER},
    ]
    if not projects:
        blocks.append(section(HomeBlockId.EMPTY, t(locale, "home.empty")))
        return {"type": "home", "blocks": blocks}

    room = limits.VIEW_BLOCKS - FIXED_BLOCKS
    shown = projects
    if len(projects) * PROJECT_BLOCKS > room:
        shown = projects[: (room - 1) // PROJECT_BLOCKS]
    for item in shown:
        blocks += _project_blocks(item, locale=locale, today=today)
    if len(shown) < len(projects):
        blocks.append(
            context(HomeBlockId.MORE, t(locale, "home.more", count=len(projects) - len(shown)))
        )
    return {"type": "home", "blocks": blocks}


def home_for_others(locale: str) -> dict[str, Any]:
    """What the bot is, for someone who runs no projects (a customer, or a new colleague)."""
    blocks: list[Block] = [
        {
            "type": "header",
            "block_id": HomeBlockId.HEADER,
            "text": plain(clip(t(locale, "home.others.title"), limits.HEADER_TEXT)),
        },
        section(HomeBlockId.OTHERS_BODY, t(locale, "home.others.body")),
        context(HomeBlockId.OTHERS_ASK, t(locale, "home.others.ask")),
    ]
    return {"type": "home", "blocks": blocks}


def _project_blocks(item: HomeProject, *, locale: str, today: date) -> list[Block]:
    project = item.project
    done, total = project.progress
    lines = [
        t(
            locale,
            "home.project",
            customer=clip(escape(project.customer_name), CUSTOMER_LIMIT),
            state=health_label(locale, item.state),
            bar=progress_bar(done, total),
        )
    ]
    upcoming = project.next_due(today)
    if upcoming is not None:
        lines.append(
            t(
                locale,
                "home.next",
                title=clip(escape(upcoming.title), TITLE_LIMIT),
                date=short_date(upcoming.due, locale),
            )
        )
    else:
        lines.append(t(locale, "home.no_next"))
    overdue = (
        t(locale, "home.overdue", count=item.overdue)
        if item.overdue
        else t(locale, "home.no_overdue")
    )
    if item.open_risks:
        key = "home.risks_one" if item.open_risks == 1 else "home.risks"
        risks = t(locale, key, count=item.open_risks)
    else:
        risks = t(locale, "home.no_risks")
    lines.append(f"{overdue} · {risks}")

    buttons: list[Block] = []
    if project.channel_id:
        open_channel = button(
            clip(t(locale, "home.button.channel"), limits.BUTTON_TEXT),
            action_id=ActionId.HOME_OPEN_CHANNEL,
            value=project.channel_id,
        )
        open_channel["url"] = app_redirect_url(project.channel_id)
        buttons.append(open_channel)
    buttons.append(
        button(
            clip(t(locale, "home.button.status"), limits.BUTTON_TEXT),
            action_id=ActionId.HOME_OPEN_STATUS,
            value=str(project.id),
        )
    )
    return [
        section(home_project_block_id(project.id), "\n".join(lines)),
        actions(home_project_block_id(project.id, "actions"), *buttons),
    ]
