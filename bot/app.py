"""The composition root: settings → engine → gateway → Bolt app with its listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.config import Settings
from bot.deps import Deps
from bot.domain.playbook import load_playbooks
from bot.logs import DropMessages
from bot.server import WSGIApp
from bot.services.webhooks import follower as webhook_follower
from bot.slack.directory import Directory
from bot.slack.gateway import Gateway, build_client
from storage import events
from storage.db import make_engine
from storage.migrate import check_schema


def build_deps(settings: Settings, *, check_db: bool = True) -> Deps:
    """Everything the listeners and jobs share. Refuses a database whose schema is behind."""
    engine = make_engine(settings.database_url)
    if check_db:
        try:
            check_schema(engine)
        except BaseException:
            engine.dispose()  # closes SQLite's WAL files with the last connection
            raise
    if settings.webhook_receivers:
        # Every event of interest becomes a delivery in the transaction that records it.
        events.follow(engine, webhook_follower(settings.webhook_receivers))
    gateway = Gateway(
        build_client(token=settings.slack_bot_token, base_url=settings.slack_api_url),
        strict_client=build_client(
            token=settings.slack_bot_token, base_url=settings.slack_api_url, strict=True
        ),
        posts_per_minute=settings.slack_posts_per_minute,
    )
    return Deps(
        settings=settings,
        engine=engine,
        gateway=gateway,
        directory=Directory(gateway, cs_team_channel=settings.cs_team_channel),
        playbooks=load_playbooks(settings.playbook_dir),
    )


def build_app(deps: Deps) -> App:
    """The Bolt app with every listener registered.

    Each listener's ack function runs to its end in the thread that received the request
    (waitress' or Socket Mode's: `process_before_response`), so the answer never waits for
    a pool; only then does Bolt start its lazy functions, on `deps.work` (see `bot.work`)."""
    import handlers  # only the composition root knows the handlers

    bolt_logger = logging.getLogger("onboardbot.bolt")
    if not any(isinstance(f, DropMessages) for f in bolt_logger.filters):
        # Bolt reads SLACK_BOT_TOKEN itself and warns that our client wins: by design.
        bolt_logger.addFilter(DropMessages(warning_client_prioritized_and_token_skipped()))
    app = App(
        process_before_response=True,
        listener_executor=deps.work,
        signing_secret=deps.settings.slack_signing_secret,
        client=deps.gateway.client,
        token_verification_enabled=False,
        logger=bolt_logger,
    )
    handlers.register(app, deps)
    return app


def build_api(deps: Deps) -> WSGIApp | None:
    """The HTTP API (`/api/v1/…`), or None while API_TOKENS is empty: then it is off."""
    if not deps.settings.api_tokens:
        return None
    from handlers.api.app import api_app  # only the composition root knows the handlers

    return api_app(deps)
