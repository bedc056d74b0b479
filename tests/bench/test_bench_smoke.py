"""The benchmark runner runs end to end on a tiny portfolio (no timing is asserted here:
speed and memory targets live in `bench/run`, never in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reminders_section_prints_its_table() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "bench/run",
            "reminders",
            "--projects",
            "50",
            "--repeat",
            "1",
            "--backend",
            "sqlite",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    header = next(line for line in lines if line.startswith("benchmark"))
    for column in ("backend", "baseline", "ratio", "target", "result"):
        assert column in header
    rows = {tuple(line.split()[:2]) for line in lines if line.startswith("reminders.")}
    assert {("reminders.plan", "sqlite"), ("reminders.peak_rss", "sqlite")} <= rows
    assert "1,000 tasks" in done.stdout  # 50 projects × 20 tasks were filled


def test_unknown_section_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "bench/run", "nonsense"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "unknown section" in done.stderr
