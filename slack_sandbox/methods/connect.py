"""conversations.inviteShared: Slack Connect invitations from the app."""

from __future__ import annotations

import re

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.models import SharedInvite
from slack_sandbox.state import Workspace

_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")

# What a workspace preference may answer instead of sending the invite.
REFUSALS = (
    "not_paid",
    "restricted_action",
    "not_allowed_token_type",
    "not_allowed_for_grid_workspace",
)


def invite_shared(ws: Workspace, args: Args) -> dict[str, object]:
    channel = ws.require_channel(args.text("channel"))
    if ws.shared_invite_error is not None:
        raise WebApiError(ws.shared_invite_error)
    if channel.is_im:
        raise WebApiError("invalid_channel_type")
    if channel.is_archived:
        raise WebApiError("channel_archived")
    if channel.is_general:
        raise WebApiError("cannot_share_mandatory_channel")
    if ws.bot.id not in channel.members:
        raise WebApiError("not_in_channel")
    emails, user_ids = args.many("emails"), args.many("user_ids")
    if not emails and not user_ids:
        raise WebApiError("recipients_not_specified")
    # Slack takes one email or one user ID per call.
    if len(emails) > 1:
        raise WebApiError("too_many_emails")
    if len(user_ids) > 1 or (emails and user_ids):
        raise WebApiError(
            "invalid_arguments",
            response_metadata={
                "messages": ["[ERROR] only one email or one user ID may be invited at a time"]
            },
        )
    invite = SharedInvite(
        ws.ids.new("I"),
        channel.id,
        ws.bot.id,
        ws.now(),
        external_limited=args.flag("external_limited", True),
    )
    if emails:
        email = emails[0]
        if not _EMAIL.fullmatch(email):
            raise WebApiError("invalid_email")
        existing = ws.user_by_email(email)
        if existing is not None and existing.id in channel.members:
            raise WebApiError("already_in_channel")
        invite.email = email
    else:
        user = ws.user(user_ids[0])
        if user is None or user.deleted:
            raise WebApiError("user_not_found")
        if user.id in channel.members:
            raise WebApiError("already_in_channel")
        invite.user_id = user.id
    channel.invites.append(invite)
    if not channel.is_ext_shared:
        channel.is_pending_ext_shared = True
    return {"ok": True, "invite_id": invite.id, "is_legacy_shared_channel": False}
