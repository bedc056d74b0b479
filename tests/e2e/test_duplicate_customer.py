"""A second project for a customer who has a running one is started only when the CSM
confirms it: `--again`, or the question's **Start another project** button."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from bot.blocks.ids import ActionId
from storage.db import session_scope
from storage.models import Project
from tests.e2e.harness import Harness

START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --lang en"
# Within this of a start, the same customer again is taken as a repeated request and refused
# (bot.services.starts); after it, the bot asks.
LATER = timedelta(minutes=11)


def _projects(bot: Harness) -> list[Project]:
    with session_scope(bot.deps.engine) as session:
        return list(session.exec(select(Project).order_by(col(Project.id))))


def _questions(bot: Harness) -> list[dict[str, Any]]:
    return [
        e
        for e in bot.sandbox.ephemerals(user_id=bot.people.csm.id)
        if ActionId.START_AGAIN in str(e.get("blocks"))
    ]


def test_the_same_customer_again_asks_and_again_starts(bot: Harness) -> None:
    first = bot.start_project(START)
    bot.now += LATER
    # Typed another way (legal form, case, width): the same customer. Nothing is started.
    bot.slash(bot.people.csm, bot.general, "start ＡＣＭＥ corp. --lang en")
    assert bot.created_channels() == [first] and len(_projects(bot)) == 1
    (question,) = _questions(bot)
    # In the CSM's language, naming the running project's channel and both ways on.
    assert "進行中のオンボーディングプロジェクトがあります" in question["text"]
    assert f"<#{first}>" in question["text"] and "`--again`" in str(question["blocks"])
    second = bot.start_project(START + " --again")
    assert bot.sandbox.channel(second)["name"] == "onb-acme-1"
    assert len(_projects(bot)) == 2


def test_the_button_starts_it_once_even_when_two_questions_are_answered(bot: Harness) -> None:
    bot.start_project(START)
    bot.now += LATER
    bot.slash(bot.people.csm, bot.general, f"start {START}")
    bot.slash(bot.people.csm, bot.general, f"start {START}")
    first_question, second_question = _questions(bot)
    assert len(_projects(bot)) == 1

    bot.driver.click_button(bot.people.csm.id, first_question, ActionId.START_AGAIN)
    bot.settle()
    projects = _projects(bot)
    assert len(projects) == 2 and projects[1].customer_name == "Acme Corp"
    assert projects[1].locale == "en" and projects[1].playbook_name == "low-touch"
    assert first_question["ts"] not in [e["ts"] for e in _questions(bot)]  # answered, gone

    # The other question was asked before that project existed: no third project.
    bot.driver.click_button(bot.people.csm.id, second_question, ActionId.START_AGAIN)
    bot.settle()
    assert len(_projects(bot)) == 2
    notes = [e["text"] for e in bot.sandbox.ephemerals(user_id=bot.people.csm.id)]
    assert any("その間に開始されています" in n and projects[1].channel_id in n for n in notes)


def test_japanese_names_of_one_customer_meet_and_ended_projects_do_not_count(
    bot: Harness,
) -> None:
    channel = bot.start_project("株式会社サンプル --kickoff 2027-04-05")
    bot.now += LATER
    bot.slash(bot.people.csm, bot.general, "start サンプル(株) --kickoff 2027-04-05")
    assert len(_questions(bot)) == 1 and len(_projects(bot)) == 1
    bot.slash(bot.people.csm, channel, "close cancelled")
    assert bot.start_project("サンプル株式会社 --kickoff 2027-05-10")
    assert len(_projects(bot)) == 2 and len(_questions(bot)) == 1


def test_the_start_form_asks_too(bot: Harness) -> None:
    bot.start_project(START)
    bot.now += LATER
    bot.slash(bot.people.csm, bot.general, "start")
    view_id = bot.sandbox.views_for(bot.people.csm.id)[-1]["id"]
    answer = bot.driver.submit_view(
        bot.people.csm.id,
        view_id,
        {
            "customer_name": {"customer_name": "Acme Corp"},
            "playbook": {"playbook": "tech-touch"},
            "kickoff": {"kickoff": "2027-04-05"},
            "lang": {"lang": "en"},
        },
    )
    assert answer.status == 200
    bot.settle()
    (question,) = _questions(bot)
    assert len(_projects(bot)) == 1
    bot.driver.click_button(bot.people.csm.id, question, ActionId.START_AGAIN)
    bot.settle()
    projects = _projects(bot)
    assert len(projects) == 2 and projects[1].playbook_name == "tech-touch"
