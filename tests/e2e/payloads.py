"""Every payload the bot gave Slack, checked with slack_sdk's own models.

Messages, ephemerals and response_url answers (their blocks), modals and Home tabs (the
view), and the bodies the bot answered requests with (ack text and blocks, a view in a
`response_action`). The sandbox's own checker (`block_violations`) is ours; these models are
Slack's SDK's, written by someone else.

The same payloads go through the sandbox page's renderer (`slack_sandbox/web/render.py`): a
block, element or text it would not show is reported too, so every kind of payload the
end-to-end suite makes the bot send is drawn by the page.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

from slack_sandbox import Sandbox, SlackDriver
from slack_sandbox.web.render import dropped

_MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"}
_VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}


def invalid_payloads(sandbox: Sandbox, driver: SlackDriver | None = None) -> list[str]:
    """One line per payload slack_sdk's models reject (empty when all are valid)."""
    problems: list[str] = []
    for call in sandbox.calls():
        if call.method in _MESSAGE_METHODS:
            problems += _blocks(call.args.get("blocks"), where=call.method)
        elif call.method in _VIEW_METHODS:
            problems += _view(call.args.get("view"), where=call.method)
    for answer in driver.answers if driver is not None else ():
        body = answer.json if isinstance(answer.json, dict) else {}
        problems += _blocks(body.get("blocks"), where="ack")
        if isinstance(body.get("view"), dict):
            problems += _view(body["view"], where=f"response_action {body.get('response_action')}")
    return problems


def _blocks(blocks: Any, *, where: str) -> list[str]:
    if not blocks:
        return []
    problems = []
    for n, block in enumerate(blocks):
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"{where}: block {n} of an unknown type {block.get('type')!r}")
                continue
            parsed.validate_json()
            # A block checks its own fields; its buttons, menus and inputs check theirs.
            for element in _elements(block):
                parsed_element = BlockElement.parse(element)
                if parsed_element is None:
                    raise ValueError(f"an element of an unknown type {element.get('type')!r}")
                parsed_element.validate_json()
        except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
            problems.append(f"{where}: block {n} ({block.get('block_id')}): {error}")
    problems += [f"{where}: the sandbox page drops {p}" for p in dropped(blocks)]
    return problems


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    if block.get("type") in ("actions", "context"):
        found += [e for e in block.get("elements") or [] if isinstance(e, dict)]
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def _view(view: Any, *, where: str) -> list[str]:
    if not isinstance(view, dict):
        return [f"{where}: no view"]
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
        return [f"{where}: view {view.get('callback_id') or view.get('type')}: {error}"]
    return [f"{where}: the sandbox page drops {p}" for p in dropped(view.get("blocks"))]
