"""Every button value and every form's private_metadata, forged to name this project.

The permission matrix (`test_permission_matrix.py`) presses the buttons the bot posted and
submits the forms it opened. A signed request can carry anything, though: here each kind
of person sends every button and every form submission with its value or metadata naming
this project's task, risk or project, from a place of their own (a button in #general, a
form they never got). The server re-checks every one: the refusals are localized and
change nothing (every table compared, no form opened, nothing posted for others); the
allowed ones take effect as if the real button had been pressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.blocks.ids import ActionId, CallbackId
from bot.domain import start_again
from bot.domain.command_text import StartCommand
from bot.flows.adoption import run as adoption
from slack_sandbox import User
from storage.db import session_scope
from storage.models import Escalation, Risk, Task
from tests.e2e.harness import Harness, start_harness
from tests.e2e.payloads import invalid_payloads
from tests.e2e.requests import as_form, click, interaction, send, view
from tests.e2e.test_permission_matrix import (
    BASE_NOW,
    USERS,
    Probe,
    World,
    answer_schedule,
    db_snapshot,
    is_localized_refusal,
    make_world,
)

Payload = Callable[["Forger", User], dict[str, Any]]


@dataclass(frozen=True)
class Forgery:
    key: str
    payload: Payload
    codes: str  # per person in USERS order (CS staff, internal, this customer, another): A/R
    finished: bool = False  # needs a completed project (survey, check-in)


class Forger:
    """Builds forged payloads naming this project's (world.a) objects."""

    def __init__(self, world: World) -> None:
        self.world, self.bot = world, world.bot

    def task(self, *, side: str | None, required: bool = True, any_status: bool = False) -> Task:
        """An open task of this project (an allowed Done earlier took its own)."""
        project_id = self.world.project(self.world.a).id
        for task in self.world.rows(Task, project_id=project_id):
            if task.required != required or side not in (None, task.owner_side):
                continue
            if any_status or task.status == "open":
                return task
        raise AssertionError(f"no open {side} task left")

    def key_of(self, user: User) -> str:
        return next(key for key, person in self.world.people.items() if person.id == user.id)

    def project_id(self) -> int:
        found = self.world.project(self.world.a).id
        assert found is not None
        return found

    def open_risk(self) -> Risk:
        return self.world.rows(Risk, project_id=self.project_id(), status="open")[0]

    def button(self, user: User, action_id: str, value: str, **fields: Any) -> dict[str, Any]:
        return interaction(self.bot, user, actions=[click(action_id, value)], **fields)

    def submission(
        self, user: User, callback_id: str, metadata: str, values: Any
    ) -> dict[str, Any]:
        return interaction(
            self.bot,
            user,
            "view_submission",
            view=view(callback_id, metadata=metadata, values=values),
        )


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text_input", "value": value}


def _done_customer(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "task_done", str(f.task(side="customer").id))


def _done_vendor(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "task_done", str(f.task(side="vendor").id))


def _undo_customer(f: Forger, u: User) -> dict[str, Any]:
    task = f.task(side="customer")
    # Done by this project's customer, as the Undo button in the checklist would show it.
    f.bot.driver.click(
        f.bot.people.customer.id, channel_id=f.world.a, action_id="task_done", value=str(task.id)
    )
    f.bot.settle()
    return f.button(u, "task_undo", str(task.id))


def _more_time_button(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "task_more_time", str(f.task(side="customer").id))


def _plan_button(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "plan_schedule", str(f.project_id()))


def _skip(f: Forger, u: User) -> dict[str, Any]:
    # The one optional task: skipped by the first allowed cell, refused to the others.
    return f.button(u, "task_skip", str(f.task(side=None, required=False, any_status=True).id))


def _close_risk(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "risk_close", str(f.open_risk().id))


def _status_button(f: Forger, u: User) -> dict[str, Any]:
    # The checklist's Status button reads the channel it was pressed in: forge that.
    return f.button(
        u,
        "open_status",
        "",
        channel={"id": f.world.a, "name": "forged"},
        container={"type": "message", "channel_id": f.world.a, "message_ts": "1.2"},
    )


def _home_status(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "home_open_status", str(f.project_id()))


def _survey(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "survey_csat:4", f"{f.project_id()}:4")


def _survey_comment_button(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "survey_comment", str(f.project_id()))


def _checkin(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "checkin:regularly", str(f.project_id()))


def _start_again(f: Forger, u: User) -> dict[str, Any]:
    # The confirmation button's value, as if the question had been asked of this person.
    command = StartCommand(
        customer_name=f"Forged again {u.name}",
        playbook="tech-touch",
        kickoff=date(2027, 4, 5),
        lang="en",
    )
    value = start_again.encode(command, seen=(f.project_id(),))
    assert value is not None
    return f.button(u, "start_again", value, channel={"id": f.bot.general, "name": "general"})


