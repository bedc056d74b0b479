"""What most commands start from: checked settings and a database that is ready.

Each helper turns the ways this can fail into one CLI line: bad settings (exit 2), a
database that is missing, unreachable or behind the code (exit 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.app import build_deps
from bot.cli.errors import Failure, UsageError
from bot.config import Settings, load_settings
from bot.deps import Deps
from storage.db import make_engine
from storage.migrate import SchemaBehindError, check_schema


def settings(*, require: Iterable[str] = ()) -> Settings:
    return load_settings(require=require)


def deps(config: Settings) -> Deps:
    """The bot's dependencies on a database at the code's schema."""
    try:
        return build_deps(config)
    except SchemaBehindError as exc:
        raise Failure(str(exc)) from None


def engine(config: Settings) -> Engine:
    """An engine on a database at the code's schema (checked without creating a file)."""
    engine = make_engine(config.database_url)
    try:
        check_schema(engine)
    except SchemaBehindError as exc:
        engine.dispose()
        raise Failure(str(exc)) from None
    return engine


def output_path(path: Path, *, option: str = "--output") -> Path:
    """A file to write: its folder must exist (checked before any work is done)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option} {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; name a file")
    return path
