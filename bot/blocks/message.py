"""A rendered Slack message, and the few Block Kit constructors every renderer uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.blocks import limits
from bot.blocks.escape import channel_link, clip
from bot.i18n import t

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """What `chat.postMessage` / `chat.update` need: fallback `text` (always set), blocks
    and, for a message about a project, Slack message metadata (see `about`)."""

    text: str
    blocks: list[Block]
    metadata: dict[str, Any] | None = None


# Every event type the bot puts in message metadata (also declared in the manifests).
EVENT_TYPES = (
    "onboarding_project_started",
    "onboarding_checklist",
    "onboarding_schedule_prompt",
    "onboarding_task_completed",
    "onboarding_task_reopened",
    "onboarding_task_replanned",
    "onboarding_schedule_replanned",
    "onboarding_replan_alert",
    "onboarding_project_completed",
    "onboarding_project_cancelled",
    "onboarding_survey",
    "onboarding_person_joined",
    "onboarding_reminder",
    "onboarding_summary",
    "onboarding_escalation",
    "onboarding_kickoff",
    "onboarding_join_check",
    "onboarding_risk_reminder",
    "onboarding_adoption",
    "onboarding_checkin",
    "onboarding_digest",
    "onboarding_message",
)


def metadata(
    event_type: str, *, project_id: int | None, task_ids: Sequence[int] = ()
) -> dict[str, Any]:
    """Slack message metadata: what the message is about, for other apps and workflows."""
    assert event_type in EVENT_TYPES, event_type
    payload: dict[str, Any] = {}
    if project_id is not None:
        payload["project_id"] = project_id
    if task_ids:
        payload["task_ids"] = list(task_ids)
        if len(task_ids) == 1:
            payload["task_id"] = task_ids[0]
    return {"event_type": event_type, "event_payload": payload}


def about(
    message: Message, event_type: str, *, project_id: int | None, task_ids: Sequence[int] = ()
) -> Message:
    """`message` with metadata saying it is about this project (and these tasks)."""
    return replace(message, metadata=metadata(event_type, project_id=project_id, task_ids=task_ids))


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def modal(
    callback_id: str,
    *,
    title: str,
    submit: str,
    close: str,
    blocks: list[Block],
    private_metadata: str | None = None,
) -> dict[str, Any]:
    """A modal view; its title and its two buttons are clipped to what Slack takes."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(clip(title, limits.VIEW_TITLE)),
        "submit": plain(clip(submit, limits.VIEW_TITLE)),
        "close": plain(clip(close, limits.VIEW_TITLE)),
    }
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    view["blocks"] = blocks
    return view


def section(block_id: str, text: str, *, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "block_id": block_id, "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(block_id: str, *texts: str) -> Block:
    return {"type": "context", "block_id": block_id, "elements": [mrkdwn(x) for x in texts]}


def channel_note(block_id: str, locale: str, key: str, channel_id: str | None) -> list[Block]:
    """A context linking the project's channel (catalog `key` with `{channel}`); none without one."""
    if not channel_id:
        return []
    return [context(block_id, t(locale, key, channel=channel_link(channel_id)))]


def actions(block_id: str, *elements: Block) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "text": plain(text), "value": value}
    if style is not None:
        element["style"] = style
    return element
