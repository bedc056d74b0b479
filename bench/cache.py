"""Filled databases kept between runs: filling 50,000 projects takes minutes, copying the
filled database seconds.

A portfolio is filled once per backend, size and kind into the cache (SQLite: a file in
`BENCH_CACHE`, default `~/.cache/onboardbot-bench`; PostgreSQL: a database named
`obb_<key>`), and every measurement runs on a fresh copy of it (a file copy; `CREATE
DATABASE … TEMPLATE`), so what one section writes never reaches another. `--fresh` fills
again. The generator is deterministic (a fixed seed), so a kept database is the one a
fill would make, as long as the code that fills it has not changed. The key carries the
schema's migration head, so a new migration fills again by itself; after changing
`bench/reminders.py` or `bench/digest.py`'s fill, run with `--fresh`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import PG_URL
from storage.db import make_engine
from storage.migrate import head_revision

CACHE = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "onboardbot-bench"))


def _pg_url(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def _pg_databases() -> set[str]:
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        admin.dispose()


def _pg(statement: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


def ensure_filled(
    backend: str, key: str, fill: Callable[[str], Any], *, fresh: bool = False, log: Any = print
) -> str:
    """The URL of the kept database `key`, filled by `fill(url)` unless it already was
    (at the current schema: a database kept before a migration is never reused)."""
    key = f"{key}_{head_revision()}"
    if backend == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"{key}.db"
        if fresh or not path.exists():
            partial = CACHE / f"{key}.partial.db"
            partial.unlink(missing_ok=True)
            log(f"cache: filling {path} (once; later runs copy it)")
            fill(f"sqlite:///{partial}")
            partial.replace(path)
        return f"sqlite:///{path}"
    name = f"obb_{key}".replace("-", "_")
    databases = _pg_databases()
    if fresh and name in databases:
        _pg(f'DROP DATABASE "{name}"')
        databases.discard(name)
    if name not in databases:
        partial = f"{name}_partial"
        if partial in databases:
            _pg(f'DROP DATABASE "{partial}"')
        _pg(f'CREATE DATABASE "{partial}"')
        log(f"cache: filling PostgreSQL database {name} (once; later runs copy it)")
        fill(_pg_url(partial))
        _pg(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    return _pg_url(name)


@contextmanager
def filled_copy(
    backend: str,
    workdir: Path,
    key: str,
    fill: Callable[[str], Any],
    *,
    fresh: bool = False,
    log: Any = print,
) -> Iterator[str]:
    """A fresh copy of the kept database `key` (filled first if needed); yields its URL
    and drops the copy afterwards."""
    kept = ensure_filled(backend, key, fill, fresh=fresh, log=log)
    if backend == "sqlite":
        copy = workdir / f"{key}.db"
        shutil.copyfile(make_url(kept).database or "", copy)
        yield f"sqlite:///{copy}"
        return
    source = make_url(kept).database
    copy_name = f"obb_run_{uuid.uuid4().hex[:10]}"
    _pg(f'CREATE DATABASE "{copy_name}" TEMPLATE "{source}"')
    try:
        yield _pg_url(copy_name)
    finally:
        _pg(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
