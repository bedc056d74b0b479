"""What Slack sends to an app: slash-command forms, interaction payloads, event envelopes.

Pure builders over the workspace; the caller holds `workspace.lock`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from slack_sandbox.models import Channel, Json, User, View
from slack_sandbox.state import Workspace

VERIFICATION_TOKEN = "sandbox-verification-token"


def user_ref(ws: Workspace, user: User) -> Json:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}


def team_ref(ws: Workspace, user: User) -> Json:
    team = ws.teams[user.team_id]
    return {"id": team.id, "domain": team.domain}


def channel_name(channel: Channel) -> str:
    return "directmessage" if channel.is_im else channel.name


def slash_form(
    ws: Workspace,
    *,
    user: User,
    channel: Channel,
    command: str,
    text: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """The form fields of a slash-command request (external users carry their own team)."""
    team = ws.teams[user.team_id]
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team.id,
        "team_domain": team.domain,
        "channel_id": channel.id,
        "channel_name": channel_name(channel),
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def block_actions(
    ws: Workspace,
    *,
    user: User,
    action: Json,
    trigger_id: str,
    channel: Channel | None = None,
    message: Json | None = None,
    message_ts: str | None = None,
    is_ephemeral: bool = False,
    view: View | None = None,
    response_url: str | None = None,
) -> Json:
    """A `block_actions` payload for one clicked element in a message or a view."""
    payload: Json = {
        "type": "block_actions",
        "user": user_ref(ws, user),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "team": team_ref(ws, user),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.id}
        payload["view"] = view.to_slack()
        payload["state"] = {"values": copy.deepcopy(view.state_values)}
    else:
        assert channel is not None
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel.id,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel.id, "name": channel_name(channel)}
        if message is not None:
            payload["message"] = {k: v for k, v in copy.deepcopy(message).items() if k != "channel"}
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url
    return payload


def view_submission(ws: Workspace, *, user: User, view: View, trigger_id: str) -> Json:
    return {
        "type": "view_submission",
        "team": team_ref(ws, user),
        "user": user_ref(ws, user),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": view.to_slack(),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(ws: Workspace, *, user: User, view: View, is_cleared: bool) -> Json:
    return {
        "type": "view_closed",
        "team": team_ref(ws, user),
        "user": user_ref(ws, user),
        "api_app_id": ws.app_id,
        "token": VERIFICATION_TOKEN,
        "view": view.to_slack(),
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_envelope(ws: Workspace, event: Json, *, event_id: str | None = None) -> Json:
    """The `event_callback` wrapper Slack puts around every Events API event.

    In a shared channel the envelope's `team_id` is the team where it happened (the
    acting person's organisation); the installed team is in `authorizations`
    (bolt-python: tests/scenario_tests/test_events_shared_channels.py).
    """
    event = dict(event)
    event.setdefault("event_ts", ws.ids.ts())
    channel = ws.channel(str(event.get("channel", "")))
    shared = bool(channel is not None and channel.is_ext_shared)
    actor = ws.user(str(event.get("user", "")))
    source = actor.team_id if shared and actor is not None else ws.team.id
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": source,
        "context_team_id": ws.team.id,
        "context_enterprise_id": None,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or ws.ids.new("Ev"),
        "event_time": ws.now(),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": ws.team.id,
                "user_id": ws.bot.id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": shared,
        "event_context": f"4-{ws.ids.secret()}",
    }


def form_payload(payload: Json) -> dict[str, str]:
    """How Slack posts interactions: one `payload` form field holding JSON."""
    return {"payload": json.dumps(payload)}


def as_json(value: Any) -> str:
    return json.dumps(value)
