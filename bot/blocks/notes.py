"""Short thread notes under the checklist, so the channel sees who changed what."""

from __future__ import annotations

from collections.abc import Container

from bot.blocks.escape import clip, escape
from bot.blocks.ids import BlockId
from bot.blocks.message import Message, context
from bot.blocks.people import person
from bot.domain.views import TaskView
from bot.i18n import t

TITLE_LIMIT = 300


def task_done_note(
    task: TaskView, *, actor_user_id: str, locale: str, customers: Container[str] = ()
) -> Message:
    """`✅ @taro completed "Invite users".` (`customers`: who gets 様 in Japanese)"""
    return _note(
        "note.task_done", task, actor_user_id=actor_user_id, locale=locale, customers=customers
    )


def task_undone_note(
    task: TaskView, *, actor_user_id: str, locale: str, customers: Container[str] = ()
) -> Message:
    """`↩️ @taro reopened "Invite users".`"""
    return _note(
        "note.task_undone", task, actor_user_id=actor_user_id, locale=locale, customers=customers
    )


def _note(
    key: str, task: TaskView, *, actor_user_id: str, locale: str, customers: Container[str]
) -> Message:
    who = person(locale, actor_user_id, customers=customers)
    text = t(locale, key, user=who, title=clip(escape(task.title), TITLE_LIMIT))
    return Message(text=text, blocks=[context(BlockId.NOTE, text)])
