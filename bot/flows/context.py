"""Who is asking and where: one Slack request as flows see it.

The payload's word (the user, the channel, the team it claims) is read once per request by
the listeners' middleware; what it resolves to (the acting `Actor`, the language to answer
in) is looked up once, when first needed, so an acknowledgement never waits on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from bot.domain.permissions import Actor
from bot.services import access
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

if TYPE_CHECKING:
    from bot.deps import Deps


@dataclass(frozen=True)
class Caller:
    user_id: str
    channel_id: str | None = None
    payload_team_id: str | None = None  # the acting user's team as the payload states it
    deps: Deps | None = field(default=None, compare=False, repr=False)  # resolves the rest

    @cached_property
    def actor(self) -> Actor:
        """Who is acting: their team from Slack's own record when it can be read; a user
        of another team is external and never staff."""
        return self._deps.directory.actor(self.user_id, payload_team_id=self.payload_team_id)

    @cached_property
    def locale(self) -> str:
        """The language to answer in: the project's in its channel, else the person's."""
        return locale_for(self._deps, self)

    @cached_property
    def own_locale(self) -> str:
        """The person's own Slack language (the default one when Slack has none)."""
        deps = self._deps
        return deps.directory.locale_of(self.user_id, deps.settings.default_locale)

    def __deepcopy__(self, memo: dict[int, object]) -> Caller:
        # Bolt deep-copies the request's context for lazy listeners: they share this one
        # request's caller (read-only once resolved) and the app's deps, never copies.
        return self

    @property
    def _deps(self) -> Deps:
        assert self.deps is not None, "a Caller from a payload carries the app's deps"
        return self.deps


def locale_for(deps: Deps, caller: Caller) -> str:
    """The project's language in its channel; elsewhere the person's Slack language."""
    if caller.channel_id:
        with unit_of_work(deps.engine) as session:
            locale = access.channel_locale(session=session, channel_id=caller.channel_id)
        if locale is not None:
            return locale
    try:
        return deps.directory.locale_of(caller.user_id, deps.settings.default_locale)
    except SlackError:  # the answer must not fail because Slack is unreachable
        return deps.settings.default_locale
