"""The form behind the reminder's 💤 button: until when the person's reminders pause."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.ids import CallbackId, SnoozeField
from bot.blocks.message import Block, modal, plain, section
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
    return modal(
        CallbackId.SNOOZE,
        title=t(locale, "snooze.modal.title"),
        submit=t(locale, "snooze.modal.submit"),
        close=t(locale, "dmstep.modal.close"),
        blocks=blocks,
    )
