"""Every CLI failure is one line on stderr with the README's exit code, never a traceback.

Exit codes: 0 ok, 1 failure (the command could not do its work), 2 bad usage or input.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.settings import VALID_SLACK_SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name in ("PLAYBOOK_DIR", "DEFAULT_PLAYBOOK", "LOG_LEVEL", "DIGEST_CRON"):
        monkeypatch.delenv(name, raising=False)
    for name, value in VALID_SLACK_SETTINGS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    monkeypatch.setenv("SLACK_API_URL", f"http://127.0.0.1:{_closed_port()}/api/")
    yield
    # `run` installs the bot's log handler on the root logger; don't leave it to other tests.
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "onboardbot", False)]:
        root.removeHandler(handler)


def _migrated(tmp_path: Path) -> None:
    assert main(["db", "upgrade"]) == 0


def _empty_file(tmp_path: Path) -> None:
    (tmp_path / "bot.db").write_bytes(b"")


def _busy_port(tmp_path: Path) -> list[str]:
    _migrated(tmp_path)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    _busy_port.listener = listener  # type: ignore[attr-defined]  # kept open for the call
    return ["run", "--host", "127.0.0.1", "--port", str(listener.getsockname()[1])]


Setup = Callable[[Path], None]
# (name, set-up, command or a set-up returning it, exit code, what the one line says)
FAILURES: list[tuple[str, Setup | None, list[str] | Callable[[Path], list[str]], int, str]] = [
    (
        "export into a missing folder",
        _migrated,
        ["export", "tasks", "--since", "2027-01-01", "--output", "nope/tasks.csv"],
        2,
        "--output nope/tasks.csv: the folder nope does not exist",
    ),
    (
        "export onto a folder",
        _migrated,
        ["export", "tasks", "--since", "2027-01-01", "--output", "."],
        2,
        "--output .: is a folder; name a file",
    ),
    (
        "backup into a missing folder",
        _migrated,
        ["backup", "--output", "nope/copy.db"],
        2,
        "--output nope/copy.db: the folder nope does not exist",
    ),
    ("run on a port in use", None, _busy_port, 1, "is already in use: stop the other process"),
    (
        "socket mode, Slack unreachable",
        _migrated,
        ["run", "--mode", "socket"],
        1,
        "cannot reach Slack at http://127.0.0.1:",
    ),
    ("report, no database", None, ["report"], 1, "no database file at"),
    ("export, no database", None, ["export", "tasks", "--since", "2027-01-01"], 1, "no database"),
    ("jobs list, no database", None, ["jobs", "list"], 1, "run `onboardbot db upgrade`"),
    ("jobs run, no database", None, ["jobs", "run", "digest", "--dry-run"], 1, "no database"),
    ("run, no database", None, ["run"], 1, "no database file at"),
    ("project delete, no database", None, ["project", "delete", "Acme", "--yes"], 1, "no data"),
    ("backup, no database", None, ["backup"], 1, "no database file at"),
    ("report, no schema", _empty_file, ["report"], 1, "the database has no schema yet"),
    ("run, no schema", _empty_file, ["run"], 1, "the database has no schema yet"),
]


@pytest.mark.parametrize(
    ("setup", "command", "code", "line"),
    [pytest.param(*row[1:], id=row[0]) for row in FAILURES],
)
def test_each_failure_is_one_line_with_its_exit_code(  # type: ignore[no-untyped-def]
    setup, command, code, line, tmp_path, capsys
) -> None:
    if setup is not None:
        setup(tmp_path)
    if callable(command):
        command = command(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    capsys.readouterr()
    try:
        assert main(command) == code
    finally:
        listener = getattr(_busy_port, "listener", None)
        if listener is not None:
            listener.close()
            del _busy_port.listener  # type: ignore[attr-defined]
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("onboardbot: ") and line in lines[0]
    assert "Traceback" not in captured.err
    # Nothing is left behind: no empty database file, no half-written output.
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_unreachable_database_is_one_line(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(
        "DATABASE_URL", f"postgresql://onboardbot:hunter2@127.0.0.1:{_closed_port()}/x"
    )
    for command in (["report"], ["jobs", "list"], ["db", "upgrade"], ["run"]):
        assert main(command) == 1
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("onboardbot: database error: "), lines
        assert "hunter2" not in lines[0]


def test_the_missing_schema_message_names_the_fix_and_db_upgrade_creates_it(  # type: ignore[no-untyped-def]
    tmp_path, capsys
) -> None:
    assert main(["report"]) == 1
    assert "run `onboardbot db upgrade`" in capsys.readouterr().err
    assert not (tmp_path / "bot.db").exists()
    assert main(["db", "upgrade"]) == 0
    assert main(["report", "--format", "json"]) == 0


@pytest.mark.parametrize(
    "command",
    [
        ["playbooks", "list"],
        ["playbooks", "preview", "high-touch", "--kickoff", "2027-04-05"],
        ["report"],
        ["jobs", "list"],
        ["export", "tasks", "--since", "2027-01-01"],
        ["config", "check"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_closed_pipe_ends_quietly(command: list[str], tmp_path: Path) -> None:
    """`onboardbot … | head -1` where head has already gone: no traceback, exit 0."""
    env = {**os.environ}
    assert main(["db", "upgrade"]) == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before the first byte
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr.decode() == ""
    assert result.returncode == 0
