"""What every benchmark section shares: timing, peak memory of a child process, the table.

A section is a function `(options) -> list[Row]`; `bench/run` prints the rows of all
sections as one table. Times are medians of `--repeat` runs; memory is the peak resident
set size of a fresh process that does the work once (what the bot's own process would need).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
PG_URL = os.environ.get(
    "BENCH_DATABASE_URL",
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    """One line of the table: a measurement next to its baseline and target."""

    benchmark: str
    backend: str
    value: float  # seconds, or bytes when `unit` is "bytes"
    baseline: float | None = None
    max_ratio: float | None = None  # value / baseline must stay at or below this
    max_value: float | None = None  # value must stay below this
    unit: str = "s"  # "s" | "bytes"
    note: str = ""
    check: bool | None = None  # a condition that is not a timing (False fails the row)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    @property
    def passed(self) -> bool | None:
        """None when the row has no target (information only)."""
        if self.check is False:
            return False
        if self.max_ratio is None and self.max_value is None:
            return self.check
        ratio = self.ratio
        if self.max_ratio is not None and (ratio is None or ratio > self.max_ratio):
            return False
        return not (self.max_value is not None and self.value >= self.max_value)

    def target(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤{self.max_ratio:g}×")
        if self.max_value is not None:
            parts.append(f"<{_amount(self.max_value, self.unit, digits=0)}")
        return " and ".join(parts) or "—"


@dataclass(frozen=True)
class Timing:
    median: float
    runs: tuple[float, ...]


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """(seconds, result) of one call, on the monotonic performance clock."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_time(fn: Callable[[], Any], *, repeat: int) -> tuple[Timing, Any]:
    """Call `fn` `repeat` times; the median time and the last result."""
    runs, result = [], None
    for _ in range(max(1, repeat)):
        gc.collect()
        seconds, result = timed(fn)
        runs.append(seconds)
    return Timing(statistics.median(runs), tuple(runs)), result


def against_baseline(
    fn: Callable[[], T], baseline: Callable[[], Any], *, repeat: int
) -> tuple[Timing, Timing, T]:
    """Time `fn` and `baseline` in turns after one untimed warm-up of each (caches, pools,
    prepared statements), each run starting from a collected heap, so a slow moment of
    the machine hits both alike. Returns (fn's timing, baseline's timing, fn's result)."""
    timing, (base,), result = against_baselines(fn, [baseline], repeat=repeat)
    return timing, base, result


def against_baselines(
    fn: Callable[[], T], baselines: Sequence[Callable[[], Any]], *, repeat: int
) -> tuple[Timing, list[Timing], T]:
    """`against_baseline` with several baselines, all timed in the same turns (one run of
    each baseline, then one of `fn`), so one set of `fn`'s runs serves every comparison.
    The first call of `fn` is its untimed warm-up, after every baseline's."""
    for baseline in baselines:
        baseline()
    result = fn()
    runs: list[float] = []
    base_runs: list[list[float]] = [[] for _ in baselines]
    for _ in range(max(1, repeat)):
        for baseline, times in zip(baselines, base_runs, strict=True):
            gc.collect()
            times.append(timed(baseline)[0])
        gc.collect()
        seconds, result = timed(fn)
        runs.append(seconds)
    return (
        Timing(statistics.median(runs), tuple(runs)),
        [Timing(statistics.median(times), tuple(times)) for times in base_runs],
        result,
    )


def runs_text(runs: Sequence[float]) -> str:
    """The single runs of a timing, for the log: "2.31/2.40/2.35 s"."""
    return "/".join(f"{r:.2f}" for r in runs) + " s"


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile: the value at rank ⌈p/100·n⌉ of the sorted values."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def profile(fn: Callable[[], Any], *, limit: int = 20) -> str:
    """cProfile of one call of `fn`: the `limit` costliest functions by own time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fn)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue().strip()


def peak_rss() -> int:
    """This process's peak resident set size in bytes.

    Linux's VmHWM belongs to the current address space, so a child started with
    fork+exec counts only itself; `ru_maxrss` would also count the parent's pages it
    held between fork and exec (a fat parent makes every child look as fat).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def run_child(module: str, args: Sequence[str]) -> dict[str, Any]:
    """Run `python -m module args...` in a fresh interpreter; returns the JSON object it
    printed last. A child that measures memory reports its own `peak_rss()`."""
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"python -m {module} {' '.join(args)} failed ({done.returncode}):\n"
            + done.stderr[-4000:]
        )
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def machine_info() -> str:
    """Cores, total memory, Python and the date: enough to compare two runs."""
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return (
        f"machine: {os.cpu_count()} cores, {memory} RAM, Python {platform.python_version()}"
        f" ({platform.python_implementation()}), {platform.system()} {platform.release()},"
        f" {datetime.now().astimezone().isoformat(timespec='seconds')}"
    )


def _amount(value: float, unit: str, *, digits: int = 2) -> str:
    if unit == "bytes":
        return f"{value / MB:.0f} MB"
    if value < 0.1 and digits:
        return f"{value * 1000:.1f} ms"
    return f"{value:.{digits}f} s" if digits else f"{value:g} s"


def print_table(rows: Sequence[Row], *, out: Any = None) -> None:
    """One aligned table: benchmark, backend, value, baseline, ratio, target, result."""
    out = out or sys.stdout
    header = ("benchmark", "backend", "time/peak", "baseline", "ratio", "target", "result", "note")
    lines = [header]
    for row in rows:
        ratio = row.ratio
        verdict = {True: "pass", False: "FAIL", None: "—"}[row.passed]
        lines.append(
            (
                row.benchmark,
                row.backend,
                _amount(row.value, row.unit),
                _amount(row.baseline, row.unit) if row.baseline is not None else "—",
                f"{ratio:.2f}×" if ratio is not None else "—",
                row.target(),
                verdict,
                row.note,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip(),
            file=out,
        )
        if n == 0:
            print("  ".join("-" * width for width in widths), file=out)


# -- databases ------------------------------------------------------------------------------
def postgres_problem(url: str = PG_URL) -> str | None:
    """Why PostgreSQL can't be used, or None when it can."""
    from sqlalchemy import text

    from storage.db import make_engine

    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "skip PostgreSQL"
        return (
            f"PostgreSQL not reachable at {url}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        )
    return None


@contextmanager
def scratch_database(backend: str, workdir: Path, *, name: str = "bench") -> Iterator[str]:
    """An empty database for one run: a SQLite file `name`.db in `workdir`, or a fresh
    PostgreSQL schema `bench_<random>` (dropped afterwards). Yields its URL."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'{name}.db'}"
        return
    from sqlalchemy import text

    from storage.db import make_engine

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def backends(choice: str) -> list[tuple[str, str | None]]:
    """[(backend, reason to skip or None)] for `--backend sqlite|postgres|both`."""
    chosen = ["sqlite", "postgres"] if choice == "both" else [choice]
    return [(b, postgres_problem() if b == "postgres" else None) for b in chosen]


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per timing; the median is reported"
    )
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="N",
        help="also print cProfile's N costliest functions (default 25) of one timed unit",
    )
