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

Several runs may share the cache at once (two checkouts benchmarking side by side): one
fills a portfolio while the others wait for it (a lock file; a PostgreSQL advisory lock),
each fill writes under a name of its own and is renamed into place only when complete,
and a kept database without projects (a fill that was cut short) is filled again.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
import zlib
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
        return _sqlite_filled(key, fill, fresh=fresh, log=log)
    return _pg_filled(f"obb_{key}".replace("-", "_"), fill, fresh=fresh, log=log)


def _sqlite_filled(key: str, fill: Callable[[str], Any], *, fresh: bool, log: Any) -> str:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{key}.db"
    with (CACHE / f"{key}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run filling it: wait for its result
        if fresh or not _has_projects(f"sqlite:///{path}"):
            partial = CACHE / f"{key}.{os.getpid()}.partial.db"
            partial.unlink(missing_ok=True)
            log(f"cache: filling {path} (once; later runs copy it)")
            try:
                fill(f"sqlite:///{partial}")
                partial.replace(path)
            finally:
                for leftover in CACHE.glob(f"{partial.name}*"):
                    leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _pg_filled(name: str, fill: Callable[[str], Any], *, fresh: bool, log: Any) -> str:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as locked:
            # Held for the whole fill: another run filling the same portfolio waits.
            locked.execute(text("SELECT pg_advisory_lock(:k)"), {"k": zlib.crc32(name.encode())})
            databases = _pg_databases()
            if name in databases and (fresh or not _has_projects(_pg_url(name))):
                _pg(f'DROP DATABASE "{name}" WITH (FORCE)')
                databases.discard(name)
            if name not in databases:
                partial = f"{name}_partial"
                if partial in databases:
                    _pg(f'DROP DATABASE "{partial}" WITH (FORCE)')
                _pg(f'CREATE DATABASE "{partial}"')
                log(f"cache: filling PostgreSQL database {name} (once; later runs copy it)")
                fill(_pg_url(partial))
                _pg(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    finally:
        admin.dispose()
    return _pg_url(name)


def _has_projects(url: str) -> bool:
    """Whether the kept database at `url` holds a filled portfolio (a fill cut short, or an
    empty file, does not)."""
    if url.startswith("sqlite:") and not Path(make_url(url).database or "").exists():
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT count(*) FROM project")).scalar())
    except Exception:  # no such table, not a database: not filled
        return False
    finally:
        engine.dispose()


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
