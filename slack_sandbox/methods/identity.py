"""Who's who: auth.test, users.*, team.info, bots.info."""

from __future__ import annotations

from slack_sandbox.errors import WebApiError
from slack_sandbox.methods.args import Args
from slack_sandbox.methods.paging import page
from slack_sandbox.models import Json, User
from slack_sandbox.scopes import READ_EMAIL
from slack_sandbox.state import Workspace


def user_object(ws: Workspace, user: User, *, include_locale: bool) -> Json:
    """A user as this app may see them (docs.slack.dev/apis/slack-connect#members).

    E-mail needs `users:read.email`, and for a person of another organisation also that
    organisation's consent to show it; external people carry no locale, and those who share
    no channel with the app are `is_stranger`.
    """
    external = ws.is_external(user)
    show_email = READ_EMAIL in ws.scopes and (not external or ws.teams[user.team_id].email_visible)
    return user.to_slack(
        include_locale=include_locale and not external,
        show_email=show_email,
        is_stranger=external and not ws.shares_channel_with_bot(user.id),
    )


def auth_test(ws: Workspace, args: Args) -> Json:
    return {
        "ok": True,
        "url": f"https://{ws.team.domain}.slack.com/",
        "team": ws.team.name,
        "user": ws.bot.name,
        "team_id": ws.team.id,
        "user_id": ws.bot.id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def users_info(ws: Workspace, args: Args) -> Json:
    user = ws.user(args.text("user"))
    if user is None:
        raise WebApiError("user_not_found")
    return {
        "ok": True,
        "user": user_object(ws, user, include_locale=args.flag("include_locale")),
    }


def users_lookup_by_email(ws: Workspace, args: Args) -> Json:
    user = ws.user_by_email(args.text("email"))
    # Only people of the installed workspace are found, never external ones.
    if user is None or ws.is_external(user):
        raise WebApiError("users_not_found")
    return {"ok": True, "user": user_object(ws, user, include_locale=False)}


def users_list(ws: Workspace, args: Args) -> Json:
    everyone = [
        user_object(ws, u, include_locale=args.flag("include_locale"))
        for u in ws.users.values()
        if u.team_id == ws.team.id
    ]
    chunk, cursor = page(everyone, cursor=args.opt("cursor"), limit=args.number("limit", 200))
    return {
        "ok": True,
        "members": chunk,
        "cache_ts": ws.now(),
        "response_metadata": {"next_cursor": cursor},
    }


def team_info(ws: Workspace, args: Args) -> Json:
    team = ws.teams.get(args.text("team", ws.team.id) or ws.team.id)
    if team is None:
        raise WebApiError("team_not_found")
    return {"ok": True, "team": team.to_slack()}


def bots_info(ws: Workspace, args: Args) -> Json:
    if args.text("bot", ws.bot_id) != ws.bot_id:
        raise WebApiError("bot_not_found")
    return {
        "ok": True,
        "bot": {
            "id": ws.bot_id,
            "deleted": False,
            "name": ws.bot.real_name,
            "updated": ws.bot.created,
            "app_id": ws.app_id,
            "user_id": ws.bot.id,
            "icons": {},
        },
    }
