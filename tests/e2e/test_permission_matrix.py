"""Who may do what, and where: the permission matrix, checked cell by cell over HTTP.

Every slash command, button and form is tried by four kinds of people in four places.
The people are seen from *this* project (Acme, whose customer is `people.customer`):

- **CS staff** (`people.csm`, a member of `CS_TEAM_CHANNEL`, the CSM of both projects),
- **internal non-staff** (`people.internal`, same Slack team, not in the CS team),
- **this project's customer** (`people.customer`, joined through the Slack Connect invite),
- **another project's customer** (`people.other_customer`, the customer of Globex).

The places are this project's channel, another project's channel (Globex), a DM with the bot
and an unrelated channel (#general). Everyone is a member of every channel here (people are
added to channels by mistake: that must never give them rights). A slash command can be typed
anywhere by people of our own Slack; Slack never delivers one from a customer (another
organisation), so those cells are "not possible in Slack" and the customer's own paths
(the checklist's Status, Plan the schedule, the buttons of their morning reminder) are rows of
their own. A button is only where its message is (a checklist in its channel, a reminder in
the person's DM, a status note in the ephemeral it came in); a form is opened the way the
product opens it and submitted. A form opens at once and shows the refusal inside the modal
when the person may not use it (Slack's trigger lives 3 seconds).

`MATRIX` is the expected behaviour (written from the README's rules, not read from the
code). For each cell: *allowed* → the effect happened; *refused* → a localized refusal
reached that person (ephemeral, form error or DM) and nothing changed, neither in the
database (every table compared) nor in Slack (no message posted, updated or form opened
beyond the refusal itself); *not possible* → the product offers no way to try it there.
`matrix_markdown()` renders the same table for the README.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)
from bot.flows.adoption import run as adoption
from bot.flows.escalation_steps import run as escalations
from bot.flows.reminders import run as reminders
from bot.i18n import catalog
from slack_sandbox import ButtonRef, DriverError, DriverResponse, User
from slack_sandbox.buttons import interactive_elements
from storage.db import session_scope
from storage.models import Project, Risk, Stakeholder, SurveyAnswer, Task
from tests.e2e.harness import (
    Harness,
    answer_who_is_this,
    im_channel,
    project_events,
    start_harness,
)
from tests.e2e.payloads import invalid_payloads

# -- the expected matrix ---------------------------------------------------------------------

ALLOWED, REFUSED, NOT_POSSIBLE = "allowed", "refused", "not possible"
NOT_IN_SLACK = "not possible in Slack"
USERS = ("csm", "internal", "customer", "other_customer")
PLACES = ("project", "other_project", "dm", "unrelated")
USER_LABELS = {
    "csm": "CS staff",
    "internal": "internal non-staff",
    "customer": "this project's customer",
    "other_customer": "another project's customer",
}
PLACE_LABELS = {
    "project": "this project's channel",
    "other_project": "another project's channel",
    "dm": "DM with the bot",
    "unrelated": "unrelated channel",
}
_CODES = {"A": ALLOWED, "R": REFUSED, "-": NOT_POSSIBLE, "S": NOT_IN_SLACK}
_SYMBOLS = {ALLOWED: "✅", REFUSED: "❌", NOT_POSSIBLE: "–", NOT_IN_SLACK: "🚫"}


@dataclass(frozen=True)
class Row:
    key: str
    kind: str  # command | button | form
    label: str
    codes: tuple[str, str, str, str]  # per user (USERS order): one letter per place (PLACES)

    def expected(self, user: str, place: str) -> str:
        return _CODES[self.codes[USERS.index(user)][PLACES.index(place)]]


# Places, in each group of four letters: this project's channel, another project's channel,
# DM with the bot, unrelated channel. A = allowed, R = refused, - = not possible there,
# S = not possible in Slack (a customer's slash command never reaches the app).
# "Another project" is Globex: its customer (the last column) is at home there.
MATRIX: tuple[Row, ...] = (
    # key, kind, label, (CS staff, internal non-staff, this customer, another customer)
    Row("start", "command", "`/onboard start NAME`", ("AAAA", "RRRR", "SSSS", "SSSS")),
    Row("status", "command", "`/onboard status`", ("AAAA", "RRRR", "SSSS", "SSSS")),
    Row("assign", "command", "`/onboard assign @u member`", ("AARR", "RRRR", "SSSS", "SSSS")),
    Row("pause", "command", "`/onboard pause`", ("AARR", "RRRR", "SSSS", "SSSS")),
    Row("resume", "command", "`/onboard resume`", ("AARR", "RRRR", "SSSS", "SSSS")),
    Row("schedule", "command", "`/onboard schedule`", ("AARR", "RRRR", "SSSS", "SSSS")),
    Row("close", "command", "`/onboard close cancelled`", ("AARR", "RRRR", "SSSS", "SSSS")),
    Row("help", "command", "`/onboard help`", ("AAAA", "AAAA", "SSSS", "SSSS")),
    Row("done_customer", "button", "Done (customer task)", ("AA--", "RR--", "ARA-", "RA--")),
    Row("done_vendor", "button", "Done (vendor task)", ("AAA-", "RR--", "RR--", "RR--")),
    Row("undo", "button", "Undo (customer's own Done)", ("AA--", "RR--", "AR--", "RA--")),
    Row("more_time", "button", "Need more time (opens the form)", ("AAA-", "RR--", "AR--", "RA--")),
    Row("plan", "button", "Plan the schedule", ("AA--", "RR--", "AR--", "RA--")),
    Row("skip", "button", "Skip (optional task)", ("AA--", "RR--", "RR--", "RR--")),
    Row("close_risk", "button", "Close risk (status note)", ("AA--", "----", "R---", "-R--")),
    Row("survey_score", "button", "Survey score", ("RR--", "RR--", "AR--", "RA--")),
    Row("checkin", "button", "Check-in answer", ("AA--", "RR--", "AR--", "RA--")),
    Row("status_button", "button", "Status (checklist)", ("AA--", "RR--", "AR--", "RA--")),
    Row(
        "reminder_done",
        "button",
        "Done (own task, morning reminder)",
        ("--A-", "----", "--A-", "--A-"),
    ),
    Row(
        "reminder_more_time",
        "button",
        "Need more time (own task, morning reminder)",
        ("--A-", "----", "--A-", "--A-"),
    ),
    Row("start_form", "form", "start form", ("AAAA", "RRRR", "SSSS", "SSSS")),
    Row(
        "schedule_form",
        "form",
        "schedule form (`/onboard schedule`)",
        ("AARR", "RRRR", "SSSS", "SSSS"),
    ),
    Row(
        "plan_form",
        "form",
        "schedule form (*Plan the schedule*)",
        ("AA--", "RR--", "AR--", "RA--"),
    ),
    Row("more_time_form", "form", "Need more time form", ("AAA-", "RR--", "AR--", "RA--")),
    Row("survey_comment", "form", "survey comment", ("RR--", "RR--", "AR--", "RA--")),
)
ROWS = {row.key: row for row in MATRIX}


def matrix_markdown() -> str:
    """The matrix as the README shows it (between the permission-matrix markers)."""
    places = ", ".join(PLACE_LABELS[p] for p in PLACES)
    lines = [
        f"Each cell lists four places in this order: {places}. "
        f"{_SYMBOLS[ALLOWED]} allowed; {_SYMBOLS[REFUSED]} refused with a localized message, "
        f"nothing changed; {_SYMBOLS[NOT_POSSIBLE]} not possible there (no such button); "
        f"{_SYMBOLS[NOT_IN_SLACK]} not possible in Slack (Slack never delivers a slash command "
        "from another organisation's people, so customers use the buttons). "
        "*Another project* is the one whose customer is the last column. Buttons in a DM are "
        "those of the person's morning reminder (for CS staff, their morning summary); *Close risk* is in the `/onboard status` note; "
        "a form is refused when it shows the refusal instead of opening, or when its "
        "submission is refused.",
        "",
        "| action | " + " | ".join(USER_LABELS[u] for u in USERS) + " |",
        "|---|" + "---|" * len(USERS),
    ]
    for row in MATRIX:
        kind = {"command": "", "button": "button: ", "form": "form: "}[row.kind]
        cells = [
            " ".join(_SYMBOLS[row.expected(user, place)] for place in PLACES) for user in USERS
        ]
        lines.append(f"| {kind}{row.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# -- the world: two projects, everyone in every channel ----------------------------------------

BASE_NOW = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)  # Monday 09:30 in Tokyo, the kickoff day


@dataclass
class World:
    bot: Harness
    a: str  # this project's channel (customer: people.customer)
    b: str  # another project's channel (customer: people.other_customer)
    names: dict[str, str]
    counter: list[int] = field(default_factory=lambda: [0])
    probe: Probe | None = None
    not_in_slack: bool = False  # the driver refused the cell like Slack would

    @property
    def people(self) -> dict[str, User]:
        p = self.bot.people
        return {
            "csm": p.csm,
            "internal": p.internal,
            "customer": p.customer,
            "other_customer": p.other_customer,
        }

    def channel(self, place: str, user: User) -> str:
        return {
            "project": self.a,
            "other_project": self.b,
            "dm": im_channel(self.bot, user),
            "unrelated": self.bot.general,
        }[place]

    def project_channel(self, place: str) -> str | None:
        return {"project": self.a, "other_project": self.b}.get(place)

    def customer_of(self, channel: str) -> User:
        return self.bot.people.customer if channel == self.a else self.bot.people.other_customer

    def number(self) -> int:
        self.counter[0] += 1
        return self.counter[0]

    def begin(self, user: User) -> None:
        """From here on, what happens is the cell's doing."""
        self.probe = Probe(self.bot, user)

    # storage reads
    def project(self, channel: str) -> Project:
        with session_scope(self.bot.deps.engine) as session:
            found = session.exec(select(Project).where(Project.channel_id == channel)).one()
            session.expunge(found)
            return found

    def task(self, channel: str, key: str) -> Task:
        project_id = self.project(channel).id
        with session_scope(self.bot.deps.engine) as session:
            found = session.exec(
                select(Task).where(Task.project_id == project_id, Task.key == key)
            ).one()
            session.expunge(found)
            return found

    def task_by_id(self, task_id: int) -> Task:
        with session_scope(self.bot.deps.engine) as session:
            found = session.get(Task, task_id)
            assert found is not None
            session.expunge(found)
            return found

    def rows(self, model: type[SQLModel], **where: Any) -> list[Any]:
        with session_scope(self.bot.deps.engine) as session:
            query = select(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            found = list(session.exec(query).all())
            for row in found:
                session.expunge(row)
            return found

    def status(self, channel: str) -> str:
        return str(self.project(channel).status)


def make_world(bot: Harness, a_name: str, b_name: str) -> World:
    """Two tech-touch projects (one optional task each), customers joined, everyone everywhere."""
    a = bot.start_project(
        f"{a_name} --playbook tech-touch --kickoff 2027-04-05 "
        "--champion taro@acme.example --lang en"
    )
    bot.sandbox.accept_shared_invite(a, "taro@acme.example")
    b = bot.start_project(
        f"{b_name} --playbook tech-touch --kickoff 2027-04-05 "
        "--champion jane@globex.example --lang en"
    )
    bot.sandbox.accept_shared_invite(b, "jane@globex.example")
    bot.settle()
    # Globex hides e-mail from other organisations: the CSM says who Jane is.
    answer_who_is_this(bot, bot.people.other_customer, "champion")
    p = bot.people
    for channel, user in (
        (a, p.internal),
        (b, p.internal),
        (a, p.other_customer),
        (b, p.customer),
        (bot.general, p.customer),
        (bot.general, p.other_customer),
    ):
        if user.id not in bot.sandbox.channel(channel)["members"]:
            bot.sandbox.join_channel(channel, user.id)
    bot.settle()
    return World(bot=bot, a=a, b=b, names={a: a_name, b: b_name})


def answer_schedule(world: World, channel: str, go_live: str = "2027-04-20") -> None:
    """The CSM answers the scheduling questions: a risk, and a go-live the plan misses
    (so the summary offers the optional task for skipping)."""
    bot, csm = world.bot, world.bot.people.csm
    bot.slash(csm, channel, "schedule")
    view_id = bot.sandbox.views_for(csm.id)[-1]["id"]
    answer = bot.driver.submit_view(
        csm.id,
        view_id,
        {"slip_reason": {"slip_reason": "people_approvals"}, "go_live": {"go_live": go_live}},
    )
    assert answer.ok and not (answer.json or {}).get("errors"), answer.text
    bot.settle()
    bot.later()  # each answer re-plans and posts in the channel


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One bot on SQLite for the whole module (the matrix is about rules, not backends)."""
    path = tmp_path_factory.mktemp("matrix") / "onboardbot.db"
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
def world(harness: Harness) -> World:
    harness.now = BASE_NOW
    made = make_world(harness, "Acme Corp", "Globex")
    # The morning reminders: the CSM's summary gets the vendor tasks with Done / Need more
    # time, the customers' DMs their own tasks (Jane's morning comes later, in Los Angeles).
    reminders(harness.deps, now=datetime(2027, 4, 5, 0, 5, tzinfo=UTC))
    escalations(harness.deps, now=datetime(2027, 4, 5, 0, 5, tzinfo=UTC))
    reminders(harness.deps, now=datetime(2027, 4, 5, 16, 5, tzinfo=UTC))
    for channel in (made.a, made.b):
        answer_schedule(made, channel)
    harness.settle()
    assert "task_done" in str(harness.sandbox.dm_messages(harness.people.csm.id))
    return made


@pytest.fixture(scope="module")
def finished(harness: Harness) -> World:
    """Two projects whose required tasks are all done: survey posted, check-in 30 days later."""
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
                harness.later()
        assert made.status(channel) == "completed"
    adoption(harness.deps, now=datetime(2027, 5, 20, 1, 0, tzinfo=UTC))
    harness.settle()
    harness.now = BASE_NOW
    return made


@pytest.fixture(autouse=True)
def _base_time(harness: Harness) -> None:
    harness.now = BASE_NOW


# -- observing a cell ----------------------------------------------------------------------------

# Web API methods that change nothing anyone sees, or that only deliver the refusal itself
# (a modal is seen by the one person who opened it).
_QUIET = {
    "views.open",
    "views.update",
    "auth.test",
    "users.info",
    "users.lookupByEmail",
    "conversations.info",
    "conversations.members",
    "conversations.open",
    "conversations.history",
    "conversations.replies",
    "chat.postEphemeral",
    "response_url",
}


def db_snapshot(bot: Harness) -> dict[str, list[str]]:
    """Every row of every table (what "nothing changed" is checked against)."""
    with bot.deps.engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(table.select()))
            for table in SQLModel.metadata.sorted_tables
        }


class Probe:
    """What a person and Slack had before a cell: the database, calls, ephemerals, DMs, forms."""

    def __init__(self, bot: Harness, user: User) -> None:
        self.bot, self.user = bot, user
        self.db = db_snapshot(bot)
        self.calls = len(bot.sandbox.calls())
        self.ephemerals = len(bot.sandbox.ephemerals(user_id=user.id))
        self.dms = len(bot.sandbox.dm_messages(user.id))
        self.views = {v["id"] for v in bot.sandbox.views_for(user.id)}

    def texts(self) -> list[str]:
        """Everything shown to the person since (ephemerals, DMs, what new modals say)."""
        new = self.bot.sandbox.ephemerals(user_id=self.user.id)[self.ephemerals :]
        new += self.bot.sandbox.dm_messages(self.user.id)[self.dms :]
        shown = [m.get("text") or "" for m in new]
        for view in self.new_views():
            shown += [b["text"]["text"] for b in view["blocks"] if b.get("type") == "section"]
        return shown

    def new_views(self) -> list[dict[str, Any]]:
        return [v for v in self.bot.sandbox.views_for(self.user.id) if v["id"] not in self.views]

    def loud_calls(self, *, forms: bool) -> list[str]:
        """Calls since that someone other than the person would notice."""
        dm = self.bot.sandbox.dm_channel(self.user.id)
        loud = []
        for call in self.bot.sandbox.calls()[self.calls :]:
            if call.method in _QUIET or (forms and call.method == "views.open"):
                continue
            if call.method == "chat.postMessage" and call.args.get("channel") in (
                self.user.id,
                dm,
            ):
                continue  # the refusal as a DM
            loud.append(f"{call.method}({str(call.args)[:160]})")
        return loud

    def close_new_views(self) -> None:
        for view in reversed(self.new_views()):
            self.bot.driver.close_view(self.user.id, view["id"])


def _refusal_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for locale in ("ja", "en"):
        for key, template in catalog(locale).items():  # type: ignore[arg-type]
            if key == "error.unexpected" or not key.startswith(("deny.", "error.")):
                continue
            parts = re.split(r"\{[^{}]*\}", template)
            patterns.append(re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL))
    return patterns


REFUSALS = _refusal_patterns()


def is_localized_refusal(text: str) -> bool:
    """A refusal rendered from the ja or en catalog (not a raw key, not "unexpected error")."""
    return any(p.fullmatch(text.strip()) for p in REFUSALS)


@dataclass
class Attempt:
    effect: Callable[[], bool]
    answers: list[str] = field(default_factory=list)  # ack text, form errors
    cleanup: Callable[[], None] | None = None


def _answer_texts(response: DriverResponse | None) -> list[str]:
    body = response.json if response is not None else None
    if not isinstance(body, dict):
        return []
    texts = [str(body["text"])] if body.get("text") else []
    return texts + [str(v) for v in (body.get("errors") or {}).values()]


def check_cell(world: World, action: str, user_key: str, place: str) -> None:
    row, user = ROWS[action], world.people[user_key]
    expected = row.expected(user_key, place)
    where = f"{action} by {user_key} in {place}"
    world.probe, world.not_in_slack = None, False
    attempt = ACTIONS[action](world, user, place)
    world.bot.settle()
    probe = world.probe
    if world.not_in_slack:
        try:
            assert expected == NOT_IN_SLACK, f"{where}: Slack would not deliver it, yet {expected}"
            assert attempt is None or not attempt.effect(), f"{where}: an effect without Slack"
        finally:
            if attempt is not None and attempt.cleanup is not None:
                attempt.cleanup()
        return
    assert expected != NOT_IN_SLACK, f"{where}: the matrix says Slack would not deliver it"
    if attempt is None:
        assert expected == NOT_POSSIBLE, f"{where}: the product offers no way to do it"
        return
    assert expected != NOT_POSSIBLE, f"{where}: possible, but the matrix says it is not"
    assert probe is not None
    shown = attempt.answers + probe.texts()
    try:
        if expected == ALLOWED:
            assert attempt.effect(), f"{where}: allowed, but nothing happened; shown {shown}"
            refusals = [t for t in shown if is_localized_refusal(t)]
            assert not refusals, f"{where}: allowed, yet also refused: {refusals}"
        else:
            assert any(is_localized_refusal(t) for t in shown), (
                f"{where}: no localized refusal reached the person; shown {shown}"
            )
            assert not attempt.effect(), f"{where}: refused, but the effect happened anyway"
            after = db_snapshot(world.bot)
            changed = {name for name in after if after[name] != probe.db[name]}
            assert not changed, f"{where}: refused, but tables changed: {sorted(changed)}"
            loud = probe.loud_calls(forms=row.kind == "form")
            assert not loud, f"{where}: refused, but Slack saw {loud}"
    finally:
        probe.close_new_views()
        if attempt.cleanup is not None:
            attempt.cleanup()
        world.bot.settle()


def run_action(world: World, action: str) -> None:
    """Every cell of one action; refused cells first (allowed ones may use things up)."""
    cells = [(user, place) for user in USERS for place in PLACES]
    cells.sort(key=lambda cell: ROWS[action].expected(*cell) == ALLOWED)
    failures = []
    for user, place in cells:
        try:
            check_cell(world, action, user, place)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0][:600])
    assert not failures, "\n".join(failures)


# -- the actions ---------------------------------------------------------------------------------


def _find(world: World, target: str | dict[str, Any], action_id: str, value: str | None = None):  # type: ignore[no-untyped-def]
    try:
        return world.bot.sandbox.find_button(target, action_id, value)
    except DriverError:
        return None


def _press(world: World, user: User, ref: ButtonRef) -> DriverResponse:
    world.begin(user)
    response = world.bot.driver.press(user.id, ref)
    world.bot.settle()
    world.bot.later()  # people click a few seconds apart
    return response


def _slash(world: World, user: User, place: str, text: str) -> DriverResponse | None:
    world.begin(user)
    try:
        return world.bot.slash(user, world.channel(place, user), text)
    except DriverError as error:
        if "slash commands" not in str(error):
            raise
        world.not_in_slack = True  # a customer: Slack never sends their slash command
        return None


def _new_view(world: World, callback_id: str) -> Callable[[], bool]:
    probe = world.probe
    assert probe is not None
    return lambda: any(v.get("callback_id") == callback_id for v in probe.new_views())


def _resume_everything(world: World) -> None:
    for project in world.rows(Project, status="paused"):
        world.bot.slash(world.bot.people.csm, str(project.channel_id), "resume")


def act_start(world: World, user: User, place: str) -> Attempt:
    name = f"Matrix {world.number()}"
    response = _slash(
        world, user, place, f"start {name} --playbook tech-touch --kickoff 2027-04-05 --lang en"
    )
    return Attempt(
        effect=lambda: bool(world.rows(Project, customer_name=name)),
        answers=_answer_texts(response),
    )


def act_status(world: World, user: User, place: str) -> Attempt:
    response = _slash(world, user, place, "status")
    channel = world.project_channel(place)
    wanted = [world.names[channel]] if channel else list(world.names.values())
    probe = world.probe
    assert probe is not None

    def effect() -> bool:
        new = world.bot.sandbox.ephemerals(user_id=user.id)[probe.ephemerals :]
        return any(all(name in m["text"] + str(m["blocks"]) for name in wanted) for m in new)

    return Attempt(effect=effect, answers=_answer_texts(response))


def act_assign(world: World, user: User, place: str) -> Attempt:
    extra = world.bot.sandbox.add_user(f"extra{world.number()}")
    response = _slash(world, user, place, f"assign <@{extra.id}> member")
    return Attempt(
        effect=lambda: bool(world.rows(Stakeholder, slack_user_id=extra.id)),
        answers=_answer_texts(response),
    )


def act_pause(world: World, user: User, place: str) -> Attempt:
    response = _slash(world, user, place, "pause")
    return Attempt(
        effect=lambda: bool(world.rows(Project, status="paused")),
        answers=_answer_texts(response),
        cleanup=lambda: _resume_everything(world),
    )


def act_resume(world: World, user: User, place: str) -> Attempt:
    target = world.project_channel(place) or world.a
    world.bot.slash(world.bot.people.csm, target, "pause")
    assert world.status(target) == "paused"
    response = _slash(world, user, place, "resume")
    return Attempt(
        effect=lambda: world.status(target) == "active",
        answers=_answer_texts(response),
        cleanup=lambda: _resume_everything(world),
    )


def act_schedule(world: World, user: User, place: str) -> Attempt:
    response = _slash(world, user, place, "schedule")
    return Attempt(effect=_new_view(world, "schedule"), answers=_answer_texts(response))


def act_close(world: World, user: User, place: str) -> Attempt:
    response = _slash(world, user, place, "close cancelled matrix check")
    return Attempt(
        effect=lambda: bool(world.rows(Project, status="cancelled")),
        answers=_answer_texts(response),
    )


def act_help(world: World, user: User, place: str) -> Attempt:
    response = _slash(world, user, place, "help")
    return Attempt(
        effect=lambda: response is not None and "/onboard start" in response.text,
        answers=_answer_texts(response),
    )


CUSTOMER_TASK, VENDOR_TASK, OPTIONAL_TASK = "set-goal", "welcome-kit", "busy-periods"


def _undo_as_csm(world: World, channel: str, task_id: int) -> None:
    if world.task_by_id(task_id).status == "done":
        world.bot.driver.click(
            world.bot.people.csm.id, channel_id=channel, action_id="task_undo", value=str(task_id)
        )
        world.bot.settle()
        world.bot.later()


def _task_button(world: World, user: User, place: str, action_id: str, key: str) -> Attempt | None:
    """Press a task's button where it is: the project's checklist, or (DM) a reminder."""
    channel = world.project_channel(place) or world.a
    task = world.task(channel, key)
    ref = _find(world, world.channel(place, user), action_id, str(task.id))
    if ref is None:
        return None
    response = _press(world, user, ref)
    if action_id == "task_done":
        return Attempt(
            effect=lambda: world.task_by_id(task.id).completed_by == user.id,
            answers=_answer_texts(response),
            cleanup=lambda: _undo_as_csm(world, channel, task.id),
        )
    return Attempt(effect=_new_view(world, "more_time"), answers=_answer_texts(response))


def act_done_customer(world: World, user: User, place: str) -> Attempt | None:
    return _task_button(world, user, place, "task_done", CUSTOMER_TASK)


def act_done_vendor(world: World, user: User, place: str) -> Attempt | None:
    return _task_button(world, user, place, "task_done", VENDOR_TASK)


def act_more_time(world: World, user: User, place: str) -> Attempt | None:
    key = VENDOR_TASK if place == "dm" else CUSTOMER_TASK  # a reminder DM lists the CSM's tasks
    return _task_button(world, user, place, "task_more_time", key)


def act_undo(world: World, user: User, place: str) -> Attempt | None:
    channel = world.project_channel(place)
    if channel is None:
        return None  # no checklist there
    task = world.task(channel, CUSTOMER_TASK)
    owner = world.customer_of(channel)
    if task.status != "done":
        world.bot.driver.click(
            owner.id, channel_id=channel, action_id="task_done", value=str(task.id)
        )
        world.bot.settle()
        world.bot.later()
    assert world.task_by_id(task.id).completed_by == owner.id
    ref = _find(world, world.channel(place, user), "task_undo", str(task.id))
    if ref is None:
        return None
    response = _press(world, user, ref)
    return Attempt(
        effect=lambda: world.task_by_id(task.id).status == "open",
        answers=_answer_texts(response),
        cleanup=lambda: _undo_as_csm(world, channel, task.id),
    )


def act_plan(world: World, user: User, place: str) -> Attempt | None:
    ref = _find(world, world.channel(place, user), "plan_schedule")
    if ref is None:
        return None
    response = _press(world, user, ref)
    return Attempt(effect=_new_view(world, "schedule"), answers=_answer_texts(response))


def act_skip(world: World, user: User, place: str) -> Attempt | None:
    ref = _find(world, world.channel(place, user), "task_skip")
    if ref is None:
        return None
    task_id = int(ref.element["value"])
    response = _press(world, user, ref)
    return Attempt(
        effect=lambda: world.task_by_id(task_id).status == "skipped",
        answers=_answer_texts(response),
    )


def act_close_risk(world: World, user: User, place: str) -> Attempt | None:
    channel = world.channel(place, user)
    if world.bot.sandbox.workspace.is_external(world.bot.sandbox.workspace.users[user.id]):
        # Customers see the status note through the checklist's Status button.
        status = _find(world, channel, "open_status")
        if status is None:
            return None
        world.bot.driver.press(user.id, status)
        world.bot.settle()
    else:
        world.bot.slash(user, channel, "status")
    mine = world.bot.sandbox.ephemerals(user_id=user.id, channel=channel)
    if not mine or "risk_close" not in str(mine[-1]["blocks"]):
        return None  # no status note with risks for this person here
    first = next(
        e["value"]
        for _, e in interactive_elements(mine[-1]["blocks"])
        if e.get("action_id") == "risk_close"
    )
    ref = _find(world, {"is_ephemeral": True, "ts": mine[-1]["ts"]}, "risk_close", first)
    assert ref is not None
    risk_id = int(ref.element["value"])
    response = _press(world, user, ref)
    return Attempt(
        effect=lambda: world.rows(Risk, id=risk_id)[0].status == "closed",
        answers=_answer_texts(response),
    )


def _message_with(world: World, channel: str, action_id: str) -> dict[str, Any] | None:
    return next(
        (m for m in reversed(world.bot.sandbox.messages(channel)) if action_id in str(m["blocks"])),
        None,
    )


def act_survey_score(world: World, user: User, place: str) -> Attempt | None:
    channel = world.project_channel(place)
    survey = _message_with(world, channel, "survey_csat:4") if channel else None
    if survey is None:
        return None
    project_id = world.project(channel).id  # type: ignore[arg-type]
    ref = world.bot.sandbox.find_button(survey, "survey_csat:4")
    response = _press(world, user, ref)
    return Attempt(
        effect=lambda: any(
            a.csat == 4 for a in world.rows(SurveyAnswer, project_id=project_id, user_id=user.id)
        ),
        answers=_answer_texts(response),
    )


def act_checkin(world: World, user: User, place: str) -> Attempt | None:
    channel = world.project_channel(place)
    checkin = _message_with(world, channel, "checkin:regularly") if channel else None
    if checkin is None:
        return None
    assert channel is not None
    before = len(project_events(world.bot, channel, "checkin.answered"))
    ref = world.bot.sandbox.find_button(checkin, "checkin:regularly")
    response = _press(world, user, ref)
    return Attempt(
        effect=lambda: len(project_events(world.bot, channel, "checkin.answered")) > before,
        answers=_answer_texts(response),
    )


def act_status_button(world: World, user: User, place: str) -> Attempt | None:
    channel = world.project_channel(place)
    ref = _find(world, world.channel(place, user), "open_status")
    if ref is None or channel is None:
        return None
    response = _press(world, user, ref)
    probe = world.probe
    assert probe is not None
    name = world.names[channel]

    def effect() -> bool:
        new = world.bot.sandbox.ephemerals(user_id=user.id)[probe.ephemerals :]
        return any(name in m["text"] and "status-header" in str(m["blocks"]) for m in new)

    return Attempt(effect=effect, answers=_answer_texts(response))


def _own_reminder_button(world: World, user: User, place: str, action_id: str) -> ButtonRef | None:
    """The first task button of the person's own morning reminder (in their DM; a CSM's own
    tasks are in their morning summary)."""
    if place != "dm":
        return None
    dm = world.bot.sandbox.dm_channel(user.id)
    reminders = [
        m
        for m in world.bot.sandbox.dm_messages(user.id)
        if str(((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")).startswith(
            ("reminder:", "summary:")
        )
    ]
    if dm is None or not reminders:
        return None
    value = next(
        (
            e["value"]
            for _, e in interactive_elements(reminders[-1]["blocks"])
            if e.get("action_id") == action_id
        ),
        None,
    )
    return None if value is None else _find(world, reminders[-1], action_id, value)


def act_reminder_done(world: World, user: User, place: str) -> Attempt | None:
    ref = _own_reminder_button(world, user, place, "task_done")
    if ref is None:
        return None
    task_id = int(ref.element["value"])
    task = world.task_by_id(task_id)
    channel = str(world.rows(Project, id=task.project_id)[0].channel_id)
    response = _press(world, user, ref)
    return Attempt(
        effect=lambda: world.task_by_id(task_id).completed_by == user.id,
        answers=_answer_texts(response),
        cleanup=lambda: _undo_as_csm(world, channel, task_id),
    )


def act_reminder_more_time(world: World, user: User, place: str) -> Attempt | None:
    ref = _own_reminder_button(world, user, place, "task_more_time")
    if ref is None:
        return None
    response = _press(world, user, ref)
    return Attempt(effect=_new_view(world, "more_time"), answers=_answer_texts(response))


def act_plan_form(world: World, user: User, place: str) -> Attempt | None:
    ref = _find(world, world.channel(place, user), "plan_schedule")
    if ref is None:
        return None
    answered = _schedule_answered(world)
    response = _press(world, user, ref)
    answers = _answer_texts(response) + _answer_schedule_form(world, user)
    return Attempt(effect=answered, answers=answers)


def _submit(world: World, user: User, callback_id: str, values: dict[str, Any]) -> list[str]:
    """Submit the person's newest form if it is `callback_id`; the form's answer texts."""
    probe = world.probe
    assert probe is not None
    forms = [v for v in probe.new_views() if v.get("callback_id") == callback_id]
    if not forms:
        return []
    answer = world.bot.driver.submit_view(user.id, forms[-1]["id"], values)
    world.bot.settle()
    assert answer.status == 200, answer.text
    return _answer_texts(answer)


def act_start_form(world: World, user: User, place: str) -> Attempt:
    name = f"Form {world.number()}"
    opened = _slash(world, user, place, "start")
    answers = _answer_texts(opened) + _submit(
        world,
        user,
        "start_project",
        {
            "customer_name": {"customer_name": name},
            "playbook": {"playbook": "tech-touch"},
            "kickoff": {"kickoff": "2027-04-05"},
            "lang": {"lang": "en"},
        },
    )
    return Attempt(effect=lambda: bool(world.rows(Project, customer_name=name)), answers=answers)


def _schedule_answered(world: World) -> Callable[[], bool]:
    """Whether any project got scheduling answers from here on."""
    counts = {c: len(project_events(world.bot, c, "schedule.answered")) for c in world.names}
    return lambda: any(
        len(project_events(world.bot, c, "schedule.answered")) > n for c, n in counts.items()
    )


def _answer_schedule_form(world: World, user: User) -> list[str]:
    return _submit(world, user, "schedule", {"slip_reason": {"slip_reason": "other_priorities"}})


def act_schedule_form(world: World, user: User, place: str) -> Attempt:
    answered = _schedule_answered(world)
    opened = _slash(world, user, place, "schedule")
    answers = _answer_texts(opened) + _answer_schedule_form(world, user)
    return Attempt(effect=answered, answers=answers)


_NEW_DUES = ("2027-05-12", "2027-05-13", "2027-05-14", "2027-05-17", "2027-05-18", "2027-05-19")


def act_more_time_form(world: World, user: User, place: str) -> Attempt | None:
    channel = world.project_channel(place) or world.a
    key = VENDOR_TASK if place == "dm" else CUSTOMER_TASK
    task = world.task(channel, key)
    ref = _find(world, world.channel(place, user), "task_more_time", str(task.id))
    if ref is None:
        return None
    new_due = next(d for d in _NEW_DUES if date.fromisoformat(d) != task.due)
    response = _press(world, user, ref)
    answers = _answer_texts(response) + _submit(
        world,
        user,
        "more_time",
        {"new_due": {"new_due": new_due}, "reason": {"reason": "data_preparation"}},
    )
    return Attempt(
        effect=lambda: world.task_by_id(task.id).due == date.fromisoformat(new_due),
        answers=answers,
    )


def act_survey_comment(world: World, user: User, place: str) -> Attempt | None:
    channel = world.project_channel(place)
    survey = _message_with(world, channel, "survey_comment") if channel else None
    if survey is None:
        return None
    project_id = world.project(channel).id  # type: ignore[arg-type]
    comment = f"matrix comment {world.number()}"
    response = _press(world, user, world.bot.sandbox.find_button(survey, "survey_comment"))
    answers = _answer_texts(response) + _submit(
        world, user, "survey_comment", {"comment": {"comment": comment}}
    )
    return Attempt(
        effect=lambda: any(
            a.comment == comment
            for a in world.rows(SurveyAnswer, project_id=project_id, user_id=user.id)
        ),
        answers=answers,
    )


ACTIONS: dict[str, Callable[[World, User, str], Attempt | None]] = {
    "start": act_start,
    "status": act_status,
    "assign": act_assign,
    "pause": act_pause,
    "resume": act_resume,
    "schedule": act_schedule,
    "close": act_close,
    "help": act_help,
    "done_customer": act_done_customer,
    "done_vendor": act_done_vendor,
    "undo": act_undo,
    "more_time": act_more_time,
    "plan": act_plan,
    "skip": act_skip,
    "close_risk": act_close_risk,
    "survey_score": act_survey_score,
    "checkin": act_checkin,
    "status_button": act_status_button,
    "reminder_done": act_reminder_done,
    "reminder_more_time": act_reminder_more_time,
    "start_form": act_start_form,
    "schedule_form": act_schedule_form,
    "plan_form": act_plan_form,
    "more_time_form": act_more_time_form,
    "survey_comment": act_survey_comment,
}
FINISHED_ACTIONS = ("survey_score", "checkin", "survey_comment")


# -- the tests -------------------------------------------------------------------------------------


def test_every_action_has_a_row_and_a_check() -> None:
    assert set(ACTIONS) == set(ROWS)
    for row in MATRIX:
        assert all(len(code) == len(PLACES) and set(code) <= set(_CODES) for code in row.codes)


@pytest.mark.parametrize(
    "action",
    [r.key for r in MATRIX if r.key not in FINISHED_ACTIONS and r.key != "close"],
)
def test_matrix(world: World, action: str) -> None:
    run_action(world, action)


@pytest.mark.parametrize("action", FINISHED_ACTIONS)
def test_matrix_after_completion(finished: World, action: str) -> None:
    run_action(finished, action)


def test_matrix_close(harness: Harness) -> None:
    # Closing ends a project: this row gets two projects of its own.
    run_action(make_world(harness, "Hooli", "Vandelay"), "close")


def test_readme_shows_the_same_matrix() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- permission-matrix -->\n(.*?)<!-- /permission-matrix -->", readme, re.DOTALL
    )
    assert found is not None, "README.md has no <!-- permission-matrix --> section"
    assert found[1].strip() == matrix_markdown().strip()
