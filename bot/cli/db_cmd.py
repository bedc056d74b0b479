"""`onboardbot db upgrade`."""

from __future__ import annotations

import argparse

from bot.cli import context
from storage.db import make_engine
from storage.migrate import current_revision, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_sub.add_parser("upgrade", help="apply all migrations (safe to run again)")
    up.set_defaults(handler=run_upgrade)


def run_upgrade(_args: argparse.Namespace) -> int:
    settings = context.settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        print(f"database is at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0
