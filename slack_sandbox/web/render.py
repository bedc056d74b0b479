"""Block Kit as HTML, the way Slack's client draws it (pure: JSON in, HTML out).

Interactive elements carry `data-*` attributes naming where they live (a message, an
ephemeral message or a view) and what they are (block_id, action_id, value), so the page can
ask the sandbox to send the very `block_actions` payload Slack would.
`dropped()` says what of a payload would not show: the check that nothing is lost.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sandbox.web.mrkdwn import to_html

Json = dict[str, Any]

BLOCKS = {
    "header",
    "section",
    "context",
    "divider",
    "image",
    "file",
    "actions",
    "input",
    "rich_text",
    "video",
}
ELEMENTS = {
    "button",
    "overflow",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_users_select",
    "datepicker",
    "timepicker",
    "plain_text_input",
    "number_input",
    "email_text_input",
    "url_text_input",
    "checkboxes",
    "radio_buttons",
    "image",
    "mrkdwn",  # text objects among a context block's elements
    "plain_text",
}


# Drawn by _element (message controls) and by _control (form inputs, read on submit).
_CONTROLS = {"button", "overflow", "static_select", "external_select", "users_select", "image"}
_INPUTS = ELEMENTS - _CONTROLS - {"mrkdwn", "plain_text"}


@dataclass(frozen=True)
class Where:
    """Where rendered blocks live, and the names to show for ids.

    Args:
        attrs: `data-*` attributes every interactive element gets (e.g. channel and ts).
        user: display name of a user id. channel: name of a channel id.
        errors: `response_action: errors` of a modal, by block_id.
        file_url: the sandbox URL of an uploaded file's content, by file id.
    """

    attrs: Mapping[str, str] = field(default_factory=dict)
    user: Callable[[str], str] = lambda user_id: user_id
    channel: Callable[[str], str] = lambda channel_id: channel_id
    errors: Mapping[str, str] = field(default_factory=dict)
    file_url: Callable[[str], str | None] = lambda file_id: None


def blocks_html(blocks: list[Json] | None, where: Where) -> str:
    return "".join(_block(b, where) for b in blocks or [] if isinstance(b, dict))


def message_html(message: Json, where: Where) -> str:
    """A message's body: its blocks (or, without any, its text), attachments and files."""
    parts = []
    if message.get("blocks"):
        parts.append(blocks_html(message["blocks"], where))
    elif message.get("text"):
        parts.append(f'<div class="mrkdwn">{_mrkdwn(message["text"], where)}</div>')
    for attachment in message.get("attachments") or []:
        parts.append(_attachment(attachment, where))
    for file in message.get("files") or []:
        parts.append(_file(file, where))
    return "".join(parts)


def view_html(view: Json, where: Where) -> str:
    """A modal's or Home tab's blocks (title, submit and close are the page's frame)."""
    return blocks_html(view.get("blocks"), where)


# -- blocks --------------------------------------------------------------------------------


def _block(block: Json, where: Where) -> str:
    kind = str(block.get("type"))
    head = f'<div class="blk blk-{_attr(kind)}" data-block-id="{_attr(block.get("block_id", ""))}">'
    if kind == "header":
        return f"{head}<h3>{_text(block.get('text'), where)}</h3></div>"
    if kind == "divider":
        return f"{head}<hr></div>"
    if kind == "section":
        body = ""
        if block.get("text"):
            body += f'<div class="sec-text">{_text(block["text"], where)}</div>'
        if block.get("fields"):
            fields = "".join(f"<div>{_text(f, where)}</div>" for f in block["fields"])
            body += f'<div class="sec-fields">{fields}</div>'
        accessory = block.get("accessory")
        side = _element(accessory, block, where) if isinstance(accessory, dict) else ""
        return f'{head}<div class="sec-main">{body}</div><div class="sec-side">{side}</div></div>'
    if kind == "context":
        items = "".join(_context_item(e, where) for e in block.get("elements") or [])
        return f"{head}{items}</div>"
    if kind == "actions":
        items = "".join(_element(e, block, where) for e in block.get("elements") or [])
        return f"{head}{items}</div>"
    if kind == "image":
        title = block.get("title")
        caption = f"<figcaption>{_text(title, where)}</figcaption>" if title else ""
        return f"{head}<figure>{_image(block, where)}{caption}</figure></div>"
    if kind == "file":
        return f'{head}<div class="file">📎 file {_esc(block.get("external_id", ""))}</div></div>'
    if kind == "video":
        url = str(block.get("title_url") or block.get("video_url") or "")
        return f"{head}▶ {_link(url, _text(block.get('title'), where))}</div>"
    if kind == "input":
        return _input(block, head, where)
    if kind == "rich_text":
        return f"{head}{_rich_text(block.get('elements') or [], where)}</div>"
    return f'{head}<div class="unknown">unsupported block: {_esc(kind)}</div></div>'


