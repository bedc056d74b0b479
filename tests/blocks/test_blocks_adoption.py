"""Completion, survey, close, adoption check-in, habit nudges and the App Home."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

import bot.blocks.adoption
import bot.blocks.completion
import bot.blocks.home
import bot.blocks.message
from bot.blocks.adoption import checkin_message, checkin_thanks, habit_nudge, stalled_alert
from bot.blocks.completion import (
    closed_message,
    completion_message,
    survey_comment_modal,
    survey_message,
    survey_thanks,
)
from bot.blocks.home import home_for_others, home_for_staff
from bot.blocks.ids import (
    CHECKIN_ACTION,
    SURVEY_ACTION,
    ActionId,
    CallbackId,
    SurveyField,
    checkin_action,
    survey_action,
)
from bot.blocks.message import Message
from bot.domain.answers import CHECKIN_ANSWERS
from bot.domain.views import HabitView, HomeProject, ProjectView, TaskView
from bot.i18n import CATALOG_DIR, LOCALES, placeholders, t
from slack_sandbox.block_limits import check_blocks, check_view
from tests.blocks.builders import project_view, task_view

TODAY = date(2027, 5, 12)  # Wednesday
EVIL = "<!channel> & <@U999>"


def task(task_id: int, *, due: date, **changes: Any) -> TaskView:
    return task_view(task_id, due=due, **{"status": "done", **changes})


def project(**changes: Any) -> ProjectView:
    return project_view(
        **{
            "status": "completed",
            "target_go_live": date(2027, 5, 31),
            "goal": "Every expense claim filed in the app",
            "completion_criteria": ("All staff can log in", "First month-end closed in the app"),
            "tasks": (task(1, due=date(2027, 4, 20)), task(2, due=date(2027, 5, 10))),
            **changes,
        }
    )


HABITS = [
    HabitView(id="weekly-review", title="Review claims every Monday", why="Keeps month-end calm"),
    HabitView(id="new-joiners", title="Add new joiners on day one", why=""),
]


def all_text(blocks: Any) -> str:
    """Every string in `blocks`, one per line."""
    if isinstance(blocks, str):
        return blocks
    if isinstance(blocks, dict):
        return "\n".join(all_text(v) for v in blocks.values())
    if isinstance(blocks, list):
        return "\n".join(all_text(v) for v in blocks)
    return ""


def assert_valid_message(message: Message) -> None:
    assert message.text.strip()
    assert check_blocks(message.blocks, max_blocks=50) == []
    assert_unique_ids(message.blocks)


def assert_unique_ids(blocks: list[dict[str, Any]]) -> None:
    block_ids = [b["block_id"] for b in blocks]
    assert len(block_ids) == len(set(block_ids)), block_ids
    for block in blocks:
        ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        assert len(ids) == len(set(ids)), ids


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


# --- ids -------------------------------------------------------------------------------


def test_survey_and_checkin_action_ids_round_trip_through_their_regexes() -> None:
    assert survey_action("csat", 4) == "survey_csat:4"
    assert survey_action("nps", 10) == "survey_nps:10"
    match = SURVEY_ACTION.match(survey_action("nps", 0))
    assert match is not None and match.groups() == ("nps", "0")
    for answer in CHECKIN_ANSWERS:
        match = CHECKIN_ACTION.match(checkin_action(answer))
        assert match is not None and match.group(1) == answer
    assert SURVEY_ACTION.match(ActionId.SURVEY_CSAT) is None
    assert CHECKIN_ACTION.match("checkin:never") is None
    with pytest.raises(ValueError):
        survey_action("ces", 1)
    with pytest.raises(ValueError):
        checkin_action("never")


# --- completion ------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_completion_message_shows_criteria_time_thanks_and_next(locale: str) -> None:
    message = completion_message(project(locale=locale), business_days=26, calendar_days=37)
    assert_valid_message(message)
    text = all_text(message.blocks)
    assert "✅ All staff can log in" in text
    assert "✅ First month-end closed in the app" in text
    assert "Every expense claim filed in the app" in text
    assert "37" in text and "26" in text
    assert "<@UTARO>" in text and "<@UCSM>" in text
    assert "2027" in text  # the kickoff date
    assert t(locale, "completion.next").split("\n")[0] in text


@pytest.mark.parametrize("locale", LOCALES)
def test_completion_message_without_criteria_champion_csm_or_goal(locale: str) -> None:
    p = project(
        locale=locale, completion_criteria=(), champion_user_id=None, csm_user_id=None, goal=""
    )
    message = completion_message(p, business_days=1, calendar_days=1)
    assert_valid_message(message)
    text = all_text(message.blocks)
    assert t(locale, "completion.criteria_empty") in text
    assert t(locale, "completion.thanks_team") in text
    assert "<@" not in text


def test_completion_message_singular_days_in_english() -> None:
    message = completion_message(project(), business_days=1, calendar_days=1)
    text = all_text(message.blocks)
    assert "1 day (1 business day)" in text


def test_completion_message_cuts_a_long_criteria_list_to_one_section() -> None:
    criteria = tuple(f"Criterion {n} " + "x" * 280 for n in range(40))
    message = completion_message(
        project(completion_criteria=criteria), business_days=20, calendar_days=28
    )
    assert_valid_message(message)
    assert re.search(r"…and \d+ more", all_text(message.blocks))


def test_completion_message_escapes_customer_text() -> None:
    p = project(customer_name=EVIL, goal=EVIL, completion_criteria=(EVIL,))
    message = completion_message(p, business_days=5, calendar_days=7)
    for text in (message.text, all_text(message.blocks)):
        assert "<!channel>" not in text and "<@U999>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U999&gt;" in message.text


# --- survey ----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_survey_buttons_carry_the_project_and_the_score(locale: str) -> None:
    message = survey_message(project(locale=locale))
    assert_valid_message(message)
    assert "<@UTARO>" in all_text(message.blocks)
    scores: dict[str, list[int]] = {"csat": [], "nps": []}
    comment = []
    for element in buttons(message.blocks):
        match = SURVEY_ACTION.match(element["action_id"])
        if match is None:
            comment.append(element)
            continue
        kind, score = match.group(1), int(match.group(2))
        project_id, value_score = element["value"].split(":")
        assert (int(project_id), int(value_score)) == (42, score)
        scores[kind].append(score)
    assert scores == {"csat": [1, 2, 3, 4, 5], "nps": list(range(11))}
    assert [(e["action_id"], e["value"]) for e in comment] == [(ActionId.SURVEY_COMMENT, "42")]


def test_survey_without_a_champion_addresses_the_role() -> None:
    message = survey_message(project(champion_user_id=None, customer_name=EVIL))
    assert_valid_message(message)
    text = all_text(message.blocks)
    assert t("en", "role.champion") in text and "<@" not in text
    assert "<!channel>" not in message.text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("csat", "nps"), [(5, 9), (3, None), (None, 0), (None, None)])
def test_survey_thanks(locale: str, csat: int | None, nps: int | None) -> None:
    message = survey_thanks(locale, csat=csat, nps=nps)
    assert_valid_message(message)
    if csat is not None:
        assert f"{csat}/5" in message.text
    if nps is not None:
        assert f"{nps}/10" in message.text


@pytest.mark.parametrize("locale", LOCALES)
def test_survey_comment_modal(locale: str) -> None:
    view = survey_comment_modal(42, locale=locale)
    assert check_view(view) == []
    assert view["callback_id"] == CallbackId.SURVEY_COMMENT
    assert view["private_metadata"] == "42"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 1
    element = inputs[0]["element"]
    assert inputs[0]["block_id"] == element["action_id"] == SurveyField.COMMENT
    assert element["multiline"] is True and element["max_length"] == 3000


# --- close -----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("outcome", ["completed", "cancelled"])
def test_closed_message(locale: str, outcome: str) -> None:
    message = closed_message(
        project(locale=locale), outcome=outcome, reason="Budget review", actor_user_id="UCSM"
    )
    assert_valid_message(message)
    text = all_text(message.blocks)
    assert "<@UCSM>" in text and "Budget review" in text
    without = closed_message(
        project(locale=locale), outcome=outcome, reason=None, actor_user_id="U1"
    )
    assert_valid_message(without)
    assert len(without.blocks) == len(message.blocks) - 1


def test_closed_message_escapes_and_cuts_the_reason() -> None:
    message = closed_message(
        project(customer_name=EVIL),
        outcome="cancelled",
        reason=EVIL + " " + "y" * 5000,
        actor_user_id="UCSM",
    )
    assert_valid_message(message)
    text = message.text + all_text(message.blocks)
    assert "<!channel>" not in text and "<@U999>" not in text


def test_closed_message_rejects_an_unknown_outcome() -> None:
    with pytest.raises(ValueError):
        closed_message(project(), outcome="lost", reason=None, actor_user_id="U1")


# --- check-in and habits ---------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_checkin_message_has_one_button_per_answer(locale: str) -> None:
    message = checkin_message(project(locale=locale), days_since=30)
    assert_valid_message(message)
    assert "30" in all_text(message.blocks)
    answers = []
    for element in buttons(message.blocks):
        match = CHECKIN_ACTION.match(element["action_id"])
        assert match is not None
        assert element["value"] == "42"
        answers.append(match.group(1))
    assert tuple(answers) == CHECKIN_ANSWERS


def test_checkin_message_escapes_the_goal() -> None:
    message = checkin_message(project(goal=EVIL, customer_name=EVIL), days_since=1)
    assert_valid_message(message)
    assert "<!channel>" not in message.text + all_text(message.blocks)


@pytest.mark.parametrize("locale", LOCALES)
def test_checkin_thanks(locale: str) -> None:
    texts = set()
    for answer in CHECKIN_ANSWERS:
        message = checkin_thanks(locale, answer)
        assert_valid_message(message)
        texts.add(message.text)
    assert len(texts) == len(CHECKIN_ANSWERS)
    with pytest.raises(ValueError):
        checkin_thanks(locale, "never")


@pytest.mark.parametrize("locale", LOCALES)
def test_stalled_alert_suggests_next_steps(locale: str) -> None:
    message = stalled_alert(project(locale=locale, customer_name=EVIL), answered_by="UTARO")
    assert_valid_message(message)
    text = all_text(message.blocks)
    assert "<@UTARO>" in text and "<#CACME>" in text
    assert "<!channel>" not in text + message.text
    assert t(locale, "checkin.stalled.next") in text
    (status,) = buttons(message.blocks)
    assert (status["action_id"], status["value"]) == (ActionId.OPEN_STATUS, "42")
    no_goal = stalled_alert(project(locale=locale, goal="", channel_id=None), answered_by="U1")
    assert_valid_message(no_goal)
    assert t(locale, "checkin.stalled.goal_empty") in all_text(no_goal.blocks)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("week", [1, 2, 3, 4])
def test_habit_nudge_lists_each_habit_with_its_why(locale: str, week: int) -> None:
    message = habit_nudge(project(locale=locale), HABITS, week=week)
    assert_valid_message(message)
    text = all_text(message.blocks)
    assert "Review claims every Monday" in text and "Keeps month-end calm" in text
    assert "Add new joiners on day one" in text
    assert f"{week}" in message.text


def test_habit_nudge_limits_escaping_and_weeks() -> None:
    many = [HabitView(id=f"h{n}", title=EVIL, why="w" * 5000) for n in range(200)]
    message = habit_nudge(project(), many, week=2)
    assert_valid_message(message)
    assert "<!channel>" not in all_text(message.blocks)
    assert "…and 190 more" in all_text(message.blocks)
    empty = habit_nudge(project(), [], week=1)
    assert_valid_message(empty)
    for week in (0, 5):
        with pytest.raises(ValueError):
            habit_nudge(project(), HABITS, week=week)


# --- App Home --------------------------------------------------------------------------


def home_project(project_id: int, state: str = "on_track", **changes: Any) -> HomeProject:
    fields: dict[str, Any] = {
        "id": project_id,
        "status": "active",
        "channel_id": f"C{project_id}",
        "tasks": (
            task(1, due=date(2027, 5, 3), status="open"),
            task(2, due=date(2027, 5, 14), status="open", title="Import <!here> data"),
            task(3, due=date(2027, 4, 20)),
        ),
    }
    p = project(**(fields | changes))
    return HomeProject(project=p, overdue=1, open_risks=2, state=state)


@pytest.mark.parametrize("locale", LOCALES)
def test_home_for_staff(locale: str) -> None:
    items = [
        home_project(1),
        home_project(2, "late", customer_name=EVIL),
        home_project(3, "paused", channel_id=None),
    ]
    view = home_for_staff(items, locale=locale, today=TODAY)
    assert view["type"] == "home"
    assert check_view(view) == []
    assert_unique_ids(view["blocks"])
    text = all_text(view["blocks"])
    assert "<!channel>" not in text and "<!here>" not in text
    assert "Import &lt;!here&gt; data" in text
    assert "▓" in text
    assert t(locale, "health.late") in text
    by_action: dict[str, list[dict[str, Any]]] = {}
    for element in buttons(view["blocks"]):
        by_action.setdefault(element["action_id"], []).append(element)
    assert [e["value"] for e in by_action[ActionId.HOME_OPEN_STATUS]] == ["1", "2", "3"]
    channels = by_action[ActionId.HOME_OPEN_CHANNEL]
    assert [e["value"] for e in channels] == ["C1", "C2"]
    assert channels[0]["url"] == "https://slack.com/app_redirect?channel=C1"


@pytest.mark.parametrize("locale", LOCALES)
def test_home_for_staff_counts_what_does_not_fit(locale: str) -> None:
    items = [home_project(n, customer_name="x" * 500) for n in range(1, 121)]
    view = home_for_staff(items, locale=locale, today=TODAY)
    assert check_view(view) == []
    assert len(view["blocks"]) <= 100
    assert_unique_ids(view["blocks"])
    shown = [e for e in buttons(view["blocks"]) if e["action_id"] == ActionId.HOME_OPEN_STATUS]
    hidden = 120 - len(shown)
    assert hidden > 0
    assert t(locale, "home.more", count=hidden) in all_text(view["blocks"])

    exactly = home_for_staff(items[:48], locale=locale, today=TODAY)
    assert check_view(exactly) == [] and len(exactly["blocks"]) == 100
    assert "/onboard status" not in all_text(exactly["blocks"])


@pytest.mark.parametrize("locale", LOCALES)
def test_home_for_staff_without_projects_and_home_for_others(locale: str) -> None:
    empty = home_for_staff([], locale=locale, today=TODAY)
    assert check_view(empty) == []
    assert t(locale, "home.empty") in all_text(empty["blocks"])
    others = home_for_others(locale)
    assert others["type"] == "home"
    assert check_view(others) == []
    assert_unique_ids(others["blocks"])


# --- catalogs --------------------------------------------------------------------------


def load(locale: str) -> dict[str, str]:
    return json.loads((CATALOG_DIR / locale / "adoption.json").read_text(encoding="utf-8"))


def test_adoption_catalogs_have_the_same_keys_and_placeholders() -> None:
    ja, en = load("ja"), load("en")
    assert set(ja) == set(en), set(ja) ^ set(en)
    for key in en:
        assert placeholders(ja[key]) == placeholders(en[key]), key
        assert ja[key].strip() and en[key].strip(), key
    prefixes = ("completion.", "survey.", "close.", "checkin.", "habit.", "home.")
    assert all(key.startswith(prefixes) for key in en)


def test_every_adoption_key_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()

    def recording_t(locale: str, key: str, /, **values: object) -> str:
        used.add(key)
        return t(locale, key, **values)

    for module in (bot.blocks.adoption, bot.blocks.completion, bot.blocks.home, bot.blocks.message):
        monkeypatch.setattr(module, "t", recording_t)

    for locale in LOCALES:
        for p in (
            project(locale=locale),
            project(
                locale=locale,
                goal="",
                completion_criteria=(),
                champion_user_id=None,
                csm_user_id=None,
                channel_id=None,
            ),
            project(locale=locale, completion_criteria=("c" * 300,) * 30),
        ):
            for days in (1, 2):
                completion_message(p, business_days=days, calendar_days=days)
                checkin_message(p, days_since=days)
            survey_message(p)
            for outcome in ("completed", "cancelled"):
                closed_message(p, outcome=outcome, reason="why", actor_user_id="U1")
            stalled_alert(p, answered_by="U1")
            for week in (1, 2, 3, 4):
                habit_nudge(p, HABITS * 6, week=week)
            habit_nudge(p, [], week=1)
        for csat, nps in ((5, 9), (3, None), (None, 0), (None, None)):
            survey_thanks(locale, csat=csat, nps=nps)
        survey_comment_modal(1, locale=locale)
        for answer in CHECKIN_ANSWERS:
            checkin_thanks(locale, answer)
        items = [
            HomeProject(
                project=project(locale=locale, id=n), overdue=n % 2, open_risks=n % 3, state=s
            )
            for n, s in enumerate(("on_track", "at_risk", "late", "paused"), start=1)
        ]
        items.append(home_project(9))
        home_for_staff(items * 30, locale=locale, today=TODAY)
        home_for_staff([], locale=locale, today=TODAY)
        home_for_staff(items[:1], locale=locale, today=TODAY)
        home_for_others(locale)

    mine = set(load("en"))
    assert mine - used == set(), "keys never rendered"
    assert {k for k in used if not k.startswith("role.")} <= mine
