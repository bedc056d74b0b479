"""Short thread notes under the checklist, so the channel sees who changed what."""

from __future__ import annotations

from bot.blocks.escape import clip, escape, mention
from bot.blocks.ids import BlockId
from bot.blocks.message import Message, context
from bot.domain.views import TaskView
from bot.i18n import t

TITLE_LIMIT = 300


def task_done_note(task: TaskView, *, actor_user_id: str, locale: str) -> Message:
    """`✅ @taro completed "Invite users".`"""
    return _note("note.task_done", task, actor_user_id=actor_user_id, locale=locale)


def task_undone_note(task: TaskView, *, actor_user_id: str, locale: str) -> Message:
    """`↩️ @taro reopened "Invite users".`"""
    return _note("note.task_undone", task, actor_user_id=actor_user_id, locale=locale)


def _note(key: str, task: TaskView, *, actor_user_id: str, locale: str) -> Message:
    text = t(locale, key, user=mention(actor_user_id), title=clip(escape(task.title), TITLE_LIMIT))
    return Message(text=text, blocks=[context(BlockId.NOTE, text)])
