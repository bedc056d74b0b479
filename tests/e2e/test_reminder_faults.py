"""Reminders survive a killed process, Slack's bad days and a second replica: each DM once."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.flows.outbox_job import run as send_outbox
from bot.flows.reminders import run as reminders
from storage import outbox
from storage.db import session_scope
from tests.e2e.harness import Harness, wait_until

MORNING = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)  # Wed 09:05 in Tokyo
PEOPLE = 6


@pytest.fixture
def crowd(bot: Harness) -> list[str]:
    """Six projects, each with its own champion who has Slack (internal guests in Tokyo)."""
    bot.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)
    champions = []
    for n in range(PEOPLE):
        person = bot.sandbox.add_user(f"guest{n}", email=f"guest{n}@c{n}.example", tz="Asia/Tokyo")
        bot.sandbox.join_channel(bot.general, person.id)
        bot.start_project(
            f"Customer {n} --playbook low-touch --kickoff 2027-04-05 --champion <@{person.id}>"
        )
        champions.append(person.id)
    bot.sandbox.clear_logs()
    return champions


def dm_counts(bot: Harness, people: list[str]) -> dict[str, int]:
    return {p: len(bot.sandbox.dm_messages(p)) for p in people}


def job_process(bot: Harness, *args: str, workers: int = 8) -> subprocess.Popen:
    env = {
        **os.environ,
        "OUTBOX_WORKERS": str(workers),
        "DATABASE_URL": bot.deps.settings.database_url,
        "SLACK_API_URL": bot.sandbox.api_url,
        "SLACK_BOT_TOKEN": bot.deps.settings.slack_bot_token,
        "SLACK_SIGNING_SECRET": bot.deps.settings.slack_signing_secret,
        "CS_TEAM_CHANNEL": bot.cs_channel,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "jobs", "run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_killed_mid_run_then_restarted_everyone_gets_one_dm(bot: Harness, crowd: list[str]) -> None:
    everyone = crowd  # the CSM's own tasks are in their morning summary, not a reminder
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.4, times=100)
    # One post in flight at a time, so the kill lands in the middle of the one batch:
    # the posts already made were never recorded (a batch records when it ends).
    first = job_process(bot, "reminders", "--now", MORNING.isoformat(), workers=1)
    wait_until(lambda: sum(dm_counts(bot, everyone).values()) >= 3, timeout=60)
    first.send_signal(signal.SIGKILL)  # really killed: no cleanup, claims left behind
    first.wait(timeout=10)
    time.sleep(0.5)  # a request the dead process had in flight may still land
    partial = sum(dm_counts(bot, everyone).values())
    assert 3 <= partial < len(everyone)
    bot.sandbox.faults.clear()
    # Restart after the dead worker's lease ran out: the outbox finishes the job.
    again = job_process(bot, "outbox", "--now", (MORNING + timedelta(minutes=5)).isoformat())
    output, _ = again.communicate(timeout=60)
    assert again.returncode == 0, output
    rerun = job_process(bot, "reminders", "--now", (MORNING + timedelta(minutes=10)).isoformat())
    output, _ = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, output
    assert dm_counts(bot, everyone) == {p: 1 for p in everyone}
    with session_scope(bot.deps.engine) as session:
        rows = outbox.rows(session=session, kind_prefix="reminder")
    assert {r.status for r in rows} == {"sent"}


def test_429_and_500_for_a_while_then_all_land_once(bot: Harness, crowd: list[str]) -> None:
    everyone = crowd  # the CSM's own tasks are in their morning summary, not a reminder
    bot.sandbox.faults.ratelimit("chat.postMessage", times=3, retry_after=1)
    bot.sandbox.faults.server_error("chat.postMessage", times=2)
    bot.sandbox.faults.crash_after_success("chat.postMessage", times=2)  # accepted, answer lost
    report = reminders(bot.deps, now=MORNING)
    # Everyone's DM (and a channel mention per project for its missing decision-maker).
    assert len([line for line in report.planned if line.startswith("reminder:")]) == len(everyone)
    moment = MORNING
    for _ in range(10):
        moment += timedelta(minutes=5)
        bot.now = moment  # Slack's rate limits live in the same (simulated) time
        send_outbox(bot.deps, now=moment)
    assert dm_counts(bot, everyone) == {p: 1 for p in everyone}
    with session_scope(bot.deps.engine) as session:
        rows = outbox.rows(session=session, kind_prefix="reminder")
    assert {r.status for r in rows} == {"sent"}
    assert [c.status for c in bot.sandbox.calls("chat.postMessage")].count(429) == 3


def test_slack_down_for_good_gives_up_visibly(bot: Harness, crowd: list[str]) -> None:
    bot.sandbox.faults.server_error("chat.postMessage", times=10_000)
    reminders(bot.deps, now=MORNING)
    moment = MORNING
    for _ in range(12):
        moment += timedelta(hours=1)
        bot.now = moment
        send_outbox(bot.deps, now=moment)
    with session_scope(bot.deps.engine) as session:
        rows = outbox.rows(session=session, kind_prefix="reminder")
    assert {r.status for r in rows} == {"failed"} and all(r.attempts == 6 for r in rows)
    assert all(r.last_error == "internal_error" for r in rows)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_processes_run_the_job_at_the_same_instant(bot: Harness, crowd: list[str]) -> None:
    everyone = crowd  # the CSM's own tasks are in their morning summary, not a reminder
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.1, times=100)
    runs = [job_process(bot, "reminders", "--now", MORNING.isoformat()) for _ in range(2)]
    for run in runs:
        output, _ = run.communicate(timeout=120)
        assert run.returncode == 0, output
    assert dm_counts(bot, everyone) == {p: 1 for p in everyone}


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_one_of_two_replicas_killed_mid_job_nothing_lost_or_duplicated(
    bot: Harness, crowd: list[str]
) -> None:
    everyone = crowd  # the CSM's own tasks are in their morning summary, not a reminder
    bot.sandbox.faults.slow("chat.postMessage", seconds=0.3, times=100)
    victim = job_process(bot, "reminders", "--now", MORNING.isoformat())
    survivor = job_process(bot, "reminders", "--now", MORNING.isoformat())
    wait_until(lambda: sum(dm_counts(bot, everyone).values()) >= 2, timeout=60)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    output, _ = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, output
    bot.sandbox.faults.clear()
    # The survivor's outbox job, once the dead replica's lease has run out.
    later = job_process(bot, "outbox", "--now", (MORNING + timedelta(minutes=5)).isoformat())
    output, _ = later.communicate(timeout=60)
    assert later.returncode == 0, output
    assert dm_counts(bot, everyone) == {p: 1 for p in everyone}
