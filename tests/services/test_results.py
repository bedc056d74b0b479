from bot.domain.permissions import Decision
from bot.services.results import Changed, Refused, Unchanged, denied


def test_results_compare_by_value() -> None:
    assert Changed(1) == Changed(1) and Changed(1) != Unchanged(1)
    assert Refused("deny.not_staff") == Refused("deny.not_staff", {}, None)
    assert Refused("deny.not_staff", locale="ja") != Refused("deny.not_staff")


def test_a_denied_decision_gives_its_reason_in_the_projects_language() -> None:
    assert denied(Decision(False, "deny.vendor_task"), locale="ja") == Refused(
        "deny.vendor_task", locale="ja"
    )


def test_a_denial_without_a_reason_is_an_unexpected_error() -> None:
    assert denied(Decision(False, None)) == Refused("error.unexpected")