def _input(block: Json, head: str, where: Where) -> str:
    block_id = str(block.get("block_id", ""))
    label = _text(block.get("label"), where)
    optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
    element = block.get("element")
    control = _control(element if isinstance(element, dict) else {}, block_id, where)
    hint = block.get("hint")
    hint_html = f'<div class="hint">{_text(hint, where)}</div>' if hint else ""
    error = where.errors.get(block_id)
    error_html = (
        f'<div class="field-error" data-error-for="{_attr(block_id)}">{_esc(error)}</div>'
        if error
        else ""
    )
    css = " has-error" if error else ""
    return (
        f"{head.replace('blk-input', 'blk-input' + css)}<label>{label}{optional}</label>"
        f"{control}{error_html}{hint_html}</div>"
    )


def _control(element: Json, block_id: str, where: Where) -> str:
    """A form control the page reads back as `values[block_id][action_id]`."""
    kind = str(element.get("type"))
    base = (
        f'data-input="{_attr(kind)}" data-block="{_attr(block_id)}" '
        f'data-action-id="{_attr(element.get("action_id", ""))}"'
    )
    placeholder = _attr(_plain(element.get("placeholder")))
    if kind in {"plain_text_input", "email_text_input", "url_text_input", "number_input"}:
        value = _attr(element.get("initial_value", ""))
        if element.get("multiline"):
            return f'<textarea {base} placeholder="{placeholder}">{_esc(value)}</textarea>'
        html_type = {"email_text_input": "email", "url_text_input": "url"}.get(kind, "text")
        return f'<input type="{html_type}" {base} value="{value}" placeholder="{placeholder}">'
    if kind == "datepicker":
        return f'<input type="date" {base} value="{_attr(element.get("initial_date", ""))}">'
    if kind == "timepicker":
        return f'<input type="time" {base} value="{_attr(element.get("initial_time", ""))}">'
    if kind in {"static_select", "external_select", "multi_static_select"}:
        multiple = " multiple" if kind.startswith("multi_") else ""
        return f"<select {base}{multiple}>{_options_html(element, where)}</select>"
    if kind in {"users_select", "multi_users_select"}:
        multiple = " multiple" if kind.startswith("multi_") else ""
        initial = element.get("initial_user") or ""
        return (
            f'<select {base}{multiple} data-users="1" data-initial="{_attr(initial)}">'
            f'<option value="">{_esc(_plain(element.get("placeholder")) or "—")}</option></select>'
        )
    if kind in {"conversations_select", "channels_select"}:
        return f'<input type="text" {base} placeholder="channel id">'
    if kind in {"checkboxes", "radio_buttons"}:
        html_type = "checkbox" if kind == "checkboxes" else "radio"
        initial = element.get("initial_options") or [element.get("initial_option") or {}]
        chosen = {o.get("value") for o in initial if isinstance(o, dict)}
        items = "".join(
            f'<label class="choice"><input type="{html_type}" name="{_attr(block_id)}" '
            f'value="{_attr(o.get("value", ""))}"{" checked" if o.get("value") in chosen else ""}>'
            f" {_text(o.get('text'), where)}</label>"
            for o in _options(element)
        )
        return f'<div class="choices" {base}>{items}</div>'
    if kind in _CONTROLS:
        return _element(element, {"block_id": block_id}, where)
    return f'<span class="unknown">unsupported element: {_esc(kind)}</span>'


def _context_item(element: Json, where: Where) -> str:
    if element.get("type") == "image":
        return _image(element, where, small=True)
    return f'<span class="ctx">{_text(element, where)}</span>'


def _element(element: Json, block: Json, where: Where) -> str:
    kind = str(element.get("type"))
    data = _data(element, block, where)
    if kind == "button":
        style = element.get("style")
        css = f"btn btn-{_attr(style)}" if style else "btn"
        url = f' data-url="{_attr(element["url"])}"' if element.get("url") else ""
        value = f' data-value="{_attr(element["value"])}"' if "value" in element else ""
        confirm = _confirm(element.get("confirm"), where)
        return (
            f'<button type="button" class="{css}" data-act="button" {data}{value}{url}{confirm}>'
            f"{_text(element.get('text'), where)}</button>"
        )
    if kind == "overflow":
        options = "".join(
            f'<button type="button" class="opt" data-act="option" {data} '
            f'data-value="{_attr(o.get("value", ""))}">{_text(o.get("text"), where)}</button>'
            for o in _options(element)
        )
        return f'<details class="overflow"><summary title="More">⋯</summary>{options}</details>'
    if kind in {"static_select", "external_select"}:
        return (
            f'<select class="sel" data-act="select" {data}>{_options_html(element, where)}</select>'
        )
    if kind == "users_select":
        return (
            f'<select class="sel" data-act="select" data-users="1" {data}>'
            f'<option value="">{_esc(_plain(element.get("placeholder")) or "—")}</option></select>'
        )
    if kind == "datepicker":
        value = _attr(element.get("initial_date", ""))
        return f'<input type="date" class="sel" data-act="date" {data} value="{value}">'
    if kind == "image":
        return _image(element, where, small=True)
    if kind in _INPUTS:
        # A form control outside an input block (an action in a modal): drawn, read on submit.
        control = _control(element, str(block.get("block_id", "")), where)
        return f'<span class="ctl">{control}</span>'
    return f'<span class="unknown">unsupported element: {_esc(kind)}</span>'


