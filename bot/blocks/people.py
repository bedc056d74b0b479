"""A person named in a message others read: customers with the honorific, our own staff
without (Japanese business writing never honours one's own colleagues to a customer)."""

from __future__ import annotations

from collections.abc import Container

from bot.blocks.escape import mention
from bot.i18n import t


def person(locale: str, user_id: str, *, customers: Container[str]) -> str:
    """`<@U1> 様` for one of the customer's people, `<@U2>` for our staff (in Japanese)."""
    key = "person.customer" if user_id in customers else "person.staff"
    return t(locale, key, user=mention(user_id))
