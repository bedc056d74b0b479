"""A page session: the local Slack, an app served against it, a simulated clock, and what
people can do there.

People act through the same `SlackDriver` the tests use, so the app sees exactly the signed
requests Slack would send. The app itself is the subclass's: it says when its work after a
request is done (`settle`) and what the clock buttons do (`target`, `jump`); this module
knows nothing of it.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sandbox.clock import WorldClock
from slack_sandbox.driver import SlackDriver
from slack_sandbox.errors import DriverError
from slack_sandbox.models import ButtonRef, Ephemeral, Json
from slack_sandbox.sandbox import Sandbox
from slack_sandbox.web.screen import Screens

# Slack's answer when someone types a command their workspace has no app for: people of
# another organisation never reach the app's slash commands (Slack Connect).
NOT_A_COMMAND = (
    "{command} is not a valid command. In Slack, all messages that start with the "
    '"/" character are interpreted as commands.'
)


class ActionError(Exception):
    """What the page should tell the person (Slack's client would refuse the same)."""


@dataclass
class JumpResult:
    now: datetime
    runs: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Roles:
    """Who the page offers in its "you are" switch, and where it opens.

    Args:
        labels: user id -> the role shown beside the person's name.
        default_person: who the page opens as.
        default_channel: the conversation it opens.
    """

    labels: dict[str, str]
    default_person: str
    default_channel: str


class Session(ABC):
    """The sandbox, the app and the simulated clock, and what people can do in them.

    Args:
        sandbox: the running sandbox, with its people and channels.
        clock: the simulated time the page shows and the clock buttons move.
        driver: plays Slack towards the app.
        roles: who the page lists first.
        commands: the app's slash commands (others get Slack's "not a valid command").
    """

    def __init__(
        self,
        *,
        sandbox: Sandbox,
        clock: WorldClock,
        driver: SlackDriver,
        roles: Roles,
        commands: Collection[str],
    ) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.driver = driver
        self.roles = roles
        self.commands = frozenset(commands)
        self.screens = Screens(sandbox)
        self.lock = threading.Lock()  # one person's action (or clock jump) at a time

    # -- what the app says ------------------------------------------------------------------

    @abstractmethod
    def settle(self) -> None:
        """Wait until the app's work after a request is done."""

    @abstractmethod
    def target(self, where: str, *, days: int = 1) -> datetime:
        """The moment a clock button goes to; ActionError for an unknown button."""

    @abstractmethod
    def jump(self, to: datetime) -> JumpResult:
        """Move the simulated time to `to`, running the app's scheduled work on the way."""

    def close(self) -> None:
        self.sandbox.stop()

    # -- what people do ---------------------------------------------------------------------

    def compose(
        self, user_id: str, channel_id: str, text: str, *, thread: str | None = None
    ) -> str:
        """The composer: a slash command (for people of the workspace) or a message."""
        text = text.strip()
        if not text:
            raise ActionError("nothing to send")
        if text.startswith("/"):
            self._slash(user_id, channel_id, text)
            return "command"
        ws = self.sandbox.workspace
        with ws.lock:
            channel = ws.channel(channel_id)
            if channel is None or user_id not in channel.members:
                raise ActionError("you are not in this conversation")
            if channel.is_im and not channel.is_slackbot_dm:
                raise ActionError("Sending messages to this app has been turned off.")
            user = ws.require_user(user_id)
            message = {"type": "message", "user": user.id, "team": user.team_id, "text": text}
            ws.append_message(channel, message, thread)
        return "message"

    def _slash(self, user_id: str, channel_id: str, text: str) -> None:
        command, _, rest = text.partition(" ")
        ws = self.sandbox.workspace
        with ws.lock:
            user = ws.require_user(user_id)
            unknown = command not in self.commands or ws.is_external(user)
            if unknown:
                # Slack's client answers this itself; the app never hears of it.
                note = Ephemeral(
                    channel=channel_id,
                    user=user_id,
                    ts=ws.ids.ts(),
                    text=NOT_A_COMMAND.format(command=command),
                    blocks=[],
                    attachments=[],
                    source="slack",
                )
                ws.add_ephemeral(note)
                return
        answer = self._guard(lambda: self.driver.slash(user_id, channel_id, rest.strip()))
        self._show_ack(user_id, channel_id, answer.json)
        self.settle()

    def _show_ack(self, user_id: str, channel_id: str, body: Any) -> None:
        """A slash command's immediate answer, shown as Slack shows it."""
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return
        ws = self.sandbox.workspace
        with ws.lock:
            channel = ws.require_channel(channel_id)
            if body.get("response_type") == "in_channel":
                message = ws.bot_message(
                    text=str(body.get("text", "")), blocks=body.get("blocks"), attachments=None
                )
                ws.append_message(channel, message)
            else:
                ws.add_ephemeral(
                    Ephemeral(
                        channel=channel.id,
                        user=user_id,
                        ts=ws.ids.ts(),
                        text=str(body.get("text", "")),
                        blocks=list(body.get("blocks") or []),
                        attachments=[],
                        source="ack",
                    )
                )

    def act(
        self,
        user_id: str,
        *,
        target: dict[str, str],
        block_id: str,
        action_id: str,
        value: str | None = None,
    ) -> None:
        """A click on a button, a menu option or a date in a message, an ephemeral message,
        the App Home or a modal."""
        ref = self._element(target, block_id=block_id, action_id=action_id, value=value)
        self._guard(lambda: self.driver.press(user_id, ref, value=value))
        self.settle()

    def submit(self, user_id: str, view_id: str, values: dict[str, dict[str, Any]]) -> None:
        self._guard(lambda: self.driver.submit_view(user_id, view_id, values))
        self.settle()

    def close_view(self, user_id: str, view_id: str) -> None:
        self._guard(lambda: self.driver.close_view(user_id, view_id))
        self.settle()

    def accept_invite(self, user_id: str, channel_id: str) -> None:
        ws = self.sandbox.workspace
        with ws.lock:
            user = ws.require_user(user_id)
            channel = ws.channel(channel_id)
            email = (user.email or "").lower()
            invite = next(
                (
                    i
                    for i in (channel.invites if channel else [])
                    if i.status == "pending"
                    and (i.user_id == user.id or (email and (i.email or "").lower() == email))
                ),
                None,
            )
            if invite is None:
                raise ActionError("no invitation for you to this channel")
        self.sandbox.accept_shared_invite(channel_id, invite.email or "", user_id=user_id)
        self.settle()

    def open_home(self, user_id: str) -> None:
        """The person opens the app's Home tab: Slack sends `app_home_opened` every time."""
        self._guard(lambda: self.driver.app_home_opened(user_id))
        self.settle()

    # -- internals ----------------------------------------------------------------------------

    def _element(
        self, target: dict[str, str], *, block_id: str, action_id: str, value: str | None
    ) -> ButtonRef:
        """The element really there, found by its block and action ids (and value)."""
        ws = self.sandbox.workspace
        with ws.lock:
            view_id = target.get("view")
            if view_id:
                view = ws.views.get(view_id)
                if view is None:
                    raise ActionError("this view is gone")
                blocks = view.payload.get("blocks") or []
                base: dict[str, Any] = {"view_id": view.id}
            else:
                channel_id, ts = target.get("channel", ""), target.get("ts", "")
                if target.get("ephemeral"):
                    note = ws.find_ephemeral(ts)
                    blocks = note.blocks if note else []
                    base = {"channel_id": channel_id, "message_ts": ts, "is_ephemeral": True}
                else:
                    channel = ws.channel(channel_id)
                    message = channel.find_message(ts) if channel else None
                    blocks = (message or {}).get("blocks") or []
                    base = {"channel_id": channel_id, "message_ts": ts}
            for block in blocks:
                if str(block.get("block_id", "")) != block_id:
                    continue
                for element in _interactive(block):
                    if element.get("action_id") == action_id and (
                        element.get("type") != "button"
                        or value is None
                        or element.get("value") == value
                    ):
                        return ButtonRef(action_id, block_id, element, **base)
        raise ActionError("that button is no longer there")

    def _guard(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except DriverError as exc:
            raise ActionError(str(exc)) from None


def _interactive(block: Json) -> list[Json]:
    if block.get("type") == "actions":
        return [e for e in block.get("elements") or [] if isinstance(e, dict)]
    accessory = block.get("accessory")
    return [accessory] if isinstance(accessory, dict) else []
