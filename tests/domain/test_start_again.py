from dataclasses import replace
from datetime import date

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks.duplicate import duplicate_question
from bot.domain.command_text import Person, StartCommand
from bot.domain.customers import customer_key
from bot.domain.start_again import BUTTON_VALUE_LIMIT, decode, encode, to_ask_about
from bot.i18n import LOCALES

COMMAND = StartCommand(
    customer_name="株式会社サンプル",
    playbook="high-touch",
    kickoff=date(2027, 4, 5),
    go_live=date(2027, 6, 30),
    champion=Person(email="taro@sample.example"),
    decision_maker=Person(user_id="U0DM"),
    csm=Person(user_id="U0CSM"),
    lang="ja",
    members=(Person(email="a@sample.example"), Person(user_id="U0M")),
    fiscal_year_end_month=3,
    channel_name="sample-2027",
)


def test_the_button_value_carries_the_whole_command_and_what_was_seen() -> None:
    value = encode(COMMAND, seen=(3, 7))
    assert value is not None and len(value) <= BUTTON_VALUE_LIMIT
    assert decode(value) == replace(COMMAND, again=True, seen_projects=(3, 7))


def test_a_command_too_long_for_a_button_gets_none() -> None:
    many = tuple(Person(email=f"member{n:03}@sample.example") for n in range(80))
    assert encode(replace(COMMAND, members=many), seen=(1,)) is None


@pytest.mark.parametrize("value", ["", "{}", "[1]", '{"name": "x", "kickoff": "soon"}'])
def test_a_value_that_is_not_a_command_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        decode(value)


def test_who_is_asked_about() -> None:
    assert to_ask_about(COMMAND, [3, 7]) == [3, 7]  # not confirmed
    assert to_ask_about(replace(COMMAND, again=True), [3, 7]) == []  # --again typed
    confirmed = replace(COMMAND, again=True, seen_projects=(3,))
    assert to_ask_about(confirmed, [3]) == []  # the button, nothing new
    assert to_ask_about(confirmed, [3, 9]) == [9]  # started meanwhile


def test_one_customer_typed_several_ways_has_one_key() -> None:
    keys = {customer_key(n) for n in ("株式会社サンプル", "サンプル(株)", "サンプル 株式会社")}
    assert len(keys) == 1
    assert customer_key("Acme Corp") == customer_key("ＡＣＭＥ corp.") == customer_key("acme")
    assert customer_key("Acme Corp") != customer_key("Acme Japan")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_question_is_valid_block_kit_in_both_languages(locale: str) -> None:
    running = [(3, "C0ACME", date(2027, 4, 5)), (7, None, date(2027, 5, 1))]
    question = duplicate_question(locale, COMMAND, running)
    for block in question.blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    text = str(question.blocks)
    assert "<#C0ACME>" in text and "start_again" in text and "`--again`" in text
    note = duplicate_question(locale, replace(COMMAND, again=True, seen_projects=(1,)), running)
    assert "start_again" not in str(note.blocks) and "<#C0ACME>" in note.text
