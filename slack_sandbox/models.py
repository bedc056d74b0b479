"""The sandbox's records: teams, users, conversations, views, files, and its logs.

Each record knows how to render itself in the shape Slack's Web API returns.
Messages are kept as plain dicts because that is what Slack hands around.
"""

from __future__ import annotations

import copy
import mimetypes
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]


@dataclass
class Team:
    """A workspace: the one the app is installed in, or an external Slack Connect one."""

    id: str
    name: str
    domain: str
    email_domain: str = ""
    is_internal: bool = False
    # Whether this organisation's admins show members' e-mail to other organisations
    # (Slack's "Manage email display"): off unless they chose to show it.
    email_visible: bool = False

    def to_slack(self) -> Json:
        return {
            "id": self.id,
            "name": self.name,
            "domain": self.domain,
            "email_domain": self.email_domain,
            "icon": {"image_default": True},
        }


@dataclass
class User:
    """A person (or bot) who can appear in channels, DMs and payloads."""

    id: str
    team_id: str
    name: str
    real_name: str
    email: str | None = None
    tz: str = "UTC"
    locale: str = "en-US"
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    bot_id: str | None = None
    app_id: str | None = None
    created: int = 0

    @property
    def tz_offset(self) -> int:
        """Seconds east of UTC right now, as Slack reports it."""
        offset = datetime.now(ZoneInfo(self.tz)).utcoffset()
        return int(offset.total_seconds()) if offset else 0

    @property
    def tz_label(self) -> str:
        return datetime.now(ZoneInfo(self.tz)).tzname() or self.tz

    def to_slack(
        self, *, include_locale: bool = False, show_email: bool = True, is_stranger: bool = False
    ) -> Json:
        """The user object of users.info; the caller decides what the app may see."""
        profile: Json = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": self.team_id,
            "image_48": f"https://avatars.sandbox.invalid/{self.id}_48.png",
        }
        if self.email is not None and show_email:
            profile["email"] = self.email
        if self.bot_id is not None:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = self.app_id
        user: Json = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": self.tz_label,
            "tz_offset": self.tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": self.created,
            "is_email_confirmed": self.email is not None,
        }
        if include_locale:
            user["locale"] = self.locale
        if is_stranger:
            user["is_stranger"] = True
        return user


@dataclass
class SharedInvite:
    """A Slack Connect invitation sent with conversations.inviteShared."""

    id: str
    channel_id: str
    inviter_id: str
    created: int
    email: str | None = None
    user_id: str | None = None
    external_limited: bool = True
    status: str = "pending"


@dataclass
class Channel:
    """A public or private channel, or an IM between the bot and one user."""

    id: str
    name: str
    creator: str
    created: int
    is_private: bool = False
    is_im: bool = False
    im_user: str | None = None
    is_slackbot_dm: bool = False  # the user's DM with Slackbot, where posts to a user id land
    members: list[str] = field(default_factory=list)
    topic: Json = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: Json = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    is_archived: bool = False
    is_general: bool = False
    is_shared: bool = False
    is_ext_shared: bool = False
    is_pending_ext_shared: bool = False
    shared_team_ids: list[str] = field(default_factory=list)
    invites: list[SharedInvite] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    messages: list[Json] = field(default_factory=list)

    def to_slack(self, *, bot_user_id: str, include_num_members: bool = False) -> Json:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        data: Json = {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": self.is_general,
            "unlinked": 0,
            "is_shared": self.is_shared,
            "is_ext_shared": self.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": self.is_pending_ext_shared,
            "pending_shared": [],
            "shared_team_ids": list(self.shared_team_ids),
            "context_team_id": self.shared_team_ids[0] if self.shared_team_ids else None,
            "is_member": bot_user_id in self.members,
            "topic": dict(self.topic),
            "purpose": dict(self.purpose),
            "previous_names": [],
        }
        if include_num_members:
            data["num_members"] = len(self.members)
        return data

    def find_message(self, ts: str) -> Json | None:
        return next((m for m in self.messages if m["ts"] == ts), None)


