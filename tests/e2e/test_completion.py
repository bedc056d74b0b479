"""Finishing a project: completion, survey, check-in, closing by hand, App Home, the digest."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from bot.flows import adoption as adoption_flow
from bot.flows.adoption import run as adoption
from bot.flows.digest import compute
from bot.flows.digest import run as digest
from bot.flows.reminders import run as reminders
from bot.i18n import t
from storage.db import session_scope
from storage.models import Event, Project, SurveyAnswer
from tests.e2e.harness import Harness, project_events, project_tasks

START = (
    "Acme Corp --playbook tech-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
)


@pytest.fixture
def acme(bot: Harness) -> str:
    bot.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)
    channel = bot.start_project(START)
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    return channel


def finish(bot: Harness, channel: str) -> None:
    bot.now = datetime(2027, 4, 20, 2, 0, tzinfo=UTC)
    for task in project_tasks(bot, channel):
        if task.required and task.status == "open":
            bot.driver.click(
                bot.people.csm.id, channel_id=channel, action_id="task_done", value=str(task.id)
            )
            bot.settle()
            bot.later()  # a few seconds between clicks, as a person


def test_last_required_task_completes_the_project_with_survey(bot: Harness, acme: str) -> None:
    finish(bot, acme)
    assert len(project_events(bot, acme, "project.completed")) == 1
    posts = bot.sandbox.messages(acme)
    survey = posts[-1]
    assert "survey_csat:5" in str(survey["blocks"]) and "survey_nps:10" in str(survey["blocks"])
    assert "✅" in str(posts[-2]["blocks"])  # completion criteria achieved
    # Reminders stop.
    assert reminders(bot.deps, now=datetime(2027, 4, 21, 0, 5, tzinfo=UTC)).planned == []
    # Optional tasks still open don't block completion, and a later click changes nothing more.
    optional = [t for t in project_tasks(bot, acme) if not t.required and t.status == "open"]
    if optional:
        bot.driver.click(
            bot.people.csm.id, channel_id=acme, action_id="task_done", value=str(optional[0].id)
        )
        bot.settle()
    assert len(project_events(bot, acme, "project.completed")) == 1


def test_survey_answers_are_stored_and_reach_the_kpis(bot: Harness, acme: str) -> None:
    finish(bot, acme)
    survey = bot.sandbox.messages(acme)[-1]
    taro = bot.people.customer.id
    bot.driver.click_button(taro, survey, "survey_csat:4")
    bot.driver.click_button(taro, survey, "survey_nps:9")
    bot.driver.click_button(taro, survey, "survey_comment")
    bot.settle()
    view_id = bot.sandbox.views_for(taro)[-1]["id"]
    bot.driver.submit_view(taro, view_id, {"comment": {"comment": "Smooth start, thanks!"}})
    bot.settle()
    # The CSM is not the customer: their click is not counted.
    bot.driver.click_button(bot.people.csm.id, survey, "survey_csat:1")
    bot.settle()
    with session_scope(bot.deps.engine) as session:
        answers = session.exec(SurveyAnswer.__table__.select()).all()  # type: ignore[call-overload]
    assert [(a.user_id, a.csat, a.nps, a.comment) for a in answers] == [
        (taro, 4, 9, "Smooth start, thanks!")
    ]
    kpis = compute(bot.deps, now=datetime(2027, 4, 26, 1, tzinfo=UTC)).kpis
    assert kpis.csat_average == 4 and kpis.nps == 100 and kpis.projects_completed == 1


def test_checkin_after_30_days_and_stalled_reaches_the_csm(bot: Harness, acme: str) -> None:
    finish(bot, acme)
    done = datetime(2027, 4, 20, 2, 0, tzinfo=UTC)
    day_29 = adoption(bot.deps, now=done + timedelta(days=29), dry_run=True).planned
    assert not any(line.startswith("checkin:") for line in day_29)  # not yet
    report = adoption(bot.deps, now=datetime(2027, 5, 20, 1, 0, tzinfo=UTC))  # Thu, 30 days later
    assert any(line.startswith("checkin:") for line in report.planned)
    assert adoption(bot.deps, now=datetime(2027, 5, 20, 2, 0, tzinfo=UTC)).planned == []  # once
    checkin = next(m for m in bot.sandbox.messages(acme) if "checkin:stalled" in str(m["blocks"]))
    bot.driver.click_button(bot.people.customer.id, checkin, "checkin:stalled")
    bot.settle()
    alert = bot.sandbox.dm_messages(bot.people.csm.id)
    assert len(alert) == 1 and "Acme Corp" in alert[0]["text"]


def test_check_ins_of_many_projects_are_read_and_queued_a_few_projects_at_a_time(
    bot: Harness, acme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    beta = bot.start_project(START.replace("Acme Corp", "Beta Inc").replace("acme", "beta"))
    bot.sandbox.accept_shared_invite(beta, "taro@beta.example")
    bot.settle()
    finish(bot, acme)
    finish(bot, beta)
    monkeypatch.setattr(adoption_flow, "CHUNK", 1)  # one project per read
    report = adoption(bot.deps, now=datetime(2027, 5, 20, 1, 0, tzinfo=UTC))
    assert len([line for line in report.planned if line.startswith("checkin:")]) == 2
    assert report.enqueued == len(report.planned) and report.sent == report.enqueued
    for channel in (acme, beta):
        assert any("checkin:stalled" in str(m["blocks"]) for m in bot.sandbox.messages(channel))


def test_survey_for_a_project_that_no_longer_exists_is_refused_clearly(
    bot: Harness, acme: str
) -> None:
    finish(bot, acme)
    survey = bot.sandbox.messages(acme)[-1]
    with session_scope(bot.deps.engine) as session:  # e.g. removed by hand in the database
        session.execute(delete(Project))

    bot.driver.click_button(bot.people.customer.id, survey, "survey_csat:4")
    bot.settle()

    # In the customer's own language (Taro's Slack locale is ja-JP).
    assert bot.ephemerals(bot.people.customer)[-1] == (
        "このオンボーディングプロジェクトは見つかりませんでした。"
    )
    with session_scope(bot.deps.engine) as session:
        assert session.exec(select(SurveyAnswer)).all() == []
    assert bot.sandbox.block_violations == []


def test_close_cancelled_counts_as_churn(bot: Harness, acme: str) -> None:
    bot.now = datetime(2027, 4, 9, 1, tzinfo=UTC)
    bot.sandbox.join_channel(acme, bot.people.internal.id)
    bot.slash(bot.people.internal, acme, "close cancelled budget frozen")
    assert project_events(bot, acme, "project.cancelled") == []  # only CS staff can
    bot.slash(bot.people.csm, acme, "close cancelled budget frozen")
    assert len(project_events(bot, acme, "project.cancelled")) == 1
    kpis = compute(bot.deps, now=datetime(2027, 4, 12, 1, tzinfo=UTC)).kpis
    assert kpis.projects_cancelled == 1 and kpis.churn_rate == 1
    assert reminders(bot.deps, now=datetime(2027, 4, 12, 0, 5, tzinfo=UTC)).planned == []


def test_app_home_for_staff_and_for_others(bot: Harness, acme: str) -> None:
    bot.driver.app_home_opened(bot.people.csm.id)
    bot.driver.app_home_opened(bot.people.internal.id)
    bot.settle()
    staff_home = str(bot.sandbox.home_view(bot.people.csm.id)["blocks"])
    assert "Acme Corp" in staff_home and "home_open_status" in staff_home
    other_home = str(bot.sandbox.home_view(bot.people.internal.id)["blocks"])
    assert "Acme Corp" not in other_home
    # It refreshes after a change.
    task = project_tasks(bot, acme)[0]
    bot.driver.click(bot.people.csm.id, channel_id=acme, action_id="task_done", value=str(task.id))
    bot.settle()
    assert "1/" in str(bot.sandbox.home_view(bot.people.csm.id)["blocks"])


def test_weekly_digest_once_with_thread_and_chart(bot: Harness, acme: str) -> None:
    monday = datetime(2027, 4, 12, 0, 0, tzinfo=UTC)  # 09:00 Tokyo
    first = digest(bot.deps, now=monday)
    again = digest(bot.deps, now=monday + timedelta(minutes=30))
    assert first.planned == ["digest:2027-04-12"] and again.planned == ["digest:2027-04-12"]
    posts = bot.sandbox.messages(bot.cs_channel)
    assert len(posts) == 1
    thread = bot.sandbox.replies(bot.cs_channel, posts[0]["ts"])
    assert len(thread) >= 2
    files = bot.sandbox.files()
    assert len(files) == 1 and files[0]["content"].startswith(b"\x89PNG\r\n\x1a\n")
    assert bot.sandbox.block_violations == []


def test_digest_chart_is_not_uploaded_again_after_a_crash_before_it_was_recorded(
    bot: Harness, acme: str
) -> None:
    monday = datetime(2027, 4, 12, 0, 0, tzinfo=UTC)
    digest(bot.deps, now=monday)
    (uploaded,) = bot.sandbox.files()
    with session_scope(bot.deps.engine) as session:  # the process died before recording it
        for event in session.exec(select(Event).where(col(Event.kind) == "digest.chart")):
            session.delete(event)

    digest(bot.deps, now=monday + timedelta(hours=1))

    assert [f["id"] for f in bot.sandbox.files()] == [uploaded["id"]]
    with session_scope(bot.deps.engine) as session:
        (event,) = session.exec(select(Event).where(col(Event.kind) == "digest.chart"))
        assert (event.after or {}).get("file") == uploaded["id"]


def test_habit_nudges_weekly_for_the_first_month(bot: Harness, acme: str) -> None:
    finish(bot, acme)
    keys = []
    day = datetime(2027, 4, 21, 1, 0, tzinfo=UTC)
    while day < datetime(2027, 6, 10, tzinfo=UTC):
        keys += [
            line.split(" ")[0]
            for line in adoption(bot.deps, now=day).planned
            if line.startswith("habit:")
        ]
        day += timedelta(days=1)
    project_id = project_tasks(bot, acme)[0].project_id
    assert keys == [f"habit:{project_id}:{week}" for week in (1, 2, 3, 4)]


def test_report_command_prints_the_kpis(
    bot: Harness, acme: str, monkeypatch, capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import json

    from bot.cli import main

    finish(bot, acme)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    assert main(["report", "--from", "2027-04-01", "--to", "2027-05-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kpis"]["projects_completed"] == 1 and data["kpis"]["completion_rate"] == 1
    assert main(["report", "--from", "2027-04-01", "--to", "2027-05-01", "--lang", "en"]) == 0
    assert "Completion rate" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["report", "--from", "yesterday"])


def test_the_second_survey_answer_is_thanked_for_both_scores(bot: Harness, acme: str) -> None:
    finish(bot, acme)
    survey = bot.sandbox.messages(acme)[-1]
    taro = bot.people.customer
    bot.driver.click_button(taro.id, survey, "survey_csat:4")
    bot.settle()
    first = bot.ephemerals(taro)[-1]
    bot.driver.click_button(taro.id, survey, "survey_nps:9")
    bot.settle()
    second = bot.ephemerals(taro)[-1]
    # The first asks for the other question; the second repeats both and asks for nothing.
    assert "4/5" in first and "9/10" not in first
    assert "4/5" in second and "9/10" in second
    assert second in {t(locale, "survey.thanks_both", csat=4, nps=9) for locale in ("ja", "en")}
