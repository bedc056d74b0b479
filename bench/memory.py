"""Section `memory`: resident memory of the bot's process over a simulated day.

For each portfolio size in `--scales` (10,000 and 50,000 by default; the
digest section's fill, kept between runs: bench.cache) and each backend, a fresh child
process (`python -m bench.memory --url URL`) builds the bot as `onboardbot run` does
(`build_deps`, the Bolt app, its WSGI app, the scheduler with every job) against a Slack
sandbox holding the portfolio's people and channels, then fires the scheduled jobs
through the scheduler's own `run_job` at the moments of one simulated day (Wednesday):
every job at least once, the outbox after each, the hourly jobs, the weekly digest.

The reminders and escalations run every 10 minutes in production; the day runs them at
the hours that differ for memory: each hour a time zone of the portfolio reaches its
reminder hour (00:00 UTC, 09:00 in Tokyo; 16:00 UTC, 09:00 in Los Angeles: everything
due there is decided and sent), the hour after the first (01:00: everything is decided
already, a run must find it and send nothing new) and an hour when nobody's reminder hour
comes (08:00). Further runs of the same kinds (17:00, 23:00 until 2026-12) repeated one
of those and only made the section slower.

Every message the day decides is delivered to the sandbox (no latency, and Slack's
per-minute budgets are left out: a day run in minutes would only wait on them, here and
in the bot's pacing, which follows the simulated day's clock). Reported: the child's
peak resident set size (VmHWM), and for each job run its time, its resident set before
and after, and its own peak (VmHWM reset before each run), so the job that sets the
peak is named.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

from bench.cache import filled_copy
from bench.common import MB, ROOT, Row, backends, peak_rss
from bench.morning import portfolio_fill
from bench.reminders import NOW, scales
from bench.slack_world import bot_env, build_world

TARGET_PEAK_BYTES = 300 * MB
DAY_BUDGET = 100_000  # posts a minute: the day's memory, not Slack's pace, is measured
# (hour UTC, job) of the simulated day, from 00:00 UTC (09:00 in Tokyo): see above.
DAY = [
    *[(h, job) for h in (0, 1, 8, 16) for job in ("reminders", "escalations", "outbox")],
    (2, "join_check"),
    (3, "risk_reminders"),
    (4, "adoption"),
    (5, "digest"),
]


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    rows: list[Row] = []
    for projects in scales(options):
        for backend, problem in backends(options.backend):
            if problem:
                log(f"memory/{backend}: skipped: {problem}")
                continue
            with (
                tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir,
                filled_copy(
                    backend,
                    Path(workdir),
                    f"digest-{projects}",
                    portfolio_fill(projects),
                    fresh=options.fresh,
                    log=log,
                ) as url,
            ):
                rows.append(_measure(url, backend, projects, log))
    return rows


def _measure(url: str, backend: str, projects: int, log: Callable[[str], None]) -> Row:
    world = build_world(url, posts_per_minute=DAY_BUDGET, rate_limits=False)
    try:
        env = {
            **os.environ,
            **bot_env(url, world, posts_per_minute=DAY_BUDGET),
            "PYTHONPATH": str(ROOT),
        }
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "bench.memory", "--url", url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,  # the result; each job run's line goes to stderr as it ends
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError("bench.memory child failed (its error is above)")
        child = json.loads(done.stdout.strip().splitlines()[-1])
        posts = sum(1 for c in world.sandbox.calls("chat.postMessage") if c.status == 200)
        log(
            f"memory/{backend}/{projects:,}: peak RSS {child['peak_rss'] / MB:.0f} MB"
            f" ({child['rss_built'] / MB:.0f} MB once built); {len(DAY)} job runs,"
            f" {posts:,} messages delivered, in {time.monotonic() - started:.0f} s;"
            f" slowest: {child['slowest']}"
        )
        return Row(
            "memory.run_day",
            backend,
            child["peak_rss"],
            unit="bytes",
            max_value=TARGET_PEAK_BYTES,
            note=f"{projects:,} projects: bot process, {len(DAY)} job runs, {posts:,} messages",
        )
    finally:
        world.sandbox.stop()


def _child() -> None:
    """The bot's process through one simulated day; prints its peak RSS as JSON."""
    from bot.app import build_app
    from bot.cli import context
    from bot.server import wsgi_app
    from schedules.scheduler import build_scheduler

    logging_quiet()
    deps = context.deps(context.settings())
    app = build_app(deps)
    wsgi_app(app, deps)
    build_scheduler(deps, runner="bench")
    rss_built = peak_rss()
    print(f"  built: {rss_built / MB:.0f} MB", file=sys.stderr, flush=True)
    origin = time.monotonic()
    runs = [_run(deps, hour, job, origin) for hour, job in DAY]
    deps.engine.dispose()
    slowest = sorted(runs, key=lambda r: -r.seconds)[:3]
    result = {
        "rss_built": rss_built,
        "peak_rss": max(rss_built, *(r.peak for r in runs)),
        "slowest": {r.name: r.seconds for r in slowest},
    }
    print(json.dumps(result))


class _Run(NamedTuple):
    name: str  # job@hour
    seconds: float
    peak: int  # VmHWM during the run


def _run(deps: Any, hour: int, job: str, origin: float) -> _Run:
    """One job run at `hour` of the day: its time, resident set before and after, peak."""
    from bot.slack.pacing import Pacer
    from schedules.scheduler import run_job

    now = NOW.replace(hour=0, minute=5) + timedelta(hours=hour)
    deps.clock = lambda: now
    # The bot's pacing counts in the simulated day: its budgets refill between hours.
    deps.gateway.pacer = Pacer(clock=lambda: hour * 3600 + time.monotonic() - origin)
    before = _status("VmRSS")
    _reset_peak()
    started = time.monotonic()
    run_job(deps, job, now=now, runner="bench")
    run = _Run(f"{job}@{hour:02d}", round(time.monotonic() - started, 1), peak_rss())
    print(
        f"  {run.name:<18} {run.seconds:>6.1f} s  RSS {before / MB:4.0f} ->"
        f" {_status('VmRSS') / MB:4.0f} MB, peak {run.peak / MB:4.0f} MB",
        file=sys.stderr,
        flush=True,
    )
    return run


def _status(field: str) -> int:
    """A size from /proc/self/status, in bytes (0 where there is none)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    """Linux: writing 5 to clear_refs sets VmHWM back to the current resident set, so the
    next job's peak is its own."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def logging_quiet() -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--url", required=True)
    parser.parse_args(argv)
    _child()
    return 0


if __name__ == "__main__":
    sys.exit(main())
