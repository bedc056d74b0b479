"""Slack channel names for customer projects. Pure.

Slack's rules: lowercase, at most 80 characters, only letters, digits, `-` and `_`. A name is
made from the customer's name: legal-entity words (株式会社, Inc., Co., Ltd., …) are dropped,
Japanese is romanised with cutlet (MeCab with the UniDic dictionary, loanwords in their
original spelling: サンプル → sample), and what is left becomes a readable ASCII slug.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache
from typing import Any

PREFIX = "onb-"
MAX_LENGTH = 80
_NOT_ALLOWED = re.compile(r"[^a-z0-9_-]+")

# After NFKC: （株）, ㈱ and (株) are all "(株)".
JAPANESE_ENTITIES = (
    "特定非営利活動法人",
    "独立行政法人",
    "国立大学法人",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社会福祉法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "医療法人",
    "学校法人",
    "NPO法人",
    "(株)",
    "(有)",
    "(同)",
)
# Words that only ever name a legal form; dotted spellings (L.L.C., K.K.) are matched too.
_LATIN_ENTITIES = (
    "incorporated",
    "corporation",
    "company limited",
    "limited",
    "inc",
    "corp",
    "co",
    "ltd",
    "llc",
    "llp",
    "plc",
    "gmbh",
    "kk",
    "pte",
    "pty",
)
# Short forms that are also ordinary words or initials: dropped only as the name's last word.
_LATIN_ENTITIES_AT_END = ("ag", "sa", "sas", "sarl", "bv", "nv", "lp", "oy", "ab")


def _dotted(word: str) -> str:
    """`llc` → a pattern for llc, l.l.c and l.l.c. (word by word for `company limited`)."""
    return r"\s+".join(r"\.?".join(re.escape(ch) for ch in part) for part in word.split())


_BOUNDARY_BEFORE = r"(?:(?<=^)|(?<=[\s,&(]))"
_BOUNDARY_AFTER = r"\.?(?=[\s,)]|$)"
_LATIN = re.compile(
    _BOUNDARY_BEFORE
    + "(?:"
    + "|".join(_dotted(w) for w in _LATIN_ENTITIES)
    + ")"
    + _BOUNDARY_AFTER,
    re.IGNORECASE,
)
_LATIN_AT_END = re.compile(
    r"(?<=[\s,])(?:" + "|".join(_dotted(w) for w in _LATIN_ENTITIES_AT_END) + r")\.?\s*$",
    re.IGNORECASE,
)


def without_legal_entity(customer_name: str) -> str:
    """The name without its legal form: `株式会社サンプル` → `サンプル`, `Acme Co., Ltd.` → `Acme`.

    A name that is nothing but a legal form is kept as it is.
    """
    text = unicodedata.normalize("NFKC", customer_name)
    stripped = text
    for word in JAPANESE_ENTITIES:
        stripped = stripped.replace(word, " ")
    for _ in range(3):  # "Co., Ltd." and "Inc. Ltd" take more than one pass
        stripped = _LATIN_AT_END.sub("", _LATIN.sub(" ", stripped))
    stripped = re.sub(r"\s+", " ", stripped).strip(" ,&-")
    return stripped if _has_letters(stripped) else text.strip()


def _has_letters(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


_lock = threading.Lock()


@cache
def _romaniser() -> Any:
    import cutlet  # loads the dictionary once (about 20 MB), only when a name needs it

    return cutlet.Cutlet()


def romanise(text: str) -> str:
    """Japanese in Latin letters (Hepburn; loanwords in their original spelling), accented
    Latin letters without their accents (é → e)."""
    text = "".join(_unaccented(ch) for ch in text)
    if text.isascii():
        return text
    with _lock:  # one MeCab tagger, not safe to share between threads
        return str(_romaniser().romaji(text))


# Latin letters that no decomposition turns into ASCII.
_LATIN_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def _unaccented(ch: str) -> str:
    # Only Latin letters: decomposing kana would drop their voicing marks (ダ → タ).
    if ch.isascii() or "LATIN" not in unicodedata.name(ch, ""):
        return ch
    ch = ch.translate(_LATIN_LETTERS)
    return unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii") or ch


def slug(customer_name: str) -> str:
    """A readable ASCII slug of a customer name ('' when nothing is left).

    Examples: `株式会社サンプル` → `sample`, `山田商事株式会社` → `yamada-shouji`,
    `ABCホールディングス(株)` → `abc-holding`, `Acme Co., Ltd.` → `acme`.
    """
    text = romanise(without_legal_entity(customer_name))
    text = _NOT_ALLOWED.sub("-", text.lower())
    return re.sub(r"-{2,}", "-", text).strip("-_")


def channel_name(customer_name: str, *, short_id: str, suffix: int = 0) -> str:
    """`onb-acme`, `onb-yamada-shouji`; a name with nothing readable gets `onb-<short id>`.

    Args:
        customer_name: as typed by the CSM, any script.
        short_id: a short stable id (e.g. from the project id) for names that give no slug.
        suffix: 0 for the first try; n > 0 appends `-n` after `name_taken`.
    """
    base = slug(customer_name)
    if len(base.replace("-", "")) < 2:
        base = short_id.lower()
    tail = f"-{suffix}" if suffix else ""
    room = MAX_LENGTH - len(PREFIX) - len(tail)
    return PREFIX + _cut(base, room) + tail


def chosen_channel_name(text: str) -> str:
    """A channel name the CSM typed (`--channel`, the start form), as Slack will take it.

    Raises:
        ValueError: nothing usable is left, or it is longer than Slack allows.
    """
    name = unicodedata.normalize("NFKC", text).strip().lstrip("#").lower()
    name = re.sub(r"\s+", "-", name)
    if not name or _NOT_ALLOWED.search(name) or len(name) > MAX_LENGTH:
        raise ValueError(name)
    return name


def _cut(text: str, room: int) -> str:
    """At most `room` characters, cut at a word boundary when one is near."""
    if len(text) <= room:
        return text
    cut = text[:room]
    boundary = cut.rfind("-")
    if boundary >= room // 2:
        cut = cut[:boundary]
    return cut.rstrip("-_")
