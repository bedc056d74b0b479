import time

from bot.cli import main
from bot.demo import run_demo


def test_demo_runs_the_kickoff_and_prints_a_transcript(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    started = time.monotonic()
    assert run_demo(lang="en", write=lines.append, workdir=tmp_path) == 0
    assert time.monotonic() - started < 60
    out = "\n".join(lines)
    assert "channel #onb-acme created" in out
    assert "Slack Connect invitation sent to" in out
    assert "checklist pinned" in out
    assert "1/12" in out and "2/12" in out  # the checklist as it changed
    assert "only @" in out  # ephemeral notes
    assert "vendor" in out  # the refused click's reason
    assert "who is this?" in out  # Acme hides e-mail: the CSM is asked, and answers
    assert "@taro · due" in out  # his tasks name him once the CSM answered


def test_demo_command_in_japanese(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "株式会社アクメ" in out and "チェックリスト" in out