def _data(element: Json, block: Json, where: Where) -> str:
    attrs = {
        **where.attrs,
        "block-id": str(block.get("block_id", "")),
        "action-id": str(element.get("action_id", "")),
    }
    return " ".join(f'data-{k}="{_attr(v)}"' for k, v in attrs.items())


def _confirm(confirm: Any, where: Where) -> str:
    if not isinstance(confirm, dict):
        return ""
    question = f"{_plain(confirm.get('title'))}\n{_plain(confirm.get('text'))}"
    return f' data-confirm="{_attr(question)}"'


def _options(element: Json) -> list[Json]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [o for o in options if isinstance(o, dict)]


def _options_html(element: Json, where: Where) -> str:
    initial = element.get("initial_option") or {}
    chosen = {initial.get("value")} | {
        o.get("value") for o in element.get("initial_options") or [] if isinstance(o, dict)
    }
    placeholder = _plain(element.get("placeholder")) or "—"
    items = [f'<option value="">{_esc(placeholder)}</option>']
    for option in _options(element):
        value = option.get("value", "")
        selected = " selected" if value in chosen else ""
        items.append(
            f'<option value="{_attr(value)}"{selected}>{_esc(_plain(option.get("text")))}</option>'
        )
    return "".join(items)


def _image(element: Json, where: Where, *, small: bool = False) -> str:
    """Only sandbox files load; any other URL is shown, not fetched (the page talks to the
    sandbox alone)."""
    alt = str(element.get("alt_text", ""))
    css = "img small" if small else "img"
    file_id = (element.get("slack_file") or {}).get("id")
    local = where.file_url(file_id) if file_id else None
    if local:
        return f'<img class="{css}" src="{_attr(local)}" alt="{_attr(alt)}">'
    url = str(element.get("image_url") or (element.get("slack_file") or {}).get("url") or "")
    return f'<span class="{css} remote" title="{_attr(url)}">🖼 {_esc(alt)}</span>'


def _file(file: Json, where: Where) -> str:
    name = str(file.get("title") or file.get("name") or "file")
    local = where.file_url(str(file.get("id", "")))
    if local and str(file.get("mimetype", "")).startswith("image/"):
        return (
            f'<figure class="file"><img class="img" src="{_attr(local)}" alt="{_attr(name)}">'
            f'<figcaption><a href="{_attr(local)}" target="_blank">{_esc(name)}</a></figcaption></figure>'
        )
    link = f'<a href="{_attr(local)}" target="_blank">{_esc(name)}</a>' if local else _esc(name)
    return f'<div class="file">📎 {link}</div>'


def _attachment(attachment: Json, where: Where) -> str:
    color = str(attachment.get("color") or "#ddd")
    if re.fullmatch(r"[0-9a-fA-F]{6}", color):
        color = "#" + color
    body = []
    for key in ("pretext", "title", "text"):
        if attachment.get(key):
            body.append(f'<div class="att-{key}">{_mrkdwn(str(attachment[key]), where)}</div>')
    for fld in attachment.get("fields") or []:
        body.append(
            f'<div class="att-field"><b>{_esc(fld.get("title", ""))}</b> '
            f"{_mrkdwn(str(fld.get('value', '')), where)}</div>"
        )
    if attachment.get("blocks"):
        body.append(blocks_html(attachment["blocks"], where))
    if attachment.get("footer"):
        body.append(f'<div class="att-footer">{_mrkdwn(str(attachment["footer"]), where)}</div>')
    return f'<div class="attachment" style="border-color:{_attr(color)}">{"".join(body)}</div>'


