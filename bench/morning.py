"""Section `morning`: a morning of reminders and escalations delivered by the real bot.

The portfolio (`--projects`, the digest section's fill, kept between runs: bench.cache)
lives in a Slack sandbox that answers every Web API call after `--latency` (50 ms) and
enforces Slack's limits: about one message a second per channel with short bursts, each
method's tier per minute (conversations.open Tier 3, users.info Tier 4, …), and a
workspace-wide chat.postMessage budget of `--posts-per-minute`. The bot runs as it does
in production, in its own processes: `onboardbot jobs run reminders --now 09:05` and then
`… escalations`, each planning, writing the outbox and delivering it. Timed: from the
start of the reminders job to the moment the sandbox accepted the last message of the
morning. Checked: every message of the morning reached Slack exactly once (by the outbox
key each post carries) and every outbox row of the morning is marked sent.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import text

from bench.cache import filled_copy
from bench.common import Row, backends
from bench.digest_fill import fill_digest
from bench.reminders import NOW, bench_settings
from bench.slack_world import World, bot_env, build_world
from bot.slack.pacing import bulk_share
from slack_sandbox import ApiCall
from storage.db import make_engine

TARGET_SECONDS = 180.0


def portfolio_fill(projects: int) -> Callable[[str], object]:
    return lambda url: fill_digest(url, projects=projects, settings=bench_settings())


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    """Each backend's morning in a world of its own (a copy of the portfolio, a sandbox
    with its own budgets); the mornings run side by side unless `--mornings-apart`."""
    with ExitStack() as stack:
        worlds: list[tuple[str, str, World]] = []
        for backend, problem in backends(options.backend):
            if problem:
                log(f"morning/{backend}: skipped: {problem}")
                continue
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="onboardbot-bench-"))
            url = stack.enter_context(
                filled_copy(
                    backend,
                    Path(workdir),
                    f"digest-{options.projects}",
                    portfolio_fill(options.projects),
                    fresh=options.fresh,
                    log=log,
                )
            )
            world = build_world(url, posts_per_minute=options.posts_per_minute)
            stack.callback(world.sandbox.stop)
            worlds.append((backend, url, world))
        together = len(worlds) > 1 and not options.mornings_apart
        with ThreadPoolExecutor(len(worlds) if together else 1) as pool:
            return list(pool.map(lambda w: _measure(*w, options, log, together=together), worlds))


def _job(env: dict[str, str], name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "run", name, "--now", NOW.isoformat()],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"jobs run {name} failed: {done.stdout[-500:]} {done.stderr[-2000:]}")


def _measure(
    backend: str,
    url: str,
    world: World,
    options: argparse.Namespace,
    log: Callable[[str], None],
    *,
    together: bool,
) -> Row:
    budget = options.posts_per_minute
    log(
        f"morning/{backend}: sandbox holds {world.people:,} people and"
        f" {world.channels:,} project channels; {options.latency * 1000:.0f} ms a call,"
        f" workspace budget {budget:,} posts a minute"
    )
    world.sandbox.faults.slow(seconds=options.latency, times=10**9)
    env = bot_env(url, world, posts_per_minute=budget)
    jobs: list[tuple[str, float, float]] = []  # (job, started, ended) on the wall clock
    for job in ("reminders", "escalations"):
        job_started = time.time()
        _job(env, job)
        jobs.append((job, job_started, time.time()))
    posts = world.sandbox.calls("chat.postMessage")
    accepted = [c for c in posts if c.status == 200 and c.result.get("ok")]
    keys = Counter(
        ((c.args.get("metadata") or {}).get("event_payload") or {}).get("key") for c in accepted
    )
    limited = sum(1 for c in posts if c.status == 429)
    wall = (max(c.at for c in accepted) - jobs[0][1]) if accepted else float("inf")
    states = _outbox_states(url)
    morning = sum(states.values())
    once = morning > 0 and set(states) == {"sent"} and len(keys) == morning
    once = once and max(keys.values()) == 1
    calls = Counter(c.method for c in world.sandbox.calls())
    floor = _log_jobs(backend, jobs, accepted, budget, log)
    log(
        f"morning/{backend}: {len(keys):,} messages accepted in {wall:.1f} s"
        f" ({len(keys) / wall:.0f}/s; the budget allows no less than {floor:.0f} s of sending);"
        f" outbox rows by state {states}; {limited} answered 429;"
        f" calls: {dict(calls.most_common(6))}"
    )
    return Row(
        "morning.delivery",
        backend,
        wall,
        max_value=TARGET_SECONDS,
        check=once,
        note=(
            f"{options.projects:,} projects, {len(keys):,} messages, each once"
            if once
            else f"NOT exactly once: outbox {states}, {len(keys):,} keys posted"
        )
        + f"; {options.latency * 1000:.0f} ms/call, workspace budget {budget:,} posts/min"
        + " (Slack publishes none)"
        + ("; both backends' mornings at once, each its own Slack" if together else ""),
    )


def _log_jobs(
    backend: str,
    jobs: list[tuple[str, float, float]],
    accepted: list[ApiCall],
    budget: int,
    log: Callable[[str], None],
) -> float:
    """How each job's time went (planning before its first post, then sending, against
    the bot's share of the budget); returns the least time the budget allows for sending."""
    floor = 0.0
    for job, started, ended in jobs:
        times = [c.at for c in accepted if started <= c.at <= ended]
        floor += _budget_floor(len(times), budget)
        log(
            f"morning/{backend}: {job} job {ended - started:.1f} s: {len(times):,} posts,"
            + (
                f" the first {min(times) - started:.1f} s after its start (planning),"
                f" then {max(times) - min(times):.1f} s of sending at {_rate(times):.0f}/s"
                f" (the bot's share of the budget: {_share(budget):.0f}/s)"
                if times
                else " none"
            )
        )
    return floor


def _outbox_states(url: str) -> dict[str, int]:
    """The morning's outbox rows by state."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT status, count(*) FROM outbox WHERE created_at >= :since GROUP BY status"
                ),
                {"since": NOW},
            ).all()
    finally:
        engine.dispose()
    return {str(status): int(count) for status, count in rows}


def _share(budget: int) -> float:
    """Posts a second the bot's queued sends may use of the workspace's budget, in the long run."""
    rate = bulk_share(budget)
    return rate.calls / rate.per_seconds


def _budget_floor(posts: int, budget: int) -> float:
    """The least time one job's process can send `posts` in: its first burst at once, the
    rest at the bot's share of the workspace budget."""
    return max(0, posts - bulk_share(budget).burst) / _share(budget)


def _rate(times: list[float]) -> float:
    span = max(times) - min(times)
    return (len(times) - 1) / span if span > 0 else 0.0
