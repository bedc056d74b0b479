"""Everything the sandbox's Slack workspace holds, behind one lock.

Web API handlers and test helpers both go through this object. Callers hold
`workspace.lock` around a whole operation; the lock is re-entrant.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from slack_sandbox.block_limits import Problem
from slack_sandbox.errors import WebApiError
from slack_sandbox.ids import IdFactory
from slack_sandbox.models import (
    ApiCall,
    BlockViolation,
    Channel,
    Ephemeral,
    Json,
    ResponseUrl,
    StoredFile,
    Team,
    Trigger,
    User,
    View,
)

EventSink = Callable[[Json], None]
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60


class Workspace:
    """The installed team, its people and conversations, and what the app did to them.

    Args:
        team: the team the app is installed in.
        bot_user: the app's bot user (its `bot_id` and `app_id` are set).
        clock: wall-clock seconds, for `ts`, `created` and trigger expiry.
        trigger_ttl: seconds a trigger_id stays valid (Slack: 3).
        scopes: the bot token's OAuth scopes.
    """

    def __init__(
        self,
        *,
        team: Team,
        bot_user: User,
        clock: Callable[[], float],
        trigger_ttl: float,
        scopes: frozenset[str] = frozenset(),
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.ids = IdFactory(clock=clock)
        self.team = team
        self.bot = bot_user
        self.trigger_ttl = trigger_ttl
        self.scopes = scopes
        self.teams: dict[str, Team] = {team.id: team}
        self.users: dict[str, User] = {bot_user.id: bot_user}
        self.channels: dict[str, Channel] = {}
        self._channel_names: dict[str, str] = {}  # name -> id (names never change)
        self.ims: dict[str, str] = {}
        self.slackbot_ims: dict[str, str] = {}
        self.ephemerals: list[Ephemeral] = []
        self.views: dict[str, View] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.files: dict[str, StoredFile] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.calls: list[ApiCall] = []
        self.violations: list[BlockViolation] = []
        self.shared_invite_error: str | None = None
        self.create_channel_error: str | None = None
        self.public_url = ""
        self.emit: EventSink | None = None

    # -- identity ---------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    @property
    def app_id(self) -> str:
        return self.bot.app_id or ""

    @property
    def bot_id(self) -> str:
        return self.bot.bot_id or ""

    # -- seeding ----------------------------------------------------------------

    def add_team(
        self,
        *,
        name: str,
        domain: str,
        team_id: str | None = None,
        email_domain: str = "",
        email_visible: bool = False,
    ) -> Team:
        with self.lock:
            team = Team(
                team_id or self.ids.new("T"),
                name,
                domain,
                email_domain,
                email_visible=email_visible,
            )
            self.teams[team.id] = team
            return team

    def add_user(
        self,
        *,
        name: str,
        real_name: str | None = None,
        team_id: str | None = None,
        email: str | None = None,
        tz: str = "UTC",
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        user_id: str | None = None,
    ) -> User:
        with self.lock:
            team = team_id or self.team.id
            if team not in self.teams:
                raise ValueError(f"unknown team {team}: add_team() it first")
            ZoneInfo(tz)  # an unknown IANA name fails here, not in a later users.info
            user = User(
                id=user_id or self.ids.new("U"),
                team_id=team,
                name=name,
                real_name=real_name or name,
                email=email,
                tz=tz,
                locale=locale,
                is_bot=is_bot,
                deleted=deleted,
                is_admin=is_admin,
                created=self.now(),
            )
            if user.id in self.users:
                raise ValueError(f"user {user.id} already exists")
            self.users[user.id] = user
            return user

    def add_channel(
        self,
        *,
        name: str,
        members: list[str] | tuple[str, ...] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        topic: str = "",
        purpose: str = "",
        channel_id: str | None = None,
        creator: str | None = None,
    ) -> Channel:
        with self.lock:
            if self.channel_by_name(name) is not None:
                raise ValueError(f"a channel named {name} already exists")
            channel = Channel(
                id=channel_id or self.ids.new("C"),
                name=name,
                creator=creator or self.bot.id,
                created=self.now(),
                is_private=is_private,
            )
            channel.members = list(
                dict.fromkeys(([self.bot.id] if bot_is_member else []) + list(members))
            )
            for user_id in channel.members:
                self.require_user(user_id)
            channel.topic = {
                "value": topic,
                "creator": channel.creator,
                "last_set": channel.created,
            }
            channel.purpose = {
                "value": purpose,
                "creator": channel.creator,
                "last_set": channel.created,
            }
            self._refresh_sharing(channel)
            self.channels[channel.id] = channel
            self._channel_names[channel.name] = channel.id
            return channel

    # -- lookups ----------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def require_user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}")
        return user

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if (u.email or "").lower() == wanted), None)

    def is_external(self, user: User) -> bool:
        return user.team_id != self.team.id

    def shares_channel_with_bot(self, user_id: str) -> bool:
        """Whether the user and the bot are both in some channel (not a DM)."""
        return any(
            not c.is_im and user_id in c.members and self.bot.id in c.members
            for c in self.channels.values()
        )

    def channel(self, channel_id: str) -> Channel | None:
        return self.channels.get(channel_id)

    def channel_by_name(self, name: str) -> Channel | None:
        channel_id = self._channel_names.get(name.lstrip("#"))
        return None if channel_id is None else self.channels.get(channel_id)

    def require_channel(self, channel_id: str) -> Channel:
        """The conversation, or `channel_not_found` as Slack says it."""
        channel = self.channels.get(channel_id) or (
            self.channel_by_name(channel_id) if channel_id.startswith("#") else None
        )
        if channel is None:
            raise WebApiError("channel_not_found")
        return channel

    def im_for(self, user_id: str) -> Channel:
        """The bot's IM with a user, opened on first use."""
        existing = self.ims.get(user_id)
        if existing is not None:
            return self.channels[existing]
        channel = Channel(
            id=self.ids.new("D"),
            name=user_id,
            creator=self.bot.id,
            created=self.now(),
            is_im=True,
            is_private=True,
            im_user=user_id,
            members=[self.bot.id, user_id],
        )
        self.channels[channel.id] = channel
        self.ims[user_id] = channel.id
        return channel

    def slackbot_dm_for(self, user_id: str) -> Channel:
        """The user's DM with Slackbot: where chat.postMessage to a bare user id lands.

        The app is no member of it, so it cannot read it back (conversations.history
        answers `not_in_channel`), unlike its own DM from conversations.open.
        """
        existing = self.slackbot_ims.get(user_id)
        if existing is not None:
            return self.channels[existing]
        channel = Channel(
            id=self.ids.new("D"),
            name=f"slackbot-{user_id}",
            creator=user_id,
            created=self.now(),
            is_im=True,
            is_private=True,
            im_user=user_id,
            is_slackbot_dm=True,
            members=[user_id],
        )
        self.channels[channel.id] = channel
        self.slackbot_ims[user_id] = channel.id
        return channel

    # -- messages ---------------------------------------------------------------

    def bot_message(
        self, *, text: str, blocks: list[Json] | None, attachments: list[Json] | None
    ) -> Json:
        """A message as Slack stores one posted with the bot token (no ts yet)."""
        message: Json = {
            "type": "message",
            "user": self.bot.id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team.id,
            "text": text,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot.name,
                "team_id": self.team.id,
                "deleted": False,
            },
        }
        if blocks is not None:
            message["blocks"] = blocks
        if attachments is not None:
            message["attachments"] = attachments
        return message

    def append_message(self, channel: Channel, message: Json, thread_ts: str | None = None) -> Json:
        """Store a message, give it a `ts`, and thread it under its parent."""
        message["ts"] = self.ids.ts()
        if thread_ts:
            parent = channel.find_message(thread_ts)
            if parent is None or parent.get("thread_ts", parent["ts"]) != parent["ts"]:
                raise WebApiError("thread_not_found")
            message["thread_ts"] = thread_ts
            parent["thread_ts"] = thread_ts
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            users = parent.setdefault("reply_users", [])
            if message.get("user") and message["user"] not in users:
                users.append(message["user"])
            parent["reply_users_count"] = len(users)
            parent["latest_reply"] = message["ts"]
        channel.messages.append(message)
        return message

    def system_message(
        self, channel: Channel, *, subtype: str, user: str, text: str, **extra: Any
    ) -> None:
        """A join/topic/purpose notice, as Slack adds to history."""
        self.append_message(
            channel, {"type": "message", "subtype": subtype, "user": user, "text": text, **extra}
        )

    def add_ephemeral(self, ephemeral: Ephemeral) -> None:
        self.ephemerals.append(ephemeral)

    def find_ephemeral(self, ts: str) -> Ephemeral | None:
        return next((e for e in self.ephemerals if e.ts == ts), None)

    # -- membership ---------------------------------------------------------------

    def add_member(self, channel: Channel, user_id: str, *, inviter: str | None) -> None:
        """Put a user in a channel, note it in history, and tell the app (as Slack does)."""
        if user_id in channel.members:
            return
        channel.members.append(user_id)
        user = self.require_user(user_id)
        self._refresh_sharing(channel)
        self.system_message(
            channel,
            subtype="channel_join",
            user=user_id,
            text=f"<@{user_id}> has joined the channel",
            **({"inviter": inviter} if inviter else {}),
        )
        if self.emit is not None:
            event: Json = {
                "type": "member_joined_channel",
                "user": user_id,
                "channel": channel.id,
                "channel_type": "G" if channel.is_private else "C",
                "team": user.team_id,
                "event_ts": self.ids.ts(),
            }
            if inviter:
                event["inviter"] = inviter
            self.emit(event)

    def _refresh_sharing(self, channel: Channel) -> None:
        external = {
            self.users[m].team_id
            for m in channel.members
            if m in self.users and self.users[m].team_id != self.team.id
        }
        if external:
            channel.is_shared = channel.is_ext_shared = True
            channel.is_pending_ext_shared = False
            teams = [self.team.id, *sorted(external)]
            channel.shared_team_ids = list(dict.fromkeys(channel.shared_team_ids + teams))

    # -- interactions ---------------------------------------------------------------

    def issue_trigger(self, user_id: str, *, view_id: str | None = None) -> str:
        trigger = Trigger(self.ids.trigger_id(), user_id, self.clock(), view_id=view_id)
        self.triggers[trigger.id] = trigger
        return trigger.id

    def consume_trigger(self, trigger_id: str) -> Trigger:
        """The trigger, now used; or the error Slack gives for a bad one."""
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            raise WebApiError("invalid_trigger_id")
        if trigger.used:
            raise WebApiError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > self.trigger_ttl:
            raise WebApiError("expired_trigger_id")
        trigger.used = True
        return trigger

    def issue_response_url(
        self,
        *,
        channel_id: str,
        user_id: str,
        message_ts: str | None = None,
        ephemeral_ts: str | None = None,
    ) -> str:
        token = self.ids.secret()
        self.response_urls[token] = ResponseUrl(
            token,
            channel_id,
            user_id,
            self.clock(),
            message_ts=message_ts,
            ephemeral_ts=ephemeral_ts,
        )
        return f"{self.public_url}/response/{token}"

    # -- logs -------------------------------------------------------------------

    def record_problems(self, *, method: str, target: str, problems: list[Problem]) -> None:
        self.violations.extend(
            BlockViolation(method, target, p.code, p.message, p.pointer) for p in problems
        )

    def record_call(self, *, method: str, args: Json, result: Json, status: int) -> None:
        self.calls.append(
            ApiCall(method, copy.deepcopy(args), copy.deepcopy(result), status, self.clock())
        )
