"""Slack's `mrkdwn` as HTML: bold, italics, strike, code, quotes, lists, links, mentions.

Slack escapes `&`, `<` and `>` in message text; angle brackets hold links, mentions and
dates. Everything else is plain text, escaped here before any markup is added.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

Namer = Callable[[str], str]

_ANGLE = re.compile(r"<([^<>]+)>")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
# Slack styles a word run only when the marker stands at a word edge.
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")
_BULLET = re.compile(r"^\s*(?:[•◦▪\-\*]|\d+[.)])\s+")
_SLOT = "\x00{}\x00"
_SLOT_RE = re.compile(r"\x00(\d+)\x00")


def to_html(text: str, *, user: Namer, channel: Namer) -> str:
    """`text` (Slack mrkdwn) as HTML; `user`/`channel` give display names for ids."""
    slots: list[str] = []

    def keep(fragment: str) -> str:
        slots.append(fragment)
        return _SLOT.format(len(slots) - 1)

    text = _ANGLE.sub(lambda m: keep(_angle(m.group(1), user=user, channel=channel)), text)
    text = html.escape(html.unescape(text), quote=False)
    text = _CODE_BLOCK.sub(lambda m: keep(f"<pre>{m.group(1).strip(chr(10))}</pre>"), text)
    text = _CODE.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), text)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC.sub(r"<i>\1</i>", text)
    text = _STRIKE.sub(r"<s>\1</s>", text)
    text = _lines(text)
    while _SLOT_RE.search(text):
        text = _SLOT_RE.sub(lambda m: slots[int(m.group(1))], text)
    return text


def _angle(inner: str, *, user: Namer, channel: Namer) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        name = label or user(target[1:])
        return f'<span class="mention">@{_esc(name)}</span>'
    if target.startswith("#"):
        name = label or channel(target[1:])
        return f'<span class="mention">#{_esc(name)}</span>'
    if target.startswith("!subteam^"):
        return f'<span class="mention">{_esc(label or "@group")}</span>'
    if target.startswith("!date^"):
        return f'<span class="date">{_esc(label or target.split("^")[1])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">@{_esc(label or target[1:])}</span>'
    href = html.unescape(target)
    shown = label or href
    if href.startswith(("http://", "https://", "mailto:")):
        return (
            f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer">'
            f"{_esc(shown)}</a>"
        )
    return _esc(inner)


def _lines(text: str) -> str:
    """Quotes (`&gt; `) and bullet lines become blocks; other lines keep their breaks."""
    out: list[str] = []
    items: list[str] = []
    for line in text.split("\n"):
        if _BULLET.match(line):
            items.append(f"<li>{_BULLET.sub('', line, count=1)}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.startswith("&gt; ") or line == "&gt;":
            out.append(f"<blockquote>{line[5:]}</blockquote>")
        else:
            out.append(line + "<br>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    joined = "".join(out)
    return joined[:-4] if joined.endswith("<br>") else joined


def _esc(text: str) -> str:
    return html.escape(html.unescape(text), quote=False)
