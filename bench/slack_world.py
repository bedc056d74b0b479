"""The Slack workspace a filled portfolio lives in, built in the sandbox: every person of
the database as a Slack user in their time zone, every project channel with the bot in it,
and the DMs the bot opened on earlier days (recorded in the outbox as the bot records
them, so it does not open 20,000 DMs again at Tier 3 pace)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text

from bench.reminders import NOW, columns, write_rows
from slack_sandbox import Sandbox
from slack_sandbox.rate_limits import PostLimits
from storage.db import make_engine

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
HISTORY_COLUMNS = columns("""
    key kind project_id recipient text blocks task_ids status attempts next_attempt_at
    created_at sent_at sent_channel sent_ts delivered_via
""")


@dataclass(frozen=True)
class World:
    sandbox: Sandbox
    cs_team: str
    people: int
    channels: int


def build_world(url: str, *, posts_per_minute: int, rate_limits: bool = True) -> World:
    """A started sandbox holding the portfolio's people and channels (the caller stops it).
    `rate_limits` off only where a simulated day runs in minutes (memory, not pace)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            people = conn.execute(
                text(
                    "SELECT slack_user_id, max(tz) FROM stakeholder"
                    " WHERE slack_user_id IS NOT NULL GROUP BY slack_user_id"
                )
            ).all()
            channels = conn.execute(
                text("SELECT id, channel_id FROM project WHERE channel_id IS NOT NULL")
            ).all()
        sandbox = Sandbox(
            signing_secret=SECRET,
            bot_token=TOKEN,
            post_limits=PostLimits(workspace_per_minute=posts_per_minute),
            rate_limits=rate_limits,
        )
        sandbox.start()
        for user_id, tz in people:
            sandbox.add_user(user_id.lower(), user_id=user_id, tz=tz or "Asia/Tokyo")
        pinned = []  # the welcome and checklist messages each channel starts with
        for project_id, channel_id in channels:
            channel = sandbox.add_channel(f"onb-{project_id}", channel_id=channel_id)
            with sandbox.workspace.lock:
                welcome, checklist = (
                    sandbox.workspace.append_message(
                        channel,
                        sandbox.workspace.bot_message(text=what, blocks=None, attachments=None),
                    )["ts"]
                    for what in ("welcome", "checklist")
                )
            pinned.append(
                {"b_id": project_id, "b_welcome": welcome, "b_checklist": json.dumps([checklist])}
            )
        as_json = (
            "CAST(:b_checklist AS JSON)" if engine.dialect.name == "postgresql" else ":b_checklist"
        )
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"UPDATE project SET welcome_ts = :b_welcome, checklist_ts = {as_json}"
                    " WHERE id = :b_id"
                ),
                pinned,
            )
        cs_team = sandbox.add_channel("cs-team", members=[u for u, _ in people[:5]]).id
        # The DMs earlier mornings used, as the outbox remembers them.
        yesterday = NOW - timedelta(days=1)
        rows = []
        with sandbox.workspace.lock:
            for user_id, _tz in people:
                dm = sandbox.workspace.im_for(user_id).id
                sent = ("sent", 1, yesterday, yesterday, yesterday, dm, "1690000000.000100", "dm")
                rows.append(
                    (f"bench-dm:{user_id}", "reminder", None, user_id, "", "[]", "[]", *sent)
                )
        write_rows(engine, "outbox", HISTORY_COLUMNS, rows)
    finally:
        engine.dispose()
    return World(sandbox, cs_team, len(people), len(channels))


def bot_env(url: str, world: World, *, posts_per_minute: int) -> dict[str, str]:
    """The environment a bot process against this world runs with."""
    return {
        "DATABASE_URL": url,
        "SLACK_API_URL": world.sandbox.api_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "CS_TEAM_CHANNEL": world.cs_team,
        "SLACK_POSTS_PER_MINUTE": str(posts_per_minute),
        "LOG_LEVEL": "WARNING",
    }
