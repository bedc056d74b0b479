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


def _run_sections(sections: list[str], cache: Path) -> subprocess.Popen[str]:
    """`bench/run` on those sections at tiny sizes, started (not waited for), with kept
    databases of its own so two runs side by side never fill the same one."""
    picks = [arg for section in sections for arg in ("--section", section)]
    sizes = ["--projects", "30", "--scales", "30", "--repeat", "1", "--requests", "3"]
    return subprocess.Popen(
        [sys.executable, "bench/run", *picks, *sizes, "--clicks", "3", "--backend", "sqlite"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BENCH_CACHE": str(cache)},
    )


def _finished(run: subprocess.Popen[str]) -> list[str]:
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("machine: ")
    assert "reminders.plan" not in out  # --section picks
    return lines


def test_new_sections_print_their_rows_at_tiny_sizes(tmp_path: Path) -> None:
    # click_to_checklist mostly waits (a round of clicks every 8 s, people's pace): it runs
    # beside the other sections rather than after them.
    clicks = _run_sections(["click_to_checklist"], tmp_path / "clicks")
    rest = _run_sections(["digest", "http_ack", "memory", "morning"], tmp_path / "rest")
    lines = _finished(rest)
    click_lines = _finished(clicks)
    rows = {
        tuple(line.split()[:2])
        for line in lines + click_lines
        if line.split()[:1] and "." in line.split()[0]
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
    # The digest's statements are counted (a check, not a timing): the same at both sizes.
    digest_row = next(line for line in lines if line.startswith("digest.compute"))
    assert "SQL statements" in digest_row
    morning = next(line for line in lines if line.startswith("morning.delivery"))
    assert "each once" in morning  # the exactly-once check held
    # A run ends with each section's wall time and the whole run's.
    assert lines[-1].startswith("wall time: digest ")
    assert "morning" in lines[-1] and "all sections" in lines[-1]
    assert click_lines[-1].startswith("wall time: click_to_checklist ")
    assert "all sections" in click_lines[-1]
