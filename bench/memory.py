"""Section `memory`: peak resident memory of a bot process with a large portfolio.

A fresh child process (`python -m bench.memory --url URL`) builds the bot's dependencies
and its Bolt app as `onboardbot run` does (`bot.app.build_deps`, `build_app`), then plans one morning's reminders and
escalations (`bench.reminders.plan_day`: `load_portfolio`, `plan_reminders`,
`plan_escalations`, `outbox.existing_keys`) and computes the weekly digest once
(`bot.flows.digest.compute`), over the `digest` section's portfolio. It reports the peak
resident set size of its own address space (VmHWM, see `bench.common.peak_rss`).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import text

from bench.common import MB, Row, backends, peak_rss, run_child, scratch_database, timed
from bench.digest import compute_digest, digest_deps, fill_digest
from bench.reminders import bench_settings, plan_day
from bot.app import build_app

TARGET_PEAK_BYTES = 300 * MB


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    settings = bench_settings()
    rows: list[Row] = []
    for backend, problem in backends(options.backend):
        if problem:
            log(f"memory/{backend}: skipped: {problem}")
            continue
        with (
            tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir,
            scratch_database(backend, Path(workdir)) as url,
        ):
            seconds, (stats, _extra) = timed(
                lambda url=url: fill_digest(url, projects=options.projects, settings=settings)
            )
            log(f"memory/{backend}: filled {stats.projects:,} projects in {seconds:.1f} s")
            child = run_child("bench.memory", ["--url", url])
            log(
                f"memory/{backend}: peak RSS {child['peak_rss'] / MB:.0f} MB"
                f" ({child['rss_deps'] / MB:.0f} MB with deps and app built,"
                f" {child['rss_planned'] / MB:.0f} MB peak after planning);"
                f" planned {child['reminders']:,} reminders and {child['escalations']:,}"
                f" escalations in {child['plan_seconds']:.1f} s, digest in"
                f" {child['digest_seconds']:.1f} s"
            )
            rows.append(
                Row(
                    "memory.peak_rss",
                    backend,
                    child["peak_rss"],
                    unit="bytes",
                    max_value=TARGET_PEAK_BYTES,
                    note=f"child: deps + app, plan, digest; {stats.projects:,} projects",
                )
            )
    return rows


def _child(url: str) -> None:
    """The bot's morning and Monday work once in this fresh process; print JSON."""
    settings = bench_settings()
    deps = digest_deps(url, settings)
    build_app(deps)  # the listeners' imports are part of the bot process too
    with deps.engine.connect() as conn:
        conn.execute(text("select 1"))
    rss_deps = peak_rss()
    plan_seconds, plan = timed(lambda: plan_day(deps.engine, settings=settings))
    rss_planned = peak_rss()
    digest_seconds, _digest = timed(lambda: compute_digest(deps))
    deps.engine.dispose()
    print(
        json.dumps(
            {
                "rss_deps": rss_deps,
                "rss_planned": rss_planned,
                "peak_rss": peak_rss(),
                "plan_seconds": plan_seconds,
                "digest_seconds": digest_seconds,
                **plan.__dict__,
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--url", required=True)
    args = parser.parse_args(argv)
    _child(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
