"""The sandbox session behind the page: a playbook being written becomes the default, the
clock buttons go where they say and run the jobs on the way, and the composer does what
Slack's does for each person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.demo.session import BotSession
from bot.domain.playbook import shipped_playbook_dir
from slack_sandbox.web.session import ActionError

MONDAY = datetime.fromisoformat("2027-04-05T10:00:00+09:00")


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    text = (shipped_playbook_dir() / "low-touch.yaml").read_text(encoding="utf-8")
    text = text.replace("name: low-touch", "name: rehearsal", 1)
    text = text.replace("Low-touch onboarding (about 4 weeks)", "Our rehearsal plan", 1)
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def session(tmp_path: Path, draft: Path) -> Iterator[BotSession]:
    running = BotSession(workdir=tmp_path / "work", start=MONDAY, playbook=draft, lang="en")
    try:
        yield running
    finally:
        running.close()


def test_a_playbook_being_written_runs_the_next_start(session: BotSession) -> None:
    cast = session.cast
    assert session.settings.default_playbook == "rehearsal"
    session.compose(cast.csm, cast.general, "/onboard start Acme Corp --champion taro@acme.example")
    channel = session.sandbox.channel_by_name("onb-acme")
    assert channel is not None
    assert any(
        "Our rehearsal plan" in str(m.get("blocks"))
        for m in session.sandbox.messages(channel["id"])
    )


def test_the_clock_buttons_and_the_jobs_they_run(session: BotSession) -> None:
    cast = session.cast
    session.compose(cast.csm, cast.general, "/onboard start Acme Corp --champion taro@acme.example")
    assert session.target("business_morning").isoformat() == "2027-04-06T09:00:00+09:00"
    assert session.target("monday").isoformat() == "2027-04-12T09:00:00+09:00"
    assert session.target("days", days=3).isoformat() == "2027-04-08T10:00:00+09:00"
    with pytest.raises(ActionError):
        session.target("days", days=0)
    result = session.jump(session.target("business_morning"))
    assert result.failures == []
    assert any("reminders" in run for run in result.runs)
    # The CSM's own kickoff task comes in their morning summary, at the escalation job's
    # first slot after the start (Monday 10:05), at its simulated moment; Tuesday's comes at
    # 09:05, after this jump's 09:00.
    reminders = session.sandbox.dm_messages(cast.csm)
    assert all("30-minute online kickoff" in str(m.get("blocks")) for m in reminders)
    sent_at = [datetime.fromtimestamp(float(m["ts"]), MONDAY.tzinfo) for m in reminders]
    assert [moment.strftime("%a %H:%M") for moment in sent_at] == ["Mon 10:05"]
    assert session.clock.now == datetime.fromisoformat("2027-04-06T09:00:00+09:00")
    with pytest.raises(ActionError):
        session.jump(MONDAY)  # never backwards
    # Golden Week: from Wednesday 4/28, Thursday 4/29 (Showa Day) is skipped.
    session.jump(datetime.fromisoformat("2027-04-28T10:00:00+09:00"))
    assert session.target("business_morning").isoformat() == "2027-04-30T09:00:00+09:00"


def test_the_composer_answers_each_person_as_slack_does(session: BotSession) -> None:
    cast = session.cast
    sandbox = session.sandbox
    session.compose(cast.csm, cast.general, "/onboard start Acme Corp --champion taro@acme.example")
    channel = sandbox.channel_by_name("onb-acme")
    assert channel is not None
    sandbox.accept_shared_invite(channel["id"], "taro@acme.example", user_id=cast.champion)
    session.local.settle()
    requests = len(session.driver.answers)

    session.compose(cast.champion, channel["id"], "/onboard status")
    note = sandbox.ephemerals(user_id=cast.champion)[-1]
    assert note["text"].startswith("/onboard is not a valid command.")
    assert len(session.driver.answers) == requests  # the bot never heard of it

    session.compose(cast.champion, channel["id"], "Hello from Acme!")
    posted = sandbox.messages(channel["id"])[-1]
    assert (posted["user"], posted["text"]) == (cast.champion, "Hello from Acme!")

    with sandbox.workspace.lock:
        dm = sandbox.workspace.im_for(cast.csm).id
    with pytest.raises(ActionError, match="turned off"):
        session.compose(cast.csm, dm, "hi bot")
