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
from pathlib import Path

from sqlalchemy import text

from bench.cache import filled_copy
from bench.common import Row, backends
from bench.digest import fill_digest
from bench.reminders import NOW, bench_settings
from bench.slack_world import bot_env, build_world
from storage.db import make_engine

TARGET_SECONDS = 180.0


def portfolio_fill(projects: int) -> Callable[[str], object]:
    return lambda url: fill_digest(url, projects=projects, settings=bench_settings())


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    rows: list[Row] = []
    for backend, problem in backends(options.backend):
        if problem:
            log(f"morning/{backend}: skipped: {problem}")
            continue
        with (
            tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir,
            filled_copy(
                backend,
                Path(workdir),
                f"digest-{options.projects}",
                portfolio_fill(options.projects),
                fresh=options.fresh,
                log=log,
            ) as url,
        ):
            rows.append(_measure(url, backend, options, log))
    return rows


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
    url: str, backend: str, options: argparse.Namespace, log: Callable[[str], None]
) -> Row:
    budget = options.posts_per_minute
    world = build_world(url, posts_per_minute=budget)
    try:
        log(
            f"morning/{backend}: sandbox holds {world.people:,} people and"
            f" {world.channels:,} project channels; {options.latency * 1000:.0f} ms a call,"
            f" workspace budget {budget:,} posts a minute"
        )
        world.sandbox.faults.slow(seconds=options.latency, times=10**9)
        env = bot_env(url, world, posts_per_minute=budget)
        started = time.time()
        for job in ("reminders", "escalations"):
            job_started = time.monotonic()
            _job(env, job)
            log(f"morning/{backend}: {job} job done in {time.monotonic() - job_started:.1f} s")
        posts = world.sandbox.calls("chat.postMessage")
        accepted = [c for c in posts if c.status == 200 and c.result.get("ok")]
        keys = Counter(
            ((c.args.get("metadata") or {}).get("event_payload") or {}).get("key") for c in accepted
        )
        limited = sum(1 for c in posts if c.status == 429)
        wall = (max(c.at for c in accepted) - started) if accepted else float("inf")
        engine = make_engine(url)
        with engine.connect() as conn:
            states = dict(
                conn.execute(
                    text(
                        "SELECT status, count(*) FROM outbox WHERE created_at >= :since"
                        " GROUP BY status"
                    ),
                    {"since": NOW},
                ).all()
            )
        engine.dispose()
        morning = sum(states.values())
        once = (
            morning > 0
            and set(states) == {"sent"}
            and len(keys) == morning
            and max(keys.values()) == 1
        )
        calls = Counter(c.method for c in world.sandbox.calls())
        log(
            f"morning/{backend}: {len(keys):,} messages accepted in {wall:.1f} s"
            f" ({len(keys) / wall:.0f}/s); outbox rows by state {states}; {limited} answered 429;"
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
            + f"; {options.latency * 1000:.0f} ms/call, {budget:,} posts/min",
        )
    finally:
        world.sandbox.stop()
