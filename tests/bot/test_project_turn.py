"""Checklist refreshes of one project take turns; one queued behind another skips nothing
it would have shown, so a burst of clicks costs one edit, not one per click."""

from __future__ import annotations

import threading
from typing import Any

from bot.deps import Deps


def deps() -> Deps:
    return Deps(settings=None, engine=None, gateway=None, directory=None, playbooks={})  # type: ignore[arg-type]


def test_a_lone_turn_does_its_work() -> None:
    d = deps()
    with d.project_turn(1) as last:
        assert last
    assert dict(d._queued) == {}


def test_only_the_last_queued_turn_renders() -> None:
    d = deps()
    inside, release = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def first() -> None:
        with d.project_turn(7) as last:
            outcomes["first"] = last
            inside.set()
            release.wait(5)

    def queued(name: str, started: threading.Event) -> None:
        started.set()
        with d.project_turn(7) as last:
            outcomes[name] = last

    a = threading.Thread(target=first)
    a.start()
    inside.wait(5)
    waiting = []
    for name in ("second", "third"):
        started = threading.Event()
        thread = threading.Thread(target=queued, args=(name, started))
        thread.start()
        started.wait(5)
        waiting.append(thread)
    while d._queued[7] < 2:  # both are queued behind the first
        threading.Event().wait(0.01)
    release.set()
    for thread in (a, *waiting):
        thread.join(5)
    # The first rendered (nobody was queued when it got the lock); of the two queued, the
    # one that got the lock while the other still waited skipped; the last rendered.
    assert outcomes["first"] is True
    assert sorted([outcomes["second"], outcomes["third"]]) == [False, True]
    assert dict(d._queued) == {}
    # Another project is never held up by this one.
    with d.project_turn(8) as last:
        assert last
