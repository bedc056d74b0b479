"""The plan's timeline picture: a shipped playbook with a busy period, in both languages."""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import date

import pytest

from bot.blocks.timeline import DPI, FRAME_IN, ROW_IN, WIDTH_IN, heading, timeline_png
from bot.cli import main
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.planning import plan
from bot.domain.playbook import load_playbooks
from bot.domain.timeline import closed_days, playbook_timeline
from tests.blocks.test_blocks_digest import png_size

KICKOFF = date(2027, 3, 1)
BUSY = DateRange(date(2027, 3, 22), date(2027, 3, 31))  # the fiscal year-end close


def _timeline(locale: str, **changes: object):  # type: ignore[no-untyped-def]
    playbook = load_playbooks(None)["high-touch"]
    calendar = BusinessCalendar(country="JP").with_blackouts([BUSY])
    planned = plan(playbook.tasks, kickoff=KICKOFF, calendar=calendar)
    return playbook, playbook_timeline(
        playbook,
        planned,
        locale=locale,
        kickoff=KICKOFF,
        calendar=calendar,
        busy=[BUSY],
        today=date(2027, 3, 10),
    )


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_timeline_of_a_shipped_playbook_with_a_busy_period(locale: str) -> None:
    playbook, timeline = _timeline(locale)
    assert len(timeline.tasks) == len(playbook.tasks) == 18
    # Holidays in the plan's range are shaded (Vernal Equinox Day, Showa Day, Golden Week).
    assert {date(2027, 4, 29), date(2027, 5, 3)} <= {d for d, _ in timeline.closed}
    assert all(r.kind in ("holiday", "year_end") for _, r in timeline.closed)
    # The busy period pushes customer work past it: nothing is due inside it.
    assert not any(BUSY.contains(t.due) for t in timeline.tasks)
    customer = replace(timeline, customer="株式会社アクメ" if locale == "ja" else "Acme Corp")
    assert heading(customer).startswith(
        "株式会社アクメ オンボーディング計画" if locale == "ja" else "Acme Corp: onboarding plan"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = timeline_png(timeline)
        timeline_png(customer)
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    assert png_size(png) == (WIDTH_IN * DPI, round((FRAME_IN + ROW_IN * 18) * DPI))


def test_japanese_titles_need_the_bundled_font() -> None:
    """The same picture with the default font misses glyphs: the check above can fail."""
    import bot.blocks.chart as chart

    _, timeline = _timeline("ja")
    timeline = replace(timeline, customer="株式会社アクメ")
    chart.font.cache_clear()
    original = chart.japanese_font_file
    try:
        chart.japanese_font_file = lambda: chart.Path(  # type: ignore[assignment]
            __import__("matplotlib").get_data_path(), "fonts/ttf/DejaVuSans.ttf"
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            timeline_png(timeline)
    finally:
        chart.japanese_font_file = original
        chart.font.cache_clear()
    assert any("Glyph" in str(w.message) for w in caught)


def test_closed_days_leave_out_weekends_and_blackouts() -> None:
    calendar = BusinessCalendar(country="JP").with_blackouts([BUSY])
    days = closed_days(calendar, date(2027, 3, 15), date(2027, 4, 4))
    assert [d for d, _ in days] == [date(2027, 3, 21), date(2027, 3, 22)]  # equinox, substitute


def test_preview_writes_the_timeline_png(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLAYBOOK_DIR", raising=False)
    args = ["playbooks", "preview", "low-touch", "--kickoff", "2027-03-01"]
    assert main([*args, "--blackout", "2027-03-22:2027-03-31", "--format", "png"]) == 0
    written = tmp_path / "low-touch-2027-03-01.png"
    assert capsys.readouterr().out.strip() == str(written.name)
    assert png_size(written.read_bytes())[0] == WIDTH_IN * DPI
    assert main([*args, "--format", "png", "--lang", "en", "--output", "plan.png"]) == 0
    assert (tmp_path / "plan.png").is_file()
    assert main([*args, "--format", "png", "--output", str(tmp_path / "no" / "x.png")]) == 2
    assert "not a file in an existing folder" in capsys.readouterr().err
