"""OAuth scopes: which bot scope each emulated method needs, per kind of conversation.

The sandbox's bot token holds exactly the scopes of the app's `manifest.yml`, so a scope
the manifest lacks fails the call as it would on Slack: `missing_scope`, with `needed`
and `provided`. The table follows each method's "Required scopes" on docs.slack.dev;
where Slack accepts a granular scope as well (e.g. `channels:write.topic`), either does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.models import Channel
from slack_sandbox.state import Workspace

# Which scope a method needs for each kind of conversation (any one scope of a tuple).
PUBLIC, PRIVATE, IM = "public", "private", "im"
Needs = dict[str, tuple[str, ...]]


def _per_kind(public: str, private: str, im: str | None = None, *extra: str) -> Needs:
    needs: Needs = {PUBLIC: (public, *extra), PRIVATE: (private,)}
    if im is not None:
        needs[IM] = (im,)
    return needs


def _any_kind(*scopes: str) -> Needs:
    return {PUBLIC: scopes, PRIVATE: scopes, IM: scopes}


_NONE: Needs = {}
METHOD_SCOPES: dict[str, Needs] = {
    "api.test": _NONE,
    "auth.test": _NONE,
    "bots.info": _any_kind("users:read"),
    "chat.delete": _any_kind("chat:write"),
    "chat.getPermalink": _NONE,
    "chat.postEphemeral": _any_kind("chat:write"),
    "chat.postMessage": _any_kind("chat:write"),
    "chat.update": _any_kind("chat:write"),
    "conversations.archive": _per_kind("channels:manage", "groups:write", "im:write"),
    "conversations.create": _per_kind("channels:manage", "groups:write"),
    "conversations.history": _per_kind("channels:history", "groups:history", "im:history"),
    "conversations.info": _per_kind("channels:read", "groups:read", "im:read"),
    "conversations.invite": {
        PUBLIC: ("channels:manage", "channels:write.invites"),
        PRIVATE: ("groups:write", "groups:write.invites"),
    },
    "conversations.inviteShared": _any_kind("conversations.connect:write"),
    "conversations.join": _any_kind("channels:join"),
    "conversations.list": _per_kind("channels:read", "groups:read", "im:read"),
    "conversations.members": _per_kind("channels:read", "groups:read", "im:read"),
    "conversations.open": _any_kind("im:write"),
    "conversations.replies": _per_kind("channels:history", "groups:history", "im:history"),
    "conversations.setPurpose": {
        PUBLIC: ("channels:manage", "channels:write.topic"),
        PRIVATE: ("groups:write", "groups:write.topic"),
        IM: ("im:write", "im:write.topic"),
    },
    "conversations.setTopic": {
        PUBLIC: ("channels:manage", "channels:write.topic"),
        PRIVATE: ("groups:write", "groups:write.topic"),
        IM: ("im:write", "im:write.topic"),
    },
    "files.completeUploadExternal": _any_kind("files:write"),
    "files.getUploadURLExternal": _any_kind("files:write"),
    "files.info": _any_kind("files:read"),
    "files.upload": _any_kind("files:write"),
    "pins.add": _any_kind("pins:write"),
    "pins.list": _any_kind("pins:read"),
    "pins.remove": _any_kind("pins:write"),
    "team.info": _any_kind("team:read"),
    "users.info": _any_kind("users:read"),
    "users.list": _any_kind("users:read"),
    "users.lookupByEmail": _any_kind("users:read.email"),
    "views.open": _NONE,
    "views.publish": _NONE,
    "views.push": _NONE,
    "views.update": _NONE,
}
# Every scope some emulated method needs: a token for testing the methods themselves.
EVERY_METHOD_SCOPE = frozenset(
    scope for needs in METHOD_SCOPES.values() for wanted in needs.values() for scope in wanted
)
# Posting in a public channel the bot has not joined (Slack's `chat:write.public`).
POST_UNJOINED = "chat:write.public"
# Seeing `profile.email` in users.info (users:read alone no longer shows it).
READ_EMAIL = "users:read.email"

_TYPE_KINDS = {"public_channel": PUBLIC, "private_channel": PRIVATE, "im": IM, "mpim": PRIVATE}


def default_manifest() -> Path:
    """The app's manifest: the checkout's `manifest.yml` (beside this package), else one in
    the working directory."""
    for candidate in (Path(__file__).resolve().parents[1] / "manifest.yml", Path("manifest.yml")):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "manifest.yml not found: run from the project checkout or pass scopes= to Sandbox"
    )


def manifest_scopes(path: Path | None = None) -> frozenset[str]:
    """The bot scopes `oauth_config.scopes.bot` of a Slack app manifest."""
    data = yaml.safe_load((path or default_manifest()).read_text(encoding="utf-8")) or {}
    scopes = ((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    return frozenset(str(scope) for scope in scopes)


def kind_of(channel: Channel) -> str:
    if channel.is_im:
        return IM
    return PRIVATE if channel.is_private else PUBLIC


def check_scopes(ws: Workspace, method: str, args: Args) -> None:
    """Raise `missing_scope` when the token lacks what `method` needs here.

    Caller holds `ws.lock`. A conversation the sandbox does not know is left to the method
    itself (it answers `channel_not_found`).
    """
    needs = METHOD_SCOPES.get(method, _NONE)
    if not needs:
        return
    for kind in _kinds(ws, method, args):
        wanted = needs.get(kind)
        if wanted is None:
            raise WebApiError("method_not_supported_for_channel_type")
        if not ws.scopes.intersection(wanted):
            raise missing(ws, wanted)


def missing(ws: Workspace, wanted: Iterable[str]) -> WebApiError:
    return WebApiError(
        "missing_scope", needed=",".join(wanted), provided=",".join(sorted(ws.scopes))
    )


def _kinds(ws: Workspace, method: str, args: Args) -> list[str]:
    """The kinds of conversation this call touches (public when it names none)."""
    if method == "conversations.create":
        return [PRIVATE if args.flag("is_private") else PUBLIC]
    if method == "conversations.list":
        return [_TYPE_KINDS.get(t, PUBLIC) for t in args.many("types") or ["public_channel"]]
    ref = args.text("channel")
    if ref[:1] in ("U", "W"):
        return [IM]  # chat.postMessage to a user id lands in a direct message
    channel = ws.channel(ref) or (ws.channel_by_name(ref) if ref.startswith("#") else None)
    return [kind_of(channel) if channel is not None else PUBLIC]
