"""The form behind the reminder's 💤 button: until when the person's reminders pause."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import limits
from bot.blocks.escape import clip
from bot.blocks.ids import CallbackId, SnoozeField
from bot.blocks.message import Block, plain, section
from bot.i18n import t


def snooze_modal(*, locale: str, suggested: date) -> dict[str, Any]:
    blocks: list[Block] = [
        section("snooze-intro", t(locale, "snooze.modal.intro")),
        {
            "type": "input",
            "block_id": SnoozeField.UNTIL,
            "label": plain(t(locale, "snooze.modal.until")),
            "element": {
                "type": "datepicker",
                "action_id": SnoozeField.UNTIL,
                "initial_date": suggested.isoformat(),
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.SNOOZE,
        "title": plain(clip(t(locale, "snooze.modal.title"), limits.VIEW_TITLE)),
        "submit": plain(clip(t(locale, "snooze.modal.submit"), limits.VIEW_TITLE)),
        "close": plain(clip(t(locale, "dmstep.modal.close"), limits.VIEW_TITLE)),
        "blocks": blocks,
    }
