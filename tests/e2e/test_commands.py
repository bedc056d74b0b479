"""Slash commands, modals and refusals through signed HTTP requests."""

import time

import pytest

from slack_sandbox import DriverError
from tests.e2e.harness import Harness, project_tasks

START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"


def test_start_by_modal(bot: Harness) -> None:
    response = bot.slash(bot.people.csm, bot.general, "start")
    assert response.status == 200
    views = bot.sandbox.views_for(bot.people.csm.id)
    assert len(views) == 1
    view_id = views[0]["id"]
    before = set(bot.created_channels())
    answer = bot.driver.submit_view(
        bot.people.csm.id,
        view_id,
        {
            "customer_name": {"customer_name": "Globex Japan"},
            "playbook": {"playbook": "tech-touch"},
            "kickoff": {"kickoff": "2027-04-05"},
            "go_live": {"go_live": "2027-05-31"},
            "champion": {"champion": "jane@globex.example"},
            "lang": {"lang": "en"},
        },
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors")
    bot.settle()
    channel_id = next(c for c in bot.created_channels() if c not in before)
    assert bot.sandbox.channel(channel_id)["name"] == "onb-globex-japan"
    assert len(project_tasks(bot, channel_id)) == 10
    assert any("Globex Japan" in t for t in bot.ephemerals(bot.people.csm))


def test_modal_errors_name_the_fields(bot: Harness) -> None:
    bot.slash(bot.people.csm, bot.general, "start")
    view_id = bot.sandbox.views_for(bot.people.csm.id)[0]["id"]
    answer = bot.driver.submit_view(
        bot.people.csm.id,
        view_id,
        {
            "customer_name": {"customer_name": "   "},
            "playbook": {"playbook": "low-touch"},
            "kickoff": {"kickoff": "2027-04-05"},
            "go_live": {"go_live": "2027-04-01"},
            "champion": {"champion": "not-an-email"},
        },
    )
    errors = answer.json["errors"]
    assert set(errors) == {"customer_name", "go_live", "champion"}
    assert bot.created_channels() == []


def test_channel_names_japanese_long_and_taken(bot: Harness) -> None:
    bot.sandbox.add_channel("onb-acme")
    taken = bot.start_project("Acme Corp --kickoff 2027-04-05")
    assert bot.sandbox.channel(taken)["name"] == "onb-acme-1"
    japanese = bot.start_project("株式会社サンプル --kickoff 2027-04-05")
    assert bot.sandbox.channel(japanese)["name"] == "onb-sample"
    long_name = "Very Long Customer Name " * 4
    long_channel = bot.start_project(f'"{long_name[:80]}" --kickoff 2027-04-05')
    name = bot.sandbox.channel(long_channel)["name"]
    assert len(name) <= 80 and name.startswith("onb-very-long-customer-name")


def test_slack_connect_refused_still_starts_and_tells_the_csm(bot: Harness) -> None:
    bot.sandbox.refuse_shared_invites("not_paid")
    channel_id = bot.start_project(START)
    assert len(bot.sandbox.messages(channel_id)) >= 2
    notes = bot.ephemerals(bot.people.csm)
    assert any("not_paid" in n and "taro@acme.example" in n for n in notes), notes


def test_bad_signature_and_old_request_get_401_and_change_nothing(bot: Harness) -> None:
    bad = bot.driver.slash(bot.people.csm.id, bot.general, f"start {START}", bad_signature=True)
    old = bot.driver.slash(
        bot.people.csm.id, bot.general, f"start {START}", timestamp=int(time.time()) - 6 * 60
    )
    bot.settle()
    assert (bad.status, old.status) == (401, 401)
    assert bot.created_channels() == []


def test_customers_cannot_send_slash_commands_as_in_slack(bot: Harness) -> None:
    # Slack delivers slash commands only from people of the installed workspace: a customer
    # never reaches the bot that way (their paths are buttons: Status, Plan the schedule).
    channel_id = bot.start_project(START)
    bot.sandbox.accept_shared_invite(channel_id, "taro@acme.example")
    bot.settle()
    before = bot.created_channels()
    with pytest.raises(DriverError, match="slash commands"):
        bot.slash(bot.people.customer, channel_id, "start Evil Corp")
    assert bot.created_channels() == before


def test_status_in_channel_and_cross_customer_refused(bot: Harness) -> None:
    acme = bot.start_project(START)
    bot.sandbox.accept_shared_invite(acme, "taro@acme.example")
    globex = bot.start_project(
        "Globex --kickoff 2027-04-05 --champion jane@globex.example --lang en"
    )
    bot.sandbox.accept_shared_invite(globex, "jane@globex.example")
    bot.settle()
    bot.driver.click(bot.people.customer.id, channel_id=acme, action_id="open_status")
    bot.settle()
    mine = bot.ephemerals(bot.people.customer)
    assert any("0/12" in m or "Acme" in m for m in mine)
    # Jane (Globex) is added to Acme's channel by mistake: she must not see Acme's status.
    bot.sandbox.join_channel(acme, bot.people.other_customer.id)
    bot.settle()
    bot.driver.click(bot.people.other_customer.id, channel_id=acme, action_id="open_status")
    bot.settle()
    theirs = bot.ephemerals(bot.people.other_customer)
    assert theirs and not any("Acme" in t for t in theirs)
    # CS staff elsewhere: their own projects.
    bot.slash(bot.people.csm, bot.general, "status")
    overview = " ".join(bot.ephemerals(bot.people.csm))
    assert "Acme Corp" in overview and "Globex" in overview
    # Internal non-staff outside a project channel: refused.
    bot.slash(bot.people.internal, bot.general, "status")
    assert any("customer-success team" in t for t in bot.ephemerals(bot.people.internal))


def test_help_and_mistakes_get_localized_ephemeral_answers(bot: Harness) -> None:
    answer = bot.driver.slash(bot.people.csm.id, bot.general, "launch rockets")
    assert answer.status == 200 and answer.json["response_type"] == "ephemeral"
    assert "launch" in answer.json["text"]  # the CSM's Slack is Japanese: the answer too
    assert "/onboard help" in answer.json["text"]
    help_answer = bot.driver.slash(bot.people.internal.id, bot.general, "help")
    assert "/onboard start" in str(help_answer.json)
    bad_date = bot.driver.slash(bot.people.csm.id, bot.general, "start Acme --kickoff tomorrow")
    assert "--kickoff" in bad_date.json["text"] and "tomorrow" in bad_date.json["text"]
    assert "Traceback" not in str(bad_date.json)


def test_429_on_post_message_is_retried_and_lands_once(bot: Harness) -> None:
    bot.sandbox.faults.ratelimit("chat.postMessage", times=2, retry_after=1)
    channel_id = bot.start_project(START)
    posts = bot.sandbox.messages(channel_id)
    welcome = [p for p in posts if "Acme Corp" in p.get("text", "") and p is posts[0]]
    assert len(welcome) == 1
    statuses = [c.status for c in bot.sandbox.calls("chat.postMessage")]
    assert statuses[:2] == [429, 429] and statuses[2] == 200
    assert len(posts) == len(
        [
            c
            for c in bot.sandbox.calls("chat.postMessage")
            if c.status == 200 and c.args.get("channel") == channel_id
        ]
    )


def test_healthz(bot: Harness) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(bot.url.replace("/slack/events", "/healthz")) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok"}


def test_assign_links_a_person_by_hand_and_is_cs_only(bot: Harness) -> None:
    channel_id = bot.start_project("Acme Corp --playbook low-touch --kickoff 2027-04-05 --lang en")
    lisa = bot.sandbox.add_user("lisa", real_name="Lisa Acme")  # a customer on our Slack
    bot.sandbox.join_channel(channel_id, lisa.id)
    bot.sandbox.join_channel(channel_id, bot.people.internal.id)
    bot.settle()
    # One of ours joining is not linked: only an @mention or /onboard assign makes them one.
    assert f"<@{lisa.id}>" not in str(bot.sandbox.messages(channel_id)[1]["blocks"])
    bot.slash(bot.people.internal, channel_id, f"assign <@{lisa.id}> champion")
    assert any("customer-success team" in t for t in bot.ephemerals(bot.people.internal))
    bot.slash(bot.people.csm, channel_id, f"assign <@{lisa.id}|lisa> champion")
    assert f"<@{lisa.id}>" in str(bot.sandbox.messages(channel_id)[1]["blocks"])
    assert any("Champion" in t for t in bot.ephemerals(bot.people.csm))


def test_a_person_of_another_organisation_is_never_this_customer(bot: Harness) -> None:
    channel_id = bot.start_project(START)
    bot.sandbox.accept_shared_invite(channel_id, "taro@acme.example")
    bot.settle()  # Acme's customer arrived first: Acme is this project's customer
    bot.sandbox.join_channel(channel_id, bot.people.other_customer.id)  # Jane, of Globex
    bot.settle()
    jane = bot.people.other_customer.id
    customer_task = next(t for t in project_tasks(bot, channel_id) if t.owner_side == "customer")
    bot.driver.click(
        jane, channel_id=channel_id, action_id="task_done", value=str(customer_task.id)
    )
    bot.settle()
    assert (
        next(t for t in project_tasks(bot, channel_id) if t.id == customer_task.id).status == "open"
    )
    assert any("customer's team" in t for t in bot.ephemerals(bot.people.other_customer))
    # Nor can the CSM make her one of Acme's by mistake.
    bot.slash(bot.people.csm, channel_id, f"assign <@{jane}> champion")
    assert any("another organisation" in t for t in bot.ephemerals(bot.people.csm))
    assert f"<@{jane}>" not in str(bot.sandbox.messages(channel_id)[1]["blocks"])


def test_socket_mode_needs_an_app_token(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    monkeypatch.setenv("CS_TEAM_CHANNEL", "C0000CSTEAM")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    assert main(["run", "--mode", "socket"]) == 2
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_csm_is_told_when_nobody_joined_after_3_business_days(bot: Harness) -> None:
    from datetime import UTC, datetime

    from bot.flows.join_check import run as join_check

    bot.now = datetime(2027, 4, 5, 1, 0, tzinfo=UTC)  # Monday
    channel_id = bot.start_project(START)
    assert (
        join_check(bot.deps, now=datetime(2027, 4, 7, 3, tzinfo=UTC)).planned == []
    )  # 2 business days
    report = join_check(bot.deps, now=datetime(2027, 4, 8, 3, tzinfo=UTC))  # 3 business days
    assert report.sent == 1
    dm = bot.sandbox.dm_messages(bot.people.csm.id)[-1]
    assert "taro@acme.example" in dm["text"] and channel_id in dm["text"]
    assert join_check(bot.deps, now=datetime(2027, 4, 9, 3, tzinfo=UTC)).sent == 0  # once


def test_the_bot_refuses_to_start_on_an_old_schema(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret")
    monkeypatch.setenv("CS_TEAM_CHANNEL", "C0000CSTEAM")
    # A missing schema is a failure (1), not bad usage, and leaves no empty file behind.
    assert main(["run"]) == 1
    assert "onboardbot db upgrade" in capsys.readouterr().err
    assert not (tmp_path / "empty.db").exists()


def test_slack_down_at_kickoff_leaves_no_half_project(bot: Harness) -> None:
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import Project

    bot.sandbox.faults.server_error("conversations.create", times=50)
    bot.slash(bot.people.csm, bot.general, f"start {START}")
    # Slack's 5xx may pass: the CSM is told to try again (and why), not that it is hopeless.
    assert any(
        "internal_error" in t and ("try again" in t or "再度お試しください" in t)
        for t in bot.ephemerals(bot.people.csm)
    )
    with session_scope(bot.deps.engine) as session:
        assert session.exec(select(Project)).all() == []
    bot.sandbox.faults.clear()
    assert bot.sandbox.channel(bot.start_project(START))["name"] == "onb-acme"
