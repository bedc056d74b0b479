"""A real `onboardbot run` killed (SIGKILL) in the middle of `/onboard start`, then restarted.

Killed after the channel exists: the project waits, invisible, as `starting`; the next
outbox job once the lease ran out (or the next start-up) finishes it with exactly one
welcome, one pinned checklist and one scheduling prompt, and tells the CSM. Killed while
the channel was being created: the start is rolled back and the CSM asked to run it again.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.i18n import t
from slack_sandbox import Sandbox, SlackDriver, User
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import JobRun, Project
from tests.e2e.harness import wait_until


@dataclass
class World:
    engine: Engine
    sandbox: Sandbox
    db_url: str
    cs: str
    general: str
    csm: User
    bots: list[subprocess.Popen]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "SLACK_API_URL": self.sandbox.api_url,
            "SLACK_BOT_TOKEN": self.sandbox.bot_token,
            "SLACK_SIGNING_SECRET": self.sandbox.signing_secret,
            "CS_TEAM_CHANNEL": self.cs,
        }

    def run(self) -> SlackDriver:
        """`onboardbot run` in its own process; a driver for it once it is healthy."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", str(port)],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.bots.append(bot)
        wait_until(lambda: _healthy(port), timeout=30)
        # Let the start-up's catch-up (it ends with the weekly digest) finish first.
        wait_until(self._caught_up, timeout=60)
        return SlackDriver(f"http://127.0.0.1:{port}", self.sandbox.signing_secret, self.sandbox)

    def _caught_up(self) -> bool:
        with session_scope(self.engine) as session:
            runs = session.exec(select(JobRun).where(JobRun.job == "digest")).all()
            return any(run.finished_at is not None for run in runs)

    def job(self, name: str, now: datetime) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "jobs", "run", name, "--now", now.isoformat()],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def projects(self) -> list[Project]:
        with session_scope(self.engine) as session:
            return list(session.exec(select(Project)))

    def kill(self) -> None:
        bot = self.bots[-1]
        bot.send_signal(signal.SIGKILL)  # no cleanup, no shutdown: the lease stays held
        bot.wait(timeout=10)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    engine = make_engine(db_url)
    upgrade(engine)
    with Sandbox(signing_secret="crash-secret", bot_token="xoxb-crash") as sandbox:
        csm = sandbox.add_user("sato", email="sato@vendor.example", tz="Asia/Tokyo", locale="ja-JP")
        cs = sandbox.add_channel("cs-team", members=[csm.id]).id
        general = sandbox.add_channel("general", members=[csm.id]).id
        made = World(engine, sandbox, db_url, cs, general, csm, [])
        try:
            yield made
        finally:
            for bot in made.bots:
                if bot.poll() is None:
                    bot.kill()
                    bot.wait(timeout=10)
    engine.dispose()


def kickoff_keys(sandbox: Sandbox, channel: str) -> Counter[str]:
    """How often each kickoff message (by its key in the message metadata) is in the channel."""
    keys: Counter[str] = Counter()
    for message in sandbox.messages(channel):
        key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
        if key:
            keys[key.rsplit(":", 1)[-1] if ":checklist:" not in key else "checklist"] += 1
    return keys


def start_and_kill_while(world: World, method: str) -> None:
    """Start a project and SIGKILL the bot while its `method` call is in flight."""
    driver = world.run()
    calls = len(world.sandbox.calls(method))
    world.sandbox.faults.slow(method, seconds=1.5, times=1)
    answer = driver.slash(
        world.csm.id,
        world.general,
        "start Acme Corp --playbook tech-touch --kickoff 2027-04-05 --champion taro@acme.example",
    )
    assert answer.status == 200
    # The slowed call is in flight once the sandbox has taken its fault rule: the bot is
    # waiting for Slack's answer (for 1.5 s) when it is killed, however loaded the machine.
    wait_until(lambda: not world.sandbox.faults.pending(), timeout=20)
    world.kill()
    assert len(world.sandbox.calls(method)) == calls  # it had not answered yet
    # What the dead process had sent lands at Slack all the same.
    wait_until(lambda: len(world.sandbox.calls(method)) > calls, timeout=20)


def test_killed_after_the_channel_exists_the_outbox_job_finishes_the_start(world: World) -> None:
    start_and_kill_while(world, "chat.postMessage")
    [project] = world.projects()
    assert project.status == "starting" and project.channel_id
    # The dead process's welcome reached Slack: the finished start must not post it again.
    assert kickoff_keys(world.sandbox, project.channel_id) == {"welcome": 1}
    # The outbox job of a new process, once the lease (2 minutes) has run out.
    world.job("outbox", datetime.now(UTC) + timedelta(minutes=3))
    [project] = world.projects()
    assert project.status == "active"
    assert kickoff_keys(world.sandbox, project.channel_id) == {
        "welcome": 1,
        "checklist": 1,
        "schedule-prompt": 1,
    }
    assert len(world.sandbox.channel(project.channel_id)["pins"]) == 1
    dms = [m["text"] for m in world.sandbox.dm_messages(world.csm.id)]
    assert dms == [t("ja", "start.resumed", customer="Acme Corp")]  # the CSM's language
    world.job("outbox", datetime.now(UTC) + timedelta(minutes=10))
    assert len(world.sandbox.dm_messages(world.csm.id)) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_while_the_channel_was_created_the_start_is_rolled_back(world: World) -> None:
    start_and_kill_while(world, "conversations.create")
    [project] = world.projects()
    assert project.status == "starting" and project.channel_id is None
    world.job("outbox", datetime.now(UTC) + timedelta(minutes=3))
    assert world.projects() == []
    dms = [m["text"] for m in world.sandbox.dm_messages(world.csm.id)]
    assert dms == [t("ja", "start.rolled_back", customer="Acme Corp")]
    # Slack did create the channel the dead process asked for; the bot never learnt its
    # id, so it stays (empty but for the bot) for an admin to archive. See the README.
    assert world.sandbox.channel_by_name("onb-acme") is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_next_start_up_finishes_an_interrupted_start(world: World) -> None:
    start_and_kill_while(world, "chat.postMessage")
    # The restart comes after the lease ran out (as if two minutes had passed).
    with session_scope(world.engine) as session:
        session.execute(
            update(Project).values(start_lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    world.run()
    wait_until(lambda: world.projects()[0].status == "active", timeout=30)
    channel = world.projects()[0].channel_id
    assert channel is not None
    assert kickoff_keys(world.sandbox, channel) == {
        "welcome": 1,
        "checklist": 1,
        "schedule-prompt": 1,
    }