def _start_form(f: Forger, u: User) -> dict[str, Any]:
    values = {
        "customer_name": {"customer_name": _text(f"Forged {u.name}")},
        "playbook": {"playbook": {"selected_option": {"value": "tech-touch"}}},
        "kickoff": {"kickoff": {"type": "datepicker", "selected_date": "2027-04-05"}},
        "lang": {"lang": {"selected_option": {"value": "en"}}},
    }
    return f.submission(u, "start_project", f.bot.general, values)


def _schedule_form(f: Forger, u: User) -> dict[str, Any]:
    values = {
        "slip_reason": {"slip_reason": {"selected_option": {"value": "unclear_tasks"}}},
        "initiatives": {"initiatives": _text(f"forged by {u.name}")},
    }
    return f.submission(u, "schedule", str(f.project_id()), values)


def _more_time_form(f: Forger, u: User) -> dict[str, Any]:
    # A date of each person's own: one already set would change nothing.
    day = {"csm": "2027-05-17", "customer": "2027-05-18"}.get(f.key_of(u), "2027-05-19")
    values = {
        "new_due": {"new_due": {"type": "datepicker", "selected_date": day}},
        "reason": {"reason": {"selected_option": {"value": "data_preparation"}}},
    }
    return f.submission(u, "more_time", str(f.task(side="customer").id), values)


def _survey_comment_form(f: Forger, u: User) -> dict[str, Any]:
    values = {"comment": {"comment": _text(f"forged comment by {u.name}")}}
    return f.submission(u, "survey_comment", str(f.project_id()), values)


_DRAFTS = iter(range(1, 10_000))


def _draft(f: Forger) -> int:
    """A fresh draft for this project's decision-maker, waiting for the CSM's answer."""
    with session_scope(f.bot.deps.engine) as session:
        row = Escalation(
            key=f"dm:{f.project_id()}:forged-{next(_DRAFTS)}",
            project_id=f.project_id(),
            local_date=date(2027, 4, 5),
            status="draft",
            approval="csm",
            csm_user_id=f.bot.people.csm.id,
            text="A forged draft",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "A forged draft"}}],
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _send_draft(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "escalation_send", str(_draft(f)))


def _edit_draft(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "escalation_edit", str(_draft(f)))


def _skip_draft(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "escalation_skip", str(_draft(f)))


def _edit_form(f: Forger, u: User) -> dict[str, Any]:
    values = {"escalation_text": {"escalation_text": _text(f"forged by {u.name}")}}
    return f.submission(u, "escalation_edit", str(_draft(f)), values)


def _skip_form(f: Forger, u: User) -> dict[str, Any]:
    values = {"skip_reason": {"skip_reason": _text(f"forged by {u.name}")}}
    return f.submission(u, "escalation_skip", str(_draft(f)), values)


def _snooze_button(f: Forger, u: User) -> dict[str, Any]:
    return f.button(u, "reminder_snooze", "snooze")


def _snooze_form(f: Forger, u: User) -> dict[str, Any]:
    # Everyone may snooze their own reminders (and only their own: no id in the payload).
    values = {
        "snooze_until": {"snooze_until": {"type": "datepicker", "selected_date": "2027-04-20"}}
    }
    return f.submission(u, "snooze", "", values)


FORGERIES = (
    # key, payload, codes: CS staff, internal non-staff, this customer, another customer
    Forgery("button task_done (customer task)", _done_customer, "ARAR"),
    Forgery("button task_done (vendor task)", _done_vendor, "ARRR"),
    Forgery("button task_undo (customer's own)", _undo_customer, "ARAR"),
    Forgery("button task_more_time", _more_time_button, "ARAR"),
    Forgery("button plan_schedule", _plan_button, "ARAR"),
    Forgery("button task_skip", _skip, "ARRR"),
    Forgery("button risk_close", _close_risk, "ARRR"),
    Forgery("button open_status (forged channel)", _status_button, "ARAR"),
    Forgery("button home_open_status", _home_status, "ARAR"),
    Forgery("form start_project", _start_form, "ARRR"),
    Forgery("button start_again", _start_again, "ARRR"),
    Forgery("form schedule", _schedule_form, "ARAR"),
    Forgery("form more_time", _more_time_form, "ARAR"),
    Forgery("button survey_csat", _survey, "RRAR", finished=True),
    Forgery("button survey_comment", _survey_comment_button, "RRAR", finished=True),
    Forgery("button checkin", _checkin, "ARAR", finished=True),
    Forgery("form survey_comment", _survey_comment_form, "RRAR", finished=True),
    Forgery("button escalation_send", _send_draft, "ARRR"),
    Forgery("button escalation_edit", _edit_draft, "ARRR"),
    Forgery("button escalation_skip", _skip_draft, "ARRR"),
    Forgery("form escalation_edit", _edit_form, "ARRR"),
    Forgery("form escalation_skip", _skip_form, "ARRR"),
    Forgery("button reminder_snooze", _snooze_button, "AAAA"),
    Forgery("form snooze", _snooze_form, "AAAA"),
)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    path = tmp_path_factory.mktemp("forged") / "onboardbot.db"
    bot = start_harness(f"sqlite:///{path}")
    bot.now = BASE_NOW
    try:
        yield bot
        bot.settle()
        assert bot.sandbox.block_violations == [], bot.sandbox.block_violations
        assert invalid_payloads(bot.sandbox, bot.driver) == []
    finally:
        bot.close()


