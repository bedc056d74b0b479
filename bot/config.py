"""Typed settings read from the environment and an optional `.env` file.

Nothing is read at import time: call `load_settings()` from the composition root. It is the
one validation every command goes through: each value's form, the playbooks it names, and
what the command needs (`require`), reported as one line per problem that names the
variable and its value (secrets masked).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config_values import (
    ApiToken,
    DigestTime,
    mask_secret,
    mask_url_password,
    parse_api_tokens,
    parse_digest_cron,
    parse_month_day_range,
)
from bot.domain.calendar import validate_country
from bot.domain.playbook import PlaybookError, load_playbooks

SECRET_FIELDS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "webhook_secret")
# Slack's token kinds are public prefixes: showing them reveals nothing secret.
TOKEN_PREFIXES = {"slack_bot_token": "xoxb-", "slack_app_token": "xapp-"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Public (C…) or private (G…) channel ids, as Slack shows them in the channel's details.
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,}")
# What `.env.example` holds before anyone edits it.
EXAMPLE_CHANNEL_ID = "C0123456789"
_ELLIPSES = ("...", "…")
# What each `run` mode cannot start without.
REQUIRED = {
    "http": ("slack_bot_token", "slack_signing_secret", "cs_team_channel"),
    "socket": ("slack_bot_token", "slack_signing_secret", "slack_app_token", "cs_team_channel"),
}


MIN_WEBHOOK_SECRET = 16


def _shown(secret: str) -> str:
    """A secret named in a problem line: masked, with its length as a hint."""
    return f"{mask_secret(secret)!r} ({len(secret)} characters)"


def _looks_like_placeholder(value: str) -> bool:
    return any(mark in value for mark in _ELLIPSES)


class SettingsError(Exception):
    """Raised when the configuration is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    """Everything the bot can be configured with (see the README's configuration table)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    # chat.postMessage's workspace-wide budget: Slack publishes no number ("several hundred
    # a minute"); set it to what your workspace allows.
    slack_posts_per_minute: int = Field(default=300, ge=10, le=100_000)
    # Posts in flight at once, each to its own conversation (Slack's budgets bound the rate).
    outbox_workers: int = Field(default=8, ge=1, le=64)
    database_url: str = "sqlite:///onboardbot.db"
    cs_team_channel: str = ""
    default_locale: Literal["ja", "en"] = "ja"
    default_timezone: str = "Asia/Tokyo"
    holiday_country: str = "JP"
    year_end_closure: str = "12-29:01-03"
    playbook_dir: Path | None = None
    default_playbook: str = "low-touch"
    reminder_hour: int = Field(default=9, ge=0, le=23)
    # Who lets the decision-maker's message go: the CSM (a draft with Send) or nobody (auto).
    escalation_approval: Literal["csm", "auto"] = "csm"
    digest_cron: str = "mon 09:00"
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    api_tokens: str = ""  # NAME:TOKEN[:read],…: the HTTP API is off without one
    api_rate_limit: int = Field(default=60, ge=1, le=100_000)  # requests per minute per token
    webhook_urls: str = ""  # comma-separated receivers of the outgoing webhooks
    webhook_secret: str = ""  # signs every delivery (HMAC-SHA256)

    @field_validator("api_tokens")
    @classmethod
    def _api_tokens(cls, value: str) -> str:
        try:
            parse_api_tokens(value)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @field_validator("webhook_urls")
    @classmethod
    def _webhook_urls(cls, value: str) -> str:
        for url in (u.strip() for u in value.split(",")):
            parts = urlsplit(url)
            if url and (parts.scheme not in ("http", "https") or not parts.netloc):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: str) -> str:
        value = value.strip()
        if value and len(value) < MIN_WEBHOOK_SECRET:
            raise ValueError(f"{_shown(value)} is too short: use {MIN_WEBHOOK_SECRET}+ characters")
        return value

    @property
    def api_token_list(self) -> tuple[ApiToken, ...]:
        return parse_api_tokens(self.api_tokens)

    @property
    def webhook_receivers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.strip() for u in self.webhook_urls.split(",") if u.strip()))

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret")
    @classmethod
    def _secret(cls, value: str, info: Any) -> str:
        value = value.strip()
        if not value:
            return value
        if _looks_like_placeholder(value):
            raise ValueError(
                f"{_shown(value)} is the placeholder from .env.example:"
                " paste the value from your Slack app's settings"
            )
        prefix = TOKEN_PREFIXES.get(info.field_name)
        if prefix and not value.startswith(prefix):
            raise ValueError(
                f"{_shown(value)} does not start with {prefix!r} ({_TOKEN_HINTS[info.field_name]})"
            )
        return value

    @field_validator("cs_team_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if value == EXAMPLE_CHANNEL_ID or _looks_like_placeholder(value):
            raise ValueError(
                f"{value!r} is the example from .env.example: use your CS team channel's id"
            )
        if not _CHANNEL_ID.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a channel id such as C0123ABCD (a name will not do: in"
                " Slack, open the channel's details; the id is at the bottom)"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level ({', '.join(LOG_LEVELS)})")
        return value.strip().upper()

    @field_validator("digest_cron")
    @classmethod
    def _digest_cron(cls, value: str) -> str:
        parse_digest_cron(value)
        return value.strip()

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if not scheme.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError(f"{value!r} is not a sqlite:/// or postgresql:// URL")
        if scheme in ("postgres", "postgresql"):
            # SQLAlchemy needs the driver name; psycopg 3 is the one we ship.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Asia/Tokyo)"
            ) from None
        return value

    @field_validator("holiday_country")
    @classmethod
    def _country(cls, value: str) -> str:
        validate_country(value.upper())
        return value.upper()

    @field_validator("year_end_closure")
    @classmethod
    def _closure(cls, value: str) -> str:
        if value.strip().lower() in ("", "none", "off"):
            return "off"
        parse_month_day_range(value)
        return value

    @field_validator("playbook_dir")
    @classmethod
    def _playbook_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a directory")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def digest_time(self) -> DigestTime:
        return parse_digest_cron(self.digest_cron)

    def masked(self) -> dict[str, str]:
        """The effective settings as strings, with secrets and database passwords masked."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            text = "" if value is None else str(value)
            if name in SECRET_FIELDS:
                text = mask_secret(text)
            if name == "database_url":
                text = mask_url_password(text)
            if name == "api_tokens":  # the names only
                text = ", ".join(t.name for t in self.api_token_list)
            out[name.upper()] = text
        return out


