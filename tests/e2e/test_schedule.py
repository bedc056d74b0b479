"""Planning the schedule with the customer, Need more time, and the task history export."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from bot.cli import main
from bot.flows.escalation_steps import run as escalations
from bot.flows.risk_reminders import run as risk_reminders
from storage import outbox, risks
from storage.db import session_scope
from tests.e2e.harness import Harness, project_events, project_tasks

JP = holidays.country_holidays("JP", years=[2027])
START = "Acme Corp --playbook low-touch --kickoff 2027-03-01 --champion taro@acme.example --lang en"


@pytest.fixture
def acme(bot: Harness) -> str:
    bot.now = datetime(2027, 2, 26, 1, 0, tzinfo=UTC)
    channel = bot.start_project(START)
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    return channel


def open_form(bot: Harness, user, channel: str) -> str:  # type: ignore[no-untyped-def]
    prompt = next(m for m in bot.sandbox.messages(channel) if "plan_schedule" in str(m["blocks"]))
    bot.driver.click_button(user.id, prompt, "plan_schedule")
    bot.settle()
    return bot.sandbox.views_for(user.id)[-1]["id"]


def test_prompt_form_suggests_fiscal_year_end_and_answers_replan(bot: Harness, acme: str) -> None:
    customer = bot.people.customer
    view_id = open_form(bot, customer, acme)
    view = bot.sandbox.view(view_id)
    # The fiscal year-end month (March in Japan) is suggested as a busy period.
    assert "2027-03-01" in str(view["blocks"]) and "2027-03-31" in str(view["blocks"])
    before = {t.id: t.due for t in project_tasks(bot, acme)}
    answer = bot.driver.submit_view(
        customer.id,
        view_id,
        {
            "busy1_start": {"busy1_start": "2027-03-08"},
            "busy1_end": {"busy1_end": "2027-03-12"},
            "busy2_start": {"busy2_start": None},
            "busy2_end": {"busy2_end": None},
            "slip_reason": {"slip_reason": "other_priorities"},
            "slip_note": {"slip_note": "Year-end closing <!channel>"},
            "initiatives": {"initiatives": "New ERP rollout\nOffice move"},
            "go_live": {"go_live": "2027-03-19"},
        },
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.text
    bot.settle()
    tasks = project_tasks(bot, acme)
    for task in tasks:
        assert not date(2027, 3, 8) <= task.due <= date(2027, 3, 12), task.key
        assert task.due.weekday() < 5 and task.due not in JP
        assert task.due >= before[task.id]  # nothing moved earlier
    moved = [t for t in tasks if t.due != before[t.id]]
    assert moved and all(t.planned_due == before[t.id] for t in moved)
    assert len(project_events(bot, acme, "task.replanned")) == len(moved)
    with session_scope(bot.deps.engine) as session:
        kinds = sorted(
            r.kind for r in risks.of_project(session=session, project_id=tasks[0].project_id)
        )
    assert kinds == ["busy_period", "initiatives", "slip_reason"]
    *_, summary, picture = bot.sandbox.messages(acme)
    text = str(summary["blocks"])
    # Then the plan's timeline picture, in the channel.
    (timeline,) = bot.sandbox.files()
    assert picture["files"][0]["id"] == timeline["id"]
    assert (
        timeline["content"].startswith(b"\x89PNG")
        and timeline["title"] == "The onboarding plan as of 2027-02-26"
    )
    assert "+5" in text or "5 business days" in text
    assert f"<@{bot.people.csm.id}>" in text  # the plan ends after the committed go-live: CSM asked
    # Optional tasks are offered for skipping (only when the playbook has some).
    assert ("task_skip" in text) == any(not t.required for t in tasks)
    assert "<!channel>" not in str(bot.sandbox.messages(acme))
    # The checklist shows the re-planned dates.
    assert "was" in str(bot.sandbox.messages(acme)[1]["blocks"])


def test_status_shows_open_risks_and_the_csm_closes_one(bot: Harness, acme: str) -> None:
    view_id = open_form(bot, bot.people.customer, acme)
    bot.driver.submit_view(
        bot.people.customer.id, view_id, {"slip_reason": {"slip_reason": "people_approvals"}}
    )
    bot.settle()
    status = bot.driver.slash(bot.people.csm.id, acme, "status")
    bot.settle()
    note = bot.sandbox.ephemerals(user_id=bot.people.csm.id)[-1]
    assert "risk_close" in str(note["blocks"])
    project_id = project_tasks(bot, acme)[0].project_id
    with session_scope(bot.deps.engine) as session:
        # The suggested fiscal year-end stays filled in unless cleared: two risks.
        open_risks = {
            r.kind: r.id for r in risks.of_project(session=session, project_id=project_id)
        }
    assert set(open_risks) == {"busy_period", "slip_reason"}
    bot.driver.click(
        bot.people.csm.id,
        channel_id=acme,
        message_ts=note["ts"],
        action_id="risk_close",
        value=str(open_risks["slip_reason"]),
    )
    bot.settle()
    with session_scope(bot.deps.engine) as session:
        remaining = risks.of_project(session=session, project_id=project_id)
    assert [r.kind for r in remaining] == ["busy_period"]
    assert status.status == 200


def test_busy_period_reminds_the_csm_the_day_before(bot: Harness, acme: str) -> None:
    view_id = open_form(bot, bot.people.customer, acme)
    bot.driver.submit_view(
        bot.people.customer.id,
        view_id,
        {
            "busy1_start": {"busy1_start": "2027-03-15"},
            "busy1_end": {"busy1_end": "2027-03-19"},
        },
    )
    bot.settle()
    assert risk_reminders(bot.deps, now=datetime(2027, 3, 13, 1, tzinfo=UTC)).planned == []
    report = risk_reminders(bot.deps, now=datetime(2027, 3, 14, 1, tzinfo=UTC))  # Sunday before
    assert report.sent == 1
    assert risk_reminders(bot.deps, now=datetime(2027, 3, 14, 2, tzinfo=UTC)).sent == 0


def _more_time(
    bot: Harness,
    user,
    channel: str,
    task_id: int,
    new_due: str | None,
    reason: str = "data_preparation",
):  # type: ignore[no-untyped-def]
    bot.driver.click(
        user.id,
        channel_id=channel,
        action_id="task_more_time",
        value=str(task_id),
        message_ts=bot.sandbox.messages(channel)[1]["ts"],
    )
    bot.settle()
    view_id = bot.sandbox.views_for(user.id)[-1]["id"]
    answer = bot.driver.submit_view(
        user.id,
        view_id,
        {
            "new_due": {"new_due": new_due},
            "reason": {"reason": reason},
            "note": {"note": "waiting for IT"},
        },
    )
    bot.settle()
    return answer


def test_need_more_time_refuses_weekends_and_past_dates(bot: Harness, acme: str) -> None:
    task = next(t for t in project_tasks(bot, acme) if t.owner_role == "champion")
    bot.now = datetime(2027, 3, 3, 1, tzinfo=UTC)
    weekend = _more_time(bot, bot.people.customer, acme, task.id, "2027-03-13")
    # Taro's Slack is in Japanese: the form answers him in Japanese.
    assert "営業日" in weekend.json["errors"]["new_due"]
    past = bot.driver.submit_view(
        bot.people.customer.id,
        bot.sandbox.views_for(bot.people.customer.id)[-1]["id"],
        {"new_due": {"new_due": "2027-03-02"}, "reason": {"reason": "other"}},
    )
    assert "明日以降" in past.json["errors"]["new_due"]
    holiday = bot.driver.submit_view(
        bot.people.customer.id,
        bot.sandbox.views_for(bot.people.customer.id)[-1]["id"],
        {"new_due": {"new_due": "2027-03-22"}, "reason": {"reason": "other"}},
    )
    assert "errors" in holiday.json  # 2027-03-22 is a substitute holiday
    assert next(t for t in project_tasks(bot, acme) if t.id == task.id).due == task.due


def test_need_more_time_moves_the_task_and_restarts_escalation(bot: Harness, acme: str) -> None:
    task = next(t for t in project_tasks(bot, acme) if t.owner_role == "champion")
    # Three business days overdue: the CSM alert for the old date is due...
    late = datetime.combine(task.due, datetime.min.time(), tzinfo=UTC) + timedelta(days=5, hours=1)
    bot.now = late
    answer = _more_time(
        bot, bot.people.customer, acme, task.id, (late.date() + timedelta(days=7)).isoformat()
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors")
    moved = next(t for t in project_tasks(bot, acme) if t.id == task.id)
    assert (
        moved.due == late.date() + timedelta(days=7)
        and moved.planned_due == task.due
        and moved.replan_count == 1
    )
    event = project_events(bot, acme, "task.replanned")[-1]
    assert (
        event.before == {"due": task.due.isoformat()}
        and event.after["reason"] == "data_preparation"
    )
    # ...but no escalation fires for the old date any more.
    escalations(bot.deps, now=late)
    with session_scope(bot.deps.engine) as session:
        keys = [r.key for r in outbox.rows(session=session, kind_prefix="escalation")]
    assert not any(f":{task.id}:" in key for key in keys)
    notes = bot.sandbox.replies(acme, bot.sandbox.messages(acme)[1]["ts"])
    assert any("Data" in n.get("text", "") or "data" in n.get("text", "") for n in notes)
    # The re-planned timeline follows the note in the checklist's thread.
    assert [f["name"] for n in notes for f in n.get("files") or []] == [
        f"plan-{task.project_id}-{late.date().isoformat()}.png"
    ]


def test_third_replan_tells_the_csm(bot: Harness, acme: str) -> None:
    task = next(t for t in project_tasks(bot, acme) if t.owner_role == "champion")
    bot.now = datetime(2027, 3, 1, 1, tzinfo=UTC)
    for due in ("2027-03-15", "2027-03-16", "2027-03-17"):
        _more_time(bot, bot.people.customer, acme, task.id, due)
    dms = bot.sandbox.dm_messages(bot.people.csm.id)
    assert len(dms) == 1 and "3" in dms[0]["text"]


def test_export_columns_and_values(bot: Harness, acme: str, monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tasks = project_tasks(bot, acme)
    on_time, late, replanned = [t for t in tasks if t.owner_role == "champion"][:3]
    bot.now = datetime.combine(on_time.due, datetime.min.time(), tzinfo=UTC)
    bot.driver.click(
        bot.people.customer.id, channel_id=acme, action_id="task_done", value=str(on_time.id)
    )
    bot.settle()
    # Done two business days after its due date.
    bot.now = datetime.combine(
        late.due + timedelta(days=2 if late.due.weekday() < 3 else 4),
        datetime.min.time(),
        tzinfo=UTC,
    )
    bot.driver.click(
        bot.people.customer.id, channel_id=acme, action_id="task_done", value=str(late.id)
    )
    bot.settle()
    bot.now = datetime(2027, 3, 1, 1, tzinfo=UTC)
    _more_time(
        bot,
        bot.people.customer,
        acme,
        replanned.id,
        (replanned.due + timedelta(days=7)).isoformat(),
        "schedule_too_tight",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    assert main(["export", "tasks", "--since", "2027-01-01"]) == 0
    rows = {r["task"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert list(next(iter(rows.values())).keys())[:5] == [
        "customer",
        "project_id",
        "playbook",
        "phase",
        "task",
    ]
    assert rows[on_time.key]["days_late"] == "0" and rows[on_time.key]["status"] == "done"
    assert rows[late.key]["days_late"] == "2" and rows[late.key]["completed_on"]
    assert (
        rows[replanned.key]["replans"] == "1"
        and rows[replanned.key]["reasons"] == "schedule_too_tight"
    )
    assert rows[replanned.key]["final_due"] != rows[replanned.key]["planned_due"]
    assert len(rows) == len(tasks) and rows[on_time.key]["customer"] == "Acme Corp"
    assert main(["export", "tasks", "--since", "2027-01-01", "--format", "jsonl"]) == 0
    assert capsys.readouterr().out.count("\n") == len(tasks)
