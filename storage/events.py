"""The append-only event log: rows are added, never changed.

Others may follow the log of one database (`follow`): each follower is called with every
event recorded, in the same session, so what it writes commits (or rolls back) with the
change the event records. Webhook deliveries are made that way.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.models import Event, Project

SYSTEM = "system"  # the actor of what the bot does by itself (jobs, the outbox, activations)

Follower = Callable[[Session, Event], None]
_followers: weakref.WeakKeyDictionary[Engine, list[Follower]] = weakref.WeakKeyDictionary()
_followers_lock = threading.Lock()


def follow(engine: Engine, follower: Follower) -> None:
    """Call `follower(session, event)` for every event recorded through `engine` from now on."""
    with _followers_lock:
        _followers.setdefault(engine, []).append(follower)


# Built once: a statement made per event costs more to build than to run.
_INSERT = insert(Event)
_COLUMNS = ("project_id", "task_id", "kind", "actor", "at", "before", "after")
_BUMP = (
    update(Project)
    .where(
        col(Project.id) == bindparam("bump_project"),
        col(Project.updated_at).is_(None) | (col(Project.updated_at) < bindparam("bump_at")),
    )
    .values(updated_at=bindparam("bump_at"))
)


def record(
    *,
    session: Session,
    kind: str,
    actor: str,
    at: datetime,
    project_id: int | None = None,
    task_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one event (who did what, when, before and after); the project's `updated_at`
    moves with it (`record_many` of one event)."""
    record_many(
        session=session,
        events=[
            Event(
                project_id=project_id,
                task_id=task_id,
                kind=kind,
                actor=actor,
                at=at,
                before=before,
                after=after,
            )
        ],
    )


def record_many(*, session: Session, events: Sequence[Event]) -> None:
    """Append new events: one INSERT for all of them and one UPDATE per project moving its
    `updated_at`, as Core statements on the session's connection, in its transaction.

    No flush of the session and no ORM bookkeeping per event (the outbox logs thousands of
    sends in one transaction; through the ORM each cost a flush of its own). The events
    stay objects not attached to the session (they get no id); followers see each."""
    if not events:
        return
    connection = session.connection()
    connection.execute(_INSERT, [{name: getattr(e, name) for name in _COLUMNS} for e in events])
    latest: dict[int, datetime] = {}
    for event in events:
        if event.project_id is not None:
            latest[event.project_id] = max(event.at, latest.get(event.project_id, event.at))
    if latest:
        # By project id: two transactions moving several projects (a batch of sends, a
        # batch of escalation steps) lock them in one order, so neither waits on the other
        # while holding a project it wants (a deadlock on PostgreSQL).
        connection.execute(
            _BUMP, [{"bump_project": pid, "bump_at": at} for pid, at in sorted(latest.items())]
        )
    bind = session.get_bind()
    engine = bind.engine if hasattr(bind, "engine") else bind
    with _followers_lock:
        followers = list(_followers.get(engine, ()))  # type: ignore[arg-type]  # WeakKeyDictionary.get's default is typed as the value type; () is read the same
    if followers:
        for event in events:
            for follower in followers:
                follower(session, event)


def status_changed(
    *,
    session: Session,
    kind: str,
    actor: str,
    at: datetime,
    project_id: int | None,
    before: str,
    after: str,
    task_id: int | None = None,
    **details: Any,
) -> None:
    """Record a change of status: `{"status": before}` to `{"status": after, **details}`."""
    record(
        session=session,
        kind=kind,
        actor=actor,
        at=at,
        project_id=project_id,
        task_id=task_id,
        before={"status": before},
        after={"status": after, **details},
    )


def for_project(*, session: Session, project_id: int, kind: str | None = None) -> list[Event]:
    query = select(Event).where(Event.project_id == project_id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(session.exec(query.order_by(col(Event.id))))


def by_kind(*, session: Session, kind: str, limit: int = 200) -> list[Event]:
    """The latest events of one kind, newest first."""
    query = select(Event).where(Event.kind == kind).order_by(col(Event.id).desc()).limit(limit)
    return list(session.exec(query))