@dataclass
class Ephemeral:
    """A message only one user sees: chat.postEphemeral or a response_url reply."""

    channel: str
    user: str
    ts: str
    text: str
    blocks: list[Json]
    attachments: list[Json]
    source: str
    thread_ts: str | None = None

    def to_dict(self) -> Json:
        return copy.deepcopy(
            {
                "type": "message",
                "channel": self.channel,
                "user": self.user,
                "ts": self.ts,
                "text": self.text,
                "blocks": self.blocks,
                "attachments": self.attachments,
                "thread_ts": self.thread_ts,
                "source": self.source,
                "is_ephemeral": True,
            }
        )


@dataclass
class View:
    """A modal (in a user's stack) or a published App Home tab."""

    id: str
    team_id: str
    user_id: str
    app_id: str
    bot_id: str
    payload: Json
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    state_values: Json = field(default_factory=dict)
    errors: Json | None = None
    closed: bool = False

    @property
    def type(self) -> str:
        return str(self.payload.get("type", "modal"))

    def to_slack(self) -> Json:
        p = self.payload
        return copy.deepcopy(
            {
                "id": self.id,
                "team_id": self.team_id,
                "type": self.type,
                "title": p.get("title"),
                "submit": p.get("submit"),
                "close": p.get("close"),
                "blocks": p.get("blocks", []),
                "private_metadata": p.get("private_metadata", ""),
                "callback_id": p.get("callback_id", ""),
                "external_id": p.get("external_id", ""),
                "state": {"values": self.state_values},
                "hash": self.hash,
                "clear_on_close": bool(p.get("clear_on_close", False)),
                "notify_on_close": bool(p.get("notify_on_close", False)),
                "submit_disabled": bool(p.get("submit_disabled", False)),
                "root_view_id": self.root_view_id,
                "previous_view_id": self.previous_view_id,
                "app_id": self.app_id,
                "app_installed_team_id": self.team_id,
                "bot_id": self.bot_id,
            }
        )


@dataclass
class StoredFile:
    """A file uploaded through files.getUploadURLExternal and the upload URL."""

    id: str
    name: str
    length: int
    user: str
    created: int
    upload_token: str
    title: str = ""
    alt_txt: str | None = None
    data: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)

    @property
    def mimetype(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    @property
    def filetype(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else "binary"

    def to_slack(self, *, domain: str) -> Json:
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title or self.name,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "pretty_type": self.filetype.upper(),
            "user": self.user,
            "size": len(self.data) if self.data is not None else self.length,
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": f"https://files.slack.com/files-pri/{self.id}/{self.name}",
            "permalink": f"https://{domain}.slack.com/files/{self.user}/{self.id}/{self.name}",
            "channels": list(self.channels),
            "alt_txt": self.alt_txt,
        }


@dataclass
class Trigger:
    """A trigger_id handed to the app in an interaction; single use, short-lived."""

    id: str
    user_id: str
    issued_at: float
    view_id: str | None = None
    used: bool = False


@dataclass
class ResponseUrl:
    """Where the app may answer a slash command or an interaction (5 uses, 30 min)."""

    token: str
    channel_id: str
    user_id: str
    issued_at: float
    message_ts: str | None = None
    ephemeral_ts: str | None = None
    uses: int = 0


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the sandbox saw it."""

    method: str
    args: Json
    result: Json
    status: int
    at: float


@dataclass(frozen=True)
class BlockViolation:
    """One broken Block Kit (or text) rule in something the app sent."""

    method: str
    target: str
    code: str
    message: str
    pointer: str


@dataclass(frozen=True)
class ButtonRef:
    """An interactive element that really exists in a stored message or view."""

    action_id: str
    block_id: str
    element: Json
    channel_id: str | None = None
    message_ts: str | None = None
    is_ephemeral: bool = False
    view_id: str | None = None

    @property
    def value(self) -> str | None:
        return self.element.get("value")
