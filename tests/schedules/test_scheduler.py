from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_deps
from bot.cli import main
from bot.config import load_settings
from schedules import scheduler
from schedules.scheduler import (
    build_scheduler,
    catch_up,
    job_specs,
    previous_fire_time,
    run_job,
    slot_of,
)
from storage import job_runs
from storage.db import make_engine, session_scope
from storage.migrate import upgrade


@pytest.fixture
def deps(db_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    deps = build_deps(
        load_settings(_env_file=None, database_url=db_url, slack_api_url="http://127.0.0.1:9/api/")
    )
    yield deps
    deps.engine.dispose()


def spec(deps, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in job_specs(deps) if s.name == name)


def test_trigger_arithmetic(deps) -> None:  # type: ignore[no-untyped-def]
    start = datetime(2027, 4, 7, 0, 3, tzinfo=UTC)
    assert spec(deps, "reminders").trigger.get_next_fire_time(None, start) == datetime(
        2027, 4, 7, 0, 10, tzinfo=UTC
    )
    assert spec(deps, "escalations").trigger.get_next_fire_time(None, start) == datetime(
        2027, 4, 7, 0, 5, tzinfo=UTC
    )
    assert spec(deps, "join_check").trigger.get_next_fire_time(None, start) == datetime(
        2027, 4, 7, 0, 7, tzinfo=UTC
    )
    assert previous_fire_time(
        spec(deps, "reminders").trigger, start, lookback=timedelta(hours=1)
    ) == datetime(2027, 4, 7, 0, 0, tzinfo=UTC)


def test_slots_are_aligned() -> None:
    assert slot_of(datetime(2027, 4, 7, 0, 17, 42, tzinfo=UTC), timedelta(minutes=10)) == datetime(
        2027, 4, 7, 0, 10, tzinfo=UTC
    )
    # Weekly slots start on Mondays.
    assert slot_of(datetime(2027, 4, 8, 12, tzinfo=UTC), timedelta(days=7)) == datetime(
        2027, 4, 5, tzinfo=UTC
    )


def test_a_slot_runs_once(deps) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2027, 4, 7, 0, 12, tzinfo=UTC)
    assert run_job(deps, "reminders", now=now, runner="a") is not None
    assert run_job(deps, "reminders", now=now + timedelta(minutes=3), runner="b") is None
    assert run_job(deps, "reminders", now=now + timedelta(minutes=10), runner="b") is not None
    with session_scope(deps.engine) as session:
        runs = job_runs.recent(session=session, job="reminders")
    assert [r.runner for r in runs] == ["b", "a"] and all(r.finished_at for r in runs)


def test_catch_up_runs_each_missed_job_once(deps) -> None:  # type: ignore[no-untyped-def]
    # The bot ran once (its first start recorded where each job stands), then was down.
    first_start = datetime(2027, 4, 7, 0, 2, tzinfo=UTC)
    assert catch_up(deps, now=first_start) == []
    now = datetime(2027, 4, 7, 0, 12, tzinfo=UTC)
    ran = catch_up(deps, now=now)
    assert set(ran) >= {"reminders", "escalations"} and "outbox" not in ran
    assert catch_up(deps, now=now + timedelta(minutes=1)) == []


def test_a_new_install_never_catches_up_a_slot_from_before_its_first_start(deps) -> None:  # type: ignore[no-untyped-def]
    # First start on a Monday at 10:00 JST: the 09:00 digest slot is not owed.
    monday_10_jst = datetime(2027, 4, 12, 1, 0, tzinfo=UTC)
    assert catch_up(deps, now=monday_10_jst) == []
    with session_scope(deps.engine) as session:
        digest_runs = job_runs.recent(session=session, job="digest")
    assert [r.outcome for r in digest_runs] == [scheduler.NOT_RUN_BEFORE_FIRST_START]
    # Down over the next Monday's slot, back on Tuesday: that slot is caught up, once.
    tuesday = datetime(2027, 4, 20, 1, 0, tzinfo=UTC)
    assert "digest" in catch_up(deps, now=tuesday)
    assert "digest" not in catch_up(deps, now=tuesday + timedelta(minutes=5))


def test_scheduler_registers_every_job_with_an_explicit_id(deps) -> None:  # type: ignore[no-untyped-def]
    sched = build_scheduler(deps, runner="test")
    assert {job.id for job in sched.get_jobs()} == {s.name for s in job_specs(deps)}
    assert all(job.max_instances == 1 and job.coalesce for job in sched.get_jobs())


def test_jobs_cli_list_and_dry_run(deps, monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", deps.settings.database_url)
    assert main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert "reminders" in out and "escalations" in out and "next run" in out
    # Readable: the configured zone, no APScheduler reprs, no mixed offsets.
    assert out.splitlines()[0] == "times in Asia/Tokyo (DEFAULT_TIMEZONE)"
    assert "trigger" not in out and "+00:00" not in out and "+09:00" not in out
    digest = next(line for line in out.splitlines() if line.startswith("digest"))
    assert "mon 09:00 (Asia/Tokyo)" in digest and " Mon 20" in digest and "09:00" in digest
    assert main(["jobs", "run", "reminders", "--now", "2027-04-12T09:00+09:00", "--dry-run"]) == 0
    assert "would send 0 message(s)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["jobs", "run", "reminders", "--now", "2027-04-12T09:00"])
    assert info.value.code == 2
    assert "needs a UTC offset" in capsys.readouterr().err


def test_a_failing_job_does_not_stop_the_scheduler(deps, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def broken(_deps, *, now, dry_run=False):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setitem(scheduler.JOBS, "reminders", broken)
    deps.clock = lambda: datetime(2027, 4, 7, 0, 12, tzinfo=UTC)
    scheduler._guarded(deps, "reminders", "test")()
    assert "job reminders failed" in caplog.text
    with session_scope(deps.engine) as session:
        assert job_runs.recent(session=session, job="reminders")[0].outcome == "error: RuntimeError"


def test_start_up_logs_nothing_an_operator_cannot_act_on(deps, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    from bot.app import build_app
    from bot.logs import configure

    # Bolt reads SLACK_BOT_TOKEN itself; with our own client it used to warn on every start.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-from-the-environment")
    configure(level="INFO")
    caplog.set_level(logging.INFO)
    build_app(deps)
    sched = build_scheduler(deps, runner="test")
    sched.start()
    sched.shutdown(wait=True)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "tentatively" not in caplog.text and "Added job" not in caplog.text
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "onboardbot", False)]:
        root.removeHandler(handler)
