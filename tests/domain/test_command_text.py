from datetime import date

import pytest

from bot.domain.command_text import (
    AssignCommand,
    CloseCommand,
    HelpCommand,
    ParseError,
    PauseCommand,
    Person,
    StartCommand,
    StatusCommand,
    parse,
)
from bot.i18n import catalog


def test_start_with_every_option_and_slack_escaping() -> None:
    cmd = parse(
        "start Acme Corp --playbook low-touch --kickoff 2027-04-05 --go-live=2027-05-31 "
        "--champion <mailto:Taro@acme.example|Taro@acme.example> --decision-maker hanako@acme.example "
        "--csm <@U0CSM|sato> --member <@W0EXT> --lang ja"
    )
    assert cmd == StartCommand(
        customer_name="Acme Corp",
        playbook="low-touch",
        kickoff=date(2027, 4, 5),
        go_live=date(2027, 5, 31),
        champion=Person(email="taro@acme.example"),
        decision_maker=Person(email="hanako@acme.example"),
        csm=Person(user_id="U0CSM"),
        lang="ja",
        members=(Person(user_id="W0EXT"),),
    )


def test_start_without_arguments_opens_the_modal() -> None:
    assert parse("start") == StartCommand()


def test_quoted_and_japanese_names_with_full_width_space() -> None:
    assert parse('start "Acme, Inc."').customer_name == "Acme, Inc."  # type: ignore[union-attr]
    assert parse("start 株式会社\u3000サンプル").customer_name == "株式会社 サンプル"  # type: ignore[union-attr]


def test_simple_subcommands() -> None:
    assert parse("") == HelpCommand()
    assert parse("STATUS") == StatusCommand()
    assert parse("help start") == HelpCommand(topic="start")
    assert parse("assign <@U123|taro> decision-maker") == AssignCommand("U123", "decision_maker")
    assert parse("pause until 2027-05-06") == PauseCommand(until=date(2027, 5, 6))
    assert parse("close cancelled budget frozen") == CloseCommand("cancelled", "budget frozen")


@pytest.mark.parametrize(
    ("text", "key", "values"),
    [
        ("launch", "parse.unknown_subcommand", {"name": "launch"}),
        ("status now", "parse.unexpected_argument", {"command": "status", "argument": "now"}),
        ('start "Acme', "parse.unbalanced_quote", {}),
        ("start --playbook x", "parse.customer_name_missing", {}),
        (
            "start Acme --kickoff 2027-02-30",
            "parse.bad_date",
            {"option": "--kickoff", "value": "2027-02-30"},
        ),
        ("start Acme --kickoff", "parse.option_needs_value", {"option": "--kickoff"}),
        (
            "start Acme --colour red",
            "parse.unknown_option",
            {"command": "start", "option": "--colour"},
        ),
        (
            "start Acme --lang fr",
            "parse.bad_choice",
            {"option": "--lang", "value": "fr", "choices": "ja, en"},
        ),
        (
            "start Acme --champion taro",
            "parse.bad_person",
            {"option": "--champion", "value": "taro"},
        ),
        (
            "start Acme --csm sato@x.example",
            "parse.bad_user",
            {"option": "--csm", "value": "sato@x.example"},
        ),
        ("assign <@U1>", "parse.assign_usage", {}),
        ("assign <@U1> boss", "parse.bad_choice", {"option": "role", "value": "boss"}),
        ("pause tomorrow", "parse.pause_usage", {}),
        ("close maybe", "parse.close_usage", {}),
    ],
)
def test_mistakes_name_the_problem(text: str, key: str, values: dict[str, str]) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.key == key
    for name, value in values.items():
        assert info.value.values[name] == value
    assert key in catalog("ja") and key in catalog("en")


def test_huge_input_is_quoted_back_short() -> None:
    with pytest.raises(ParseError) as info:
        parse("x" * 10_000)
    assert len(str(info.value.values["name"])) <= 40
    with pytest.raises(ParseError) as info:
        parse("start " + "a" * 10_000)
    assert info.value.key == "parse.customer_name_too_long"


def test_fiscal_year_end_month() -> None:
    assert parse("start Acme --fiscal-year-end 12").fiscal_year_end_month == 12  # type: ignore[union-attr]
    with pytest.raises(ParseError) as info:
        parse("start Acme --fiscal-year-end 13")
    assert info.value.key == "parse.bad_month"


def test_start_channel_and_again() -> None:
    cmd = parse("start 株式会社サンプル --channel #Sample-JP --again --lang ja")
    assert isinstance(cmd, StartCommand)
    assert (cmd.customer_name, cmd.channel_name, cmd.again, cmd.lang) == (
        "株式会社サンプル",
        "sample-jp",
        True,
        "ja",
    )
    plain = parse("start Acme")
    assert isinstance(plain, StartCommand)
    assert (plain.channel_name, plain.again) == (None, False)
    with pytest.raises(ParseError) as info:
        parse("start Acme --channel サンプル")
    assert info.value.key == "parse.bad_channel_name" and info.value.values["option"] == "--channel"
