"""Shared fixtures: a migrated database on SQLite and on PostgreSQL.

PostgreSQL tests use `TEST_DATABASE_URL` (default: the local server at 127.0.0.1:5432,
database `test`). Each test gets its own schema, so tests never see each other's rows.
Where no server is reachable the PostgreSQL variants skip with the reason, unless
`ONBOARDBOT_REQUIRE_POSTGRES=1` (set by CI), in which case they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_pg_problem: str | None = None
_pg_checked = False


def postgres_problem() -> str | None:
    """Why PostgreSQL can't be used here, or None when it can."""
    global _pg_checked, _pg_problem
    if not _pg_checked:
        _pg_checked = True
        try:
            engine = make_engine(PG_URL)
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
        except Exception as exc:  # any failure to connect means "not available"
            _pg_problem = f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {exc}"
    return _pg_problem


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("ONBOARDBOT_REQUIRE_POSTGRES") == "1":
        pytest.fail(problem)
    pytest.skip(problem)


def fresh_postgres_url() -> tuple[str, str]:
    """Create an empty schema; return (url that uses it, schema name)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}", schema


def drop_postgres_schema(schema: str) -> None:
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onboardbot.db'}"
        return
    require_postgres()
    url, schema = fresh_postgres_url()
    try:
        yield url
    finally:
        drop_postgres_schema(schema)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each backend."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()
