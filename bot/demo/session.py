"""The session behind `onboardbot sandbox`'s page: the real bot on a fresh SQLite file,
served against the local Slack, with the people of an onboarding and a simulated clock.

The page and what people do on it are the sandbox's (`slack_sandbox.web`); this module adds
the bot: it starts it (as `bot.local` does for the demo and the tests), waits for its work,
and makes the clock buttons run the scheduled jobs at the simulated moments the scheduler
would have run them.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain.playbook import load_playbook
from bot.local import BOT_TOKEN, SIGNING_SECRET, LocalBot, start_local_bot
from bot.slack.pacing import Pacer
from schedules.scheduler import job_specs, run_job
from slack_sandbox import Sandbox, SlackDriver
from slack_sandbox.clock import WorldClock
from slack_sandbox.web.session import ActionError, JumpResult, Roles, Session

logger = logging.getLogger(__name__)

# Jobs that run every few minutes are run once per block of this size when the clock jumps, at
# their first slot in it (when the scheduler would first have done the block's work): what they
# do is windowed by hours (a reminder goes out from 09:00 for 8 hours), so one run per block
# does what the runs inside it would have done, in seconds instead of minutes.
FREQUENT_BLOCK = timedelta(hours=4)


@dataclass
class Cast:
    csm: str
    staff: str
    champion: str
    decision_maker: str
    other_customer: str
    cs_channel: str
    general: str

    def roles(self) -> Roles:
        labels = {
            self.csm: "CSM",
            self.staff: "CS team",
            self.champion: "champion",
            self.decision_maker: "decision-maker",
            self.other_customer: "another customer",
        }
        return Roles(labels=labels, default_person=self.csm, default_channel=self.general)


class BotSession(Session):
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
        clock = WorldClock(start or datetime.now(UTC))
        sandbox = Sandbox(
            signing_secret=SIGNING_SECRET,
            bot_token=BOT_TOKEN,
            team_name="Vendor Co.",
            team_domain="vendor",
            clock=clock.monotonic,
            rate_clock=clock.monotonic,
        ).start()
        self.cast = _seed(sandbox, lang)
        settings: dict[str, Any] = {"default_locale": lang}
        self.database = workdir / "sandbox.db"
        try:
            if playbook is not None:
                settings.update(_playbook_settings(playbook, workdir / "playbooks"))
            self.local: LocalBot = start_local_bot(
                sandbox,
                database_url=f"sqlite:///{self.database}",
                cs_team_channel=self.cast.cs_channel,
                **settings,
            )
        except BaseException:
            sandbox.stop()
            raise
        self.local.deps.clock = clock.running_now
        self.local.deps.gateway.pacer = Pacer(clock=clock.monotonic)
        super().__init__(
            sandbox=sandbox,
            clock=clock,
            driver=SlackDriver(self.local.url, SIGNING_SECRET, sandbox),
            roles=self.cast.roles(),
            commands={"/onboard"},
        )

    def close(self) -> None:
        try:
            self.local.close()
        finally:
            super().close()

    @property
    def settings(self) -> Settings:
        return self.local.deps.settings

    def settle(self) -> None:
        self.local.settle()

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
