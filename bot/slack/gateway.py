"""The one place that calls the Slack Web API.

Retries 429 (honouring Retry-After) and transient 5xx / connection errors with backoff
through slack_sdk's retry handlers, paces calls before Slack has to say 429, and turns
Slack's `ok: false` answers into `SlackError` carrying the error code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.slack.client import SEND_TIMEOUT, SlackError, build_client, retry_after_seconds
from bot.slack.pacing import (
    POST_PER_CHANNEL,
    POSTS_PER_MINUTE,
    Pacer,
    PostBudget,
    Rate,
    Window,
    pace,
    slowed,
)
from bot.slack.payloads import Postable, UserInfo, metadata_of

__all__ = ["SEND_TIMEOUT", "Gateway", "Postable", "SlackError", "UserInfo", "build_client"]

logger = logging.getLogger(__name__)


class Gateway:
    """Typed wrappers over the Web API methods the bot uses."""

    def __init__(
        self,
        client: WebClient,
        *,
        strict_client: WebClient | None = None,
        pacer: Pacer | None = None,
        posts_per_minute: int = POSTS_PER_MINUTE,
    ) -> None:
        self.client = client
        self.strict_client = strict_client or client
        self.pacer = pacer or Pacer()
        # chat.postMessage's workspace-wide budget, and the share of it queued sends may use:
        # the rest is kept for what people are waiting on (answers to a click or a command).
        self.posts = PostBudget(posts_per_minute)
        self._dm_channels: dict[str, str] = {}
        self.dm_channels_loaded = False

    # -- plumbing -----------------------------------------------------------------
    def call(
        self,
        method: str,
        *,
        rate: Rate | Window | None = None,
        pace_key: str = "",
        strict: bool = False,
        before: Callable[[], None] | None = None,
        bulk: bool = False,
        **params: Any,
    ) -> dict[str, Any]:
        """Call `method`; raise SlackError with Slack's code when it answers ok:false.
        Every call is paced to its method's documented rate (`rate` and `pace_key` for a
        narrower one, e.g. chat.postMessage per channel) before Slack has to say 429.
        `bulk` calls (the outbox's posts) also stay within a share of the workspace budget,
        so a person's click never queues behind a morning of reminders.
        `before` runs right before the request leaves (after any pacing wait). A 429 holds
        the method for its Retry-After, calls waiting their turn included (`pacing.pace`).
        """
        held = pace(self.pacer, self.posts, method, rate=rate, pace_key=pace_key, bulk=bulk)
        if held:
            raise SlackError(method, "ratelimited", retry_after=held)
        if before is not None:
            before()
        # The typed slack_sdk method picks the encoding (JSON or form) Slack expects.
        client = self.strict_client if strict else self.client
        sdk_method = getattr(client, method.replace(".", "_"))
        try:
            response = sdk_method(**_drop_none(params))
        except (URLError, OSError) as exc:
            logger.warning("slack %s: connection failed: %s", method, exc)
            raise SlackError(method, "connection_error") from None
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            code = str(data.get("error") or f"http_{exc.response.status_code}")
            logger.warning("slack %s failed: %s", method, code)
            retry_after = retry_after_seconds(exc.response.headers)
            if exc.response.status_code == 429:
                self._limited(method, retry_after, pace_key)
            raise SlackError(method, code, data, retry_after=retry_after) from None
        if method == "chat.postMessage":
            self.posts.accepted(self.pacer.now())
        return response.data

    def _limited(self, method: str, retry_after: float | None, channel: str) -> None:
        lowered = slowed(self.pacer, self.posts, method, retry_after=retry_after, channel=channel)
        if lowered:
            logger.warning(
                "Slack allows fewer posts than SLACK_POSTS_PER_MINUTE=%s: now %s a minute",
                self.posts.configured,
                lowered,
            )

    # -- messages -------------------------------------------------------------------
    def conversation(self, target: str) -> str:
        """Where to post for `target`: a channel id as is; for a person (`U…`/`W…`), the
        `D…` id of the bot's DM from conversations.open. Slack would put a post addressed
        to a bare user id in the person's DM with Slackbot, where the bot cannot find it
        again."""
        return self.open_dm(target) if target[:1] in ("U", "W") else target

    def post_message(self, channel: str, message: Postable, *, thread_ts: str | None = None) -> str:
        """Post into a channel, or a person's DM when `channel` is a user id; returns the ts."""
        channel = self.conversation(channel)
        data = self._post(channel, message, thread_ts=thread_ts, metadata=metadata_of(message))
        return str(data["ts"])

    def post_once(
        self,
        channel: str,
        message: Postable,
        *,
        key: str,
        thread_ts: str | None = None,
        check_first: bool = False,
        hold: Callable[[], None] | None = None,
    ) -> tuple[str, str]:
        """Post a message at most once per `key`; returns (channel id, ts).

        The key travels as message metadata. When an earlier try may have reached Slack
        (a 5xx, a dropped connection, a crash before the outbox recorded the ts), pass
        `check_first` and the conversation is searched for the key before posting again.
        `hold` runs right before the post leaves and may raise to stop it (the outbox
        renews its claim on the row there). A 429 is raised, not slept through.
        """
        target, channel = channel, self.conversation(channel)
        if check_first:
            found = self.find_by_key(channel, key, thread_ts=thread_ts)
            if found is not None:
                return found
        try:
            data = self._post(
                channel,
                message,
                thread_ts=thread_ts,
                metadata=metadata_of(message, key=key),
                strict=True,
                bulk=True,
                before=hold,
            )
        except SlackError as exc:
            if exc.code == "channel_not_found" and target != channel:
                self.forget_dm(target)  # a DM id remembered from before: open it again
            raise
        return str(data["channel"]), str(data["ts"])

    def _post(
        self,
        channel: str,
        message: Postable,
        *,
        thread_ts: str | None,
        metadata: dict[str, Any] | None,
        **options: Any,
    ) -> dict[str, Any]:
        """chat.postMessage, paced per channel; `options` go to `call` (strict, bulk, before)."""
        return self.call(
            "chat.postMessage",
            rate=POST_PER_CHANNEL,
            pace_key=channel,
            **options,
            channel=channel,
            text=message.text,
            blocks=message.blocks or None,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
        )

    def find_by_key(
        self, channel: str, key: str, *, thread_ts: str | None = None
    ) -> tuple[str, str] | None:
        """The message posted with outbox `key` among the conversation's (or thread's) latest."""
        conversation = self.conversation(channel)
        if thread_ts:
            data = self.call(
                "conversations.replies",
                channel=conversation,
                ts=thread_ts,
                limit=200,
                include_all_metadata=True,
            )
        else:
            data = self.call(
                "conversations.history", channel=conversation, limit=100, include_all_metadata=True
            )
        for message in data.get("messages", []):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return conversation, str(message["ts"])
        return None

    def find_file(self, channel: str, *, thread_ts: str, filename: str) -> str | None:
        """The id of a file named `filename` already shared in the thread, if any: an upload
        whose answer was lost (or whose process died before recording it) is not repeated."""
        data = self.call("conversations.replies", channel=channel, ts=thread_ts, limit=200)
        for message in data.get("messages", []):
            for shared in message.get("files") or []:
                if shared.get("name") == filename:
                    return str(shared["id"])
        return None

    def held_off(self, method: str) -> float:
        """Seconds `method` must still wait after Slack's last 429 for it (0 when none)."""
        return self.pacer.held_off((method, ""))

    def remember_dm_channels(self, channels: dict[str, str]) -> None:
        """DM conversations known from earlier (user id → `D…` id): not opened again."""
        for user_id, channel in channels.items():
            self._dm_channels.setdefault(user_id, channel)
        self.dm_channels_loaded = True

    def forget_dm(self, user_id: str) -> None:
        self._dm_channels.pop(user_id, None)

    def open_dm(self, user_id: str) -> str:
        """The DM channel with a user (cached)."""
        if user_id not in self._dm_channels:
            data = self.call("conversations.open", users=user_id)
            self._dm_channels[user_id] = str(data["channel"]["id"])
        return self._dm_channels[user_id]

    def update_message(self, channel: str, ts: str, message: Postable) -> None:
        self.call(
            "chat.update",
            channel=channel,
            ts=ts,
            text=message.text,
            blocks=message.blocks,
            metadata=metadata_of(message),
        )

    def post_ephemeral(self, channel: str, user: str, message: Postable) -> None:
        self.call(
            "chat.postEphemeral",
            channel=channel,
            user=user,
            text=message.text,
            blocks=message.blocks or None,
        )

    def respond(
        self, response_url: str, message: Postable, *, replace_original: bool = False
    ) -> bool:
        """Answer through an interaction's response_url, visible only to the person.

        False (and a log line) when Slack refused it, e.g. `used_url` after five answers.
        """
        response = WebhookClient(response_url, timeout=10).send(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=replace_original,
        )
        if response.status_code >= 400:
            logger.warning(
                "response_url answered %s %s: the answer was lost",
                response.status_code,
                (response.body or "")[:100],
            )
            return False
        return True

    def pin(self, channel: str, ts: str) -> None:
        try:
            self.call("pins.add", channel=channel, timestamp=ts)
        except SlackError as exc:
            if exc.code != "already_pinned":
                raise

    # -- channels -------------------------------------------------------------------
    def create_channel(self, name: str) -> str:
        data = self.call("conversations.create", name=name, is_private=False)
        return str(data["channel"]["id"])

    def set_topic(self, channel: str, topic: str) -> None:
        self.call("conversations.setTopic", channel=channel, topic=topic[:250])

    def set_purpose(self, channel: str, purpose: str) -> None:
        self.call("conversations.setPurpose", channel=channel, purpose=purpose[:250])

    def invite(self, channel: str, user_ids: Sequence[str]) -> None:
        """Invite internal users; people already in the channel are not an error."""
        if not user_ids:
            return
        try:
            self.call("conversations.invite", channel=channel, users=",".join(user_ids))
        except SlackError as exc:
            if exc.code not in ("already_in_channel", "cant_invite_self"):
                raise

    def invite_shared(
        self, channel: str, *, email: str | None = None, user_id: str | None = None
    ) -> str | None:
        """Invite one external person (by e-mail or user id) to a Slack Connect channel;
        Slack takes one invitee per call."""
        data = self.call(
            "conversations.inviteShared",
            channel=channel,
            emails=[email] if email else None,
            user_ids=[user_id] if user_id else None,
        )
        return data.get("invite_id")

    def channel_members(self, channel: str) -> Iterator[str]:
        cursor = None
        while True:
            data = self.call("conversations.members", channel=channel, cursor=cursor, limit=200)
            yield from data.get("members", [])
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    # -- users and views -------------------------------------------------------------
    def user_info(self, user_id: str) -> UserInfo:
        data = self.call("users.info", user=user_id, include_locale=True)["user"]
        profile = data.get("profile") or {}
        return UserInfo(
            id=data["id"],
            team_id=data.get("team_id"),
            tz=data.get("tz"),
            locale=data.get("locale"),
            email=profile.get("email"),
            name=data.get("real_name") or profile.get("real_name") or data.get("name") or user_id,
            deleted=bool(data.get("deleted")),
            is_bot=bool(data.get("is_bot")),
        )

    def lookup_by_email(self, email: str) -> str | None:
        """The id of the installed workspace's member with this e-mail, if any."""
        try:
            data = self.call("users.lookupByEmail", email=email)
        except SlackError as exc:
            if exc.code == "users_not_found":
                return None
            raise
        return str(data["user"]["id"])

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> tuple[str, str]:
        """Open a modal with an interaction's trigger_id; returns its (view id, hash)."""
        opened = self.call("views.open", trigger_id=trigger_id, view=view)["view"]
        return str(opened["id"]), str(opened.get("hash") or "")

    def update_view(self, view_id: str, view: dict[str, Any], *, hash: str | None = None) -> None:
        """Replace an open modal's content (`hash`: only if nobody changed it meanwhile)."""
        self.call("views.update", view_id=view_id, view=view, hash=hash)

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        self.call("views.publish", user_id=user_id, view=view)

    def upload_file(
        self,
        channel: str,
        content: bytes,
        *,
        filename: str,
        title: str,
        thread_ts: str | None = None,
    ) -> str:
        """Share a file in a channel with the current upload API
        (files.getUploadURLExternal, then files.completeUploadExternal); returns the file id."""
        try:
            response = self.client.files_upload_v2(
                channel=channel,
                content=content,
                filename=filename,
                title=title,
                thread_ts=thread_ts,
            )
        except SlackApiError as exc:
            data = exc.response.data if isinstance(exc.response.data, dict) else {}
            raise SlackError(
                "files.completeUploadExternal", str(data.get("error") or "upload_failed"), data
            ) from None
        return str(cast("dict[str, Any]", response.data)["files"][0]["id"])

    def auth_test(self) -> dict[str, Any]:
        return self.call("auth.test")


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}
