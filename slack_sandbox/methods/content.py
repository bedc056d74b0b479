"""Checks shared by everything that carries message text and blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sandbox.autofill import with_ids
from slack_sandbox.block_limits import MESSAGE_MAX_BLOCKS, MESSAGE_TEXT_MAX, Problem, check_blocks
from slack_sandbox.errors import WebApiError
from slack_sandbox.models import Json
from slack_sandbox.state import Workspace


@dataclass(frozen=True)
class Content:
    """A message's text, blocks and attachments after Slack would accept them."""

    text: str
    blocks: list[Json] | None
    attachments: list[Json] | None


def check_content(
    ws: Workspace, *, method: str, target: str, text: Any, blocks: Any, attachments: Any
) -> Content:
    """Accept text/blocks/attachments as Slack would, or raise Slack's error.

    Broken limits are recorded in `ws.violations` either way; a message with
    blocks but no `text` fallback is accepted, as Slack does, and recorded.
    """
    text = "" if text is None else str(text)
    blocks = blocks or None
    attachments = attachments or None
    if not text and not blocks and not attachments:
        raise WebApiError("no_text")
    if len(text) > MESSAGE_TEXT_MAX:
        problem = Problem(
            "msg_too_long", f"must be less than {MESSAGE_TEXT_MAX + 1} characters", "/text"
        )
        ws.record_problems(method=method, target=target, problems=[problem])
        raise WebApiError("msg_too_long")
    if attachments is not None and (not isinstance(attachments, list) or len(attachments) > 100):
        raise WebApiError("too_many_attachments")
    if blocks is not None:
        problems = check_blocks(blocks, max_blocks=MESSAGE_MAX_BLOCKS)
        if problems:
            ws.record_problems(method=method, target=target, problems=problems)
            messages = [p.slack_text() for p in problems]
            raise WebApiError(
                "invalid_blocks", errors=messages, response_metadata={"messages": messages}
            )
        if not text:
            ws.record_problems(
                method=method,
                target=target,
                problems=[
                    Problem(
                        "missing_text_fallback",
                        "blocks were sent without a top-level text fallback (notifications and "
                        "screen readers show nothing)",
                        "/text",
                    )
                ],
            )
    return Content(text, with_ids(blocks), attachments)
