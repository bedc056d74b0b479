"""Tests for bot.domain.playbook: the shipped playbooks and the loader's error messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from bot.domain.playbook import (
    EscalationPolicy,
    LocalizedText,
    Playbook,
    PlaybookError,
    load_playbook,
    load_playbooks,
    parse_playbook,
    shipped_playbook_dir,
)

SHIPPED = ["high-touch", "low-touch", "tech-touch"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def text(en: str) -> dict[str, str]:
    return {"ja": f"{en}(日本語)", "en": en}


def task(task_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": task_id,
        "phase": "setup",
        "title": text(f"Do {task_id}"),
        "why": text(f"Because {task_id} matters"),
        "owner_side": "customer",
        "owner_role": "champion",
        "start_offset": 0,
        "duration": 2,
        **fields,
    }


def playbook(**fields: Any) -> dict[str, Any]:
    return {
        "name": "custom",
        "version": 1,
        "touch_model": "low",
        "title": text("Custom onboarding"),
        "goal": text("First success in two weeks"),
        "completion_criteria": [text("Everyone logged in")],
        "phases": [
            {"id": "kickoff", "title": text("Kickoff")},
            {"id": "setup", "title": text("Setup")},
        ],
        "tasks": [
            task("kickoff-call", phase="kickoff", owner_side="vendor", owner_role="csm"),
            task("first-task", depends_on=["kickoff-call"], start_offset=2, first_value=True),
        ],
        **fields,
    }


def write(directory: Path, data: Any, name: str = "custom.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    return caught.value.problems


def localized_texts(model: BaseModel) -> list[LocalizedText]:
    found: list[LocalizedText] = []
    for name in type(model).model_fields:
        values = getattr(model, name)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, LocalizedText):
                found.append(value)
            elif isinstance(value, BaseModel):
                found.extend(localized_texts(value))
    return found


def shipped(name: str) -> Playbook:
    return load_playbook(shipped_playbook_dir() / f"{name}.yaml")


# --- shipped playbooks -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_playbook_loads_with_a_modest_number_of_tasks(name: str) -> None:
    pb = shipped(name)

    assert pb.name == name
    assert pb.touch_model == name.removesuffix("-touch")
    assert 8 <= len(pb.tasks) <= 20
    assert 2 <= len(pb.completion_criteria) <= 4
    assert 1 <= len(pb.adoption_habits) <= 3


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_texts_exist_in_both_locales(name: str) -> None:
    texts = localized_texts(shipped(name))

    assert len(texts) > 2 * len(shipped(name).tasks)
    for item in texts:
        assert item.ja.strip() and item.en.strip()
        assert JAPANESE.search(item.ja), f"no Japanese in ja text {item.ja!r}"
        assert not JAPANESE.search(item.en), f"Japanese in en text {item.en!r}"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_whys_are_one_line_and_say_more_than_the_title(name: str) -> None:
    for spec in shipped(name).tasks:
        for locale in ("ja", "en"):
            why, title = spec.why.get(locale), spec.title.get(locale)
            assert "\n" not in why
            assert why != title and title not in why


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_first_success_is_reachable_within_ten_business_days(name: str) -> None:
    pb = shipped(name)
    marked = [spec for spec in pb.tasks if spec.first_value]

    assert len(marked) == 1
    assert marked[0].required
    assert marked[0].start_offset + marked[0].duration <= 10


@pytest.mark.parametrize(
    ("name", "shortest", "longest"),
    [("high-touch", 30, 40), ("low-touch", 15, 20), ("tech-touch", 10, 15)],
)
def test_shipped_plan_length_matches_its_touch_model(
    name: str, shortest: int, longest: int
) -> None:
    last_due = max(spec.due_offset for spec in shipped(name).tasks)

    assert shortest <= last_due <= longest


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_dependencies_are_due_before_the_tasks_that_need_them(name: str) -> None:
    pb = shipped(name)
    for spec in pb.tasks:
        for dep in spec.depends_on:
            assert pb.task(dep).due_offset <= spec.due_offset, f"{spec.id} needs {dep}"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_customer_load_stays_modest(name: str) -> None:
    customer = [spec for spec in shipped(name).tasks if spec.owner_side == "customer"]
    last_day = max(spec.due_offset for spec in customer)

    busiest = max(
        sum(spec.start_offset <= day < spec.due_offset for spec in customer)
        for day in range(last_day)
    )

    assert busiest <= 3


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_kickoff_asks_about_busy_periods(name: str) -> None:
    pb = shipped(name)

    assert pb.task("busy-periods").phase == pb.phases[0].id
    assert pb.task("busy-periods").owner_side == "customer"


def test_shipped_playbooks_mix_sides_and_tech_touch_has_fewest_vendor_tasks() -> None:
    vendor_tasks = {
        name: sum(spec.owner_side == "vendor" for spec in shipped(name).tasks) for name in SHIPPED
    }

    assert all(count >= 1 for count in vendor_tasks.values())
    assert vendor_tasks["tech-touch"] < vendor_tasks["low-touch"] < vendor_tasks["high-touch"]
    assert any(spec.owner_role == "decision_maker" for spec in shipped("high-touch").tasks)


def test_load_playbooks_returns_the_shipped_playbooks_by_name() -> None:
    playbooks = load_playbooks()

    assert list(playbooks) == SHIPPED
    assert playbooks["low-touch"].title.get("ja") == "ロータッチ導入プラン(約4週間)"


# --- model API ---------------------------------------------------------------------------------


def test_lookup_helpers_and_defaults(tmp_path: Path) -> None:
    pb = load_playbook(write(tmp_path, playbook()))

    assert pb.task("first-task").depends_on == ["kickoff-call"]
    assert pb.phase("kickoff").title.get("en") == "Kickoff"
    assert pb.reminder_lead_days == 2
    assert pb.escalation == EscalationPolicy(
        csm_after_days=2, decision_maker_after_days=5, decision_maker_overdue_tasks=3
    )
    assert pb.checkin_after_days == 30
    assert pb.adoption_habits == []
    with pytest.raises(KeyError, match="playbook 'custom' has no task 'nope'"):
        pb.task("nope")
    with pytest.raises(KeyError, match="playbook 'custom' has no phase 'nope'"):
        pb.phase("nope")


def test_localized_text_get_rejects_unknown_locale() -> None:
    greeting = LocalizedText(ja="こんにちは", en="Hello")

    assert greeting.get("ja") == "こんにちは"
    assert greeting.get("en") == "Hello"
    with pytest.raises(ValueError, match="unsupported locale 'fr'"):
        greeting.get("fr")  # type: ignore[arg-type]


def test_model_validate_applies_the_same_rules() -> None:
    data = playbook()
    data["tasks"][1]["depends_on"] = ["ghost"]

    with pytest.raises(ValidationError, match=r"tasks\[1\]\.depends_on: unknown task 'ghost'"):
        Playbook.model_validate(data)


# --- readable validation errors ------------------------------------------------------------


def test_missing_locale_text_names_file_task_and_field(tmp_path: Path) -> None:
    data = playbook()
    del data["tasks"][1]["why"]["en"]

    assert problems_of(write(tmp_path, data, "low-touch.yaml")) == [
        "low-touch.yaml: task 'first-task': field 'why.en': field required"
    ]


def test_blank_text_is_rejected(tmp_path: Path) -> None:
    data = playbook()
    data["completion_criteria"][0]["ja"] = "   "

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: field 'completion_criteria[0].ja': must not be empty"
    ]


def test_plain_string_instead_of_localized_text(tmp_path: Path) -> None:
    data = playbook()
    data["phases"][0]["title"] = "Kickoff"

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: phase 'kickoff': field 'title': needs 'ja' and 'en' texts,"
        " got a string ('Kickoff')"
    ]


def test_multiline_why_is_rejected(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][0]["why"]["en"] = "First line.\nSecond line."

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'kickoff-call': field 'why': must be a single line"
    ]


def test_unknown_dependency(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][1]["depends_on"] = ["kickoff-call", "sign-contract"]

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'first-task': field 'depends_on': unknown task 'sign-contract'"
    ]


def test_dependency_cycle_reports_the_path(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][0]["depends_on"] = ["third"]
    data["tasks"].append(task("third", depends_on=["first-task"]))

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'kickoff-call': field 'depends_on':"
        " dependency cycle: kickoff-call -> third -> first-task -> kickoff-call"
    ]


def test_self_dependency(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][1]["depends_on"] = ["first-task"]

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'first-task': field 'depends_on': a task cannot depend on itself"
    ]


def test_negative_offset_and_zero_duration(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][1].update(start_offset=-1, duration=0)

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'first-task': field 'start_offset':"
        " input should be greater than or equal to 0 (got -1)",
        "custom.yaml: task 'first-task': field 'duration':"
        " input should be greater than or equal to 1 (got 0)",
    ]


def test_unknown_phase(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][1]["phase"] = "setpu"

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'first-task': field 'phase': unknown phase 'setpu'"
        " (phases: kickoff, setup)"
    ]


def test_side_role_mismatch(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][1]["owner_role"] = "csm"

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'first-task': field 'owner_role': 'csm' is not a customer-side role;"
        " use one of: champion, decision_maker, customer_member"
    ]


def test_unknown_role_value(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][1]["owner_role"] = "owner"

    (problem,) = problems_of(write(tmp_path, data))
    assert problem.startswith("custom.yaml: task 'first-task': field 'owner_role': input should be")
    assert problem.endswith("(got 'owner')")


def test_duplicate_task_id(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"].append(task("kickoff-call"))

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'kickoff-call': field 'id': duplicate id 'kickoff-call' (#1 and #3)"
    ]


def test_duplicate_phase_id(tmp_path: Path) -> None:
    data = playbook()
    data["phases"].append({"id": "setup", "title": text("Again")})

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: phase 'setup': field 'id': duplicate id 'setup' (#2 and #3)"
    ]


def test_task_id_must_be_a_slug(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"].append(task("Invite Users"))

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'Invite Users': field 'id': 'Invite Users' is not a valid id:"
        " use lowercase letters, digits, '-' and '_' (e.g. 'invite-users')"
    ]


def test_unknown_key_suggests_the_intended_one(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"][0]["requird"] = False

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'kickoff-call': field 'requird': unknown key; did you mean 'required'?"
    ]


def test_unknown_top_level_key_lists_allowed_keys(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, playbook(owner="cs-team")))

    assert problem.startswith("custom.yaml: field 'owner': unknown key; allowed keys: name, ")


def test_task_without_id_is_named_by_position(tmp_path: Path) -> None:
    data = playbook()
    del data["tasks"][1]["id"]

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task #2: field 'id': field required"
    ]


def test_exactly_one_first_value_task(tmp_path: Path) -> None:
    none_marked = playbook()
    none_marked["tasks"][1]["first_value"] = False
    two_marked = playbook()
    two_marked["tasks"][0]["first_value"] = True

    assert problems_of(write(tmp_path, none_marked, "none.yaml")) == [
        "none.yaml: field 'tasks': no task has first_value: true;"
        " mark the one task that counts as the customer's first success"
    ]
    assert problems_of(write(tmp_path, two_marked, "two.yaml")) == [
        "two.yaml: field 'tasks': exactly one task may have first_value: true,"
        " found 'kickoff-call', 'first-task'"
    ]


def test_at_least_one_required_task(tmp_path: Path) -> None:
    data = playbook()
    data["tasks"] = [task("only", first_value=True, required=False)]

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: task 'only': field 'required': the first_value task must be required",
        "custom.yaml: field 'tasks': at least one task must be required",
    ]


def test_escalation_reaches_the_csm_before_the_decision_maker(tmp_path: Path) -> None:
    data = playbook(escalation={"csm_after_days": 5, "decision_maker_after_days": 3})

    assert problems_of(write(tmp_path, data)) == [
        "custom.yaml: field 'escalation.decision_maker_after_days': must not be less than"
        " csm_after_days (5): the CSM hears about an overdue task before the decision-maker"
    ]


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    data = playbook(version=0)
    del data["goal"]["ja"]
    data["tasks"][0]["duration"] = 0

    with pytest.raises(PlaybookError) as caught:
        load_playbook(write(tmp_path, data))

    assert str(caught.value).splitlines() == [
        "custom.yaml: field 'version': input should be greater than or equal to 1 (got 0)",
        "custom.yaml: field 'goal.ja': field required",
        "custom.yaml: task 'kickoff-call': field 'duration':"
        " input should be greater than or equal to 1 (got 0)",
    ]


# --- YAML problems -------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "name: broken\nversion: 1\ntitle:\n  ja: 壊れた\n en: Broken\n", encoding="utf-8"
    )

    assert problems_of(path) == [
        "broken.yaml: line 5, column 2: invalid YAML: expected <block end>,"
        " but found '<block mapping start>' (check the indentation)"
    ]


def test_yaml_tab_indentation_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "tabs.yaml"
    path.write_text("name: tabs\ntitle:\n\tja: タブ\n", encoding="utf-8")

    assert problems_of(path) == [
        "tabs.yaml: line 3, column 1: invalid YAML: found character '\\t'"
        " that cannot start any token (indent with spaces, not tabs)"
    ]


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("name: a\nversion: 1\nname: b\n", encoding="utf-8")

    assert problems_of(path) == ["twice.yaml: line 3, column 1: invalid YAML: duplicate key 'name'"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty.yaml: the file is empty"),
        ("- a\n- b\n", "empty.yaml: expected a mapping of playbook fields, got a list"),
    ],
)
def test_file_that_is_not_a_mapping(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(content, encoding="utf-8")

    assert problems_of(path) == [expected]


def test_missing_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "absent.yaml") == [
        "absent.yaml: cannot read file: No such file or directory"
    ]


def test_parse_playbook_uses_the_given_source() -> None:
    with pytest.raises(PlaybookError, match=r"^upload: field 'version': field required$"):
        parse_playbook({k: v for k, v in playbook().items() if k != "version"}, source="upload")


# --- extra playbook directory --------------------------------------------------------------


def test_extra_dir_overrides_a_shipped_playbook_and_adds_new_ones(tmp_path: Path) -> None:
    override = playbook(name="low-touch", overrides="low-touch", title=text("Our own low touch"))
    write(tmp_path, override, "our-low-touch.yaml")
    write(tmp_path, playbook(name="partner"), "partner.yml")
    (tmp_path / "notes.txt").write_text("not a playbook", encoding="utf-8")

    playbooks = load_playbooks(tmp_path)

    assert list(playbooks) == [*SHIPPED, "partner"]
    assert playbooks["low-touch"].title.en == "Our own low touch"
    assert playbooks["high-touch"] == shipped("high-touch")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"name": "low-touch"},
            "ours.yaml: playbook 'low-touch' is shipped with the bot: add `overrides: low-touch`"
            " to replace it, or give this playbook another name",
        ),
        (
            {"name": "mid-touch", "overrides": "mid-touch"},
            "ours.yaml: field 'overrides': no shipped playbook is named 'mid-touch'"
            " (shipped: high-touch, low-touch, tech-touch)",
        ),
        (
            {"name": "partner", "overrides": "low-touch"},
            "ours.yaml: field 'overrides': a playbook replaces the shipped one of its own name;"
            " set `name: low-touch` or remove `overrides`",
        ),
    ],
)
def test_a_shipped_playbook_is_replaced_only_when_the_custom_one_says_so(
    tmp_path: Path, changes: dict[str, str], problem: str
) -> None:
    write(tmp_path, playbook(**changes), "ours.yaml")

    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)

    assert caught.value.problems == [problem]
    assert load_playbooks()["low-touch"] == shipped("low-touch")


def test_invalid_extra_playbook_names_its_file(tmp_path: Path) -> None:
    data = playbook(name="partner")
    data["tasks"][1]["owner_side"] = "client"
    write(tmp_path, data, "partner.yaml")

    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)

    assert caught.value.problems == [
        "partner.yaml: task 'first-task': field 'owner_side':"
        " input should be 'customer' or 'vendor' (got 'client')"
    ]


def test_two_extra_files_with_the_same_name(tmp_path: Path) -> None:
    write(tmp_path, playbook(), "a.yaml")
    write(tmp_path, playbook(), "b.yaml")

    with pytest.raises(PlaybookError) as caught:
        load_playbooks(tmp_path)

    assert caught.value.problems == ["b.yaml: playbook name 'custom' is already used by a.yaml"]


def test_extra_dir_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    with pytest.raises(PlaybookError, match="nowhere: not a directory"):
        load_playbooks(missing)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_labels_match_the_planned_length(name: str) -> None:
    """ "About N weeks" / "約N週間" is what the planner makes of the playbook: N × 5 business
    days, give or take two, from kickoff through the last due date."""
    from datetime import date

    from bot.domain.calendar import BusinessCalendar
    from bot.domain.planning import plan

    playbook = shipped(name)
    weeks_en = int(re.search(r"about (\d+) weeks", playbook.title.en).group(1))  # type: ignore[union-attr]
    weeks_ja = int(re.search(r"約(\d+)週間", playbook.title.ja).group(1))  # type: ignore[union-attr]
    calendar = BusinessCalendar(country="JP")
    kickoff = date(2027, 6, 7)  # a Monday
    last_due = max(p.due for p in plan(playbook.tasks, kickoff=kickoff, calendar=calendar))
    business_days = calendar.business_days_between(kickoff, last_due) + 1  # kickoff counts
    assert weeks_en == weeks_ja
    assert abs(business_days - 5 * weeks_en) <= 2, f"{name}: {business_days} business days"
