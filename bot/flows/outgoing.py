"""What flows put in the outbox: one message for one recipient (`outbox_row`), a DM with
where it goes when Slack refuses it (`with_fallback`, the only place a fallback is
built), and a message the decision-maker alone may read (`to_decision_maker`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from bot.blocks.forward import Why, forward_message
from bot.blocks.message import Message
from bot.services.outbox import Fallback, OutboxMessage


def outbox_row(
    key: str,
    kind: str,
    recipient: str,
    message: Message,
    *,
    project_id: int | None,
    now: datetime,
    thread_ts: str | None = None,
    task_ids: Sequence[int] = (),
    local_date: date | None = None,
) -> OutboxMessage:
    """One message for `recipient` (a person's DM or a channel), decided at `now`."""
    return OutboxMessage(
        key=key,
        kind=kind,
        recipient=recipient,
        text=message.text,
        blocks=message.blocks,
        at=now,
        project_id=project_id,
        thread_ts=thread_ts,
        task_ids=tuple(task_ids),
        local_date=local_date,
    )


def with_fallback(
    dm: OutboxMessage, fallback: Message, *, to: str, thread_ts: str | None = None
) -> OutboxMessage:
    """The DM `dm`, and what goes to `to` instead when Slack refuses it (an external,
    deactivated or hidden person): a threaded mention in a channel, or a note to the CSM
    who passes it on."""
    return replace(dm, fallback=Fallback(to, fallback.text, fallback.blocks, thread_ts))


def to_decision_maker(
    key: str,
    kind: str,
    message: Message,
    *,
    project_id: int,
    locale: str,
    customer: str,
    user_id: str | None,
    email: str | None,
    csm_user_id: str | None,
    now: datetime,
    task_ids: Sequence[int],
    local_date: date,
) -> OutboxMessage:
    """A message for the decision-maker alone: her DM (the CSM gets it to pass on if Slack
    refuses), or the CSM's when she is not on Slack. Never a channel."""

    def forwarded(why: Why) -> Message:
        return forward_message(
            message,
            locale=locale,
            customer=customer,
            why=why,
            user_id=user_id,
            email=None if user_id else email,
        )

    if user_id is None:
        assert csm_user_id is not None  # nobody plans a forward without a CSM
        recipient, sent, fallback = csm_user_id, forwarded(Why.NOT_ON_SLACK), None
    elif not csm_user_id:
        recipient, sent, fallback = user_id, message, None
    else:
        recipient, sent, fallback = user_id, message, forwarded(Why.DM_REFUSED)
    row = outbox_row(
        key,
        kind,
        recipient,
        sent,
        project_id=project_id,
        now=now,
        task_ids=task_ids,
        local_date=local_date,
    )
    if fallback is None:
        return row
    return with_fallback(row, fallback, to=csm_user_id or "")
