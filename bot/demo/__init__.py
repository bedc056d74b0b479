"""`onboardbot demo`: a customer's onboarding in the local Slack sandbox, printed as a
transcript.

Nothing here is faked: the real Bolt app serves signed requests over HTTP and calls the
sandbox's Web API through the real slack_sdk client, and the scheduler's jobs run through
`schedules.scheduler.run_job`; only Slack and the clock are local. The demo drives the
sandbox like people would and moves simulated time; the bot has no demo mode.
`bot.demo.session` serves the same bot to `onboardbot sandbox`'s page.

In the product, only the `demo` and `sandbox` commands import this package, when they run:
it needs `slack_sandbox`, which the production image leaves out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.demo.story import STARTED, Story
from bot.demo.text import TEXT
from bot.demo.transcript import Transcript
from bot.demo.world import World
from bot.local import BOT_TOKEN, SIGNING_SECRET, start_local_bot
from slack_sandbox import Sandbox, SlackDriver
from slack_sandbox.clock import WorldClock

__all__ = ["run_demo"]


def run_demo(
    *,
    lang: str = "ja",
    write: Callable[[str], None] = print,
    keep: Path | None = None,
    short: bool = False,
) -> int:
    """Play the demo; returns 0 when every scene did what it should.

    Args:
        lang: the language of the project, the team and the narration.
        write: where each transcript line goes.
        keep: a folder for the database and the pictures, kept afterwards; without it
            everything is written to a temporary folder that is removed at the end.
        short: only today's kickoff (the demo before the whole onboarding existed).
    """
    started = time.monotonic()
    folder = _scratch_folder()
    db = folder / "demo.db"
    kept: list[Path] = []
    begin = _short_start() if short else STARTED.astimezone(UTC)
    clock = WorldClock(begin - timedelta(minutes=1))
    try:
        with Sandbox(
            signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN, rate_clock=clock.monotonic
        ) as sandbox:
            world = _world(sandbox, clock, lang=lang, db=db, short=short)
            show = Transcript(sandbox, lang=lang, write=write, keep=keep)
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
            try:
                _play(world, show, lang, short=short, begin=begin)
            finally:
                world.local.close()
            problems = sandbox.block_violations
            calls = len(sandbox.calls())
        if problems:
            raise RuntimeError(f"Slack would have refused what the bot sent: {problems}")
        if keep is not None:
            kept.append(_copy_database(db, keep / db.name))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    text = TEXT[lang]
    write("")
    if short:
        write(text["short_note"])
    if keep is not None:
        write(text["kept"])
        for path in [*kept, *show.kept]:
            write(f"  {path}")
    else:
        write(text["removed"])
    write(text["finished"].format(seconds=time.monotonic() - started, calls=calls))
    return 0


def _scratch_folder() -> Path:
    """A temporary folder for the database and the pictures. The demo commits thousands of
    times: a memory-backed folder where there is one, unless TMPDIR names another."""
    memory = Path("/dev/shm")
    base = memory if memory.is_dir() and not os.environ.get("TMPDIR") else None
    return Path(tempfile.mkdtemp(prefix="onboardbot-demo-", dir=base))


def _play(world: World, show: Transcript, lang: str, *, short: bool, begin: datetime) -> None:
    """The whole onboarding, or with `short` only today's kickoff."""
    if short:
        from bot.demo.kickoff import play_kickoff

        play_kickoff(world, show, lang, start=begin)
    else:
        Story(world, show, lang).play()
    show.flush()


def _copy_database(source: Path, target: Path) -> Path:
    """A consistent copy of the demo's SQLite database (the sqlite3 backup API)."""
    import sqlite3

    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    old.close()
    new.close()
    return target


def _short_start() -> datetime:
    """10:00 in Tokyo on today's date (the next business day's, on a weekend)."""
    tokyo = ZoneInfo("Asia/Tokyo")
    day = datetime.now(tokyo).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time().replace(hour=10), tokyo).astimezone(UTC)


def _world(sandbox: Sandbox, clock: WorldClock, *, lang: str, db: Path, short: bool) -> World:
    text = TEXT[lang]
    locale = "ja-JP" if lang == "ja" else "en-US"
    csm = sandbox.add_user(
        "sato", real_name=text["csm"], email="sato@vendor.example", tz="Asia/Tokyo", locale=locale
    )
    manager = sandbox.add_user(
        "takahashi",
        real_name=text["manager"],
        email="takahashi@vendor.example",
        tz="Asia/Tokyo",
        locale=locale,
    )
    champion = sandbox.add_external_user(
        "taro@acme.example",
        name="yamada",
        real_name=text["champion"],
        tz="Asia/Tokyo",
        locale=locale,
    )
    decision_maker = sandbox.add_external_user(
        "hanako@acme.example",
        name="suzuki",
        real_name=text["decision_maker"],
        tz="Asia/Singapore",
        locale=locale,
    )
    if not short:
        # Acme shows its members' e-mail to other organisations: the bot links them as they
        # join. (The short demo shows the other case: the CSM is asked who joined.)
        sandbox.show_email_to_others(champion.team_id)
    cs_team = sandbox.add_channel("cs-team", members=[csm.id, manager.id]).id
    general = sandbox.add_channel("general", members=[csm.id, manager.id]).id
    local = start_local_bot(
        sandbox,
        database_url=f"sqlite:///{db}",
        cs_team_channel=cs_team,
        default_locale=lang,
    )
    world = World(
        local=local,
        driver=SlackDriver(local.url, SIGNING_SECRET, sandbox),
        clock=clock,
        people={
            "csm": csm,
            "manager": manager,
            "champion": champion,
            "decision_maker": decision_maker,
        },
        general=general,
    )
    world.attach()
    return world
