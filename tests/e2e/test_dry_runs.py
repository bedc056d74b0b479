"""`onboardbot jobs run NAME --dry-run` plans and prints; it never writes and never calls Slack."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.cli import main
from schedules.jobs import JOBS
from tests.e2e.harness import Harness

START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
LATER = "2027-04-28T09:00+09:00"  # three weeks on: reminders and escalations are due


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as plain tuples."""
    with engine.connect() as connection:
        return {
            name: sorted(
                (tuple(str(v) for v in row) for row in connection.execute(select(table))),
            )
            for name, table in SQLModel.metadata.tables.items()
        }


@pytest.fixture
def cli_env(bot: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    monkeypatch.setenv("SLACK_API_URL", bot.sandbox.api_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", bot.deps.settings.slack_bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", bot.deps.settings.slack_signing_secret)
    monkeypatch.setenv("CS_TEAM_CHANNEL", bot.cs_channel)


def test_dry_runs_never_write_and_never_call_slack(bot: Harness, cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    bot.start_project(START)
    bot.settle()
    calls, rows = len(bot.sandbox.calls()), _snapshot(bot.deps.engine)
    planned = {}
    for name in sorted(JOBS):
        assert main(["jobs", "run", name, "--now", LATER, "--dry-run"]) == 0, name
        out = capsys.readouterr().out
        planned[name] = int(out.split("would send ")[1].split()[0])
    # Something was due, so the dry runs had something to plan (and left it unsent).
    assert planned["reminders"] >= 1 and planned["escalations"] >= 1 and planned["digest"] >= 1
    assert len(bot.sandbox.calls()) == calls
    assert _snapshot(bot.deps.engine) == rows
    # The same reminders, run for real, do reach Slack: the dry run was not blind.
    posted = len(bot.sandbox.calls("chat.postMessage"))
    assert main(["jobs", "run", "reminders", "--now", LATER]) == 0
    assert len(bot.sandbox.calls("chat.postMessage")) >= posted + planned["reminders"]
