"""`/onboard start` happens once and all at once.

A replayed request, the same customer typed again within minutes or several starts of one
customer at the same moment make one project. A project whose channel or checklist is not
there yet is `starting`: no reminder, escalation, join check, digest line or status shows
it; the outbox job finishes it once Slack is back. A scheduling form sent twice is applied
once.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import select

from bot.flows.digest import compute
from bot.flows.escalation_steps import run as escalations
from bot.flows.join_check import run as join_check
from bot.flows.outbox_job import run as send_outbox
from bot.flows.reminders import run as reminders
from bot.i18n import t
from storage.db import session_scope
from storage.models import Blackout, Outbox, Project, Risk
from tests.e2e.harness import Harness, project_events, project_tasks
from tests.e2e.requests import FORM, send

START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --lang en"


def projects(bot: Harness) -> list[Project]:
    with session_scope(bot.deps.engine) as session:
        return list(session.exec(select(Project)))


def start_form(bot: Harness, text: str, trigger: str) -> str:
    """The body of a slash command as Slack sends it, with its own trigger id."""
    csm = bot.people.csm
    ws = bot.sandbox.workspace
    with ws.lock:
        response_url = ws.issue_response_url(channel_id=bot.general, user_id=csm.id)
    return urlencode(
        {
            "team_id": csm.team_id,
            "channel_id": bot.general,
            "user_id": csm.id,
            "command": "/onboard",
            "text": f"start {text}",
            "response_url": response_url,
            "trigger_id": trigger,
        }
    )


def refusals(bot: Harness, customer: str) -> set[str]:
    """What the CSM (whose Slack is in Japanese) hears when a start is a repeat."""
    channels = {f"<#{p.channel_id}>" for p in projects(bot) if p.channel_id}
    return {t("ja", "error.start_in_progress", customer=customer)} | {
        t("ja", "error.start_repeated", customer=customer, channel=c) for c in channels
    }


def test_a_replayed_start_request_makes_one_project(bot: Harness) -> None:
    first = bot.slash(bot.people.csm, bot.general, f"start {START}")
    assert first.status == 200 and len(projects(bot)) == 1
    # The same signed request, sent again (as an attacker or a retrying proxy could).
    again = send(bot, first.request_body, FORM)
    bot.settle()
    assert again.status == 200
    assert len(projects(bot)) == 1
    assert len(bot.sandbox.calls("conversations.create")) == 1
    channel = projects(bot)[0].channel_id
    # Refusals speak the CSM's own language (Japanese here), like every refusal.
    repeated = t("ja", "error.start_repeated", customer="Acme Corp", channel=f"<#{channel}>")
    assert repeated in bot.ephemerals(bot.people.csm)


def test_the_same_request_twice_at_once_makes_one_project(bot: Harness) -> None:
    body = start_form(bot, START, "trigger-replayed-at-once")
    bot.sandbox.faults.slow("conversations.create", seconds=0.5, times=5)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(send(bot, body))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bot.settle()
    assert [a.status for a in answers] == [200, 200]
    assert len(projects(bot)) == 1 and len(bot.sandbox.calls("conversations.create")) == 1
    notes = bot.ephemerals(bot.people.csm)
    assert any("Started onboarding for *Acme Corp*" in n for n in notes)
    assert len([n for n in notes if n in refusals(bot, "Acme Corp")]) == 1


def test_the_same_customer_typed_again_within_minutes_is_not_started_twice(bot: Harness) -> None:
    bot.start_project(START)
    # Typed again (another request), with different width, case and spacing.
    bot.slash(bot.people.csm, bot.general, "start ＡＣＭＥ  corp --playbook low-touch --lang en")
    assert len(projects(bot)) == 1
    assert bot.ephemerals(bot.people.csm)[-1] in refusals(bot, "Acme Corp")
    bot.now += timedelta(minutes=11)  # a deliberate second project later is the CSM's call:
    # asked for, then confirmed (tests/e2e/test_duplicate_customer.py; changed on purpose).
    bot.slash(bot.people.csm, bot.general, f"start {START}")
    assert len(projects(bot)) == 1
    bot.start_project(f"{START} --again")
    assert len(projects(bot)) == 2


def test_starts_of_one_customer_at_the_same_moment_make_one_project(bot: Harness) -> None:
    bot.sandbox.faults.slow("conversations.create", seconds=0.3, times=10)
    bodies = [start_form(bot, START, f"trigger-{n}") for n in range(4)]
    answers = []
    threads = [threading.Thread(target=lambda b=b: answers.append(send(bot, b))) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bot.settle()
    assert sorted(a.status for a in answers) == [200] * 4
    assert len(projects(bot)) == 1
    assert len(bot.sandbox.calls("conversations.create")) == 1
    refused = [n for n in bot.ephemerals(bot.people.csm) if n in refusals(bot, "Acme Corp")]
    assert len(refused) == 3


def test_a_start_interrupted_by_slack_is_invisible_until_the_outbox_job_finishes_it(
    bot: Harness,
) -> None:
    csm = bot.people.csm
    bot.now = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)
    # Slack creates the channel, then refuses every post for a while.
    bot.sandbox.faults.server_error("chat.postMessage", times=10_000)
    bot.slash(csm, bot.general, "start Acme Corp --playbook low-touch --kickoff 2027-03-01")
    [project] = projects(bot)
    assert project.status == "starting" and project.channel_id
    channel = project.channel_id
    assert bot.ephemerals(csm)[-1] == t(
        "ja",
        "start.continuing",
        customer="Acme Corp",
        channel=f"<#{channel}>",
        error="internal_error",
    )
    # Tasks planned from March are weeks overdue: a live project would be escalated.
    later = datetime(2027, 4, 12, 0, 5, tzinfo=UTC)
    for job in (reminders, escalations, join_check):
        report = job(bot.deps, now=later)
        assert report.planned == [], (job.__name__, report.planned)
    digest = compute(bot.deps, now=bot.now + timedelta(days=1))  # the week it was started in
    assert digest.portfolio.running == 0 and digest.week.projects_started == 0
    assert all(line.customer_name != "Acme Corp" for line in digest.portfolio.lines)
    assert bot.slash(csm, channel, "status").status == 200
    assert bot.ephemerals(csm)[-1] == t("ja", "error.project_starting")
    bot.slash(csm, bot.general, "status")
    assert "Acme Corp" not in bot.ephemerals(csm)[-1]
    # Slack is back: the outbox job finishes the kickoff and tells the CSM, once.
    bot.sandbox.faults.clear()
    send_outbox(bot.deps, now=bot.now + timedelta(minutes=1))
    bot.settle()
    [project] = projects(bot)
    assert project.status == "active"
    posts = bot.sandbox.messages(channel)
    checklists = [m for m in posts if "task_done" in str(m["blocks"])]
    assert len(checklists) == 1 and bot.sandbox.channel(channel)["pins"] == [checklists[0]["ts"]]
    dms = [m["text"] for m in bot.sandbox.dm_messages(csm.id)]
    assert dms.count(t("ja", "start.resumed", customer="Acme Corp")) == 1
    send_outbox(bot.deps, now=bot.now + timedelta(minutes=2))
    assert len(bot.sandbox.messages(channel)) == len(posts)  # nothing more, ever
    assert len(project_events(bot, channel, "project.activated")) == 1


def test_a_replayed_scheduling_form_is_applied_once(bot: Harness) -> None:
    bot.now = datetime(2027, 2, 26, 1, 0, tzinfo=UTC)
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-03-01 --champion taro@acme.example"
    )
    csm = bot.people.csm
    bot.slash(csm, channel, "schedule")
    view_id = bot.sandbox.views_for(csm.id)[-1]["id"]
    answer = bot.driver.submit_view(
        csm.id,
        view_id,
        {
            "busy1_start": {"busy1_start": "2027-03-08"},
            "busy1_end": {"busy1_end": "2027-03-12"},
            "slip_reason": {"slip_reason": "other_priorities"},
            "initiatives": {"initiatives": "New ERP rollout"},
        },
    )
    bot.settle()
    assert answer.status == 200
    dues = {task.id: task.due for task in project_tasks(bot, channel)}
    posts = len(bot.sandbox.messages(channel))
    for _ in range(2):  # the same signed submission, twice more
        assert send(bot, answer.request_body, FORM).status == 200
    bot.settle()
    with session_scope(bot.deps.engine) as session:
        assert len(session.exec(select(Blackout)).all()) == 1
        assert sorted(r.kind for r in session.exec(select(Risk))) == [
            "busy_period",
            "initiatives",
            "slip_reason",
        ]
    assert len(project_events(bot, channel, "schedule.answered")) == 1
    assert {task.id: task.due for task in project_tasks(bot, channel)} == dues
    assert len(bot.sandbox.messages(channel)) == posts  # no second re-plan summary
    assert date(2027, 3, 8) not in dues.values()


def test_no_outbox_row_is_left_for_a_start_that_went_well(bot: Harness) -> None:
    bot.start_project(START)
    with session_scope(bot.deps.engine) as session:
        assert session.exec(select(Outbox)).all() == []
    [project] = projects(bot)
    assert (project.status, project.start_step, project.start_claimed_by) == ("active", None, None)
