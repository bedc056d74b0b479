"""Block Kit limits Slack enforces, as a pure checker.

Each problem carries a short code for tests, Slack's wording, and a JSON pointer,
so the sandbox can answer `invalid_blocks` with the same `errors` Slack sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MESSAGE_MAX_BLOCKS = 50
SURFACE_MAX_BLOCKS = 100
MESSAGE_TEXT_MAX = 40_000

_BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
    "table",
    "context_actions",
}
_TEXT_TYPES = {"plain_text", "mrkdwn"}
_OPTION_LIMITS = {
    "static_select": 100,
    "multi_static_select": 100,
    "overflow": 5,
    "checkboxes": 10,
    "radio_buttons": 10,
}
# An overflow menu holds 2 to 5 options.
_OPTION_MINIMUMS = {"overflow": 2}


@dataclass(frozen=True)
class Problem:
    """One broken rule: `code` for tests, `message` in Slack's words, where it is."""

    code: str
    message: str
    pointer: str

    def slack_text(self) -> str:
        return f"[ERROR] {self.message} [json-pointer:{self.pointer}]"


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, pointer: str) -> None:
        self.problems.append(Problem(code, message, pointer))

    def max_len(self, value: Any, limit: int, code: str, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(code, f"must be less than {limit + 1} characters", pointer)

    def text(self, obj: Any, pointer: str, *, limit: int, code: str, plain: bool = False) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in _TEXT_TYPES:
            self.add("invalid_text_object", "must be a text object", pointer)
            return
        if plain and obj["type"] != "plain_text":
            self.add("plain_text_required", "must be plain_text", f"{pointer}/type")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.add("empty_text", "must be more than 0 characters", f"{pointer}/text")
            return
        self.max_len(text, limit, code, f"{pointer}/text")


def check_blocks(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[Problem]:
    """Every Block Kit limit broken by a list of blocks (empty when all is well)."""
    checker = _Checker()
    if not isinstance(blocks, list):
        checker.add("blocks_not_a_list", "must be an array", pointer)
        return checker.problems
    if len(blocks) > max_blocks:
        checker.add("too_many_blocks", f"must be less than {max_blocks + 1} items", pointer)
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _check_block(checker, block, f"{pointer}/{index}", seen_block_ids)
    return checker.problems


def check_view(view: Any, *, pointer: str = "/view") -> list[Problem]:
    """Limits for a modal or home view, blocks included."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.add("view_not_an_object", "must be an object", pointer)
        return checker.problems
    kind = view.get("type")
    if kind not in {"modal", "home"}:
        checker.add("invalid_view_type", "must be one of modal, home", f"{pointer}/type")
    if kind == "modal":
        if "title" not in view:
            checker.add("missing_title", "must provide a title", f"{pointer}/title")
        else:
            checker.text(
                view["title"], f"{pointer}/title", limit=24, code="title_too_long", plain=True
            )
        for key in ("submit", "close"):
            if key in view and view[key] is not None:
                checker.text(
                    view[key], f"{pointer}/{key}", limit=24, code=f"{key}_too_long", plain=True
                )
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
        )
        if has_input and not view.get("submit"):
            checker.add(
                "missing_submit",
                "must provide submit when an input block is present",
                f"{pointer}/submit",
            )
    checker.max_len(view.get("callback_id"), 255, "callback_id_too_long", f"{pointer}/callback_id")
    checker.max_len(view.get("external_id"), 255, "external_id_too_long", f"{pointer}/external_id")
    checker.max_len(
        view.get("private_metadata"),
        3000,
        "private_metadata_too_long",
        f"{pointer}/private_metadata",
    )
    checker.problems.extend(
        check_blocks(
            view.get("blocks", []), max_blocks=SURFACE_MAX_BLOCKS, pointer=f"{pointer}/blocks"
        )
    )
    return checker.problems


def _check_block(checker: _Checker, block: Any, at: str, seen_block_ids: set[str]) -> None:
    if not isinstance(block, dict):
        checker.add("block_not_an_object", "must be an object", at)
        return
    kind = block.get("type")
    if kind not in _BLOCK_TYPES:
        checker.add("unsupported_block_type", f"unsupported type: {kind}", f"{at}/type")
        return
    block_id = block.get("block_id")
    if block_id is not None:
        checker.max_len(block_id, 255, "block_id_too_long", f"{at}/block_id")
        if block_id in seen_block_ids:
            checker.add("duplicate_block_id", f"duplicate block_id: {block_id}", f"{at}/block_id")
        seen_block_ids.add(block_id)
    if kind == "section":
        _check_section(checker, block, at)
    elif kind == "header":
        checker.text(
            block.get("text"), f"{at}/text", limit=150, code="header_text_too_long", plain=True
        )
    elif kind == "actions":
        _check_elements(checker, block.get("elements"), at, limit=25, code="too_many_elements")
    elif kind == "context":
        _check_context(checker, block.get("elements"), at)
    elif kind == "image":
        _check_image(checker, block, at)
    elif kind == "input":
        checker.text(
            block.get("label"), f"{at}/label", limit=2000, code="label_too_long", plain=True
        )
        if "hint" in block:
            checker.text(block["hint"], f"{at}/hint", limit=2000, code="hint_too_long", plain=True)
        if not isinstance(block.get("element"), dict):
            checker.add("missing_element", "must provide an element", f"{at}/element")
        else:
            _check_element(checker, block["element"], f"{at}/element")
    elif kind == "markdown":
        checker.max_len(block.get("text"), 12_000, "markdown_too_long", f"{at}/text")


def _check_section(checker: _Checker, block: dict[str, Any], at: str) -> None:
    if "text" not in block and "fields" not in block:
        checker.add("section_without_text", "must provide either text or fields", at)
    if "text" in block:
        checker.text(block["text"], f"{at}/text", limit=3000, code="section_text_too_long")
    fields = block.get("fields")
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > 10:
            checker.add("too_many_fields", "must be less than 11 items", f"{at}/fields")
        for index, item in enumerate(fields if isinstance(fields, list) else []):
            checker.text(item, f"{at}/fields/{index}", limit=2000, code="field_too_long")
    if isinstance(block.get("accessory"), dict):
        _check_element(checker, block["accessory"], f"{at}/accessory")


def _check_elements(checker: _Checker, elements: Any, at: str, *, limit: int, code: str) -> None:
    if not isinstance(elements, list) or not elements:
        checker.add("missing_elements", "must provide at least 1 element", f"{at}/elements")
        return
    if len(elements) > limit:
        checker.add(code, f"must be less than {limit + 1} items", f"{at}/elements")
    seen_action_ids: set[str] = set()
    for index, element in enumerate(elements):
        where = f"{at}/elements/{index}"
        _check_element(checker, element, where)
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if action_id is not None:
            if action_id in seen_action_ids:
                checker.add(
                    "duplicate_action_id", f"duplicate action_id: {action_id}", f"{where}/action_id"
                )
            seen_action_ids.add(action_id)


def _check_context(checker: _Checker, elements: Any, at: str) -> None:
    if not isinstance(elements, list) or not elements:
        checker.add("missing_elements", "must provide at least 1 element", f"{at}/elements")
        return
    if len(elements) > 10:
        checker.add("too_many_context_elements", "must be less than 11 items", f"{at}/elements")
    for index, element in enumerate(elements):
        where = f"{at}/elements/{index}"
        if isinstance(element, dict) and element.get("type") == "image":
            _check_image(checker, element, where)
        else:
            checker.text(element, where, limit=3000, code="context_text_too_long")


def _check_image(checker: _Checker, image: dict[str, Any], at: str) -> None:
    if not image.get("image_url") and not image.get("slack_file"):
        checker.add("missing_image_url", "must provide image_url or slack_file", at)
    checker.max_len(image.get("image_url"), 3000, "image_url_too_long", f"{at}/image_url")
    alt = image.get("alt_text")
    if not isinstance(alt, str) or not alt:
        checker.add("missing_alt_text", "must provide alt_text", f"{at}/alt_text")
    checker.max_len(alt, 2000, "alt_text_too_long", f"{at}/alt_text")


def _check_element(checker: _Checker, element: Any, at: str) -> None:
    if not isinstance(element, dict):
        checker.add("element_not_an_object", "must be an object", at)
        return
    kind = element.get("type")
    checker.max_len(element.get("action_id"), 255, "action_id_too_long", f"{at}/action_id")
    if "placeholder" in element:
        checker.text(
            element["placeholder"],
            f"{at}/placeholder",
            limit=150,
            code="placeholder_too_long",
            plain=True,
        )
    if kind == "button":
        checker.text(
            element.get("text"), f"{at}/text", limit=75, code="button_text_too_long", plain=True
        )
        checker.max_len(element.get("value"), 2000, "button_value_too_long", f"{at}/value")
        checker.max_len(element.get("url"), 3000, "button_url_too_long", f"{at}/url")
        style = element.get("style")
        if style is not None and style not in {"primary", "danger"}:
            checker.add("invalid_button_style", "must be one of primary, danger", f"{at}/style")
    elif kind == "image":
        _check_image(checker, element, at)
    elif kind in _OPTION_LIMITS:
        _check_options(checker, element.get("options"), at, limit=_OPTION_LIMITS[kind])
        minimum = _OPTION_MINIMUMS.get(kind, 0)
        options = element.get("options")
        if isinstance(options, list) and len(options) < minimum:
            checker.add("too_few_options", f"must have at least {minimum} items", f"{at}/options")
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if isinstance(max_length, int) and max_length > 3000:
            checker.add("max_length_too_large", "must be less than 3001", f"{at}/max_length")


def _check_options(checker: _Checker, options: Any, at: str, *, limit: int) -> None:
    if options is None:
        return
    if not isinstance(options, list) or len(options) > limit:
        checker.add("too_many_options", f"must be less than {limit + 1} items", f"{at}/options")
        return
    for index, option in enumerate(options):
        where = f"{at}/options/{index}"
        if not isinstance(option, dict):
            checker.add("option_not_an_object", "must be an object", where)
            continue
        checker.text(option.get("text"), f"{where}/text", limit=75, code="option_text_too_long")
        checker.max_len(option.get("value"), 150, "option_value_too_long", f"{where}/value")
