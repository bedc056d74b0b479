"""Outgoing webhooks: which events become deliveries, in what words, and how a sender
holds and records them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.services import webhooks
from storage import events
from storage.db import session_scope
from storage.models import Event
from tests.services.world import STARTED, channel_of, started

RECEIVERS = ("https://crm.example/hooks", "https://bi.example/in")
NOW = datetime(2027, 4, 5, 1, 5, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def _record(engine: Engine, kind: str, project_id: int, **after: object) -> None:
    follow = webhooks.follower([*RECEIVERS, RECEIVERS[0]])  # a receiver named twice: once
    with session_scope(engine) as session:
        events.record(
            session=session, kind=kind, actor="system", at=NOW, project_id=project_id, after=after
        )
        event = Event(kind=kind, actor="system", at=NOW, project_id=project_id, after=after)
        follow(session, event)


def test_an_event_of_interest_becomes_one_delivery_per_receiver(engine: Engine) -> None:
    acme = started(engine)
    _record(engine, "project.activated", acme)
    _record(engine, "project.resumed", acme)  # not for others
    _record(engine, "escalation.sent", acme, key=f"escalation:draft:{acme}:2027-04-28")  # a note
    with session_scope(engine) as session:
        waiting = webhooks.pending(session=session)
    assert sorted(d.receiver for d in waiting) == sorted(RECEIVERS)
    assert {d.event_type for d in waiting} == {"project.started"}
    body = json.loads(waiting[0].body)
    assert body["type"] == "project.started" and body["created_at"] == "2027-04-05T01:05:00Z"
    assert body["data"]["project"] == {
        "id": acme,
        "external_id": None,
        "state": "active",
        "channel_id": channel_of("Acme"),
    }


def test_a_sender_holds_its_deliveries_and_records_what_the_receiver_said(engine: Engine) -> None:
    acme = started(engine, now=STARTED)
    _record(engine, "project.activated", acme)
    with session_scope(engine) as session:
        first, second = webhooks.claim(session=session, now=NOW, worker="a", lease=LEASE, limit=5)
        assert webhooks.claim(session=session, now=NOW, worker="b", lease=LEASE, limit=5) == []
        assert (first.attempts, first.label) == (1, f"{first.event_id} → {first.receiver}")
        assert not webhooks.hold(session=session, row_id=first.id, worker="b", until=NOW + LEASE)
        assert webhooks.hold(session=session, row_id=first.id, worker="a", until=NOW + LEASE)
        assert webhooks.delivered(session=session, row_id=first.id, worker="a", now=NOW)
        assert webhooks.retry(
            session=session, row_id=second.id, worker="a", error="http_500", next_attempt_at=NOW
        )
    with session_scope(engine) as session:
        [again] = webhooks.pending(session=session)
        assert (again.id, again.attempts) == (second.id, 1)
        [retried] = webhooks.claim(session=session, now=NOW, worker="b", lease=LEASE, limit=5)
    assert (retried.id, retried.attempts) == (second.id, 2)
