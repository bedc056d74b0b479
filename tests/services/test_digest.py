"""The digest's reads: the portfolio's facts, the week's lost reminders and cancellations,
and the chart shared once a week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.services import digest, outbox
from bot.services.outbox import OutboxMessage
from storage.db import session_scope
from storage.models import Project, ProjectStatus
from tests.services.world import CSM, STARTED, started

MONDAY = datetime(2027, 4, 12, 0, 5, tzinfo=UTC)  # 09:05 in Tokyo
WEEK = (date(2027, 4, 5), date(2027, 4, 12))


def _calendar(country: str, blackouts: list[DateRange]) -> BusinessCalendar:
    return BusinessCalendar(country=country, blackouts=blackouts)


def test_the_weeks_digest_counts_the_portfolio(engine: Engine) -> None:
    acme = started(engine)
    started(engine, customer="Globex", live=False)  # still starting: not reported on
    with session_scope(engine) as session:
        facts = digest.load_facts(
            session=session, today=MONDAY.date(), timezone="Asia/Tokyo", calendar_for=_calendar
        )
    assert [(p.id, p.csm_user_id, p.status) for p in facts.projects] == [(acme, CSM, "active")]
    week = digest.build_digest(
        facts=facts, start=WEEK[0], end=WEEK[1], today=MONDAY.date(), undelivered=2
    )
    assert week.portfolio.running == 1
    assert (week.week.projects_started, week.week.undelivered_reminders) == (1, 2)


def test_reminders_that_missed_the_dm_and_cancellations_of_the_week(engine: Engine) -> None:
    acme = started(engine)
    since = datetime(2027, 4, 4, 15, tzinfo=UTC)
    until = since + timedelta(days=7)

    def reminder(key: str, to: str) -> OutboxMessage:
        return OutboxMessage(key=key, kind="reminder", recipient=to, text="", blocks=[], at=STARTED)

    with session_scope(engine) as session:
        outbox.enqueue(session=session, rows=[reminder("r:1", "U0TARO"), reminder("r:2", "U0JIRO")])
    with session_scope(engine) as session:
        first, second = outbox.claim_batch(
            session=session, now=STARTED, worker="w", lease=timedelta(minutes=2), limit=5
        )
        # One reached the person, one went to the channel instead (the DM was refused).
        outbox.record_sent_many(
            session=session,
            worker="w",
            now=STARTED,
            sent=[(first, "D1", "1.1", "dm"), (second, "C0ACME", "1.2", "channel")],
        )
        session.execute(
            update(Project)
            .where(Project.id == acme)  # type: ignore[arg-type]  # sqlmodel types the column as int
            .values(
                status=ProjectStatus.CANCELLED,
                completed_at=STARTED + timedelta(days=1),
                close_reason="budget",
            )
        )
    with session_scope(engine) as session:
        assert digest.undelivered_reminders(session=session, since=since, until=until) == 1
        assert digest.cancel_reasons(session=session, since=since, until=until) == (
            ("Acme", "budget"),
        )
        assert (
            digest.cancel_reasons(session=session, since=until, until=until + timedelta(days=7))
            == ()
        )


def test_the_chart_is_shared_once_a_week(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert not digest.chart_shared(session=session, key="digest:2027-04-12:chart")
        digest.record_chart(
            session=session, key="digest:2027-04-12:chart", file_id="F1", now=MONDAY
        )
    with session_scope(engine) as session:
        assert digest.chart_shared(session=session, key="digest:2027-04-12:chart")
        assert not digest.chart_shared(session=session, key="digest:2027-04-19:chart")
