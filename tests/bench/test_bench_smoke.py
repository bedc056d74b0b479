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
            "--projects",
            "30",
            "--repeat",
            "1",
            "--requests",
            "3",
            "--clicks",
            "2",
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
    rows = {
        tuple(line.split()[:2]) for line in lines if line.split()[:1] and "." in line.split()[0]
    }
    assert {
        ("digest.compute", "sqlite"),
        ("http_ack.p50", "sqlite"),
        ("http_ack.p99", "sqlite"),
        ("click_to_checklist.p50", "sqlite"),
        ("click_to_checklist.p99", "sqlite"),
        ("memory.peak_rss", "sqlite"),
    } <= rows
    assert "reminders.plan" not in done.stdout  # --section picks
    # The digest's statements are counted (a check, not a timing): the same at both sizes.
    digest_row = next(line for line in lines if line.startswith("digest.compute"))
    assert "SQL statements" in digest_row
    assert "600 tasks" in done.stdout  # 30 projects × 20 tasks were filled
