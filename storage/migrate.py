"""Alembic migrations, run from code so the CLI and the tests share one path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class SchemaBehindError(Exception):
    """The database schema is older than the code (or newer, or empty)."""


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on the engine's database."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database (None for PostgreSQL or an in-memory database)."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaBehindError unless the database is at the head revision.

    A SQLite file that does not exist is reported without connecting: connecting would
    leave an empty file behind.
    """
    path = sqlite_file(engine)
    if path is not None and not path.exists():
        raise SchemaBehindError(f"no database file at {path}: run `onboardbot db upgrade`")
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaBehindError("the database has no schema yet: run `onboardbot db upgrade`")
    raise SchemaBehindError(
        f"the database schema is at {current}, the code needs {head}: run `onboardbot db upgrade`"
    )
