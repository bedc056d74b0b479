"""A sandbox session: the local Slack, the real bot on a fresh SQLite file, and a clock.

This is the one module of the page that imports the product (as `bot.local` does for the
demo and the tests). People act through the same `SlackDriver` the tests use, so the bot
sees exactly the signed requests Slack would send; the clock runs the scheduled jobs at the
simulated moments the scheduler would have run them.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.playbook import load_playbook
from bot.local import BOT_TOKEN, SIGNING_SECRET, LocalBot, start_local_bot
from bot.sandbox import Sandbox, SlackDriver
from bot.sandbox.clock import WorldClock
from bot.sandbox.errors import DriverError
from bot.sandbox.models import ButtonRef, Ephemeral, Json
from bot.sandbox.web.screen import Screens
from bot.slack.pacing import Pacer
from schedules.scheduler import job_specs, run_job

logger = logging.getLogger(__name__)

# Jobs that run every few minutes are run once per block of this size when the clock jumps, at
# their first slot in it (when the scheduler would first have done the block's work): what they
# do is windowed by hours (a reminder goes out from 09:00 for 8 hours), so one run per block
# does what the runs inside it would have done, in seconds instead of minutes.
FREQUENT_BLOCK = timedelta(hours=4)
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


@dataclass
class Cast:
    csm: str
    staff: str
    champion: str
    decision_maker: str
    other_customer: str
    cs_channel: str
    general: str


class Session:
    """The sandbox, the bot and the simulated clock, and what people can do in them.

    Args:
        workdir: where the fresh SQLite file (and a copied playbook) go.
        start: the simulated moment the session starts at (default: now).
        playbook: a playbook file being written; it becomes the default playbook.
        lang: DEFAULT_LOCALE of the bot.
    """

    def __init__(
        self,
        *,
        workdir: Path,
        start: datetime | None = None,
        playbook: Path | None = None,
        lang: str = "ja",
    ) -> None:
        self.workdir = workdir
        self.clock = WorldClock(start or datetime.now(UTC))
        self.sandbox = Sandbox(
            signing_secret=SIGNING_SECRET,
            bot_token=BOT_TOKEN,
            team_name="Vendor Co.",
            team_domain="vendor",
            clock=self.clock.monotonic,
            rate_clock=self.clock.monotonic,
        ).start()
        self.cast = _seed(self.sandbox, lang)
        settings: dict[str, Any] = {"default_locale": lang}
        self.database = workdir / "sandbox.db"
        try:
            if playbook is not None:
                settings.update(_playbook_settings(playbook, workdir / "playbooks"))
            self.local: LocalBot = start_local_bot(
                self.sandbox,
                database_url=f"sqlite:///{self.database}",
                cs_team_channel=self.cast.cs_channel,
                **settings,
            )
        except BaseException:
            self.sandbox.stop()
            raise
        self.local.deps.clock = self.clock.running_now
        self.local.deps.gateway.pacer = Pacer(clock=self.clock.monotonic)
        self.driver = SlackDriver(self.local.url, SIGNING_SECRET, self.sandbox)
        self.screens = Screens(self.sandbox)
        self.lock = threading.Lock()  # one person's action (or clock jump) at a time

    def close(self) -> None:
        try:
            self.local.close()
        finally:
            self.sandbox.stop()

    @property
    def settings(self) -> Any:
        return self.local.deps.settings

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
            unknown = command != "/onboard" or ws.is_external(user)
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
        self.local.settle()

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
        self.local.settle()

    def submit(self, user_id: str, view_id: str, values: dict[str, dict[str, Any]]) -> None:
        self._guard(lambda: self.driver.submit_view(user_id, view_id, values))
        self.local.settle()

    def close_view(self, user_id: str, view_id: str) -> None:
        self._guard(lambda: self.driver.close_view(user_id, view_id))
        self.local.settle()

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
        self.local.settle()

    def open_home(self, user_id: str) -> None:
        """The person opens the app's Home tab: Slack sends `app_home_opened` every time."""
        self._guard(lambda: self.driver.app_home_opened(user_id))
        self.local.settle()

    # -- the clock --------------------------------------------------------------------------

    def target(self, where: str, *, days: int = 1) -> datetime:
        """The moment a clock button goes to, in DEFAULT_TIMEZONE."""
        settings = self.settings
        zone = ZoneInfo(settings.default_timezone)
        now = self.clock.now.astimezone(zone)
        morning = time(settings.reminder_hour, 0)
        if where == "days":
            if not 1 <= days <= 60:
                raise ActionError("days must be between 1 and 60")
            return self.clock.now + timedelta(days=days)
        if where == "monday":
            day = now.date() + timedelta(days=(7 - now.weekday()) % 7 or 7)
            return datetime.combine(day, morning, zone)
        if where == "business_morning":
            calendar = self.local.deps.calendar(settings.holiday_country)
            day = now.date() if now.time() < morning else now.date() + timedelta(days=1)
            day = calendar.next_business_day(day)
            return datetime.combine(day, morning, zone)
        raise ActionError(f"unknown clock button {where!r}")

    def jump(self, to: datetime) -> JumpResult:
        """Move the simulated time to `to`, running each scheduled job at the moments the
        scheduler would have run it on the way (frequent jobs at their first slot of each
        FREQUENT_BLOCK)."""
        start = self.clock.now
        if to <= start:
            raise ActionError("the clock only goes forward")
        deps = self.local.deps
        runs: list[tuple[datetime, int, str]] = []
        for order, spec in enumerate(job_specs(deps)):
            fires = _fire_times(spec.trigger, start, to)
            if spec.period < timedelta(days=1):
                fires = _first_per_block(fires, FREQUENT_BLOCK)
            runs += [(moment, order, spec.name) for moment in fires]
        result = JumpResult(now=to)
        for moment, _, name in sorted(runs):
            self.clock.now = moment
            try:
                report = run_job(deps, name, now=moment, runner="sandbox")
            except Exception as exc:  # the page says which job failed; the session goes on
                logger.exception("job %s at %s failed", name, moment)
                result.failures.append(f"{name} at {moment.isoformat()}: {type(exc).__name__}")
                continue
            self.local.settle()
            if report is not None and (report.sent or report.enqueued):
                result.runs.append(f"{moment.isoformat()} {report.summary()}")
        self.clock.now = to
        return result

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

    def _guard(self, call: Any) -> Any:
        try:
            return call()
        except DriverError as exc:
            raise ActionError(str(exc)) from None


