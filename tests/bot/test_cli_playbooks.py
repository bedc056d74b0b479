import json
from datetime import date

import holidays
import pytest

from bot.cli import main
from bot.domain.playbook import shipped_playbook_dir

SHIPPED = ["high-touch", "low-touch", "tech-touch"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLAYBOOK_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)


def _preview_json(capsys, *args: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert main(["playbooks", "preview", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", SHIPPED)
def test_no_due_date_on_weekend_holiday_or_blackout(name: str, capsys) -> None:  # type: ignore[no-untyped-def]
    jp = holidays.country_holidays("JP", years=[2027])
    tasks = _preview_json(
        capsys, name, "--kickoff", "2027-03-22", "--blackout", "2027-03-25:2027-03-31"
    )
    assert tasks and {"id", "phase", "title", "owner_side", "start", "due"} <= set(tasks[0])
    for task in tasks:
        for field in ("start", "due"):
            day = date.fromisoformat(task[field])
            assert day.weekday() < 5, task
            assert day not in jp, task
            assert not date(2027, 3, 25) <= day <= date(2027, 3, 31), task


@pytest.mark.parametrize("name", SHIPPED)
def test_nothing_due_in_the_year_end_closure(name: str, capsys) -> None:  # type: ignore[no-untyped-def]
    tasks = _preview_json(capsys, name, "--kickoff", "2026-12-25")
    for task in tasks:
        due = date.fromisoformat(task["due"])
        assert not date(2026, 12, 29) <= due <= date(2027, 1, 3), task


def test_table_shows_skipped_holidays_and_blackouts(capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["playbooks", "preview", "low-touch", "--kickoff", "2027-03-22"]
    assert main([*args, "--blackout", "2027-03-25:2027-03-31", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "2027-03-22 (Mon)  holiday: Substitute Holiday" in out
    assert "2027-03-25 (Thu)  blackout" in out
    assert "Due" in out and "Kickoff" in out


def test_bad_input_exits_2_with_a_message(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        main(["playbooks", "preview", "low-touch", "--kickoff", "2027-13-01"])
    assert info.value.code == 2
    assert "'2027-13-01' is not a date" in capsys.readouterr().err
    assert main(["playbooks", "preview", "nope", "--kickoff", "2027-04-01"]) == 2
    assert "no playbook named 'nope'" in capsys.readouterr().err


def test_list_and_validate(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert main(["playbooks", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SHIPPED)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nversion: 0\n")
    good = shipped_playbook_dir() / "low-touch.yaml"
    assert main(["playbooks", "validate", str(good), str(bad)]) == 2
    out = capsys.readouterr().out
    assert "low-touch.yaml: ok" in out and "bad.yaml" in out


def test_db_upgrade_then_schema_is_current(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert main(["db", "upgrade"]) == 0
    assert "database is at revision" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0


def test_help_everywhere(capsys) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ["--help"],
        ["playbooks", "--help"],
        ["playbooks", "preview", "--help"],
        ["db", "--help"],
    ):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0
    assert "--kickoff" in capsys.readouterr().out
