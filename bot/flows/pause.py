"""`/onboard pause [until YYYY-MM-DD]` and `/onboard resume` in a project channel."""

from __future__ import annotations

from datetime import date

from bot.blocks.escape import escape
from bot.blocks.message import Message
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.errors import UserError
from bot.flows.checklist import refresh_checklist
from bot.flows.context import Caller
from bot.services import pausing
from bot.services.results import Refused
from bot.services.session import unit_of_work


def pause(deps: Deps, caller: Caller, *, until: date | None) -> Message:
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        held = pausing.pause(
            session=session,
            channel_id=caller.channel_id,
            actor=actor,
            until=until,
            now=deps.clock(),
        )
    if isinstance(held, Refused):
        raise UserError(held.key, **held.values)
    paused = held.value
    refresh_checklist(deps, paused.project_id)  # its header shows the state
    return reply(
        paused.locale,
        "pause.done_until" if until else "pause.done",
        customer=escape(paused.customer_name),
        date=until.isoformat() if until else "",
    )


def resume(deps: Deps, caller: Caller) -> Message:
    actor = caller.actor
    with unit_of_work(deps.engine) as session:
        held = pausing.resume(
            session=session, channel_id=caller.channel_id, actor=actor, now=deps.clock()
        )
    if isinstance(held, Refused):
        raise UserError(held.key, **held.values)
    resumed = held.value
    refresh_checklist(deps, resumed.project_id)
    return reply(resumed.locale, "resume.done", customer=escape(resumed.customer_name))
