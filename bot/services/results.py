"""What a unit of work reports back: it changed something, found it already so, or refused.

The convention of every service: a change returns `Changed`, `Unchanged` or `Refused`
(`Result`); a read returns its value or `Refused`. A refusal is returned (a message key and
its values, for the person's language), never raised; what raises is a defect or an outage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeAlias, TypeVar

from bot.domain.permissions import Decision

T = TypeVar("T")


@dataclass(frozen=True)
class Changed(Generic[T]):
    """Something was written; `value` is what changed."""

    value: T


@dataclass(frozen=True)
class Unchanged(Generic[T]):
    """Already so (a double click, a retry, a stale message): nothing was written."""

    value: T


@dataclass(frozen=True)
class Refused:
    """Why nothing was done: a message key and the values its text names."""

    key: str
    values: dict[str, object] = field(default_factory=dict)
    # The language of the project the refusal concerns, when one was found: an answer in
    # that project's place (its channel, its buttons) speaks the project's language.
    locale: str | None = None


Result: TypeAlias = Changed[T] | Unchanged[T] | Refused


def denied(decision: Decision, *, locale: str | None = None) -> Refused:
    """The refusal of a permission check that said no."""
    return Refused(decision.reason or "error.unexpected", locale=locale)
