"""`Sandbox`: a local Slack workspace with a Web API the real `slack_sdk.WebClient` can use.

with Sandbox(signing_secret="s3cret") as sandbox:
    alice = sandbox.add_user("alice", email="alice@acme.test", tz="Asia/Tokyo")
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from slack_sandbox.events import EventPusher
from slack_sandbox.faults import Faults
from slack_sandbox.lookup import find_button
from slack_sandbox.methods.connect import REFUSALS
from slack_sandbox.models import (
    ApiCall,
    BlockViolation,
    ButtonRef,
    Channel,
    Json,
    SharedInvite,
    Team,
    User,
)
from slack_sandbox.rate_limits import PostLimits, RateLimits
from slack_sandbox.scopes import manifest_scopes
from slack_sandbox.server import SandboxServer
from slack_sandbox.state import Workspace
from slack_sandbox.web_api import WebApi

# What a workspace setting may answer to conversations.create (e.g. only admins create
# channels; Enterprise Grid policies).
CREATE_REFUSALS = ("restricted_action", "not_allowed_token_type", "team_access_not_granted")


class Sandbox:
    """A fake Slack: state, Web API server, event pusher, and helpers for tests.

    Args:
        signing_secret: the app's signing secret (used to sign pushed events).
        bot_token: the only token the Web API accepts.
        team_id: id of the team the app is installed in.
        events_url: the app's `/slack/events` URL; events are pushed there when set.
        trigger_ttl: seconds a trigger_id stays valid (Slack: 3).
        scopes: the bot token's scopes; by default exactly those of the app's manifest.yml.
        rate_limits: answer 429 as Slack does (rate_limits.py). Only the switch's own unit
            tests turn it off.
        rate_clock: monotonic seconds the rate limits count in; a test that simulates days
            passes a clock following its simulated time.
        clock: wall-clock seconds for ts, created and expiry.
        post_limits: chat.postMessage's per-channel pace and workspace budget (Slack
            publishes no workspace number; the default is "several hundred a minute").
    """

    def __init__(
        self,
        signing_secret: str,
        bot_token: str = "xoxb-sandbox",
        team_id: str = "T0INTERNAL",
        *,
        team_name: str = "Acme Corp",
        team_domain: str = "acme",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0ONBOARD",
        bot_name: str = "onboardbot",
        events_url: str | None = None,
        trigger_ttl: float = 3.0,
        scopes: Iterable[str] | None = None,
        rate_limits: bool = True,
        rate_clock: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
        post_limits: PostLimits | None = None,
    ) -> None:
        self.signing_secret = signing_secret
        self.bot_token = bot_token
        self.events_url = events_url
        team = Team(team_id, team_name, team_domain, f"{team_domain}.test", is_internal=True)
        bot = User(
            id=bot_user_id,
            team_id=team_id,
            name=bot_name,
            real_name=bot_name,
            is_bot=True,
            bot_id=bot_id,
            app_id=app_id,
            created=int(clock()),
        )
        self.workspace = Workspace(
            team=team,
            bot_user=bot,
            clock=clock,
            trigger_ttl=trigger_ttl,
            scopes=frozenset(scopes) if scopes is not None else manifest_scopes(),
        )
        self.faults = Faults()
        self._api = WebApi(
            workspace=self.workspace,
            bot_token=bot_token,
            faults=self.faults,
            limits=RateLimits(clock=rate_clock, posts=post_limits or PostLimits())
            if rate_limits
            else None,
        )
        self._events = EventPusher(
            workspace=self.workspace,
            signing_secret=signing_secret,
            events_url=lambda: self.events_url,
        )
        self.workspace.emit = self._events.emit
        self._server: SandboxServer | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is None:
            self._server = SandboxServer(api=self._api)
            self.workspace.public_url = self._server.base_url
            self._server.start_in_thread()
            self._events.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._events.flush(timeout=2)
            self._events.stop()
            self._server.stop()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the sandbox first")
        return self._server.base_url

    @property
    def api_url(self) -> str:
        """The WebClient `base_url`, e.g. `http://127.0.0.1:PORT/api/`."""
        return f"{self.base_url}/api/"

    # -- identity ----------------------------------------------------------------------

    @property
    def team_id(self) -> str:
        return self.workspace.team.id

    @property
    def bot_user_id(self) -> str:
        return self.workspace.bot.id

    @property
    def bot_id(self) -> str:
        return self.workspace.bot_id

    @property
    def app_id(self) -> str:
        return self.workspace.app_id

    # -- seeding -----------------------------------------------------------------------

    @property
    def scopes(self) -> frozenset[str]:
        return self.workspace.scopes

    def add_team(
        self,
        name: str,
        domain: str,
        *,
        team_id: str | None = None,
        email_domain: str = "",
        email_visible: bool = False,
    ) -> Team:
        """An external workspace (for Slack Connect users); its members' e-mail is hidden
        from the app unless `email_visible` (the organisation shows it to others)."""
        return self.workspace.add_team(
            name=name,
            domain=domain,
            team_id=team_id,
            email_domain=email_domain,
            email_visible=email_visible,
        )

    def show_email_to_others(self, team_id: str, visible: bool = True) -> None:
        """An organisation's admins change "Manage email display" for other organisations."""
        with self.workspace.lock:
            team = self.workspace.teams.get(team_id)
            if team is None or team.id == self.team_id:
                raise ValueError(f"{team_id} is not an external team")
            team.email_visible = visible

    def add_user(
        self,
        name: str,
        *,
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
        """A person in the installed team (or in `team_id`, an external team)."""
        return self.workspace.add_user(
            name=name,
            real_name=real_name,
            team_id=team_id,
            email=email,
            tz=tz,
            locale=locale,
            is_bot=is_bot,
            deleted=deleted,
            is_admin=is_admin,
            user_id=user_id,
        )

    def add_external_user(
        self,
        email: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = "UTC",
        locale: str = "en-US",
    ) -> User:
        """A person from another organization; their team is made from the email's domain."""
        with self.workspace.lock:
            team = self._team_for_email(email)
            return self.add_user(
                name or email.split("@")[0],
                real_name=real_name,
                team_id=team.id,
                email=email,
                tz=tz,
                locale=locale,
            )

    def add_channel(
        self,
        name: str,
        *,
        members: Iterable[str] = (),
        bot_is_member: bool = True,
        is_private: bool = False,
        topic: str = "",
        purpose: str = "",
        channel_id: str | None = None,
    ) -> Channel:
        """A channel that already exists in the workspace (the bot is in it by default)."""
        return self.workspace.add_channel(
            name=name,
            members=tuple(members),
            bot_is_member=bot_is_member,
            is_private=is_private,
            topic=topic,
            purpose=purpose,
            channel_id=channel_id,
        )

    def deactivate_user(self, user_id: str) -> None:
        with self.workspace.lock:
            self.workspace.require_user(user_id).deleted = True

    def archive_channel(self, channel_id: str) -> None:
        with self.workspace.lock:
            self._channel(channel_id).is_archived = True

    def join_channel(self, channel_id: str, user_id: str) -> None:
        """A person joins (or is added to) a channel; the app gets `member_joined_channel`."""
        with self.workspace.lock:
            self.workspace.add_member(self._channel(channel_id), user_id, inviter=None)

    def refuse_channel_creation(self, error: str | None = "restricted_action") -> None:
        """Make conversations.create fail as a workspace setting would (None: allow)."""
        if error is not None and error not in CREATE_REFUSALS:
            raise ValueError(f"error must be one of {CREATE_REFUSALS}")
        self.workspace.create_channel_error = error

    def refuse_shared_invites(self, error: str | None = "not_paid") -> None:
        """Make conversations.inviteShared fail as a workspace setting would (None: allow)."""
        if error is not None and error not in REFUSALS:
            raise ValueError(f"error must be one of {REFUSALS}")
        self.workspace.shared_invite_error = error

    def invite_by_hand(self, channel: str, email: str, *, inviter: str) -> None:
        """A person sends a Slack Connect invitation from Slack itself (channel details → Add
        people). The app's own refusals do not apply to people; a workspace without a paid
        plan cannot send one at all."""
        ws = self.workspace
        with ws.lock:
            target = self._channel(channel)
            if ws.shared_invite_error == "not_paid":
                raise ValueError("Slack Connect needs a paid plan: nobody can invite")
            if inviter not in target.members:
                raise ValueError(f"{inviter} is not in {channel}")
            target.invites.append(
                SharedInvite(ws.ids.new("I"), target.id, inviter, ws.now(), email=email)
            )
            if not target.is_ext_shared:
                target.is_pending_ext_shared = True

    def accept_shared_invite(
        self, channel: str, email: str, *, user_id: str | None = None, name: str | None = None
    ) -> User:
        """The invited person accepts: they join, the channel becomes externally shared.

        Pushes `member_joined_channel` to the app. Raises ValueError without a pending invite.
        """
        ws = self.workspace
        with ws.lock:
            target = self._channel(channel)
            invite = next(
                (
                    i
                    for i in target.invites
                    if i.status == "pending"
                    and (
                        (i.email or "").lower() == email.lower()
                        or (user_id and i.user_id == user_id)
                    )
                ),
                None,
            )
            if invite is None:
                raise ValueError(f"no pending shared invite for {email} in {channel}")
            if user_id is not None:
                user = ws.require_user(user_id)
            else:
                user = ws.user_by_email(email) or self.add_external_user(email, name=name)
            invite.status = "accepted"
            ws.add_member(target, user.id, inviter=invite.inviter_id)
            return user

    # -- reading state --------------------------------------------------------------------

    def channel(self, channel_id: str) -> Json:
        """conversations.info's shape, plus `members`, `pins` and `shared_invites`."""
        with self.workspace.lock:
            found = self._channel(channel_id)
            data = found.to_slack(bot_user_id=self.bot_user_id, include_num_members=True)
            data["members"] = list(found.members)
            data["pins"] = list(found.pins)
            data["shared_invites"] = [dict(vars(i)) for i in found.invites]
            return data

    def channel_by_name(self, name: str) -> Json | None:
        with self.workspace.lock:
            found = self.workspace.channel_by_name(name)
            return None if found is None else self.channel(found.id)

    def user(self, user_id: str) -> Json:
        with self.workspace.lock:
            return self.workspace.require_user(user_id).to_slack(include_locale=True)

    def messages(
        self, channel: str, *, include_replies: bool = False, include_system: bool = False
    ) -> list[Json]:
        """Messages in a conversation, oldest first, each with a `channel` key.

        Message metadata is always there (as `metadata`), unlike conversations.history
        without `include_all_metadata`. Thread replies and join/topic/purpose notices are
        left out unless asked for.
        """
        with self.workspace.lock:
            found = self._channel(channel)
            result = []
            for message in found.messages:
                reply = message.get("thread_ts") not in (None, message["ts"])
                system = message.get("subtype") not in (None, "thread_broadcast")
                if (reply and not include_replies) or (system and not include_system):
                    continue
                result.append({**copy.deepcopy(message), "channel": found.id})
            return result

    def message(self, channel: str, ts: str) -> Json | None:
        with self.workspace.lock:
            found = self._channel(channel).find_message(ts)
            return None if found is None else {**copy.deepcopy(found), "channel": channel}

    def replies(self, channel: str, thread_ts: str) -> list[Json]:
        """The replies under a message, oldest first (the parent left out)."""
        with self.workspace.lock:
            found = self._channel(channel)
            return [
                {**copy.deepcopy(m), "channel": found.id}
                for m in found.messages
                if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
            ]

    def dm_channel(self, user_id: str) -> str | None:
        """The id of the bot's IM with this user, if one was opened."""
        with self.workspace.lock:
            return self.workspace.ims.get(user_id)

    def dm_messages(self, user_id: str) -> list[Json]:
        """What the bot sent this user in their DM, oldest first (with any `metadata`)."""
        channel = self.dm_channel(user_id)
        return [] if channel is None else self.messages(channel)

    def slackbot_messages(self, user_id: str) -> list[Json]:
        """What landed in the user's DM with Slackbot (chat.postMessage to a bare user id)."""
        with self.workspace.lock:
            channel = self.workspace.slackbot_ims.get(user_id)
        return [] if channel is None else self.messages(channel)

    def ephemerals(self, user_id: str | None = None, channel: str | None = None) -> list[Json]:
        """Ephemeral messages (chat.postEphemeral and response_url replies), oldest first."""
        with self.workspace.lock:
            return [
                e.to_dict()
                for e in self.workspace.ephemerals
                if (user_id is None or e.user == user_id)
                and (channel is None or e.channel == channel)
            ]

    def views_for(self, user_id: str) -> list[Json]:
        """The user's open modal stack, bottom first (empty when no modal is open)."""
        with self.workspace.lock:
            stack = self.workspace.modal_stacks.get(user_id, [])
            return [self._view_dict(view_id) for view_id in stack]

    def view(self, view_id: str) -> Json:
        """A view as Slack returns it, plus `errors` from the last `response_action: errors`."""
        with self.workspace.lock:
            return self._view_dict(view_id)

    def home_view(self, user_id: str) -> Json | None:
        with self.workspace.lock:
            view_id = self.workspace.home_views.get(user_id)
            return None if view_id is None else self._view_dict(view_id)

    def files(self) -> list[Json]:
        """Uploaded files: Slack's file object plus `content` (the bytes)."""
        with self.workspace.lock:
            return [
                {
                    **f.to_slack(domain=self.workspace.team.domain),
                    "content": f.data,
                    "completed": f.completed,
                }
                for f in self.workspace.files.values()
            ]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every Web API call (and `upload` / `response_url` POST), oldest first."""
        with self.workspace.lock:
            return [c for c in self.workspace.calls if method is None or c.method == method]

    @property
    def block_violations(self) -> list[BlockViolation]:
        """Everything the app sent that broke a Block Kit or text rule."""
        with self.workspace.lock:
            return list(self.workspace.violations)

    def clear_logs(self) -> None:
        """Forget recorded calls and violations (state stays)."""
        with self.workspace.lock:
            self.workspace.calls.clear()
            self.workspace.violations.clear()

    def wait_for_events(self, timeout: float = 5.0) -> bool:
        """Block until every pushed event was delivered to the app."""
        return self._events.flush(timeout)

    @property
    def event_deliveries(self) -> list[tuple[Json, Any]]:
        """(envelope, DriverResponse or None) for each pushed event."""
        with self.workspace.lock:
            return list(self._events.deliveries)

    def issue_trigger(self, user_id: str) -> str:
        """A fresh trigger_id, as if the user had just clicked something."""
        with self.workspace.lock:
            return self.workspace.issue_trigger(user_id)

    # -- buttons ----------------------------------------------------------------------------

    def find_button(
        self, target: str | Json, action_id: str, value: str | None = None
    ) -> ButtonRef:
        """An element the app really posted, in a channel (newest message first), a message,
        an ephemeral message or a view (dict or view id). Raises DriverError when absent."""
        with self.workspace.lock:
            return find_button(self.workspace, target, action_id=action_id, value=value)

    # -- internals ----------------------------------------------------------------------------

    def _channel(self, channel_id: str) -> Channel:
        found = self.workspace.channel(channel_id) or self.workspace.channel_by_name(channel_id)
        if found is None:
            raise KeyError(f"no channel {channel_id}")
        return found

    def _view_dict(self, view_id: str) -> Json:
        view = self.workspace.views[view_id]
        return {
            **view.to_slack(),
            "errors": copy.deepcopy(view.errors),
            "closed": view.closed,
            "user_id": view.user_id,
        }

    def _team_for_email(self, email: str) -> Team:
        domain = email.rsplit("@", 1)[-1].lower()
        for team in self.workspace.teams.values():
            if team.email_domain == domain:
                return team
        slug = domain.split(".")[0]
        return self.add_team(slug.capitalize(), slug, email_domain=domain)
