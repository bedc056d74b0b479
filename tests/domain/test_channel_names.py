import re

from bot.domain.channel_names import MAX_LENGTH, channel_name

VALID = re.compile(r"^[a-z0-9_-]{1,80}$")


def test_ascii_name() -> None:
    assert channel_name("Acme Corp", short_id="p12") == "onb-acme-corp"
    assert channel_name("  ACME, Inc. (Japan) ", short_id="p12") == "onb-acme-inc-japan"


def test_full_width_ascii_is_folded() -> None:
    assert channel_name("ＡＣＭＥ株式会社", short_id="p12") == "onb-acme"


def test_japanese_name_falls_back_to_the_short_id() -> None:
    assert channel_name("株式会社サンプル", short_id="P7K2") == "onb-p7k2"


def test_long_name_is_cut_to_80_characters_and_stays_valid() -> None:
    name = channel_name("x" * 100, short_id="p1")
    assert len(name) == MAX_LENGTH and VALID.match(name)
    taken = channel_name("a-" * 60, short_id="p1", suffix=12)
    assert len(taken) <= MAX_LENGTH and taken.endswith("-12") and VALID.match(taken)
    assert "--" not in taken


def test_suffix_after_name_taken() -> None:
    assert channel_name("Acme Corp", short_id="p1", suffix=2) == "onb-acme-corp-2"
