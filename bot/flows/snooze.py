"""Snoozing one's own reminders from the reminder DM: the form, then the change."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.blocks.checklist import short_date
from bot.blocks.replies import reply
from bot.blocks.snooze import snooze_modal
from bot.deps import Deps
from bot.flows.context import Caller
from bot.flows.modals import open_modal
from bot.i18n import t
from bot.services import snooze as service
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


def open_form(deps: Deps, caller: Caller, *, trigger_id: str) -> None:
    """The form, in the person's language (looked up after the modal opened)."""
    open_modal(
        deps,
        caller,
        trigger_id=trigger_id,
        build=lambda: snooze_modal(
            locale=caller.locale, suggested=deps.today() + timedelta(days=7)
        ),
    )


def problem(deps: Deps, caller: Caller, *, until: date) -> str | None:
    """Why the date cannot be used, in the person's language (shown on the form)."""
    key = service.refusal(until=until, today=deps.today())
    if key is None:
        return None
    locale = caller.locale
    return t(locale, key, date=short_date(service.latest(deps.today()), locale))


def submit(deps: Deps, caller: Caller, *, until: date) -> None:
    with unit_of_work(deps.engine) as session:
        count = service.snooze(
            session=session,
            user_id=caller.user_id,
            until=until,
            today=deps.today(),
            now=deps.clock(),
        )
    locale = caller.locale
    key = "snooze.done" if count else "snooze.nothing"
    note = reply(locale, key, date=short_date(until, locale))
    try:
        deps.gateway.post_message(caller.user_id, note)
    except SlackError as exc:
        logger.warning("could not confirm a snooze: %s", exc.code)
