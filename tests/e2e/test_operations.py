"""Operating the bot: metrics, graceful shutdown, replicas, forgetting a customer, backups."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.flows.digest import compute
from slack_sandbox import Sandbox, SlackDriver
from storage import job_runs
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from tests.e2e.harness import Harness, project_tasks, wait_until


def test_metrics_in_prometheus_format(bot: Harness) -> None:
    bot.slash(bot.people.csm, bot.general, "help")
    with urllib.request.urlopen(bot.url.replace("/slack/events", "/metrics")) as response:
        body = response.read().decode()
    assert 'onboardbot_requests_total{kind="command",outcome="200"}' in body
    assert "onboardbot_ack_latency_seconds_bucket" in body
    assert "onboardbot_outbox_backlog 0.0" in body


def test_project_delete_forgets_people_but_keeps_statistics(
    bot: Harness, monkeypatch, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    bot.now = datetime(2027, 4, 5, 1, tzinfo=UTC)
    channel = bot.start_project(
        "Secret Corp --kickoff 2027-04-05 --champion taro@acme.example --lang en"
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    task = next(t for t in project_tasks(bot, channel) if t.owner_side == "customer")
    bot.driver.click(
        bot.people.customer.id, channel_id=channel, action_id="task_done", value=str(task.id)
    )
    bot.settle()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    assert main(["project", "delete", "Secret Corp"]) == 2  # no --yes, nothing happens
    assert "--yes" in capsys.readouterr().err
    assert main(["project", "delete", "Secret Corp", "--yes"]) == 0
    with bot.deps.engine.connect() as conn:
        dump = " ".join(
            str(row)
            for table in (
                "project",
                "stakeholder",
                "task",
                "event",
                "outbox",
                "risk",
                "surveyanswer",
            )
            for row in conn.execute(text(f"select * from {table}"))
        )
    for secret in ("Secret Corp", "taro@acme.example", bot.people.customer.id):
        assert secret not in dump, secret
    tasks = project_tasks(bot, channel)
    assert len(tasks) == 12 and sum(t.status == "done" for t in tasks) == 1
    assert compute(bot.deps, now=bot.now).kpis.tasks_completed == 1


def test_backup_of_sqlite(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.chdir(tmp_path)
    assert main(["backup", "--output", str(tmp_path / "copy.db")]) == 0
    copy = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    with copy.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    copy.dispose()
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@127.0.0.1/none")
    assert main(["backup"]) == 2 and "pg_dump" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_bot(db_url: str, sandbox: Sandbox, cs_channel: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_API_URL": sandbox.api_url,
        "SLACK_BOT_TOKEN": sandbox.bot_token,
        "SLACK_SIGNING_SECRET": sandbox.signing_secret,
        "CS_TEAM_CHANNEL": cs_channel,
        "LOG_FORMAT": "json",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--mode",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def world(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    with Sandbox(signing_secret="ops-secret", bot_token="xoxb-ops") as sandbox:
        csm = sandbox.add_user("sato", email="sato@vendor.example")
        cs = sandbox.add_channel("cs-team", members=[csm.id]).id
        yield engine, sandbox, cs, csm
    engine.dispose()


def test_sigterm_stops_within_10_seconds(world, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _engine, sandbox, cs, _csm = world
    port = _free_port()
    bot = _run_bot(db_url, sandbox, cs, port)
    try:
        wait_until(lambda: _healthy(port), timeout=30)
        started = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        output, _ = bot.communicate(timeout=15)
        assert bot.returncode == 0, output
        assert time.monotonic() - started < 10
        assert any(
            json.loads(line).get("msg", "").startswith("stopped in")
            for line in output.splitlines()
            if line.startswith("{")
        )
    finally:
        if bot.poll() is None:
            bot.kill()


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_replicas_serve_and_run_scheduled_jobs_once(world, db_url: str) -> None:  # type: ignore[no-untyped-def]
    engine, sandbox, cs, csm = world
    ports = [_free_port(), _free_port()]
    bots = [_run_bot(db_url, sandbox, cs, port) for port in ports]
    try:
        for port in ports:
            wait_until(lambda port=port: _healthy(port), timeout=30)
        for port in ports:
            driver = SlackDriver(
                f"http://127.0.0.1:{port}/slack/events", sandbox.signing_secret, sandbox
            )
            assert driver.slash(csm.id, cs, "help").status == 200

        # Both replicas caught up on start: each job ran once for its slot.
        def caught_up() -> bool:
            with session_scope(engine) as session:
                return all(
                    job_runs.recent(session=session, job=job)
                    for job in ("reminders", "escalations")
                )

        wait_until(caught_up, timeout=30)
        with session_scope(engine) as session:
            for job in ("reminders", "escalations", "join_check"):
                runs = job_runs.recent(session=session, job=job)
                slots = [r.slot for r in runs]
                assert len(slots) == len(set(slots)) >= 1, job
    finally:
        for bot in bots:
            bot.send_signal(signal.SIGTERM)
        for bot in bots:
            try:
                bot.wait(timeout=15)
            except subprocess.TimeoutExpired:
                bot.kill()
