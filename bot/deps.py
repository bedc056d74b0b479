"""What flows and jobs need, built once by the composition root and passed explicitly."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.playbook import Playbook
from bot.services.calendars import CountryCalendars
from bot.slack.directory import Directory
from bot.slack.gateway import Gateway
from bot.work import TrackedExecutor

WORK_THREADS = 16
EDIT_THREADS = 4


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    gateway: Gateway
    directory: Directory
    playbooks: dict[str, Playbook]
    clock: Callable[[], datetime] = utc_now
    stopping: threading.Event = field(default_factory=threading.Event)  # set on SIGTERM
    # What listeners do once they have acknowledged (never the pool acknowledgements use).
    work: TrackedExecutor = field(
        default_factory=lambda: TrackedExecutor(WORK_THREADS, name="after-ack")
    )
    # A checklist's other messages, edited while its first one is (a full checklist is two).
    # Its own pool: work on `work` waits for these edits, so they never queue behind it.
    edits: TrackedExecutor = field(
        default_factory=lambda: TrackedExecutor(EDIT_THREADS, name="checklist-edit")
    )
    _locks: defaultdict[int, threading.Lock] = field(
        default_factory=lambda: defaultdict(threading.Lock)
    )
    _queued: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    _queued_lock: threading.Lock = field(default_factory=threading.Lock)
    _calendars: CountryCalendars | None = None

    @property
    def executors(self) -> tuple[TrackedExecutor, ...]:
        """Every pool of this process: settled (`wait_all_idle`) and shut down together."""
        return (self.work, self.edits)

    def close(self, *, wait: bool = True) -> None:
        """Shut every pool down (`wait=False` drops work not yet started) and close the
        database's connections."""
        for executor in self.executors:
            executor.shutdown(wait=wait, cancel_futures=not wait)
        self.engine.dispose()

    def today(self) -> date:
        """Today in DEFAULT_TIMEZONE (projects have their own zone: see local_today)."""
        return self.clock().astimezone(ZoneInfo(self.settings.default_timezone)).date()

    def project_lock(self, project_id: int) -> threading.Lock:
        """Serialises checklist edits of one project within this process."""
        return self._locks[project_id]

    @contextmanager
    def project_turn(self, project_id: int) -> Iterator[bool]:
        """Hold the project's lock; yields False when another caller is already queued
        for it, whose turn will see everything committed before this one's (so this
        turn's work may be skipped)."""
        with self._queued_lock:
            self._queued[project_id] += 1
        try:
            with self.project_lock(project_id):
                with self._queued_lock:
                    self._queued[project_id] -= 1
                    last = self._queued[project_id] == 0
                yield last
        finally:
            with self._queued_lock:
                if self._queued.get(project_id) == 0:
                    del self._queued[project_id]

    def calendar(self, country: str, blackouts: list[DateRange] | None = None) -> BusinessCalendar:
        """One holiday cache per country, shared by every project."""
        if self._calendars is None:
            self._calendars = CountryCalendars(self.settings)
        return self._calendars(country, blackouts)