def _rich_text(elements: list[Json], where: Where) -> str:
    out = []
    for element in elements:
        kind = element.get("type")
        inner = _rich_inline(element.get("elements") or [], where)
        if kind == "rich_text_section":
            out.append(f"<div>{inner}</div>")
        elif kind == "rich_text_quote":
            out.append(f"<blockquote>{inner}</blockquote>")
        elif kind == "rich_text_preformatted":
            out.append(f"<pre>{inner}</pre>")
        elif kind == "rich_text_list":
            tag = "ol" if element.get("style") == "ordered" else "ul"
            items = "".join(
                f"<li>{_rich_inline(s.get('elements') or [], where)}</li>"
                for s in element.get("elements") or []
            )
            out.append(f"<{tag}>{items}</{tag}>")
    return "".join(out)


def _rich_inline(elements: list[Json], where: Where) -> str:
    out = []
    for e in elements:
        kind = e.get("type")
        if kind == "text":
            piece = _esc(e.get("text", "")).replace("\n", "<br>")
            style = e.get("style") or {}
            for flag, tag in (("bold", "b"), ("italic", "i"), ("strike", "s"), ("code", "code")):
                if style.get(flag):
                    piece = f"<{tag}>{piece}</{tag}>"
            out.append(piece)
        elif kind == "link":
            out.append(_link(str(e.get("url", "")), _esc(e.get("text") or e.get("url", ""))))
        elif kind == "user":
            out.append(f'<span class="mention">@{_esc(where.user(e.get("user_id", "")))}</span>')
        elif kind == "channel":
            name = where.channel(e.get("channel_id", ""))
            out.append(f'<span class="mention">#{_esc(name)}</span>')
        elif kind == "emoji":
            out.append(
                _esc(
                    (e.get("unicode") and chr(int(e["unicode"].split("-")[0], 16)))
                    or f":{e.get('name')}:"
                )
            )
        elif kind == "broadcast":
            out.append(f'<span class="mention">@{_esc(e.get("range", ""))}</span>')
    return "".join(out)


# -- text ----------------------------------------------------------------------------------


def _text(obj: Any, where: Where) -> str:
    if not isinstance(obj, dict):
        return ""
    if obj.get("type") == "mrkdwn":
        return f'<span class="mrkdwn">{_mrkdwn(str(obj.get("text", "")), where)}</span>'
    return _esc(str(obj.get("text", "")))


def _mrkdwn(text: str, where: Where) -> str:
    return to_html(text, user=where.user, channel=where.channel)


def _plain(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _link(url: str, label: str) -> str:
    if url.startswith(("http://", "https://")):
        return f'<a href="{_attr(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'
    return label


def _esc(text: Any) -> str:
    return html.escape(html.unescape(str(text)), quote=False)


def _attr(text: Any) -> str:
    return html.escape(str(text), quote=True)


# -- the check that nothing is dropped ---------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def visible_text(fragment: str) -> str:
    """What a reader sees of rendered HTML: tags gone, entities read, spaces squeezed."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def dropped(blocks: list[Json] | None, where: Where | None = None) -> list[str]:
    """What of `blocks` the page would not show: unknown block or element types, texts
    missing from the rendered page, interactive elements without their control."""
    where = where or Where()
    problems = []
    for n, block in enumerate(blocks or []):
        rendered = _block(block, where)
        shown = visible_text(rendered)
        kind = block.get("type")
        if kind not in BLOCKS:
            problems.append(f"block {n}: unknown type {kind!r}")
            continue
        for element in _elements_of(block):
            if element.get("type") not in ELEMENTS:
                problems.append(f"block {n}: unknown element {element.get('type')!r}")
            elif element.get("action_id") and (
                f'data-action-id="{_attr(element["action_id"])}"' not in rendered
            ):
                problems.append(f"block {n}: no control for {element['action_id']!r}")
        for text in _texts_of(block):
            expected = visible_text(_text(text, where)) if isinstance(text, dict) else text
            if expected and expected not in shown:
                problems.append(f"block {n} ({kind}): {expected[:60]!r} not shown")
    return problems


def _elements_of(block: Json) -> Iterator[Json]:
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            yield block[key]
    if block.get("type") in ("actions", "context"):
        for element in block.get("elements") or []:
            if isinstance(element, dict):
                yield element


def _texts_of(block: Json) -> Iterator[Any]:
    """Every text object (or alt text) a reader must find in the rendered block."""
    for key in ("text", "label", "hint", "title"):
        if isinstance(block.get(key), dict):
            yield block[key]
    yield from block.get("fields") or []
    if block.get("type") == "image":
        yield str(block.get("alt_text", ""))
    for element in _elements_of(block):
        if element.get("type") in ("mrkdwn", "plain_text"):
            yield element
            continue
        if element.get("type") == "image":
            yield str(element.get("alt_text", ""))
        if isinstance(element.get("text"), dict):
            yield element["text"]
        for option in _options(element):
            yield option.get("text")
