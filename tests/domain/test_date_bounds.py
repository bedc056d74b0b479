from datetime import date

from bot.domain.date_bounds import ahead_problem, go_live_problem, kickoff_problem, years_from

TODAY = date(2027, 4, 5)


def test_years_from_keeps_the_day_and_turns_29_february_into_28() -> None:
    assert years_from(TODAY, 2) == date(2029, 4, 5)
    assert years_from(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert years_from(date(9999, 12, 31), 3) == date(9999, 12, 31)  # no overflow
    assert years_from(date(1, 1, 1), -2) == date(1, 1, 1)


def test_kickoff_within_two_years_of_today() -> None:
    assert kickoff_problem(date(2025, 4, 5), today=TODAY) is None
    assert kickoff_problem(date(2029, 4, 5), today=TODAY) is None
    for typo in (date(207, 4, 5), date(1, 1, 1), date(9999, 12, 31), date(2029, 4, 6)):
        key, values = kickoff_problem(typo, today=TODAY)  # type: ignore[misc]
        assert key == "error.kickoff_out_of_range"
        assert values == {
            "date": typo.isoformat(),
            "earliest": "2025-04-05",
            "latest": "2029-04-05",
        }


def test_go_live_after_kickoff_and_within_three_years() -> None:
    assert go_live_problem(date(2030, 4, 5), kickoff=TODAY) is None
    assert go_live_problem(TODAY, kickoff=TODAY)[0] == "error.go_live_before_kickoff"  # type: ignore[index]
    assert go_live_problem(date(2030, 4, 6), kickoff=TODAY) == (
        "error.go_live_too_far",
        {"date": "2030-04-06", "latest": "2030-04-05"},
    )


def test_plan_dates_at_most_three_years_ahead() -> None:
    assert ahead_problem(date(2030, 4, 5), today=TODAY) is None
    assert ahead_problem(date(2030, 4, 6), today=TODAY)[0] == "error.date_too_far"  # type: ignore[index]
