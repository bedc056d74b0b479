"""Slack Connect as real Slack behaves, end to end over HTTP on SQLite and PostgreSQL.

Customers are reached privately (DMs, never the shared channel), recognised without their
e-mail, and whatever Slack refuses is explained to the CSM with a way forward.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.flows.digest import run as digest
from bot.flows.escalation_steps import run as escalations
from bot.flows.join_check import run as join_check
from bot.flows.reminders import run as reminders
from bot.i18n import t
from slack_sandbox import User
from storage import projects
from storage.db import session_scope
from tests.e2e.harness import Harness, project_tasks, send_draft, start_harness
from tests.e2e.payloads import invalid_payloads

# Checks beyond the acceptance list run on one backend: the rules are the same.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
KICKOFF = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)  # Monday 09:30 in Tokyo
MORNING = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)  # Wednesday 09:05 in Tokyo
OVERDUE = datetime(2027, 4, 14, 1, 0, tzinfo=UTC)  # a customer task 5 business days late


def keys_in(bot: Harness, channel: str) -> list[str]:
    """The outbox keys of every message (threads included) in a conversation."""
    return [
        str(((m.get("metadata") or {}).get("event_payload") or {}).get("key", ""))
        for m in bot.sandbox.messages(channel, include_replies=True)
    ]


def dm_keys(bot: Harness, user: User) -> list[str]:
    return [
        str(((m.get("metadata") or {}).get("event_payload") or {}).get("key", ""))
        for m in bot.sandbox.dm_messages(user.id)
    ]


def none_for(bot: Harness, channel: str, person: User) -> bool:
    """No reminder for `person` in the shared channel: it only ever hears of tasks nobody
    owns yet (here the decision-maker's, as none was named)."""
    reminders_there = [
        m
        for m in bot.sandbox.messages(channel, include_replies=True)
        if str(((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")).startswith(
            "reminder"
        )
    ]
    return all(
        f"<@{person.id}>" not in m["text"] + str(m["blocks"])
        and m["metadata"]["event_payload"]["key"].startswith("reminder-channel:")
        for m in reminders_there
    )


def customer_task(bot: Harness, channel: str, role: str = "champion") -> Any:
    return next(t for t in project_tasks(bot, channel) if t.owner_role == role)


# -- a customer whose organisation hides e-mail ------------------------------------------------


def test_hidden_email_customer_is_asked_about_then_acts_and_gets_dms(bot: Harness) -> None:
    kaori = bot.sandbox.add_external_user(
        "kaori@initech.example", real_name="Kaori Initech", tz="Asia/Tokyo"
    )  # Initech shows no e-mail to other organisations (Slack's default here)
    bot.now = KICKOFF
    channel = bot.start_project(
        "Initech --playbook low-touch --kickoff 2027-04-05 "
        "--champion kaori@initech.example --lang en"
    )
    bot.sandbox.accept_shared_invite(channel, "kaori@initech.example")
    bot.settle()
    # The CSM is asked, by DM, who joined.
    csm = bot.people.csm
    [question] = [m for m in bot.sandbox.dm_messages(csm.id) if "identify:" in str(m["blocks"])]
    assert f"<@{kaori.id}>" in question["text"] and f"<#{channel}>" in question["text"]
    labels = [e["text"]["text"] for e in question["blocks"][-1]["elements"]]
    assert labels == ["Champion", "Decision-maker", "Member", "Not part of this project"]
    # Already now she can tick a customer task (as a member of the customer's team).
    task = customer_task(bot, channel)
    bot.driver.click(kaori.id, channel_id=channel, action_id="task_done", value=str(task.id))
    bot.settle()
    assert next(t for t in project_tasks(bot, channel) if t.id == task.id).completed_by == kaori.id
    bot.driver.click(kaori.id, channel_id=channel, action_id="task_undo", value=str(task.id))
    bot.settle()
    # The CSM answers Champion: the question becomes a thank-you, the checklist names her.
    bot.driver.click_button(
        csm.id, question, "identify:champion", f"{_project_id(bot, channel)}:{kaori.id}"
    )
    bot.settle()
    answered = bot.sandbox.message(question["channel"], question["ts"])
    assert answered is not None and "champion" in answered["text"]
    assert "identify:" not in str(answered["blocks"]), "no buttons left to press twice"
    assert f"<@{kaori.id}>" in str(bot.sandbox.messages(channel)[1]["blocks"])
    # Her Done works, and her reminders arrive by DM, none in the shared channel.
    bot.driver.click(kaori.id, channel_id=channel, action_id="task_done", value=str(task.id))
    bot.settle()
    assert next(t for t in project_tasks(bot, channel) if t.id == task.id).status == "done"
    bot.now = MORNING
    reminders(bot.deps, now=MORNING)
    bot.settle()
    assert [k for k in dm_keys(bot, kaori) if k.startswith("reminder:")] == [
        f"reminder:{kaori.id}:2027-04-07"
    ]
    assert none_for(bot, channel, kaori)
    # And the join check counts her as arrived.
    assert join_check(bot.deps, now=datetime(2027, 4, 8, 3, tzinfo=UTC)).planned == []


@SQLITE_ONLY
def test_not_part_of_this_project_takes_away_what_joining_gave(bot: Harness) -> None:
    kaori = bot.sandbox.add_external_user("kaori@initech.example", tz="Asia/Tokyo")
    channel = bot.start_project(
        "Initech --playbook low-touch --kickoff 2027-04-05 --champion kaori@initech.example"
    )
    bot.sandbox.accept_shared_invite(channel, "kaori@initech.example")
    bot.settle()
    question = next(
        m for m in bot.sandbox.dm_messages(bot.people.csm.id) if "identify:" in str(m["blocks"])
    )
    bot.driver.click_button(
        bot.people.csm.id, question, "identify:not_part", f"{_project_id(bot, channel)}:{kaori.id}"
    )
    bot.settle()
    task = customer_task(bot, channel)
    bot.driver.click(kaori.id, channel_id=channel, action_id="task_done", value=str(task.id))
    bot.settle()
    assert next(t for t in project_tasks(bot, channel) if t.id == task.id).status == "open"
    with session_scope(bot.deps.engine) as session:
        people = projects.stakeholders(session=session, project_id=_project_id(bot, channel))
        assert kaori.id not in {p.slack_user_id for p in people}


def _project_id(bot: Harness, channel: str) -> int:
    return int(project_tasks(bot, channel)[0].project_id)


# -- customers reached privately -----------------------------------------------------------------


def test_an_external_owners_reminders_are_dms_never_in_the_shared_channel(bot: Harness) -> None:
    bot.now = KICKOFF
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")  # Acme shows e-mail: linked
    bot.settle()
    taro = bot.people.customer
    for day in (datetime(2027, 4, 6, 0, 5, tzinfo=UTC), MORNING):
        bot.now = day
        reminders(bot.deps, now=day)
    bot.settle()
    mine = [k for k in dm_keys(bot, taro) if k.startswith("reminder:")]
    assert mine == [f"reminder:{taro.id}:2027-04-06", f"reminder:{taro.id}:2027-04-07"]
    assert none_for(bot, channel, taro)
    assert bot.sandbox.slackbot_messages(taro.id) == []
    # The DM's Done button works for him.
    message = bot.sandbox.dm_messages(taro.id)[-1]
    done = next(
        e
        for b in message["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "task_done"
    )
    bot.driver.click_button(taro.id, message, "task_done", done["value"])
    bot.settle()
    assert (
        next(t for t in project_tasks(bot, channel) if t.id == int(done["value"])).status == "done"
    )


def _overdue_project(bot: Harness) -> str:
    """Acme with a decision-maker on Slack (Hanako), its customer tasks long overdue."""
    hanako = bot.sandbox.add_external_user(
        "hanako@acme.example", real_name="Hanako Acme", tz="Asia/Tokyo"
    )
    bot.now = KICKOFF
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example "
        "--decision-maker hanako@acme.example --lang en"
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.sandbox.accept_shared_invite(channel, "hanako@acme.example", user_id=hanako.id)
    bot.settle()
    return channel


def test_the_decision_makers_escalation_never_appears_in_the_shared_channel(bot: Harness) -> None:
    channel = _overdue_project(bot)
    hanako = bot.sandbox.workspace.user_by_email("hanako@acme.example")
    assert hanako is not None
    bot.now = OVERDUE
    escalations(bot.deps, now=OVERDUE)
    bot.settle()
    assert not [k for k in dm_keys(bot, hanako) if k.startswith("escalation")], "CSM first"
    send_draft(bot)
    hers = [k for k in dm_keys(bot, hanako) if k.startswith("escalation:dm:")]
    assert hers, "she got her request by DM"
    assert not [k for k in keys_in(bot, channel) if k.startswith("escalation")]


def test_when_her_dm_is_refused_the_csm_gets_the_text_to_pass_on(bot: Harness) -> None:
    channel = _overdue_project(bot)
    hanako = bot.sandbox.workspace.user_by_email("hanako@acme.example")
    assert hanako is not None
    bot.sandbox.deactivate_user(hanako.id)  # Slack now refuses a DM to her
    bot.now = OVERDUE
    escalations(bot.deps, now=OVERDUE)
    bot.settle()
    send_draft(bot)
    csm = bot.people.csm
    forwarded = [
        m
        for m in bot.sandbox.dm_messages(csm.id)
        if str(m["metadata"]["event_payload"]["key"]).startswith("escalation:dm:")
    ]
    assert forwarded and all(
        "Please pass this on" in m["blocks"][0]["text"]["text"] for m in forwarded
    )
    assert not [k for k in keys_in(bot, channel) if k.startswith("escalation")]


# -- a private CS team channel ---------------------------------------------------------------------


@pytest.fixture
def private_team(db_url: str) -> Iterator[Harness]:
    harness = start_harness(db_url, private_cs_channel=True)
    try:
        yield harness
        harness.settle()
        assert harness.sandbox.block_violations == []
        assert invalid_payloads(harness.sandbox, harness.driver) == []
    finally:
        harness.close()


def test_a_private_cs_team_channel_works_with_the_manifests_scopes(private_team: Harness) -> None:
    bot = private_team
    assert bot.sandbox.channel(bot.cs_channel)["is_private"] is True
    bot.start_project("Acme Corp --playbook low-touch --kickoff 2027-04-05 --lang en")
    bot.slash(bot.people.csm, bot.general, "status")  # staff: the CS channel's members
    assert any("Acme Corp" in t for t in bot.ephemerals(bot.people.csm))
    bot.slash(bot.people.internal, bot.general, "status")
    assert any("customer-success team" in t for t in bot.ephemerals(bot.people.internal))
    report = digest(bot.deps, now=datetime(2027, 4, 12, 0, 0, tzinfo=UTC))
    assert report.planned == ["digest:2027-04-12"]
    [post] = bot.sandbox.messages(bot.cs_channel)
    assert bot.sandbox.replies(bot.cs_channel, post["ts"])  # the thread, read back for the chart
    assert not [c for c in bot.sandbox.calls() if c.result.get("error") == "missing_scope"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_without_groups_read_in_the_manifest_staff_checks_fail_and_say_why(db_url: str) -> None:
    from slack_sandbox.scopes import manifest_scopes

    bot = start_harness(db_url, private_cs_channel=True, scopes=manifest_scopes() - {"groups:read"})
    try:
        bot.slash(bot.people.csm, bot.general, "status")
        [answer] = bot.ephemerals(bot.people.csm)  # the CSM's Slack is in Japanese
        assert "`missing_scope`" in answer and "`groups:read`" in answer
        assert t("ja", "slack.fix.missing_scope", needed="groups:read") in answer
    finally:
        bot.close()


# -- refusals the CSM can act on -------------------------------------------------------------------


def test_six_refused_invitations_all_reach_the_csm(bot: Harness) -> None:
    bot.sandbox.refuse_shared_invites("not_allowed_token_type")
    emails = [f"person{n}@acme.example" for n in range(6)]
    members = " ".join(f"--member {e}" for e in emails)
    response = bot.driver.slash(
        bot.people.csm.id, bot.general, f"start Acme Corp --kickoff 2027-04-05 {members} --lang en"
    )
    bot.settle()
    assert response.status == 200
    answers = bot.sandbox.calls("response_url")  # a response_url takes five answers
    assert 1 <= len(answers) <= 2 and all(c.status == 200 for c in answers)
    shown = " ".join(
        e["text"] + str(e["blocks"]) for e in bot.sandbox.ephemerals(user_id=bot.people.csm.id)
    )
    for email in emails:
        assert email in shown
    assert shown.count("Add people") >= 6  # how to invite each by hand


def test_restricted_action_tells_the_csm_what_a_workspace_admin_can_change(bot: Harness) -> None:
    bot.sandbox.refuse_channel_creation("restricted_action")
    bot.slash(bot.people.csm, bot.general, "start Acme Corp --kickoff 2027-04-05 --lang en")
    [answer] = bot.ephemerals(bot.people.csm)  # the CSM's Slack is in Japanese
    assert "`restricted_action`" in answer
    assert t("ja", "slack.fix.restricted_action") in answer
    assert t("ja", "slack.action.conversations.create") in answer
    assert bot.created_channels() == []
    with session_scope(bot.deps.engine) as session:
        assert projects.with_status(session=session, statuses=("active",)) == []


def test_a_refused_invitation_has_a_manual_path_and_the_join_check_follows(bot: Harness) -> None:
    bot.now = KICKOFF
    bot.sandbox.refuse_shared_invites("not_allowed_token_type")
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
    )
    note = " ".join(str(e["blocks"]) for e in bot.sandbox.ephemerals(user_id=bot.people.csm.id))
    assert "taro@acme.example" in note and "Add people" in note
    # The CSM does what the note says; Taro accepts and is linked.
    bot.sandbox.invite_by_hand(channel, "taro@acme.example", inviter=bot.people.csm.id)
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    assert join_check(bot.deps, now=datetime(2027, 4, 8, 3, tzinfo=UTC)).planned == []
    assert f"<@{bot.people.customer.id}>" in str(bot.sandbox.messages(channel)[1]["blocks"])


@SQLITE_ONLY
def test_nobody_arrives_after_a_refused_invitation_and_the_join_check_says_so(
    bot: Harness,
) -> None:
    bot.now = KICKOFF
    bot.sandbox.refuse_shared_invites("not_paid")
    channel = bot.start_project(
        "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
    )
    report = join_check(bot.deps, now=datetime(2027, 4, 8, 3, tzinfo=UTC))
    assert report.sent == 1
    assert channel in bot.sandbox.dm_messages(bot.people.csm.id)[-1]["text"]


# -- modals within the trigger's 3 seconds ---------------------------------------------------------


def test_start_form_opens_with_a_cold_cache_and_half_a_second_per_slack_call(bot: Harness) -> None:
    bot.sandbox.faults.slow("*", seconds=0.5, times=1000)
    started = time.monotonic()
    response = bot.slash(bot.people.csm, bot.general, "start")
    assert response.status == 200 and not response.late
    [view] = bot.sandbox.views_for(bot.people.csm.id)
    assert view["callback_id"] == "start_project"
    opened = [c for c in bot.sandbox.calls("views.open")]
    assert [c.status for c in opened] == [200] and opened[0].result["ok"]
    assert not [c for c in bot.sandbox.calls() if c.result.get("error") == "expired_trigger_id"]
    # The lookups (auth.test, users.info, the CS team's members) came after the modal opened.
    methods = [c.method for c in bot.sandbox.calls()]
    assert methods.index("views.open") < methods.index("conversations.members")
    assert time.monotonic() - started > 1.5  # Slack was slow indeed
    bot.sandbox.faults.clear()


@SQLITE_ONLY
def test_a_refused_form_shows_why_in_the_modal(bot: Harness) -> None:
    bot.slash(bot.people.internal, bot.general, "start")
    [view] = bot.sandbox.views_for(bot.people.internal.id)
    assert view["callback_id"] == ""  # not the start form
    assert "customer-success team" in str(view["blocks"])
