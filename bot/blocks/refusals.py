"""What to tell a person when Slack refuses something: what happened, and whether trying
again can help or what a workspace admin can change."""

from __future__ import annotations

from bot.blocks.escape import clip, escape
from bot.blocks.message import Message, section
from bot.i18n import catalog, t

# Answers that may go away by themselves: the person may simply try again.
RETRYABLE = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "bad_gateway",
        "request_timeout",
        "connection_error",
    }
)
# Refusals only a workspace admin (or the app's configuration) can lift; each has advice.
ADMIN_FIXES = (
    "restricted_action",
    "missing_scope",
    "not_allowed_token_type",
    "not_paid",
    "is_archived",
    "is_inactive",
    "channel_not_found",
    "not_in_channel",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "not_authed",
    "team_access_not_granted",
)
# Why a Slack Connect invitation was not sent, when Slack says more than a code.
INVITE_REASONS = (
    "not_paid",
    "restricted_action",
    "not_allowed_token_type",
    "not_allowed_for_grid_workspace",
    "invalid_email",
    "missing_scope",
    "not_in_channel",
)
NEEDED_LIMIT = 200


def is_retryable(code: str) -> bool:
    return code in RETRYABLE or code.startswith("http_5")


def slack_refusal(locale: str, *, code: str, method: str, needed: str | None = None) -> Message:
    """Slack said `code` to `method`: say what happened and what can be done about it."""
    action = _action(locale, method)
    if is_retryable(code):
        text = t(locale, "slack.retry", action=action, code=code)
    else:
        fix = code if code in ADMIN_FIXES else "other"
        scope = clip(escape(needed or "?"), NEEDED_LIMIT)
        text = "\n".join(
            (
                t(locale, "slack.refused", action=action, code=code),
                t(locale, f"slack.fix.{fix}", needed=scope, code=code),
            )
        )
    return Message(text=text, blocks=[section("reply", text)])


def invitation_refused(
    locale: str, *, who: str, email: str | None, code: str, channel: str
) -> Message:
    """A Slack Connect invitation Slack would not send, and how the CSM gets the customer in.

    Args:
        who: The invitee as shown (an escaped e-mail, or a mention).
        email: Their e-mail address, when known (the manual invitation needs it).
        code: Slack's error code.
        channel: A link to the project channel.
    """
    reason = code if code in INVITE_REASONS else "other"
    lines = [
        t(
            locale,
            "invite.refused",
            who=who,
            code=code,
            reason=t(locale, f"invite.reason.{reason}"),
        ),
        t(locale, "invite.by_hand", channel=channel, who=escape(email) if email else who),
        t(locale, "invite.join_check"),
    ]
    if is_retryable(code):
        lines.append(t(locale, "invite.again"))
    text = "\n".join(lines)
    return Message(text=text, blocks=[section("reply", text)])


def _action(locale: str, method: str) -> str:
    key = f"slack.action.{method}"
    return t(locale, key if key in catalog("en") else "slack.action.other")