_TOKEN_HINTS = {
    "slack_bot_token": "the Bot User OAuth Token, under OAuth & Permissions",
    "slack_app_token": "an app-level token with connections:write, under Basic Information",
}
_REQUIRED_HINTS = {
    "slack_bot_token": "the Bot User OAuth Token (xoxb-…), under OAuth & Permissions",
    "slack_signing_secret": "the Signing Secret, under Basic Information",
    "slack_app_token": "an app-level token (xapp-…) with connections:write, for Socket Mode",
    "cs_team_channel": "the id of the CS team's channel (C…); its members are CS staff",
}


def load_settings(*, require: Iterable[str] = (), **overrides: object) -> Settings:
    """Read and check the settings; raise SettingsError with one line per problem.

    Args:
        require: settings the command cannot work without (e.g. `REQUIRED["http"]`).
        overrides: values that win over the environment (tests, the local sandbox).
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]  # overrides are untyped field values; pydantic validates them
    except ValidationError as exc:
        raise SettingsError([_problem(error) for error in exc.errors()]) from None
    problems = [
        f"{name.upper()}: not set: {_REQUIRED_HINTS.get(name, 'required')}"
        for name in require
        if not getattr(settings, name)
    ]
    if settings.webhook_urls and not settings.webhook_secret:
        problems.append("WEBHOOK_SECRET: not set: WEBHOOK_URLS needs a secret to sign with")
    problems += _playbook_problems(settings)
    if problems:
        raise SettingsError(problems)
    return settings


def _playbook_problems(settings: Settings) -> list[str]:
    """Every playbook must load, and DEFAULT_PLAYBOOK must be one of them."""
    try:
        playbooks = load_playbooks(settings.playbook_dir)
    except PlaybookError as exc:
        return [f"PLAYBOOK_DIR: {settings.playbook_dir}: {line}" for line in exc.problems]
    if settings.default_playbook not in playbooks:
        return [
            f"DEFAULT_PLAYBOOK: no playbook named {settings.default_playbook!r}"
            f" (available: {', '.join(sorted(playbooks))})"
        ]
    return []


def _problem(error: Any) -> str:
    """`NAME: what is wrong with 'value'`; the value masked for secrets."""
    name = str(error["loc"][0]) if error["loc"] else ""
    field = ".".join(str(part) for part in error["loc"]).upper() or "settings"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "value_error":
        return f"{field}: {message}"  # our validators quote the value themselves
    value = error.get("input")
    shown = mask_secret(str(value)) if name in SECRET_FIELDS else value
    if error["type"] == "literal_error":
        return f"{field}: {shown!r} is not one of {error['ctx']['expected']}"
    return f"{field}: {message[:1].lower()}{message[1:]} (got {shown!r})"
