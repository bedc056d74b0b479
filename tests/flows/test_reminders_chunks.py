"""The reminders job renders and writes a morning a chunk at a time (memory stays bounded at
50,000 projects); chunking changes nothing of what is queued, and a run cut short between
chunks leaves the rest for the next run, each message once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import select

from bench.reminders import NOW, bench_settings, fill
from bot.app import build_deps
from bot.deps import Deps
from bot.flows import job_report
from bot.flows import reminders as reminders_flow
from bot.flows.reminders import queue_reminders
from storage.db import make_engine, session_scope
from storage.models import Outbox

CHUNK = 7


@pytest.fixture
def deps(db_url: str) -> Iterator[Deps]:
    settings = bench_settings().model_copy(update={"database_url": db_url})
    engine = make_engine(db_url)
    fill(engine, projects=40, settings=settings)
    engine.dispose()
    deps = build_deps(settings)
    try:
        yield deps
    finally:
        deps.engine.dispose()


def _outbox_keys(deps: Deps) -> Counter[str]:
    with session_scope(deps.engine) as session:
        return Counter(session.exec(select(Outbox.key).where(Outbox.kind == "reminder")).all())


def _key(planned: str) -> str:
    return planned.split(" → ", 1)[0]


def test_a_morning_is_queued_chunk_by_chunk_the_same_as_at_once(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = _outbox_keys(deps)  # the portfolio's earlier mornings
    whole = queue_reminders(deps, now=NOW, dry_run=True)  # one chunk: nothing split
    assert len(whole.planned) > 3 * CHUNK  # enough for several chunks
    monkeypatch.setattr(reminders_flow, "RENDER_CHUNK", CHUNK)
    assert queue_reminders(deps, now=NOW, dry_run=True).planned == whole.planned
    queued = queue_reminders(deps, now=NOW, dry_run=False)
    assert queued.planned == whole.planned and queued.enqueued == len(whole.planned)
    keys = _outbox_keys(deps) - earlier
    assert keys == Counter(_key(line) for line in whole.planned)  # each planned key once
    assert queue_reminders(deps, now=NOW, dry_run=False).enqueued == 0


def test_a_run_cut_short_between_chunks_is_finished_by_the_next(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = _outbox_keys(deps)
    whole = queue_reminders(deps, now=NOW, dry_run=True)
    monkeypatch.setattr(reminders_flow, "RENDER_CHUNK", CHUNK)
    real_queue = job_report.queue
    calls = 0

    def dies_on_the_third(*args: object, **kwargs: object) -> job_report.Queued:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("killed")
        return real_queue(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reminders_flow, "queue", dies_on_the_third)
    with pytest.raises(RuntimeError):
        queue_reminders(deps, now=NOW, dry_run=False)
    written = _outbox_keys(deps) - earlier
    assert written == Counter(_key(line) for line in whole.planned[: 2 * CHUNK])  # two chunks
    monkeypatch.setattr(reminders_flow, "queue", real_queue)
    rest = queue_reminders(deps, now=NOW, dry_run=False)
    assert rest.enqueued == len(whole.planned) - 2 * CHUNK
    assert _outbox_keys(deps) - earlier == Counter(_key(line) for line in whole.planned)
