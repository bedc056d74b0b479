"""views.* methods, and the modal-stack moves Slack makes on the user's behalf."""

from __future__ import annotations

import json
import secrets
from typing import Any

from slack_sandbox.autofill import with_ids
from slack_sandbox.block_limits import check_view
from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.models import Json, View
from slack_sandbox.state import Workspace

MAX_STACK = 3
MAX_VIEW_BYTES = 250_000


def checked(
    ws: Workspace, *, method: str, target: str, view: Any, kind: str, replacing: str | None = None
) -> Json:
    """The view payload if Slack would accept it, else Slack's `invalid_arguments`."""
    if not isinstance(view, dict):
        raise WebApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] missing required field: view"]},
        )
    if len(json.dumps(view)) > MAX_VIEW_BYTES:
        raise WebApiError("view_too_large")
    problems = check_view(view)
    if problems:
        ws.record_problems(method=method, target=target, problems=problems)
        raise WebApiError(
            "invalid_arguments", response_metadata={"messages": [p.slack_text() for p in problems]}
        )
    if view.get("type") != kind:
        raise WebApiError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] must be {kind} [json-pointer:/view/type]"]},
        )
    external_id = view.get("external_id")
    if external_id and any(
        v.payload.get("external_id") == external_id and not v.closed and v.id != replacing
        for v in ws.views.values()
    ):
        raise WebApiError("duplicate_external_id")
    return {**view, "blocks": with_ids(view.get("blocks") or [])}


def _new_hash(ws: Workspace) -> str:
    return f"{ws.now()}.{secrets.token_hex(4)}"


def new_view(
    ws: Workspace,
    *,
    user_id: str,
    payload: Json,
    root: str | None = None,
    previous: str | None = None,
) -> View:
    view_id = ws.ids.new("V")
    view = View(
        view_id,
        ws.team.id,
        user_id,
        ws.app_id,
        ws.bot_id,
        payload,
        _new_hash(ws),
        root_view_id=root or view_id,
        previous_view_id=previous,
    )
    ws.views[view.id] = view
    return view


def replace(ws: Workspace, view: View, payload: Json) -> View:
    """Swap a view's content in place (views.update, response_action: update)."""
    view.payload = payload
    view.hash = _new_hash(ws)
    view.errors = None
    return view


def push(ws: Workspace, *, user_id: str, payload: Json) -> View:
    stack = ws.modal_stacks.get(user_id) or []
    if not stack:
        raise WebApiError("not_found")
    if len(stack) >= MAX_STACK:
        raise WebApiError("push_limit_reached")
    view = new_view(ws, user_id=user_id, payload=payload, root=stack[0], previous=stack[-1])
    stack.append(view.id)
    return view


def close_top(ws: Workspace, user_id: str) -> None:
    stack = ws.modal_stacks.get(user_id) or []
    if stack:
        ws.views[stack.pop()].closed = True


def clear(ws: Workspace, user_id: str) -> None:
    for view_id in ws.modal_stacks.pop(user_id, []):
        ws.views[view_id].closed = True


def open_(ws: Workspace, args: Args) -> Json:
    trigger = ws.consume_trigger(args.text("trigger_id"))
    payload = checked(
        ws, method="views.open", target=trigger.user_id, view=args.json("view"), kind="modal"
    )
    clear(ws, trigger.user_id)
    view = new_view(ws, user_id=trigger.user_id, payload=payload)
    ws.modal_stacks[trigger.user_id] = [view.id]
    return {"ok": True, "view": view.to_slack()}


def push_(ws: Workspace, args: Args) -> Json:
    trigger = ws.consume_trigger(args.text("trigger_id"))
    payload = checked(
        ws, method="views.push", target=trigger.user_id, view=args.json("view"), kind="modal"
    )
    return {"ok": True, "view": push(ws, user_id=trigger.user_id, payload=payload).to_slack()}


def _find(ws: Workspace, args: Args) -> View:
    view_id, external_id = args.opt("view_id"), args.opt("external_id")
    if view_id is None and external_id is None:
        raise WebApiError(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] either view_id or external_id is required"]},
        )
    for view in ws.views.values():
        if view.id == view_id or (external_id and view.payload.get("external_id") == external_id):
            if view.closed:
                raise WebApiError("not_found")
            return view
    raise WebApiError("not_found")


def update(ws: Workspace, args: Args) -> Json:
    view = _find(ws, args)
    expected = args.opt("hash")
    if expected is not None and expected != view.hash:
        raise WebApiError("hash_conflict")
    payload = checked(
        ws,
        method="views.update",
        target=view.id,
        view=args.json("view"),
        kind=view.type,
        replacing=view.id,
    )
    return {"ok": True, "view": replace(ws, view, payload).to_slack()}


def publish(ws: Workspace, args: Args) -> Json:
    user_id = args.text("user_id")
    user = ws.user(user_id)
    if user is None or user.deleted:
        raise WebApiError("user_not_found")
    current = ws.views.get(ws.home_views.get(user_id, ""))
    payload = checked(
        ws,
        method="views.publish",
        target=user_id,
        view=args.json("view"),
        kind="home",
        replacing=current.id if current else None,
    )
    expected = args.opt("hash")
    if current is not None and expected is not None and expected != current.hash:
        raise WebApiError("hash_conflict")
    if current is None:
        current = new_view(ws, user_id=user_id, payload=payload)
        ws.home_views[user_id] = current.id
    else:
        replace(ws, current, payload)
    return {"ok": True, "view": current.to_slack()}