def _interactive(block: Json) -> list[Json]:
    if block.get("type") == "actions":
        return [e for e in block.get("elements") or [] if isinstance(e, dict)]
    accessory = block.get("accessory")
    return [accessory] if isinstance(accessory, dict) else []


def _fire_times(trigger: Any, start: datetime, end: datetime) -> list[datetime]:
    """Every fire time of `trigger` in (start, end]."""
    fires = []
    fire = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while fire is not None and fire <= end:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return fires


def _first_per_block(fires: list[datetime], block: timedelta) -> list[datetime]:
    """The first fire time in each block of time (UTC blocks from the epoch)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first: dict[int, datetime] = {}
    for fire in fires:
        first.setdefault((fire - epoch) // block, fire)
    return sorted(first.values())


def _playbook_settings(path: Path, folder: Path) -> dict[str, Any]:
    """PLAYBOOK_DIR holding a copy of `path`, and its name as DEFAULT_PLAYBOOK.
    Raises PlaybookError with every problem of the file."""
    playbook = load_playbook(path)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / f"{playbook.name}.yaml")
    return {"playbook_dir": folder, "default_playbook": playbook.name}


def _seed(sandbox: Sandbox, lang: str) -> Cast:
    """The people of an onboarding: two of the vendor's CS team, the customer's champion and
    decision-maker (Acme shows its members' e-mail to others), and a customer of another
    organisation (Globex hides it)."""
    ja = lang == "ja"
    csm = sandbox.add_user(
        "sato",
        real_name="佐藤 健二" if ja else "Kenji Sato",
        email="sato@vendor.example",
        tz="Asia/Tokyo",
        locale="ja-JP" if ja else "en-US",
    )
    staff = sandbox.add_user(
        "suzuki",
        real_name="鈴木 美香" if ja else "Mika Suzuki",
        email="suzuki@vendor.example",
        tz="Asia/Tokyo",
        locale="ja-JP" if ja else "en-US",
    )
    champion = sandbox.add_external_user(
        "taro@acme.example",
        name="yamada",
        real_name="山田 太郎" if ja else "Taro Yamada",
        tz="Asia/Tokyo",
        locale="ja-JP",
    )
    decision_maker = sandbox.add_external_user(
        "hanako@acme.example",
        name="tanaka",
        real_name="田中 花子" if ja else "Hanako Tanaka",
        tz="Asia/Tokyo",
        locale="ja-JP",
    )
    other = sandbox.add_external_user(
        "jane@globex.example", real_name="Jane Smith", tz="America/Los_Angeles"
    )
    sandbox.show_email_to_others(champion.team_id)
    cs_channel = sandbox.add_channel("cs-team", members=[csm.id, staff.id]).id
    general = sandbox.add_channel("general", members=[csm.id, staff.id]).id
    return Cast(
        csm=csm.id,
        staff=staff.id,
        champion=champion.id,
        decision_maker=decision_maker.id,
        other_customer=other.id,
        cs_channel=cs_channel,
        general=general,
    )


def new_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="onboardbot-sandbox-"))
