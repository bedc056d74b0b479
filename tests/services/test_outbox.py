"""The outbox's units of work: queue once, claim, hold, record what Slack said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.services import outbox
from bot.services.outbox import Fallback, OutboxMessage
from storage import events
from storage import outbox as outbox_rows
from storage.db import session_scope

NOW = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def _message(key: str, *, to: str = "U0TARO", fallback: Fallback | None = None) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        kind="reminder",
        recipient=to,
        text=f"text of {key}",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": key}}],
        at=NOW,
        task_ids=(3, 4),
        fallback=fallback,
    )


def test_a_message_is_queued_once_and_claimed_as_it_was_written(engine: Engine) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "<@U0TARO>"}}]
    mention = Fallback("C0ACME", "<@U0TARO> text", blocks, thread_ts="1.2")
    first = _message("reminder:a", fallback=mention)
    with session_scope(engine) as session:
        assert outbox.enqueue(session=session, rows=[first, _message("reminder:b")]) == 2
        assert outbox.enqueue(session=session, rows=[first]) == 0  # decided again: harmless
        assert outbox.existing_keys(session=session, keys=["reminder:a", "x"]) == {"reminder:a"}
        assert [m.key for m in outbox.pending(session=session)] == ["reminder:a", "reminder:b"]
    with session_scope(engine) as session:
        claimed = outbox.claim_batch(session=session, now=NOW, worker="w1", lease=LEASE, limit=5)
    assert [(c.attempts, c.message) for c in claimed] == [(1, first), (1, _message("reminder:b"))]
    with session_scope(engine) as session:
        # Held by w1 until its lease runs out: nobody else gets them meanwhile.
        assert outbox.claim_batch(session=session, now=NOW, worker="w2", lease=LEASE, limit=5) == []
        assert (
            outbox.hold_many(
                session=session, row_ids=[c.id for c in claimed], worker="w2", until=NOW + LEASE
            )
            == set()
        )
        assert (
            outbox.claim_batch(
                session=session, now=NOW + LEASE + LEASE, worker="w2", lease=LEASE, limit=5
            )[0].attempts
            == 2
        )  # taken over after the lease: a second try, counted


def test_sent_rows_are_recorded_with_slacks_ts_and_logged(engine: Engine) -> None:
    with session_scope(engine) as session:
        outbox.enqueue(session=session, rows=[_message("reminder:a")])
    with session_scope(engine) as session:
        [row] = outbox.claim_batch(session=session, now=NOW, worker="w1", lease=LEASE, limit=5)
        recorded = outbox.record_sent_many(
            session=session, worker="w1", now=NOW, sent=[(row, "D0TARO", "1.5", "dm")]
        )
    assert recorded == {row.id}
    with session_scope(engine) as session:
        assert outbox.sent_ts(session=session, key="reminder:a") == "1.5"
        assert outbox.sent_ts(session=session, key="reminder:unknown") is None
        assert outbox.dm_channels(session=session) == {"U0TARO": "D0TARO"}
        [event] = events.by_kind(session=session, kind="reminder.sent")
    assert event.after == {
        "key": "reminder:a",
        "to": "U0TARO",
        "channel": "D0TARO",
        "ts": "1.5",
        "via": "dm",
        "task_ids": [3, 4],
    }


def test_a_row_given_up_is_logged_and_one_handed_back_is_not_counted(engine: Engine) -> None:
    with session_scope(engine) as session:
        outbox.enqueue(session=session, rows=[_message("reminder:a"), _message("reminder:b")])
    with session_scope(engine) as session:
        a, b = outbox.claim_batch(session=session, now=NOW, worker="w1", lease=LEASE, limit=5)
        outbox.record_retry(
            session=session,
            row=a,
            worker="w1",
            error="invalid_blocks",
            now=NOW,
            next_attempt_at=None,
        )
        outbox.give_back(session=session, rows=[b], worker="w1", now=NOW)
    with session_scope(engine) as session:
        rows = {r.key: r for r in outbox_rows.rows(session=session)}
        [failed] = events.by_kind(session=session, kind="reminder.failed")
        assert outbox.sent_ts(session=session, key="reminder:a") is None
    assert (
        rows["reminder:a"].status == "failed" and rows["reminder:a"].last_error == "invalid_blocks"
    )
    assert rows["reminder:b"].status == "pending" and rows["reminder:b"].attempts == 0
    assert failed.after == {
        "key": "reminder:a",
        "to": "U0TARO",
        "error": "invalid_blocks",
        "attempts": 1,
    }


def test_a_batch_takes_no_more_rows_than_its_limit(engine: Engine) -> None:
    """The limit holds on PostgreSQL too, where the claim locks rows (SKIP LOCKED): one
    worker must not take a whole morning while the others idle."""
    with session_scope(engine) as session:
        outbox.enqueue(session=session, rows=[_message(f"reminder:{n}") for n in range(5)])
    taken: list[list[str]] = []
    for worker in ("w1", "w2", "w3"):
        with session_scope(engine) as session:
            batch = outbox.claim_batch(
                session=session, now=NOW, worker=worker, lease=LEASE, limit=2
            )
            taken.append([c.message.key for c in batch])
    assert taken == [
        ["reminder:0", "reminder:1"],
        ["reminder:2", "reminder:3"],
        ["reminder:4"],
    ]
