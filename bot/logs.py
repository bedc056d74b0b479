"""Logging: one line per event, JSON when LOG_FORMAT=json, with the request's context.

Context (project, team, channel, user, request id) rides in contextvars set per request;
a filter masks tokens and e-mail addresses so neither ever reaches the logs.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

CONTEXT_FIELDS = ("request_id", "team_id", "channel_id", "user_id", "project_id")
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "log_context", default=None
)
_SECRETS = re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+")
_EMAILS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Add fields to every log line written inside the block (e.g. one Slack request)."""
    merged = {**(_context.get() or {}), **{k: v for k, v in values.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def bind(**values: Any) -> None:
    """Add fields to the current context (e.g. the project id once it is known)."""
    _context.set({**(_context.get() or {}), **{k: v for k, v in values.items() if v is not None}})


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def scrub(text: str) -> str:
    return _EMAILS.sub("<email>", _SECRETS.sub("<token>", text))


class _Scrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        for key, value in (_context.get() or {}).items():
            setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            if getattr(record, key, None) is not None:
                line[key] = getattr(record, key)
        if record.exc_info:
            line["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(
            f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if getattr(record, k, None)
        )
        base = f"{self.formatTime(record)} {record.levelname} {record.name} {record.getMessage()}"
        text = f"{base} [{context}]" if context else base
        if record.exc_info:
            text += "\n" + scrub(self.formatException(record.exc_info))
        return text


class DropMessages(logging.Filter):
    """Drops log lines an operator can do nothing about (e.g. Bolt noting that the
    client we built on purpose wins over SLACK_BOT_TOKEN)."""

    def __init__(self, *messages: str) -> None:
        super().__init__()
        self.messages = frozenset(messages)

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.messages


class _OwnHandler(logging.StreamHandler):
    """The handler `configure` installs; a later call replaces it."""


def configure(*, level: str = "INFO", fmt: str = "text") -> None:
    """Install the handler on the root logger (idempotent).

    APScheduler's own INFO lines (each job added, each run started and finished) and
    Alembic's (which migration context it chose) are left out: the bot logs one summary
    line per run itself, and refuses to start on a schema that is behind.
    """
    handler = _OwnHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_Scrubber())
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _OwnHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
