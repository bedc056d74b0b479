"""Channel names through HTTP: made from Japanese, mixed and Latin customer names, or chosen
with `--channel` and the start form's field."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import Project
from tests.e2e.harness import Harness


@pytest.mark.parametrize(
    ("customer", "name"),
    [
        ("株式会社サンプル", "onb-sample"),
        ("山田商事株式会社", "onb-yamada-shouji"),
        ("ABCホールディングス(株)", "onb-abc-holding"),
        ("Acme Co., Ltd.", "onb-acme"),
    ],
)
def test_the_channel_is_named_from_the_customer(bot: Harness, customer: str, name: str) -> None:
    channel = bot.start_project(f'"{customer}" --kickoff 2027-04-05')
    assert bot.sandbox.channel(channel)["name"] == name


def test_channel_option_names_the_channel(bot: Harness) -> None:
    channel = bot.start_project("株式会社サンプル --kickoff 2027-04-05 --channel #Sample-2027")
    assert bot.sandbox.channel(channel)["name"] == "sample-2027"
    with session_scope(bot.deps.engine) as session:
        (project,) = session.exec(select(Project)).all()
        assert project.channel_name == "sample-2027"


def test_a_chosen_name_that_is_taken_is_refused_and_nothing_is_left(bot: Harness) -> None:
    bot.sandbox.add_channel("acme-onboarding")
    bot.slash(bot.people.csm, bot.general, "start Acme --channel acme-onboarding --lang en")
    # In the CSM's own language (Japanese here), naming the name and the way out.
    notes = bot.ephemerals(bot.people.csm)
    assert any("#acme-onboarding はすでに使われています" in t and "--channel" in t for t in notes)
    assert bot.created_channels() == []
    with session_scope(bot.deps.engine) as session:
        assert session.exec(select(Project)).all() == []


@pytest.mark.parametrize("value", ["アクメ", "acme!", "x" * 81])
def test_a_channel_name_slack_would_refuse_is_a_localized_parse_error(
    bot: Harness, value: str
) -> None:
    response = bot.slash(bot.people.csm, bot.general, f"start Acme --channel {value}")
    reply = response.json
    assert reply["response_type"] == "ephemeral"
    assert "チャンネル名" in reply["text"] and "`--channel`" in reply["text"]
    assert bot.created_channels() == []


def test_start_form_channel_field(bot: Harness) -> None:
    fields = {
        "customer_name": {"customer_name": "Globex Japan"},
        "playbook": {"playbook": "tech-touch"},
        "kickoff": {"kickoff": "2027-04-05"},
        "lang": {"lang": "en"},
    }
    bot.slash(bot.people.csm, bot.general, "start")
    view_id = bot.sandbox.views_for(bot.people.csm.id)[-1]["id"]
    bad = bot.driver.submit_view(
        bot.people.csm.id, view_id, {**fields, "channel_name": {"channel_name": "グロー"}}
    )
    assert set(bad.json["errors"]) == {"channel_name"}
    assert bot.created_channels() == []
    good = bot.driver.submit_view(
        bot.people.csm.id, view_id, {**fields, "channel_name": {"channel_name": "globex-jp"}}
    )
    assert good.status == 200 and not (good.json or {}).get("errors")
    bot.settle()
    (channel,) = bot.created_channels()
    assert bot.sandbox.channel(channel)["name"] == "globex-jp"
