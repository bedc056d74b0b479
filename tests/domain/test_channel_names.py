import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.channel_names import (
    MAX_LENGTH,
    channel_name,
    chosen_channel_name,
    without_legal_entity,
)

VALID = re.compile(r"^[a-z0-9_-]{1,80}$")
LEGAL_WORDS = re.compile(
    r"(^|-)(kabushiki|kaisha|yuugen|goudou|inc|corp|corporation|co|ltd|limited|llc|gmbh|kk)(-|$)"
)


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        # Japanese: romanised (loanwords in their own spelling), the legal form dropped
        # wherever it stands.
        ("株式会社サンプル", "onb-sample"),
        ("サンプル株式会社", "onb-sample"),
        ("山田商事株式会社", "onb-yamada-shouji"),
        ("（株）山田商事", "onb-yamada-shouji"),
        ("㈱ヤマダ", "onb-yamada"),
        ("有限会社たなか", "onb-tanaka"),
        ("日本電気株式会社", "onb-nippon-denki"),
        ("一般社団法人 日本CS協会", "onb-nippon-cs-kyoukai"),
        # Mixed scripts.
        ("ABCホールディングス(株)", "onb-abc-holding"),
        ("合同会社DMM.com", "onb-dmm-com"),
        ("三菱UFJ銀行", "onb-mitsubishi-ufj-ginkou"),
        ("ＡＣＭＥ株式会社", "onb-acme"),
        ("Café ヤマダ", "onb-cafe-yamada"),
        # Latin.
        ("Acme Corp", "onb-acme"),
        ("Acme, Inc.", "onb-acme"),
        ("Acme Co., Ltd.", "onb-acme"),
        ("  ACME, Inc. (Japan) ", "onb-acme-japan"),
        ("Initech L.L.C.", "onb-initech"),
        ("Globex Corporation", "onb-globex"),
        ("Siemens AG", "onb-siemens"),
        ("Straße GmbH", "onb-strasse"),
    ],
)
def test_readable_ascii_names_without_legal_entity_words(customer: str, expected: str) -> None:
    name = channel_name(customer, short_id="p7")
    assert name == expected
    assert VALID.match(name) and name.isascii()
    assert not LEGAL_WORDS.search(name.removeprefix("onb-"))


def test_words_that_only_look_like_legal_forms_stay() -> None:
    assert channel_name("AG Solutions", short_id="p7") == "onb-ag-solutions"
    assert channel_name("Co-op Mart", short_id="p7") == "onb-co-op-mart"


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    assert without_legal_entity("株式会社") == "株式会社"
    assert channel_name("Limited", short_id="p7") == "onb-limited"


def test_names_without_anything_readable_fall_back_to_the_short_id() -> None:
    for customer in ("😀", "한국회사", "X", "—"):
        assert channel_name(customer, short_id="P7K2") == "onb-p7k2"


def test_long_name_is_cut_to_80_characters_and_stays_valid() -> None:
    name = channel_name("x" * 100, short_id="p1")
    assert len(name) == MAX_LENGTH and VALID.match(name)
    taken = channel_name("a-" * 60, short_id="p1", suffix=12)
    assert len(taken) <= MAX_LENGTH and taken.endswith("-12") and VALID.match(taken)
    assert "--" not in taken
    words = channel_name("東京海上日動火災保険 " * 6, short_id="p1")
    assert len(words) <= MAX_LENGTH and not words.endswith("-") and VALID.match(words)


def test_suffix_after_name_taken() -> None:
    assert channel_name("Acme Corp", short_id="p1", suffix=2) == "onb-acme-2"


@pytest.mark.parametrize(
    ("typed", "name"),
    [("acme-onboarding", "acme-onboarding"), ("#Acme_2027", "acme_2027"), ("acme  jp", "acme-jp")],
)
def test_a_chosen_name_is_normalised_as_slack_would(typed: str, name: str) -> None:
    assert chosen_channel_name(typed) == name


@pytest.mark.parametrize("typed", ["", "#", "アクメ", "acme!", "a" * 81])
def test_a_chosen_name_slack_would_refuse_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        chosen_channel_name(typed)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=120))
def test_any_customer_name_gives_a_valid_channel_name(customer: str) -> None:
    name = channel_name(customer, short_id="p9")
    assert VALID.match(name) and name.startswith("onb-")
