"""Keys of requests (and claims) that must take effect once; see `HandledRequest`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from storage.bulk import chunks
from storage.models import HandledRequest


def claim(*, session: Session, key: str, at: datetime, project_id: int | None = None) -> bool:
    """Write `key` unless it exists; False when it does (also when another transaction
    writes it at the same moment: the database decides, after that one commits)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(HandledRequest)
        .values(key=key, at=at, project_id=project_id)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(HandledRequest.key))
    )
    return session.exec(statement).first() is not None


def project_of(*, session: Session, key: str) -> int | None:
    handled = session.get(HandledRequest, key)
    return handled.project_id if handled is not None else None


def point(*, session: Session, keys: Sequence[str], project_id: int) -> None:
    """Say which project these keys produced (their repeats are answered with it)."""
    for piece in chunks(keys):
        session.exec(
            update(HandledRequest)
            .where(col(HandledRequest.key).in_(list(piece)))
            .values(project_id=project_id)
        )


def release_starting(*, session: Session, project_id: int) -> None:
    """Drop the project's `starting:<customer>` claim: its start ended (activated, or the
    project forgotten), so the customer may be started again."""
    session.exec(
        delete(HandledRequest).where(
            col(HandledRequest.project_id) == project_id,
            col(HandledRequest.key).startswith("starting:"),
        )
    )