@pytest.fixture(scope="module")
def running(harness: Harness) -> Forger:
    harness.now = BASE_NOW
    made = make_world(harness, "Acme Corp", "Globex")
    for channel in (made.a, made.b):
        for _ in range(4):  # enough open risks for every cell that closes one
            answer_schedule(made, channel)
    return Forger(made)


@pytest.fixture(scope="module")
def finished(harness: Harness) -> Forger:
    harness.now = BASE_NOW
    made = make_world(harness, "Initech", "Umbrella")
    harness.now = datetime(2027, 4, 20, 2, 0, tzinfo=UTC)
    for channel in (made.a, made.b):
        for task in made.rows(Task, project_id=made.project(channel).id):
            if task.required and task.status == "open":
                harness.driver.click(
                    harness.people.csm.id,
                    channel_id=channel,
                    action_id="task_done",
                    value=str(task.id),
                )
                harness.settle()
                harness.later()  # a few seconds between clicks, as a person
    adoption(harness.deps, now=datetime(2027, 5, 20, 1, 0, tzinfo=UTC))
    harness.settle()
    harness.now = BASE_NOW
    return Forger(made)


def _answers(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    texts = [str(body["text"])] if body.get("text") else []
    return texts + [str(v) for v in (body.get("errors") or {}).values()]


def check(forger: Forger, forgery: Forgery, user_key: str) -> None:
    world, bot = forger.world, forger.bot
    user = world.people[user_key]
    expected = forgery.codes[USERS.index(user_key)]
    payload = forgery.payload(forger, user)
    bot.settle()
    probe = Probe(bot, user)
    answer = send(bot, as_form(payload))
    bot.settle()
    where = f"{forgery.key} forged by {user_key}"
    try:
        assert answer.status == 200, f"{where}: HTTP {answer.status} {answer.text[:200]}"
        shown = _answers(answer.json) + probe.texts()
        refused = [text for text in shown if is_localized_refusal(text)]
        changed = {name for name, rows in db_snapshot(bot).items() if rows != probe.db[name]}
        if expected == "R":
            assert refused, f"{where}: no localized refusal reached them; shown {shown}"
            assert not changed, f"{where}: refused, but tables changed: {sorted(changed)}"
            # A modal may open to show the refusal (forms open at once), never a form.
            forms = [v for v in probe.new_views() if v.get("callback_id")]
            assert not forms, f"{where}: refused, but a form opened"
            loud = probe.loud_calls(forms=False)
            assert not loud, f"{where}: refused, but Slack saw {loud}"
        else:
            assert not refused, f"{where}: allowed, yet refused: {refused}"
            assert changed or probe.new_views() or shown, f"{where}: allowed, nothing happened"
    finally:
        probe.close_new_views()
        bot.settle()


def _cells(finished: bool) -> list[tuple[str, str]]:
    return [
        (forgery.key, user)
        for forgery in FORGERIES
        if forgery.finished == finished
        for user in USERS
    ]


BY_KEY = {forgery.key: forgery for forgery in FORGERIES}


@pytest.mark.parametrize(("forgery", "user"), _cells(False))
def test_forged_while_running(running: Forger, forgery: str, user: str) -> None:
    running.bot.now = BASE_NOW
    running.bot.later()  # one request after another, seconds apart
    check(running, BY_KEY[forgery], user)


@pytest.mark.parametrize(("forgery", "user"), _cells(True))
def test_forged_after_completion(finished: Forger, forgery: str, user: str) -> None:
    finished.bot.now = BASE_NOW
    finished.bot.later()  # one request after another, seconds apart
    check(finished, BY_KEY[forgery], user)


def test_every_button_and_form_of_the_bot_is_forged() -> None:
    forged = {tuple(f.key.split()[:2]) for f in FORGERIES}
    # survey_nps has the survey_csat listener; home_open_channel is a link (nothing to do).
    buttons = {a.value for a in ActionId} - {"survey_nps", "home_open_channel"}
    assert {("button", b) for b in buttons} | {("form", c.value) for c in CallbackId} == forged
