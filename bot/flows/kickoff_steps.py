"""The Slack steps of a start (see `bot.flows.kickoff`): the channel, its topic and purpose,
the invitations, and posts that survive retries. Each step may run again after a crash."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.message import Message
from bot.blocks.refusals import RETRYABLE, invitation_refused
from bot.blocks.replies import reply
from bot.deps import Deps
from bot.domain.channel_names import channel_name
from bot.errors import UserError
from bot.i18n import t
from bot.services import starts
from bot.slack.gateway import SlackError

logger = logging.getLogger("bot.flows.kickoff")

MAX_NAME_TRIES = 30
TOPIC_LIMIT = 250  # Slack's limit for a channel's topic and purpose
POST_TRIES = 5
# Slack errors that no retry will cure once the channel exists (it was archived, the app
# lost its rights): the start is given up and the CSM told.
HOPELESS = {
    "is_archived",
    "channel_not_found",
    "not_in_channel",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
}


def create_channel(
    deps: Deps, customer_name: str, project_id: int, *, chosen: str | None = None
) -> tuple[str, str]:
    """Create the project channel, adding a suffix while the name is taken; a name the CSM
    chose is used as it is or refused."""
    if chosen is not None:
        try:
            return deps.gateway.create_channel(chosen), chosen
        except SlackError as exc:
            if exc.code == "name_taken" or exc.code.startswith("invalid_name"):
                raise UserError("error.channel_name_taken", name=chosen) from None
            raise
    short_id = f"p{project_id}"
    for suffix in range(MAX_NAME_TRIES):
        name = channel_name(customer_name, short_id=short_id, suffix=suffix)
        try:
            return deps.gateway.create_channel(name), name
        except SlackError as exc:
            if exc.code == "name_taken":
                continue
            if exc.code.startswith("invalid_name"):
                customer_name = ""  # fall back to the short id
                continue
            raise
    raise UserError("error.channel_name_exhausted")


def set_topic_and_invite(
    deps: Deps, state: starts.StartState, channel_id: str, hold: Callable[[], None]
) -> list[Message]:
    locale, customer = state.locale, escape(state.customer_name)
    csm = state.csm_user_id or state.created_by or ""
    hold()
    deps.gateway.set_topic(channel_id, _fit(locale, "kickoff.topic", customer, csm=f"<@{csm}>"))
    deps.gateway.set_purpose(channel_id, _fit(locale, "kickoff.purpose", customer))
    internal = [csm, state.created_by or csm]
    for person in state.invitees:
        if person.user_id and not deps.directory.actor(person.user_id).is_external:
            internal.append(person.user_id)
    notes = []
    hold()
    try:
        deps.gateway.invite(channel_id, list(dict.fromkeys(p for p in internal if p)))
    except SlackError as exc:  # the project stands; the CSM adds people by hand
        if exc.code in HOPELESS:
            raise
        notes.append(
            reply(locale, "kickoff.invite_failed", error=exc.code, channel=channel_link(channel_id))
        )
    return notes + _invite_customers(deps, channel_id, state.invitees, locale=locale, hold=hold)


def _fit(locale: str, key: str, customer: str, **values: str) -> str:
    """A topic or purpose within Slack's limit: the (escaped) customer name is shortened
    on a character boundary so the rest, such as the CSM's mention, stays whole."""
    room = TOPIC_LIMIT - len(t(locale, key, customer="", **values))
    return clip(t(locale, key, customer=clip(customer, max(room, 1)), **values), TOPIC_LIMIT)


def _invite_customers(
    deps: Deps,
    channel_id: str,
    people: tuple[starts.Invitee, ...],
    *,
    locale: str,
    hold: Callable[[], None],
) -> list[Message]:
    """Slack Connect invitations, one invitee per call; refusals become notes for the CSM."""
    notes = []
    for person in people:
        target = person.email
        if target is None and person.user_id and deps.directory.actor(person.user_id).is_external:
            target = person.user_id
        if target is None:
            continue
        hold()
        try:
            deps.gateway.invite_shared(
                channel_id, email=person.email, user_id=None if person.email else target
            )
        except SlackError as exc:
            if exc.code in HOPELESS:
                raise
            logger.info("shared invite refused: %s", exc.code)
            notes.append(
                invitation_refused(
                    locale,
                    who=escape(person.email) if person.email else mention(target),
                    email=person.email,
                    code=exc.code,
                    channel=channel_link(channel_id),
                )
            )
    return notes


def post_once(
    deps: Deps,
    channel_id: str,
    message: Message,
    key: str,
    hold: Callable[[], None],
    check_first: bool,
) -> str:
    """Post `message` once under `key`; rate limits and Slack's bad moments are waited out
    here (each try renews the lease first), other errors go up."""
    for attempt in range(POST_TRIES):
        try:
            return deps.gateway.post_once(
                channel_id, message, key=key, check_first=check_first, hold=hold
            )[1]
        except SlackError as exc:
            transient = exc.code in RETRYABLE or exc.code.startswith("http_5")
            if not transient or attempt == POST_TRIES - 1:
                raise
            # After a 5xx or a lost answer the post may have landed: look before the next.
            check_first = check_first or exc.code != "ratelimited"
            time.sleep(min(30.0, exc.retry_after or 0.25 * 2**attempt))
    raise AssertionError("unreachable")


def external_teams(deps: Deps, named: list[str]) -> dict[str, str]:
    """The Slack team of each person named who is not one of us."""
    return {
        user_id: actor.team_id
        for user_id in named
        if (actor := deps.directory.actor(user_id)).is_external and actor.team_id
    }
