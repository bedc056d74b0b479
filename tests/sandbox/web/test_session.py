"""The page's session with no app behind it: what people do in the local Slack, and who the
page offers, are the sandbox's own; an app only says when its work is done and what the
clock buttons do (tests/bot/test_demo_session.py has the bot's)."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime

import pytest

from slack_sandbox import Sandbox, SlackDriver
from slack_sandbox.clock import WorldClock
from slack_sandbox.web.server import PageServer
from slack_sandbox.web.session import ActionError, JumpResult, Roles, Session

START = datetime.fromisoformat("2027-04-05T10:00:00+09:00")


class NoApp(Session):
    """A workspace whose app has one slash command and never answers (nothing listens)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.settled = 0
        self.csm = sandbox.add_user("sato", real_name="Kenji Sato").id
        self.guest = sandbox.add_external_user("jane@globex.example", real_name="Jane Smith").id
        self.general = sandbox.add_channel("general", members=[self.csm]).id
        super().__init__(
            sandbox=sandbox,
            clock=WorldClock(START),
            driver=SlackDriver("http://127.0.0.1:9/slack/events", "secret", sandbox),
            roles=Roles(
                labels={self.csm: "CSM", self.guest: "customer"},
                default_person=self.csm,
                default_channel=self.general,
            ),
            commands={"/app"},
        )

    def settle(self) -> None:
        self.settled += 1

    def target(self, where: str, *, days: int = 1) -> datetime:
        raise ActionError(f"unknown clock button {where!r}")

    def jump(self, to: datetime) -> JumpResult:
        raise ActionError("no clock here")


@pytest.fixture
def session(sandbox: Sandbox) -> NoApp:
    return NoApp(sandbox)


def test_a_message_goes_where_the_person_is_a_member(session: NoApp) -> None:
    assert session.compose(session.csm, session.general, "  hello  ") == "message"
    [posted] = session.sandbox.messages(session.general)
    assert (posted["user"], posted["text"]) == (session.csm, "hello")
    with pytest.raises(ActionError, match="not in this conversation"):
        session.compose(session.guest, session.general, "hi")
    with pytest.raises(ActionError, match="nothing to send"):
        session.compose(session.csm, session.general, "   ")


def test_a_command_the_app_does_not_have_is_answered_by_slack_and_never_sent(
    session: NoApp,
) -> None:
    session.compose(session.csm, session.general, "/other thing")
    [note] = session.sandbox.ephemerals(user_id=session.csm)
    assert note["text"].startswith("/other is not a valid command.")
    assert session.driver.answers == [] and session.settled == 0


def test_the_page_offers_the_roles_the_session_names(session: NoApp) -> None:
    page = PageServer(session).start_in_thread()
    try:
        with urllib.request.urlopen(page.url + "ui/people", timeout=10) as answer:
            people = json.load(answer)
    finally:
        page.stop()
    roles = {p["id"]: p["role"] for p in people["people"]}
    assert roles[session.csm] == "CSM" and roles[session.guest] == "customer"
    assert (people["default"], people["general"]) == (session.csm, session.general)
