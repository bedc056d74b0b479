"""`onboardbot sandbox` as a person runs it: it prints the page's address, serves the page
on 127.0.0.1, and stops cleanly on Ctrl-C; a bad playbook or a taken port is one line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--lang", "en", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_it_prints_its_address_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = start("--now", "2027-04-05T10:00+09:00", cwd=tmp_path)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("onboardbot sandbox: open http://127.0.0.1:"), first
        url = first.split()[3]
        with urllib.request.urlopen(url, timeout=10) as page:
            assert "onboardbot sandbox" in page.read().decode()
        with urllib.request.urlopen(url + "ui/people", timeout=10) as answer:
            roles = {p["role"] for p in json.load(answer)["people"]}
        assert roles == {"CSM", "CS team", "champion", "decision-maker", "another customer"}
        database = Path(process.stdout.readline().split(": ", 1)[1].strip())
        assert database.is_file()  # a fresh SQLite file, migrated
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopping" in out
    assert "Traceback" not in err
    assert not database.exists()  # the session's files go with it


def test_a_broken_playbook_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    playbook = tmp_path / "draft.yaml"
    playbook.write_text("name: draft\nversion: 1\n", encoding="utf-8")
    process = start("--playbook", str(playbook), cwd=tmp_path)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err.startswith("onboardbot: --playbook: ")
    assert "draft.yaml" in err and "Traceback" not in err
    assert out == ""


def test_a_taken_port_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start("--port", str(port), cwd=tmp_path)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert out == ""
    assert err.strip() == f"onboardbot: cannot listen on 127.0.0.1:{port}: Address already in use"


# As in the production image, which leaves the sandbox out.
WITHOUT_SANDBOX = """
import sys
sys.modules["slack_sandbox"] = None  # `import slack_sandbox` now fails as if not installed
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["demo", "sandbox"])
def test_without_the_sandbox_installed_it_is_one_line_and_exit_code_1(
    command: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX, command],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"onboardbot: {command} needs the local Slack sandbox")
    assert done.stderr.rstrip().endswith(f"(`make {command}`)")
