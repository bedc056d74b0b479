"""Typed settings read from the environment and an optional `.env` file.

Nothing is read at import time: call `load_settings()` from the composition root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.calendar import validate_country

SECRET_FIELDS = ("slack_bot_token", "slack_signing_secret", "slack_app_token")


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
    database_url: str = "sqlite:///onboardbot.db"
    cs_team_channel: str = ""
    default_locale: Literal["ja", "en"] = "ja"
    default_timezone: str = "Asia/Tokyo"
    holiday_country: str = "JP"
    year_end_closure: str = "12-29:01-03"
    playbook_dir: Path | None = None
    default_playbook: str = "low-touch"
    reminder_hour: int = Field(default=9, ge=0, le=23)
    digest_cron: str = "mon 09:00"
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"

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

    def masked(self) -> dict[str, str]:
        """The effective settings as strings, with secrets and database passwords masked."""
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            text = "" if value is None else str(value)
            if name in SECRET_FIELDS and text:
                text = text[:5] + "…" + "*" * 6
            if name == "database_url":
                text = mask_url_password(text)
            out[name.upper()] = text
        return out


def parse_month_day_range(value: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Parse `MM-DD:MM-DD` (e.g. `12-29:01-03`) into two (month, day) pairs."""
    try:
        start, end = value.split(":")
        pairs = tuple(tuple(int(x) for x in part.split("-")) for part in (start, end))
        for month, day in pairs:
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise ValueError
    except ValueError:
        raise ValueError(f"{value!r} is not a MM-DD:MM-DD range such as 12-29:01-03") from None
    return pairs  # type: ignore[return-value]


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":******@", 1)
    return url


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise SettingsError with one readable line per invalid value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]).upper() or "settings"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{field}: {message}")
        raise SettingsError(problems) from None
