"""A month of a project: reminders and escalations through the real jobs and the sandbox."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.domain.calendar import BusinessCalendar
from bot.flows.escalation_steps import run as escalations
from bot.flows.reminders import run as reminders
from storage import outbox
from storage.db import session_scope
from storage.models import Blackout
from tests.e2e.harness import Harness, project_tasks

TOKYO, LA = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
JP_HOLIDAYS = holidays.country_holidays("JP", years=[2027])
CAL = BusinessCalendar(country="JP")


@pytest.fixture
def month(bot: Harness):  # type: ignore[no-untyped-def]
    """Kickoff Mon 2027-04-05; the champion works from Los Angeles, the CSM from Tokyo."""
    lisa = bot.sandbox.add_user(
        "lisa", real_name="Lisa Champion", email="lisa@acme.example", tz="America/Los_Angeles"
    )
    bot.sandbox.join_channel(bot.general, lisa.id)
    bot.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)
    channel = bot.start_project(
        f"Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion <@{lisa.id}> "
        "--decision-maker hanako@acme.example --lang en"
    )
    project_id = project_tasks(bot, channel)[0].project_id
    with session_scope(bot.deps.engine) as session:
        session.add(Blackout(project_id=project_id, start=date(2027, 4, 19), end=date(2027, 4, 20)))
    return channel, lisa


def run_hourly(bot: Harness, start: datetime, end: datetime, *, actions=None) -> None:  # type: ignore[no-untyped-def]
    moment = start
    while moment < end:
        bot.now = moment
        for at, action in (actions or {}).items():
            if at == moment:
                action()
        reminders(bot.deps, now=moment)
        escalations(bot.deps, now=moment)
        moment += timedelta(hours=1)
    bot.settle()


def sent(bot: Harness, kind: str, key_prefix: str = ""):  # type: ignore[no-untyped-def]
    with session_scope(bot.deps.engine) as session:
        rows = outbox.rows(session=session, kind_prefix=kind)
        return [r for r in rows if r.status == "sent" and r.key.startswith(key_prefix)]


def test_a_month_of_reminders_and_escalations(bot: Harness, month) -> None:  # type: ignore[no-untyped-def]
    channel, lisa = month
    csm = bot.people.csm
    tasks = project_tasks(bot, channel)
    # Lisa finishes one of her tasks on day 3, well before it is due: it must drop out.
    finished = next(t for t in tasks if t.owner_role == "champion" and t.due > date(2027, 4, 9))

    def lisa_ticks() -> None:
        bot.driver.click(lisa.id, channel_id=channel, action_id="task_done", value=str(finished.id))
        bot.settle()

    def pause() -> None:
        bot.slash(csm, channel, "pause until 2027-04-23")

    actions = {
        datetime(2027, 4, 7, 20, 0, tzinfo=UTC): lisa_ticks,
        datetime(2027, 4, 21, 10, 0, tzinfo=UTC): pause,
    }
    run_hourly(
        bot,
        datetime(2027, 4, 5, 0, 0, tzinfo=UTC),
        datetime(2027, 5, 7, 0, 0, tzinfo=UTC),
        actions=actions,
    )

    # Lisa gets her reminders; the CSM gets one morning summary instead (their own tasks,
    # the customer's overdue ones, waiting drafts): the same rules of day and hour.
    for person, zone, kind in ((lisa, LA, "reminder"), (csm, TOKYO, "summary")):
        rows = [r for r in sent(bot, kind, f"{kind}:") if r.recipient == person.id]
        assert rows, person.name
        days = [r.local_date for r in rows]
        assert len(days) == len(set(days)), "one DM per person per day"
        for row in rows:
            local = row.sent_at.astimezone(zone)
            assert local.hour == 9 and local.date() == row.local_date
            assert row.local_date.weekday() < 5 and row.local_date not in JP_HOLIDAYS
            assert row.local_date not in (date(2027, 4, 19), date(2027, 4, 20)), "blackout"
            assert not date(2027, 4, 21) < row.local_date <= date(2027, 4, 23), "paused"
            if row.local_date > date(2027, 4, 8):
                assert finished.id not in row.task_ids
        # What the sandbox received: exactly those DMs, once each.
        dms = [
            m
            for m in bot.sandbox.dm_messages(person.id)
            if str(
                ((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            ).startswith(f"{kind}:")
        ]
        assert len(dms) == len(rows)
    assert not [r for r in sent(bot, "reminder", "reminder:") if r.recipient == csm.id]

    # The decision-maker has no Slack yet: her reminders come to the CSM to pass on.
    forwards = sent(bot, "reminder", "reminder-forward:")
    assert forwards and all(r.recipient == csm.id and r.delivered_via == "dm" for r in forwards)
    # Escalations: each key once; the CSM's alert on the 2nd business day overdue, the
    # decision-maker (no Slack yet: through the CSM, never in the channel) on the 5th.
    escalated = sent(bot, "escalation")
    keys = [r.key for r in escalated]
    assert len(keys) == len(set(keys))
    open_tasks = {t.id: t for t in project_tasks(bot, channel) if t.status == "open"}
    some = next(
        t for t in open_tasks.values() if t.owner_side == "customer" and t.due < date(2027, 4, 26)
    )
    # The CSM hears of it in the morning summary the day it is 2 business days overdue.
    reached = CAL.with_blackouts([]).add_business_days(some.due, 2)
    summary = next(r for r in sent(bot, "summary") if r.local_date == reached)
    assert some.id in summary.task_ids
    assert not [r for r in escalated if r.key.startswith("escalation:csm:")]
    # The decision-maker step waits for the CSM's approval (the default): a draft for the
    # CSM, one per project and day at most, and nothing to her before Send.
    drafts = [r for r in escalated if r.key.startswith("escalation:draft:")]
    assert drafts and all(r.recipient == csm.id for r in drafts)
    assert len({r.local_date for r in drafts}) == len(drafts)
    assert not [r for r in escalated if r.key.startswith("escalation:dm:")]
    in_channel = [
        ((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")
        for m in bot.sandbox.messages(channel, include_replies=True)
    ]
    assert not [k for k in in_channel if k.startswith(("escalation:", "reminder-forward"))]
    # Each task is in one draft at most (for its due date).
    listed = [task_id for r in drafts for task_id in r.task_ids]
    assert len(listed) == len(set(listed))
    assert bot.sandbox.block_violations == []


def test_rerunning_the_same_moment_sends_nothing_more(bot: Harness, month) -> None:  # type: ignore[no-untyped-def]
    moment = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)  # 09:00 Tokyo
    first = reminders(bot.deps, now=moment)
    summary = escalations(bot.deps, now=moment)
    again = reminders(bot.deps, now=moment + timedelta(minutes=10))
    summary_again = escalations(bot.deps, now=moment + timedelta(minutes=10))
    # The decision-maker's reminder (no Slack yet) for the CSM to pass on, and the CSM's
    # morning summary with their own tasks; nothing more when the same moment runs again.
    assert first.sent == 1 and summary.sent == 1
    assert again.planned == [] and again.sent == 0 and summary_again.sent == 0
    keys = [
        m["metadata"]["event_payload"]["key"] for m in bot.sandbox.dm_messages(bot.people.csm.id)
    ]
    assert sorted(k.split(":")[0] for k in keys) == ["reminder-forward", "summary"]


def test_dry_run_plans_without_sending(bot: Harness, month) -> None:  # type: ignore[no-untyped-def]
    # A dry run never calls Slack, not even users.info: it plans with the time zones the bot
    # has stored (a running bot refreshes them every run), so it may differ from a run made
    # right after a fresh install. (It used to refresh them first: changed on purpose.)
    _, champion = month
    calls = len(bot.sandbox.calls())
    report = reminders(bot.deps, now=datetime(2027, 4, 7, 0, 0, tzinfo=UTC), dry_run=True)
    assert report.planned and any(champion.id in line for line in report.planned)
    assert len(bot.sandbox.calls()) == calls
    assert bot.sandbox.dm_messages(bot.people.csm.id) == []
    # Once the profiles are current, the dry run plans exactly what the real run sends.
    reminders(bot.deps, now=datetime(2027, 4, 6, 0, 0, tzinfo=UTC))
    planned = reminders(bot.deps, now=datetime(2027, 4, 7, 0, 0, tzinfo=UTC), dry_run=True).planned
    assert len(planned) == 1 and any(bot.people.csm.id in line for line in planned)
    sent = reminders(bot.deps, now=datetime(2027, 4, 7, 0, 0, tzinfo=UTC))
    assert sent.enqueued == 1


def test_done_from_the_morning_summary_updates_the_channel_checklist(bot: Harness, month) -> None:  # type: ignore[no-untyped-def]
    channel, _ = month
    bot.now = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)
    escalations(bot.deps, now=bot.now)  # the CSM's own tasks are in their morning summary
    csm = bot.people.csm
    dm = bot.sandbox.dm_channel(csm.id)
    message = bot.sandbox.dm_messages(csm.id)[-1]
    assert message["metadata"]["event_payload"]["key"].startswith("summary:")
    done = next(
        e
        for b in message["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "task_done"
    )
    bot.driver.click(csm.id, channel_id=dm, action_id="task_done", value=done["value"])
    bot.settle()
    task = next(t for t in project_tasks(bot, channel) if t.id == int(done["value"]))
    assert task.status == "done" and task.completed_by == csm.id
    assert "1/12" in str(bot.sandbox.messages(channel)[1]["blocks"])
