"""Section `memory`: resident memory of the bot's process over a simulated day.

For each portfolio size in `--scales` (10,000 and 50,000 by default; the
digest section's fill, kept between runs: bench.cache) and each backend, a fresh child
process (`python -m bench.memory --url URL`) builds the bot as `onboardbot run` does
(`build_deps`, the Bolt app, its WSGI app, the scheduler with every job) against a Slack
sandbox holding the portfolio's people and channels, then fires the scheduled jobs
through the scheduler's own `run_job` at the moments of one simulated day (Wednesday):
every job at least once, the reminders and escalations at each hour a time zone of the
portfolio reaches its reminder hour and a few more, the outbox after each, the hourly
jobs, the weekly digest. Every message the day decides is delivered to the sandbox (no
latency, and Slack's per-minute budgets are left out: a day run in minutes would only wait
on them, here and in the bot's pacing, which follows the simulated day's clock). Reported:
the child's peak resident set size (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from bench.cache import filled_copy
from bench.common import MB, ROOT, Row, backends, peak_rss
from bench.morning import portfolio_fill
from bench.reminders import NOW, scales
from bench.slack_world import bot_env, build_world

TARGET_PEAK_BYTES = 300 * MB
DAY_BUDGET = 100_000  # posts a minute: the day's memory, not Slack's pace, is measured
# (hour UTC, job) of the simulated day, from 00:00 UTC (09:00 in Tokyo).
DAY = [
    *[(h, job) for h in (0, 1, 8, 16, 17, 23) for job in ("reminders", "escalations", "outbox")],
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
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench.memory child failed:\n{done.stderr[-4000:]}")
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
    from bot.slack.pacing import Pacer
    from schedules.scheduler import build_scheduler, run_job

    logging_quiet()
    deps = context.deps(context.settings())
    app = build_app(deps)
    wsgi_app(app, deps)
    build_scheduler(deps, runner="bench")
    rss_built = peak_rss()
    took: dict[str, float] = {}
    origin = time.monotonic()
    for hour, job in DAY:
        now = NOW.replace(hour=0, minute=5) + timedelta(hours=hour)
        deps.clock = lambda now=now: now
        # The bot's pacing counts in the simulated day: its budgets refill between hours.
        deps.gateway.pacer = Pacer(clock=lambda h=hour: h * 3600 + time.monotonic() - origin)
        started = time.monotonic()
        run_job(deps, job, now=now, runner="bench")
        key = f"{job}@{hour:02d}"
        took[key] = round(time.monotonic() - started, 1)
    deps.engine.dispose()
    slowest = dict(sorted(took.items(), key=lambda kv: -kv[1])[:3])
    print(json.dumps({"rss_built": rss_built, "peak_rss": peak_rss(), "slowest": slowest}))


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
