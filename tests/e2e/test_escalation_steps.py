"""The decision-maker step over a simulated month, counted from what reached the sandbox:
at most one message to her per project and business day, never about her own tasks, never
a task twice at the step for one due date, nothing to the customer with no decision-maker
linked, and in `csm` mode nothing to her before the CSM's Send, exactly once after it."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.cli import main
from bot.flows.adoption import run as adoption
from bot.flows.digest import compute
from bot.flows.digest import run as digest
from bot.flows.escalation_steps import run as escalations
from bot.flows.join_check import run as join_check
from bot.flows.outbox_job import run as send_outbox
from bot.flows.reminders import run as reminders
from bot.flows.risk_reminders import run as risk_reminders
from bot.i18n import t
from slack_sandbox import User
from storage import escalations as escalation_rows
from storage import outbox
from storage.db import session_scope
from storage.models import EscalatedTask
from tests.e2e.harness import (
    Harness,
    drafts_for,
    project_events,
    project_tasks,
    send_draft,
    start_harness,
)
from tests.e2e.payloads import invalid_payloads

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
KICKOFF = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)  # Monday 09:30 in Tokyo
START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"


def key_of(message: dict[str, Any]) -> str:
    return str(((message.get("metadata") or {}).get("event_payload") or {}).get("key", ""))


def acme(bot: Harness, *, with_decision_maker: bool = True) -> tuple[str, User]:
    """Acme on Slack Connect: Taro the champion; Hanako the decision-maker (linked or not)."""
    hanako = bot.sandbox.add_external_user(
        "hanako@acme.example", real_name="Hanako Acme", tz="Asia/Tokyo"
    )
    bot.now = KICKOFF
    extra = " --decision-maker hanako@acme.example" if with_decision_maker else ""
    channel = bot.start_project(START + extra)
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    if with_decision_maker:
        bot.sandbox.accept_shared_invite(channel, "hanako@acme.example", user_id=hanako.id)
    else:
        bot.sandbox.join_channel(channel, hanako.id)  # joins, but nobody says who she is
    bot.settle()
    return channel, hanako


def run_days(
    bot: Harness,
    start: date,
    end: date,
    *,
    after: Callable[[datetime], None] | None = None,
) -> None:
    """Each day: the reminder and escalation jobs at 09:00, 10:00 and 17:00 in Tokyo."""
    day = start
    while day < end:
        for hour in (0, 1, 8):
            moment = datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
            bot.now = moment
            reminders(bot.deps, now=moment)
            escalations(bot.deps, now=moment)
            bot.settle()
            if after is not None:
                after(moment)
        day += timedelta(days=1)


def rows_by_key(bot: Harness) -> dict[str, Any]:
    with session_scope(bot.deps.engine) as session:
        return {r.key: r for r in outbox.rows(session=session)}


def to_her(bot: Harness, hanako: User) -> list[dict[str, Any]]:
    return [m for m in bot.sandbox.dm_messages(hanako.id) if key_of(m).startswith("escalation")]


def test_a_month_of_decision_maker_steps_with_the_csms_approval(bot: Harness) -> None:
    channel, hanako = acme(bot)
    csm = bot.people.csm
    tasks = {t.id: t for t in project_tasks(bot, channel)}
    hers = {t.id for t in tasks.values() if t.owner_role == "decision_maker"}
    assert hers, "the playbook gives her a task of her own"
    sent_drafts: list[str] = []

    def approve_the_first_draft(moment: datetime) -> None:
        drafts = drafts_for(bot, csm)
        if not drafts or sent_drafts:
            return
        # The draft shows the CSM the whole message; nothing has reached her yet.
        assert to_her(bot, hanako) == []
        assert "Hello, and thank you" in str(drafts[0]["blocks"])
        # A double click and Slack's retry of the same click: one message to her.
        # (The button as the client showed it: clicks two and three come before the update.)
        shown = bot.sandbox.find_button(drafts[0], "escalation_send")
        for options in ({}, {}, {"retry_num": 1, "retry_reason": "http_timeout"}):
            bot.driver.press(csm.id, shown, **options)
        bot.settle()
        sent_drafts.append(key_of(drafts[0]))

    run_days(bot, date(2027, 4, 5), date(2027, 5, 7), after=approve_the_first_draft)

    assert sent_drafts, "a draft reached the CSM"
    drafts = drafts_for(bot, csm)
    messages = to_her(bot, hanako)
    rows = rows_by_key(bot)
    # Exactly one message to her: the one the CSM sent; the other drafts wait, unsent.
    assert len(messages) == 1
    assert len(drafts) >= 2, "later tasks reached the step too"
    sent_row = rows[key_of(messages[0])]
    draft_row = rows[sent_drafts[0]]
    assert sent_row.local_date == draft_row.local_date
    assert set(sent_row.task_ids) <= set(draft_row.task_ids)
    # Per project and business day at most one draft; never her own task in one to her.
    days = Counter(rows[key_of(d)].local_date for d in drafts)
    assert max(days.values()) == 1, [key_of(d) for d in drafts]
    for message in messages:
        assert not set(rows[key_of(message)].task_ids) & hers
    # No task twice at the step for one due date (none was re-planned here).
    with session_scope(bot.deps.engine) as session:
        taken = [(e.task_id, e.due, e.step) for e in session.exec(select(EscalatedTask))]
    assert len(taken) == len(set(taken))
    listed = Counter(task_id for d in drafts for task_id in rows[key_of(d)].task_ids)
    assert all(n == 1 for task_id, n in listed.items() if task_id not in hers)
    # Her own late task: the CSM heard of it, in a draft or a note; she never did.
    assert any(
        f"{tasks[h].title_en}" in str(m["blocks"])
        for h in hers
        for m in bot.sandbox.dm_messages(csm.id)
    )
    assert not any(tasks[h].title_en in str(m["blocks"]) for h in hers for m in messages)
    # Nothing of the ladder in the shared channel.
    assert not [
        key_of(m)
        for m in bot.sandbox.messages(channel, include_replies=True)
        if key_of(m).startswith("escalation")
    ]
    kinds = [e.kind for e in project_events(bot, channel) if e.kind.startswith("escalation.")]
    assert "escalation.draft" in kinds and kinds.count("escalation.approved") == 1
    # One morning summary per business day at most; no separate alert per task.
    summaries = [m for m in bot.sandbox.dm_messages(csm.id) if key_of(m).startswith("summary:")]
    per_day = Counter(rows[key_of(m)].local_date for m in summaries)
    assert summaries and max(per_day.values()) == 1
    assert all(day.weekday() < 5 for day in per_day)
    assert not [k for k in rows if k.startswith("escalation:csm:")]
    # The summary is in the CSM's own language (his Slack is Japanese; the project English).
    assert all("おはようございます" in str(m["blocks"]) for m in summaries)
    # An unanswered draft comes back the next business morning, with a Send button there.
    last = summaries[-1]
    assert "決裁者さま宛てメッセージ" in str(last["blocks"])  # summary.draft_waiting
    send = bot.sandbox.find_button(last, "escalation_send:1")
    bot.driver.press(csm.id, send)
    bot.driver.press(csm.id, send)
    bot.settle()
    assert len(to_her(bot, hanako)) == 2
    # The summary stays; the draft it sent says so.
    kept = next(m for m in bot.sandbox.dm_messages(csm.id) if m["ts"] == last["ts"])
    assert kept["blocks"] == last["blocks"]
    assert len(drafts_for(bot, csm)) == len(drafts) - 1


def test_with_no_decision_maker_nothing_goes_to_the_customer(bot: Harness) -> None:
    channel, hanako = acme(bot, with_decision_maker=False)
    csm, taro = bot.people.csm, bot.people.customer
    run_days(bot, date(2027, 4, 5), date(2027, 4, 24))
    rows = rows_by_key(bot)
    for person in (hanako, taro):
        assert not [
            m for m in bot.sandbox.dm_messages(person.id) if key_of(m).startswith("escalation")
        ]
    assert not [
        m
        for m in bot.sandbox.messages(channel, include_replies=True)
        if key_of(m).startswith("escalation") or "decision-maker" in m["text"].lower()
    ]
    waiting = [m for m in bot.sandbox.dm_messages(csm.id) if "dm-waiting" in key_of(m)]
    assert waiting, "the CSM heard that the step is waiting"
    per_day = Counter(rows[key_of(m)].local_date for m in waiting)
    assert max(per_day.values()) == 1
    assert "/onboard assign @user decision-maker" in str(waiting[0]["blocks"])
    # Each task is in one waiting note only.
    told = Counter(task_id for m in waiting for task_id in rows[key_of(m)].task_ids)
    assert set(told.values()) == {1}
    # The CSM links her; the next business morning the step runs for the tasks still late.
    bot.now = datetime(2027, 4, 26, 0, 30, tzinfo=UTC)
    bot.slash(csm, channel, f"assign <@{hanako.id}> decision-maker")
    run_days(bot, date(2027, 4, 26), date(2027, 4, 27))
    [draft] = drafts_for(bot, csm)
    assert set(rows_by_key(bot)[key_of(draft)].task_ids) & set(told)
    send_draft(bot)
    assert len(to_her(bot, hanako)) == 1


@SQLITE_ONLY
def test_edit_sends_the_csms_words_and_skip_keeps_the_reason(
    bot: Harness, monkeypatch, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    channel, hanako = acme(bot)
    csm = bot.people.csm
    run_days(bot, date(2027, 4, 12), date(2027, 4, 22))
    first, second = drafts_for(bot, csm)[:2]
    # Edit: the form holds the text; what the CSM writes is what she gets, once.
    bot.driver.click_button(csm.id, first, "escalation_edit")
    bot.settle()
    view = bot.sandbox.views_for(csm.id)[-1]
    assert "Hello, and thank you" in str(view["blocks"])
    bot.driver.submit_view(
        csm.id, view["id"], {"escalation_text": {"escalation_text": "Dear Hanako <!channel>"}}
    )
    bot.settle()
    [message] = to_her(bot, hanako)
    assert "Dear Hanako &lt;!channel&gt;" in str(message["blocks"])
    assert "Hello, and thank you" not in str(message["blocks"])
    # The draft now says it was sent, with no buttons left to press again.
    edited = next(m for m in bot.sandbox.dm_messages(csm.id) if m["ts"] == first["ts"])
    assert "escalation_send" not in str(edited["blocks"]) and "edited" in edited["text"]
    # Skip asks why, keeps it for CS staff, sends nothing.
    bot.driver.click_button(csm.id, second, "escalation_skip")
    bot.settle()
    view = bot.sandbox.views_for(csm.id)[-1]
    empty = bot.driver.submit_view(csm.id, view["id"], {"skip_reason": {"skip_reason": " "}})
    assert "errors" in empty.text
    bot.driver.submit_view(csm.id, view["id"], {"skip_reason": {"skip_reason": "Called her today"}})
    bot.settle()
    assert len(to_her(bot, hanako)) == 1
    skipped = [e for e in project_events(bot, channel) if e.kind == "escalation.skipped"]
    assert [e.after["reason"] for e in skipped] == ["Called her today"]
    skipped_draft = next(m for m in bot.sandbox.dm_messages(csm.id) if m["ts"] == second["ts"])
    assert "Called her today" in str(skipped_draft["blocks"])
    assert "escalation_send" not in str(skipped_draft["blocks"])
    with session_scope(bot.deps.engine) as session:
        statuses = Counter(
            e.status
            for e in escalation_rows.of_project(
                session=session, project_id=project_tasks(bot, channel)[0].project_id
            )
        )
    assert statuses["sent"] == 1 and statuses["skipped"] == 1
    # Every step is in `export escalations` too, the skip with its reason.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    capsys.readouterr()
    assert main(["export", "escalations", "--since", "2027-04-01", "--format", "jsonl"]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {e["status"] for e in exported} >= {"sent", "skipped"}
    assert [e["reason"] for e in exported if e["status"] == "skipped"] == ["Called her today"]
    assert [e["edited"] for e in exported if e["status"] == "sent"] == [True]
    assert bot.sandbox.block_violations == []


@SQLITE_ONLY
def test_auto_mode_sends_at_once_and_tells_the_csm(db_url: str) -> None:
    bot = start_harness(db_url, escalation_approval="auto")
    try:
        _, hanako = acme(bot)
        run_days(bot, date(2027, 4, 12), date(2027, 4, 15))
        messages = to_her(bot, hanako)
        assert len(messages) == 1 and drafts_for(bot, bot.people.csm) == []
        notices = [
            m for m in bot.sandbox.dm_messages(bot.people.csm.id) if "dm-notice" in key_of(m)
        ]
        assert len(notices) == 1
        assert bot.sandbox.block_violations == []
        assert invalid_payloads(bot.sandbox, bot.driver) == []
    finally:
        bot.close()


def test_after_project_delete_nothing_more_reaches_slack(
    bot: Harness, monkeypatch, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    channel, _ = acme(bot)
    csm = bot.people.csm
    run_days(bot, date(2027, 4, 12), date(2027, 4, 15))
    [draft] = drafts_for(bot, csm)
    # A reminder Slack fails to take is queued for a later try when the project is deleted.
    bot.sandbox.faults.server_error("chat.postMessage", times=10_000)
    bot.now = datetime(2027, 4, 15, 0, 0, tzinfo=UTC)
    reminders(bot.deps, now=bot.now)
    bot.sandbox.faults.clear()
    with session_scope(bot.deps.engine) as session:
        assert outbox.backlog(session=session) >= 1
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    assert main(["project", "delete", "Acme Corp", "--yes"]) == 0
    assert "ended (deleted)" in capsys.readouterr().out
    posts = len(bot.sandbox.calls("chat.postMessage"))
    # The draft can no longer be sent; no job plans anything for the project again.
    bot.driver.click_button(csm.id, draft, "escalation_send")
    bot.settle()
    run_days(bot, date(2027, 4, 15), date(2027, 5, 14))
    bot.now = datetime(2027, 5, 17, 0, 0, tzinfo=UTC)
    for job in (send_outbox, join_check, risk_reminders, adoption, digest):
        job(bot.deps, now=bot.now)
    bot.settle()
    after = bot.sandbox.calls("chat.postMessage")[posts:]
    assert [c for c in after if c.args.get("channel") != bot.cs_channel] == []
    # The report and the digest count it as deleted, never as running.
    portfolio = compute(bot.deps, now=bot.now).portfolio
    assert portfolio.running == 0 and portfolio.deleted == 1
    digest_post = bot.sandbox.messages(bot.cs_channel)[-1]
    assert "🗑️ 削除済み" in str(digest_post["blocks"])  # the team's language (ja)
    # Its channel, left to the Slack admin, shows nothing of it any more.
    bot.slash(csm, channel, "status")
    assert "no longer exists" in bot.ephemerals(csm)[-1]


def test_the_cancel_reason_stays_with_cs_staff(bot: Harness) -> None:
    channel, _ = acme(bot)
    csm = bot.people.csm
    bot.now = datetime(2027, 4, 9, 1, 0, tzinfo=UTC)
    bot.slash(csm, channel, "close cancelled 予算の都合")
    shared = str(bot.sandbox.messages(channel, include_replies=True))
    assert "予算の都合" not in shared
    assert "closed" in bot.sandbox.messages(channel)[-1]["text"]
    [event] = project_events(bot, channel, "project.cancelled")
    assert event.after["reason"] == "予算の都合" and event.after["reason_shared"] is False
    assert any("--share-reason" in text for text in bot.ephemerals(csm))
    # Nothing queued for it goes out any more.
    run_days(bot, date(2027, 4, 12), date(2027, 4, 20))
    assert not [m for m in bot.sandbox.dm_messages(csm.id) if "escalation" in key_of(m)]
    # The CS team sees the reason in the digest's thread (their own channel) and the report.
    digest(bot.deps, now=datetime(2027, 4, 12, 0, 0, tzinfo=UTC))
    bot.settle()
    team = str(bot.sandbox.messages(bot.cs_channel, include_replies=True))
    assert "予算の都合" in team
    report = compute(bot.deps, now=datetime(2027, 4, 12, 0, 0, tzinfo=UTC))
    assert report.cancellations == (("Acme Corp", "予算の都合"),)


@SQLITE_ONLY
def test_share_reason_shows_it_in_the_channel(bot: Harness) -> None:
    channel, _ = acme(bot)
    bot.now = datetime(2027, 4, 9, 1, 0, tzinfo=UTC)
    bot.slash(bot.people.csm, channel, "close cancelled budget frozen --share-reason")
    assert "budget frozen" in str(bot.sandbox.messages(channel)[-1]["blocks"])


def test_a_customer_snoozes_their_reminders_and_the_ladder_goes_on(bot: Harness) -> None:
    channel, _ = acme(bot)
    taro, csm = bot.people.customer, bot.people.csm
    bot.now = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)
    reminders(bot.deps, now=bot.now)
    bot.settle()
    reminder = [m for m in bot.sandbox.dm_messages(taro.id) if key_of(m).startswith("reminder:")]
    assert reminder, "Taro got his reminder"
    bot.driver.click_button(taro.id, reminder[-1], "reminder_snooze")
    bot.settle()
    view = bot.sandbox.views_for(taro.id)[-1]
    too_far = bot.driver.submit_view(
        taro.id, view["id"], {"snooze_until": {"snooze_until": "2027-06-30"}}
    )
    assert "errors" in too_far.text  # at most a month
    bot.driver.submit_view(taro.id, view["id"], {"snooze_until": {"snooze_until": "2027-04-20"}})
    bot.settle()
    assert "💤 4/20" in bot.sandbox.dm_messages(taro.id)[-1]["text"]  # in his language (ja)
    run_days(bot, date(2027, 4, 8), date(2027, 4, 23))
    days = sorted(
        rows_by_key(bot)[key_of(m)].local_date
        for m in bot.sandbox.dm_messages(taro.id)
        if key_of(m).startswith("reminder:")
    )
    assert all(d <= date(2027, 4, 7) or d > date(2027, 4, 20) for d in days)
    assert days[-1] > date(2027, 4, 20), "reminders start again after the snooze"
    # The ladder goes on regardless, and the CSM's summary says who snoozed.
    assert drafts_for(bot, csm)
    summaries = [m for m in bot.sandbox.dm_messages(csm.id) if key_of(m).startswith("summary:")]
    assert any("リマインドを一時停止しています" in str(m["blocks"]) for m in summaries)  # ja: his
    assert [e.after["until"] for e in project_events(bot, channel, "person.snoozed")] == [
        "2027-04-20"
    ]


@SQLITE_ONLY
def test_a_draft_already_answered_is_refused_and_sends_nothing(
    bot: Harness,
) -> None:
    _, hanako = acme(bot)
    csm = bot.people.csm
    run_days(bot, date(2027, 4, 12), date(2027, 4, 22))
    first, second = drafts_for(bot, csm)[:2]
    # The buttons as the CSM's other window still shows them, before the updates.
    send_first = bot.sandbox.find_button(first, "escalation_send")
    send_second = bot.sandbox.find_button(second, "escalation_send")
    bot.driver.press(csm.id, send_first)
    bot.settle()
    bot.driver.click_button(csm.id, second, "escalation_skip")
    bot.settle()
    view = bot.sandbox.views_for(csm.id)[-1]
    bot.driver.submit_view(csm.id, view["id"], {"skip_reason": {"skip_reason": "Called her"}})
    bot.settle()
    assert len(to_her(bot, hanako)) == 1

    def refusal(user: User, button: Any) -> str:
        before = len(bot.ephemerals(user))
        bot.driver.press(user.id, button)
        bot.settle()
        said = bot.ephemerals(user)[before:]
        assert len(said) == 1, said
        return said[0]

    def said_as(key: str, text: str) -> bool:
        """`text` is `key` in the CSM's language (ja-JP), naming the CSM, at any time."""
        before, after = t("ja", key, actor=f"<@{csm.id}>", at="AT").split("AT")
        return text.startswith(before) and text.endswith(after)

    # Pressed again from a stale window: said why, in the CSM's language, nothing sent.
    assert said_as("error.draft_sent", refusal(csm, send_first))
    assert said_as("error.draft_skipped", refusal(csm, send_second))
    assert len(to_her(bot, hanako)) == 1
