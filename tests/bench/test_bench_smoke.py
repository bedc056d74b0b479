"""The benchmark runner runs end to end on a tiny portfolio (no timing is asserted here:
speed and memory targets live in `bench/run`, never in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def kept_databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner keeps filled databases; here in the test's own directory."""
    monkeypatch.setenv("BENCH_CACHE", str(tmp_path / "cache"))


def test_reminders_section_prints_its_table() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "bench/run",
            "reminders",
            "--scales",
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
    assert "cache: filling" in done.stdout  # the portfolio was filled once, then kept
    assert "50 projects" in done.stdout


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


def test_new_sections_print_their_rows_at_tiny_sizes() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "bench/run",
            "--section",
            "digest",
            "--section",
            "http_ack",
            "--section",
            "click_to_checklist",
            "--section",
            "memory",
            "--section",
            "morning",
            "--projects",
            "30",
            "--scales",
            "30",
            "--repeat",
            "1",
            "--requests",
            "3",
            "--clicks",
            "3",
            "--backend",
            "sqlite",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ},
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    rows = {
        tuple(line.split()[:2]) for line in lines if line.split()[:1] and "." in line.split()[0]
    }
    assert {
        ("digest.compute", "sqlite"),
        ("http_ack.p50", "sqlite"),
        ("http_ack.p99", "sqlite"),
        ("click_to_checklist.p50", "sqlite"),
        ("click_to_checklist.p99", "sqlite"),
        ("memory.run_day", "sqlite"),
        ("morning.delivery", "sqlite"),
    } <= rows
    assert "reminders.plan" not in done.stdout  # --section picks
    # The digest's statements are counted (a check, not a timing): the same at both sizes.
    digest_row = next(line for line in lines if line.startswith("digest.compute"))
    assert "SQL statements" in digest_row
    morning = next(line for line in lines if line.startswith("morning.delivery"))
    assert "each once" in morning  # the exactly-once check held
    # The run ends with each section's wall time and the whole run's.
    assert lines[-1].startswith("wall time: digest ")
    assert "morning" in lines[-1] and "all sections" in lines[-1]
