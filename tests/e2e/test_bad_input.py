"""Bad input through the real app: any command text, any form value, injection attempts and
oversized text. Nothing may answer HTTP 500, show a traceback, break a Block Kit message, or
let user-supplied text ping or link as if the bot had written it.

The HTTP properties share one bot on SQLite (module-scoped) to stay fast; each example is
judged by what changed since it started (answers, ephemerals, DMs, calls, violations, logs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.blocks.ids import ScheduleField, StartField
from bot.domain import command_text
from bot.domain.command_text import ParseError, StartCommand
from bot.domain.schedule import MAX_BUSY_DAYS, ScheduleAnswers, schedule_answers
from bot.domain.start_form import FieldError, start_command_from_form
from bot.flows.adoption import run as adoption
from bot.flows.digest import run as digest
from bot.flows.escalation_steps import run as escalations
from bot.flows.join_check import run as join_check
from bot.flows.reminders import run as reminders
from bot.flows.risk_reminders import run as risk_reminders
from bot.i18n import catalog, placeholders, t
from slack_sandbox import DriverResponse, User
from storage import projects
from storage.db import session_scope
from storage.models import Project, SurveyAnswer
from tests.e2e.harness import Harness, project_events, project_tasks, start_harness
from tests.e2e.payloads import invalid_payloads

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LOCALES = ("ja", "en")
PLAYBOOKS = {"high-touch", "low-touch", "tech-touch"}
BASE_NOW = datetime(2027, 4, 5, 0, 30, tzinfo=UTC)  # Monday 09:30 in Tokyo

EVIL = "<!channel> <!here> <@U000000001> <https://evil.example|click>"
ESCAPED_HEAD = "&lt;!channel&gt; &lt;!here&gt; &lt;@U000000001&gt;"  # long names get clipped
# Raw pieces of EVIL that must never reach Slack where Slack would parse them. The bot's own
# mention of the CSM (U000000001) is legitimate, so that one is only caught next to the rest.
RAW_PIECES = (
    "<!channel>",
    "<!here>",
    "<https://evil.example",
    "|click>",
    "&gt; <@U000000001>",
    "<@U000000001> &lt;",
    "<@U000000001> <",
)


# -- catalogs ----------------------------------------------------------------------------------


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^{}]*\}", template)
    return re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL)


PATTERNS: dict[str, list[re.Pattern[str]]] = {
    key: [_template_pattern(catalog(locale)[key]) for locale in LOCALES]  # type: ignore[arg-type]
    for key in catalog("en")
}
UNEXPECTED = {t(locale, "error.unexpected") for locale in LOCALES}
TRACEBACK = "Traceback (most recent call last)"
# Messages the bot sends on their own (not fragments such as "{user}" or "due {date}").
ANY_KEY = tuple(
    key
    for key in PATTERNS
    if all(len(re.sub(r"\{[^{}]*\}", "", catalog(loc)[key]).strip()) >= 8 for loc in LOCALES)  # type: ignore[arg-type]
)
PROBLEM_PREFIXES = ("parse.", "deny.", "error.", "form.", "more_time.")


def rendered_from(text: str, keys: Any = None) -> bool:
    """`text` is one of the catalog's messages (of `keys`, or of any problem key), in ja or en."""
    wanted = keys if keys is not None else [k for k in PATTERNS if k.startswith(PROBLEM_PREFIXES)]
    return any(p.fullmatch(text.strip()) for key in wanted for p in PATTERNS[key])


def assert_key_renders(key: str, values: dict[str, object]) -> None:
    """The key exists in both catalogs and formats with exactly the values given."""
    for locale in LOCALES:
        template = catalog(locale).get(key)  # type: ignore[arg-type]
        assert template is not None, f"{key} missing from the {locale} catalog"
        assert placeholders(template) <= set(values), (key, locale, values)
        assert t(locale, key, **values).strip(), (key, locale)


# -- the shared bot --------------------------------------------------------------------------


class _ErrorLog(logging.Handler):
    """Every ERROR record with a stack trace, or saying "unhandled", while the module runs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "unhandled" in record.getMessage().lower():
            self.records.append(record)


class Shared:
    """The module's bot and its three projects (a plain class: hypothesis prints it short)."""

    def __init__(self, bot: Harness, errors: _ErrorLog) -> None:
        self.bot, self.errors = bot, errors
        self.fuzz_channel = ""  # slash-command fuzzing (may end up paused, or closed and replaced)
        self.form_channel = ""  # form fuzzing
        self.finished_channel = ""  # completed: the survey is there

    def __repr__(self) -> str:
        return "Shared(...)"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    path = tmp_path_factory.mktemp("bad-input") / "onboardbot.db"
    bot = start_harness(f"sqlite:///{path}")
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    bot.now = BASE_NOW
    try:
        world = Shared(bot=bot, errors=errors)
        world.fuzz_channel = _project(bot, "Fuzz Corp")
        world.form_channel = _project(bot, "Form Corp")
        world.finished_channel = _project(bot, "Done Corp")
        bot.now = datetime(2027, 4, 20, 2, 0, tzinfo=UTC)
        for task in project_tasks(bot, world.finished_channel):
            if task.required:
                bot.driver.click(
                    bot.people.csm.id,
                    channel_id=world.finished_channel,
                    action_id="task_done",
                    value=str(task.id),
                )
                bot.settle()
                bot.later()
        bot.now = BASE_NOW
        yield world
        bot.settle()
        assert bot.sandbox.block_violations == [], bot.sandbox.block_violations
        assert invalid_payloads(bot.sandbox, bot.driver) == []
        assert errors.records == [], [r.getMessage() for r in errors.records]
    finally:
        logging.getLogger().removeHandler(errors)
        bot.close()


def _project(bot: Harness, name: str, playbook: str = "tech-touch") -> str:
    # --again: the fuzzers may have started a project for this customer already.
    channel = bot.start_project(
        f'"{name}" --playbook {playbook} --kickoff 2027-04-05 '
        "--champion taro@acme.example --lang en --again"
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    return channel


@dataclass
class Mark:
    """What one user and Slack had before an example."""

    bot: Harness
    user: User
    errors: _ErrorLog
    ephemerals: int = 0
    dms: int = 0
    violations: int = 0
    logged: int = 0
    views: set[str] = field(default_factory=set)

    @classmethod
    def take(cls, world: Shared, user: User) -> Mark:
        bot = world.bot
        return cls(
            bot=bot,
            user=user,
            errors=world.errors,
            ephemerals=len(bot.sandbox.ephemerals(user_id=user.id)),
            dms=len(bot.sandbox.dm_messages(user.id)),
            violations=len(bot.sandbox.block_violations),
            logged=len(world.errors.records),
            views={v["id"] for v in bot.sandbox.views_for(user.id)},
        )

    def shown(self) -> list[str]:
        new = self.bot.sandbox.ephemerals(user_id=self.user.id)[self.ephemerals :]
        new += self.bot.sandbox.dm_messages(self.user.id)[self.dms :]
        return [m.get("text") or "" for m in new]

    def check_nothing_broke(self, response: DriverResponse, what: str) -> None:
        assert response.status == 200, f"{what}: HTTP {response.status} {response.text[:300]}"
        assert TRACEBACK not in response.text, what
        for text in self.shown():
            assert text.strip(), f"{what}: an empty message reached the person"
            assert TRACEBACK not in text, f"{what}: {text[:300]}"
            assert text not in UNEXPECTED, f"{what}: the person got 'something went wrong'"
            assert rendered_from(text, ANY_KEY), f"{what}: not from the catalogs: {text[:300]}"
        violations = self.bot.sandbox.block_violations[self.violations :]
        assert not violations, f"{what}: {violations}"
        logged = self.errors.records[self.logged :]
        assert not logged, f"{what}: logged {[r.getMessage() for r in logged]}"

    def close_new_views(self) -> None:
        for view in reversed(self.bot.sandbox.views_for(self.user.id)):
            if view["id"] not in self.views:
                self.bot.driver.close_view(self.user.id, view["id"])


# -- strategies ----------------------------------------------------------------------------------

# People Slack doesn't know (naming them in `/onboard start` once left half a project behind).
UNKNOWN_USERS = ("<@U999999999>", "<@W0>", "<@U0>")
TOKENS = (
    *command_text.SUBCOMMANDS,
    "START",
    "--playbook",
    "--kickoff",
    "--go-live",
    "--champion",
    "--decision-maker",
    "--csm",
    "--lang",
    "--member",
    "--fiscal-year-end",
    "--kickoff=2027-04-05",
    "--",
    "high-touch",
    "tech-touch",
    "ja",
    "en",
    "fr",
    "2027-04-05",
    "2027-02-30",
    "2027-13-01",
    "0",
    "13",
    "-1",
    "until",
    "completed",
    "cancelled",
    "champion",
    "decision-maker",
    "member",
    '"',
    "'",
    "“Acme”",
    '"Acme Corp"',
    "\\",
    "<!channel>",
    "<!here>",
    "<@U000000001>",
    "<@U000000002|suzuki>",
    "<@U000000004>",
    *UNKNOWN_USERS,
    "<#C000000001|cs-team>",
    "<mailto:jane@globex.example|jane@globex.example>",
    "<https://evil.example|click>",
    "taro@acme.example",
    "not-an-email",
    "&amp;",
    "&lt;",
    "\u3000",
    "\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "🎉",
    "👨‍👩‍👧",
    "株式会社サンプル",
    "Ａｃｍｅ",
    "x" * 81,
)
token_soup = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=10).map(
    " ".join
)
MENTIONS = (
    "<@U000000001>",
    "<@U000000003|tanaka>",
    "<@U000000004>",
    "<@U000000005>",
    "<!channel>",
    "tanaka",
    *UNKNOWN_USERS,
)
START_OPTIONS = (
    "--playbook tech-touch",
    "--playbook high-touch",
    "--playbook nope",
    "--kickoff 2027-04-05",
    "--kickoff 2027-04-03",
    "--kickoff 2027-12-31",
    "--kickoff 1999-12-31",
    "--kickoff 2100-01-04",
    "--go-live 2027-06-01",
    "--go-live 2027-04-05",
    "--champion taro@acme.example",
    "--champion <mailto:new@acme.example|new@acme.example>",
    "--decision-maker boss@acme.example",
    "--lang ja",
    "--lang en",
    "--fiscal-year-end 12",
    *(f"--{option} {who}" for option in ("champion", "csm", "member") for who in MENTIONS),
)
# Customer names as they arrive inside "double quotes" (which the name then cannot hold).
quoted_names = st.text(
    alphabet=st.characters(exclude_characters='"\\“”', exclude_categories=("Cs",)),
    min_size=1,
    max_size=90,
)
start_texts = st.builds(
    lambda name, options: f'start "{name}" ' + " ".join(options),
    quoted_names,
    st.lists(st.sampled_from(START_OPTIONS), max_size=5),
)
other_texts = st.one_of(
    st.sampled_from(("status", "resume", "schedule", "pause", "help", "start")),
    st.dates().map(lambda day: f"pause until {day}"),
    st.builds(
        lambda outcome, reason: f"close {outcome} {reason}",
        st.sampled_from(("cancelled", "completed")),
        st.text(),
    ),
    st.builds(
        lambda who, role: f"assign {who} {role}",
        st.sampled_from(MENTIONS),
        st.sampled_from(("champion", "decision-maker", "member", "boss")),
    ),
    st.builds(
        lambda topic: f"help {topic}",
        st.one_of(st.sampled_from(command_text.SUBCOMMANDS), st.text(max_size=10)),
    ),
)
command_texts = st.one_of(
    st.text(),
    st.tuples(st.sampled_from(command_text.SUBCOMMANDS), st.text()).map(" ".join),
    token_soup,
    start_texts,
    other_texts,
    st.text(min_size=2000, max_size=6000),
)
form_texts = st.one_of(
    st.none(),
    st.text(),
    st.sampled_from(TOKENS),
    st.dates().map(date.isoformat),
    st.sampled_from([*sorted(PLAYBOOKS), "ja", "en", "other", "U000000001", "2027-02-29"]),
)


# -- /onboard with any text ------------------------------------------------------------------------


@FUZZ
@given(
    text=command_texts,
    who=st.sampled_from(
        # A customer's slash command never reaches the app (Slack delivers none from another
        # organisation): tests/e2e/test_commands.py checks the driver refuses it.
        [("csm", "general"), ("csm", "fuzz"), ("internal", "general")]
    ),
)
def test_any_command_text_gets_a_localized_answer(
    shared: Shared, text: str, who: tuple[str, str]
) -> None:
    bot = shared.bot
    bot.later(60)  # a person types one command at a time
    user = getattr(bot.people, who[0])
    channel = shared.fuzz_channel if who[1] == "fuzz" else bot.general
    if user.id not in bot.sandbox.channel(channel)["members"]:
        bot.sandbox.join_channel(channel, user.id)
        bot.settle()
    mark = Mark.take(shared, user)
    response = bot.driver.slash(user.id, channel, text)
    bot.settle()
    try:
        mark.check_nothing_broke(response, f"/onboard {text[:200]!r} by {who}")
        body = response.json
        answer = body.get("text") if isinstance(body, dict) else None
        try:
            command_text.parse(text.replace("\x00", ""))  # the bot drops NULs, as PostgreSQL must
        except ParseError as problem:
            # The answer names this very problem, in the person's language.
            assert answer and rendered_from(answer, [problem.key]), (text[:200], answer)
        else:
            if answer is not None:  # help, or a refusal
                assert answer.strip() and (rendered_from(answer) or "/onboard" in answer)
    finally:
        mark.close_new_views()
        if _project_status(bot, shared.fuzz_channel) in ("completed", "cancelled"):
            shared.fuzz_channel = _project(bot, f"Fuzz Corp {len(bot.created_channels())}")


def _project_status(bot: Harness, channel: str) -> str:
    with session_scope(bot.deps.engine) as session:
        project = projects.by_channel(session=session, channel_id=channel)
        assert project is not None
        return str(project.status)


@FUZZ
@given(text=command_texts)
def test_parse_raises_only_parse_errors_that_both_catalogs_can_say(text: str) -> None:
    try:
        command = command_text.parse(text)
    except ParseError as problem:
        assert_key_renders(problem.key, problem.values)
        return
    if isinstance(command, StartCommand) and command.customer_name is not None:
        assert 0 < len(command.customer_name) <= command_text.MAX_CUSTOMER_NAME
        assert command.customer_name == command.customer_name.strip()
        assert command.lang in (None, "ja", "en")


# -- forms: the pure validators --------------------------------------------------------------------


def _check_field_errors(errors: list[FieldError], fields: set[str]) -> None:
    assert errors
    for error in errors:
        assert error.field in fields, error
        assert_key_renders(error.key, error.values)


@FUZZ
@given(
    fields=st.fixed_dictionaries({f.value: form_texts for f in StartField}),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
)
def test_start_form_validator_names_every_wrong_field(
    fields: dict[str, str | None], today: date
) -> None:
    result = start_command_from_form(fields, playbooks=PLAYBOOKS, today=today)
    if isinstance(result, list):
        _check_field_errors(result, {f.value for f in StartField})
        return
    assert result.customer_name and len(result.customer_name) <= command_text.MAX_CUSTOMER_NAME
    assert result.playbook in PLAYBOOKS and result.kickoff is not None
    assert abs((result.kickoff - today).days) <= 2 * 366  # no typo'd centuries
    assert result.go_live is None or 0 < (result.go_live - result.kickoff).days <= 3 * 366


@FUZZ
@given(
    fields=st.fixed_dictionaries({f.value: form_texts for f in ScheduleField}),
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
)
def test_schedule_form_validator_names_every_wrong_field(
    fields: dict[str, str | None], today: date
) -> None:
    result = schedule_answers(fields, today=today)
    if isinstance(result, list):
        _check_field_errors(result, {f.value for f in ScheduleField})
        return
    assert isinstance(result, ScheduleAnswers)
    for period in result.busy_periods:
        assert period.start <= period.end and period.end >= today
        assert (period.end - period.start).days < MAX_BUSY_DAYS  # longer ones broke re-planning
    assert result.committed_go_live is None or result.committed_go_live > today
    dates = [p.end for p in result.busy_periods] + [result.committed_go_live or today]
    assert all((d - today).days <= 3 * 366 for d in dates)


# -- forms through HTTP -------------------------------------------------------------------------------

SPECIAL_TEXTS = (EVIL, "&<>" * 30, "\u3000\u3000", "🎉" * 50, "\x00\x1b", "Traceback", "  ")


def _input_value(data: st.DataObject, block: dict[str, Any], users: list[str]) -> Any:
    """Something Slack could send for this input (what the person can type or pick)."""
    element, optional = block["element"], bool(block.get("optional"))
    kind, label = element["type"], block["block_id"]
    if kind == "plain_text_input":
        limit = element.get("max_length") or 3000
        text = st.one_of(
            st.text(max_size=limit), st.sampled_from(SPECIAL_TEXTS).map(lambda s: s[:limit])
        )
        value = data.draw(text, label=label)
        return value if value or optional else "x"
    if kind == "datepicker":
        days = st.one_of(
            st.dates(min_value=date(2027, 1, 1), max_value=date(2028, 12, 31)),
            st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
        )
        return data.draw(st.one_of(st.none(), days) if optional else days, label=label)
    if kind == "static_select":
        options = st.sampled_from([o["value"] for o in element["options"]])
        return data.draw(st.one_of(st.none(), options) if optional else options, label=label)
    if kind == "users_select":
        return data.draw(st.sampled_from(users), label=label)
    raise AssertionError(f"no strategy for {kind}")


def _open_form(world: Shared, form: str) -> tuple[User, dict[str, Any], Mark]:
    bot, people = world.bot, world.bot.people
    if form == "start":
        user = people.csm
        mark = Mark.take(world, user)
        bot.slash(user, bot.general, "start")
    elif form == "schedule":
        user = people.customer  # through the checklist's Plan the schedule button
        mark = Mark.take(world, user)
        bot.driver.click(user.id, channel_id=world.form_channel, action_id="plan_schedule")
        bot.settle()
    elif form == "more_time":
        user = people.customer
        mark = Mark.take(world, user)
        task = next(t for t in project_tasks(bot, world.form_channel) if t.key == "set-goal")
        bot.driver.click(
            user.id, channel_id=world.form_channel, action_id="task_more_time", value=str(task.id)
        )
        bot.settle()
    else:
        user = people.customer
        mark = Mark.take(world, user)
        survey = next(
            m
            for m in reversed(bot.sandbox.messages(world.finished_channel))
            if "survey_comment" in str(m["blocks"])
        )
        bot.driver.click_button(user.id, survey, "survey_comment")
        bot.settle()
    views = bot.sandbox.views_for(user.id)
    assert views and views[-1]["id"] not in mark.views, f"the {form} form did not open"
    return user, views[-1], mark


@FUZZ
@given(data=st.data(), form=st.sampled_from(["start", "schedule", "more_time", "survey_comment"]))
def test_any_form_values_get_field_errors_or_work(
    shared: Shared, data: st.DataObject, form: str
) -> None:
    bot = shared.bot
    bot.now = BASE_NOW
    bot.later(60)  # a form a minute: the same day, and Slack's limits as for a person
    users = [bot.people.csm.id, bot.people.staff.id, bot.people.internal.id]
    user, view, mark = _open_form(shared, form)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    values = {b["block_id"]: {b["block_id"]: _input_value(data, b, users)} for b in inputs}
    try:
        answer = bot.driver.submit_view(user.id, view["id"], values)
        bot.settle()
        mark.check_nothing_broke(answer, f"{form} form with {values!r:.400}")
        body = answer.json if isinstance(answer.json, dict) else {}
        errors = body.get("errors") or {}
        assert set(errors) <= {b["block_id"] for b in inputs}, errors
        for field_id, message in errors.items():
            assert rendered_from(message), (field_id, message)
    finally:
        mark.close_new_views()


@pytest.mark.parametrize(
    "person",
    [
        "--member <@U999999999>",
        "--csm <@U999999999>",
        "--champion <@U999999999>",
        "--csm <@U000000004>",  # the Slack Connect customer
    ],
)
def test_start_naming_someone_who_cannot_join_is_refused_and_leaves_nothing(
    shared: Shared, person: str
) -> None:
    bot, csm = shared.bot, shared.bot.people.csm
    channels, logged = list(bot.created_channels()), len(shared.errors.records)
    mark = Mark.take(shared, csm)
    name = f"Ghost {len(channels)}"
    answer = bot.slash(csm, bot.general, f"start {name} {person}")
    crashed = shared.errors.records[logged:]
    with session_scope(bot.deps.engine) as session:
        left = session.exec(select(Project).where(Project.customer_name == name)).all()
    assert answer.status == 200 and not crashed
    assert [t for t in mark.shown() if t in UNEXPECTED] == []
    assert any(rendered_from(t) for t in mark.shown()), mark.shown()  # says why
    assert bot.created_channels() == channels and left == []


# -- a more-time form answered after the task moved on ---------------------------------------


def test_more_time_form_after_the_task_was_done_is_refused_on_the_form(shared: Shared) -> None:
    """The form was opened, then someone else ticked the task: the answer is a form error
    (once an HTTP 500 from an error raised before the ack)."""
    bot, people = shared.bot, shared.bot.people
    channel = _project(bot, f"Late Corp {len(bot.created_channels())}")
    task = next(t for t in project_tasks(bot, channel) if t.key == "set-goal")
    bot.driver.click(
        people.csm.id, channel_id=channel, action_id="task_more_time", value=str(task.id)
    )
    bot.settle()
    view = bot.sandbox.views_for(people.csm.id)[-1]
    bot.driver.click(
        people.customer.id, channel_id=channel, action_id="task_done", value=str(task.id)
    )
    bot.settle()
    mark = Mark.take(shared, people.csm)
    answer = bot.driver.submit_view(
        people.csm.id,
        view["id"],
        {"new_due": {"new_due": "2027-05-12"}, "reason": {"reason": "other"}},
    )
    bot.settle()
    try:
        mark.check_nothing_broke(answer, "Need more time on a task done meanwhile")
        errors = answer.json["errors"]
        assert set(errors) == {"new_due"}
        assert rendered_from(errors["new_due"], ["error.task_not_open"])
        after = next(t for t in project_tasks(bot, channel) if t.id == task.id)
        assert (after.status, after.due) == ("done", task.due)
    finally:
        for open_view in reversed(bot.sandbox.views_for(people.csm.id)):
            bot.driver.close_view(people.csm.id, open_view["id"])


def test_a_busy_period_of_years_is_refused_on_the_form(shared: Shared) -> None:
    """Once accepted, then crashing the re-plan after the ack (no business day in 1098 days)."""
    bot, taro = shared.bot, shared.bot.people.customer
    channel = _project(bot, f"Busy Corp {len(bot.created_channels())}")
    bot.driver.click(taro.id, channel_id=channel, action_id="plan_schedule")
    bot.settle()
    mark = Mark.take(shared, taro)
    answer = bot.driver.submit_view(
        taro.id,
        bot.sandbox.views_for(taro.id)[-1]["id"],
        {
            "busy1_start": {"busy1_start": "2027-04-05"},
            "busy1_end": {"busy1_end": "2030-12-27"},
        },
    )
    bot.settle()
    try:
        mark.check_nothing_broke(answer, "a busy period of years")
        errors = answer.json["errors"]
        assert set(errors) == {"busy1_end"} and rendered_from(errors["busy1_end"])
        assert project_events(bot, channel, "schedule.answered") == []
    finally:
        for view in reversed(bot.sandbox.views_for(taro.id)):
            bot.driver.close_view(taro.id, view["id"])


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_nul_characters_are_refused_or_dropped_on_postgres(bot: Harness, shared: Shared) -> None:
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    logged = len(shared.errors.records)  # the module's log sees this other bot's records too
    try:
        csm, taro = bot.people.csm, bot.people.customer
        bot.slash(csm, bot.general, 'start "Nul\x00Corp" --kickoff 2027-04-05 --lang en')
        channel = _project(bot, "Acme Corp")
        bot.driver.click(taro.id, channel_id=channel, action_id="plan_schedule")
        bot.settle()
        bot.driver.submit_view(
            taro.id,
            bot.sandbox.views_for(taro.id)[-1]["id"],
            {"slip_note": {"slip_note": "a\x00b"}},
        )
        bot.slash(csm, channel, "close cancelled budget\x00frozen")
        bot.settle()
    finally:
        logging.getLogger().removeHandler(errors)
        del shared.errors.records[logged:]
    assert [r.getMessage() for r in errors.records] == []
    assert not [t for t in bot.ephemerals(csm) if t in UNEXPECTED]


# -- escaping -----------------------------------------------------------------------------------

_NOT_PARSED = {"initial_value", "private_metadata", "value", "metadata", "action_id", "block_id"}


def _strings(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every string Slack would parse for mentions and links."""
    if isinstance(obj, str) and obj[:1] in ("[", "{"):
        with contextlib.suppress(ValueError):
            obj = json.loads(obj)
    if isinstance(obj, dict):
        if obj.get("type") == "plain_text":
            return  # Slack shows plain_text as typed: no mention, no link
        for key, value in obj.items():
            if key not in _NOT_PARSED:
                yield from _strings(value, f"{path}.{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _strings(value, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def raw_injections(bot: Harness, since: int, answers: list[DriverResponse]) -> list[str]:
    """Every place where a raw piece of EVIL went to Slack (calls, ack bodies)."""
    found = []
    sent = [(c.method, c.args) for c in bot.sandbox.calls()[since:]]
    sent += [("ack", a.json) for a in answers if a.json]
    for method, args in sent:
        for path, text in _strings(args):
            hits = [piece for piece in RAW_PIECES if piece in text]
            if hits:
                found.append(f"{method}{path}: {hits} in {text[:200]!r}")
    return found


def _sent_text(bot: Harness, since: int, method: str) -> str:
    calls = [c for c in bot.sandbox.calls()[since:] if c.method == method]
    return "\n".join(text for c in calls for _, text in _strings(c.args))


def _plan_schedule(bot: Harness, user: User, channel: str, values: dict[str, Any]) -> None:
    prompt = next(m for m in bot.sandbox.messages(channel) if "plan_schedule" in str(m["blocks"]))
    bot.driver.click_button(user.id, prompt, "plan_schedule")
    bot.settle()
    answer = bot.driver.submit_view(user.id, bot.sandbox.views_for(user.id)[-1]["id"], values)
    bot.settle()
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.text


def _more_time(bot: Harness, user: User, channel: str, task_id: int, due: str, note: str) -> None:
    bot.driver.click(user.id, channel_id=channel, action_id="task_more_time", value=str(task_id))
    bot.settle()
    answer = bot.driver.submit_view(
        user.id,
        bot.sandbox.views_for(user.id)[-1]["id"],
        {"new_due": {"new_due": due}, "reason": {"reason": "other"}, "note": {"note": note}},
    )
    bot.settle()
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.text


def _finish(bot: Harness, channel: str) -> None:
    for task in project_tasks(bot, channel):
        if task.required and task.status == "open":
            bot.driver.click(
                bot.people.csm.id, channel_id=channel, action_id="task_done", value=str(task.id)
            )
            bot.settle()
            bot.later()  # a few seconds between clicks, as a person


def _survey(bot: Harness, user: User, channel: str, comment: str) -> None:
    survey = next(
        m for m in reversed(bot.sandbox.messages(channel)) if "survey_comment" in str(m["blocks"])
    )
    bot.driver.click_button(user.id, survey, "survey_csat:2")
    bot.driver.click_button(user.id, survey, "survey_nps:3")
    bot.driver.click_button(user.id, survey, "survey_comment")
    bot.settle()
    answer = bot.driver.submit_view(
        user.id, bot.sandbox.views_for(user.id)[-1]["id"], {"comment": {"comment": comment}}
    )
    bot.settle()
    assert answer.status == 200, answer.text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_user_text_never_pings_or_links(bot: Harness) -> None:
    """A customer named EVIL, with EVIL in every free-text answer, through the whole flow:
    everything the bot sent Slack carries it escaped, never raw. (A bot of its own: the
    escalations it runs are this project's alone, as the CSM's DM takes one a second.)"""
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        _evil_everywhere(bot)
    finally:
        logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []


def _evil_everywhere(bot: Harness) -> None:
    people = bot.people
    csm, taro = people.csm, people.customer
    since, answers = len(bot.sandbox.calls()), []
    bot.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)
    # Start through the form: a plain-text input reaches the bot exactly as typed.
    before = set(bot.created_channels())
    answers.append(bot.slash(csm, bot.general, "start"))
    answers.append(
        bot.driver.submit_view(
            csm.id,
            bot.sandbox.views_for(csm.id)[-1]["id"],
            {
                # EVIL itself may have been started minutes ago by the form fuzzing: a repeat.
                "customer_name": {"customer_name": f"{EVIL} East"},
                "playbook": {"playbook": "tech-touch"},
                "kickoff": {"kickoff": "2027-04-05"},
                "go_live": {"go_live": "2027-05-31"},
                "champion": {"champion": "taro@acme.example"},
                "decision_maker": {"decision_maker": "boss@acme.example"},
                "lang": {"lang": "en"},
            },
        )
    )
    bot.settle()
    channel = next(c for c in bot.created_channels() if c not in before)
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    # Morning reminders, status everywhere, App Home.
    bot.now = BASE_NOW
    reminders(bot.deps, now=datetime(2027, 4, 5, 0, 5, tzinfo=UTC))
    for user, where in ((csm, channel), (csm, bot.general)):
        answers.append(bot.slash(user, where, "status"))
    answers.append(bot.driver.click(taro.id, channel_id=channel, action_id="open_status"))
    bot.driver.app_home_opened(csm.id)
    bot.settle()
    # The scheduling answers: a busy period, the slip note and initiatives, an early go-live.
    _plan_schedule(
        bot,
        taro,
        channel,
        {
            "busy1_start": {"busy1_start": "2027-04-12"},
            "busy1_end": {"busy1_end": "2027-04-16"},
            "slip_reason": {"slip_reason": "other"},
            "slip_note": {"slip_note": EVIL},
            "initiatives": {"initiatives": f"{EVIL}\n{EVIL}"},
            "go_live": {"go_live": "2027-04-23"},
        },
    )
    answers.append(bot.slash(csm, channel, "status"))
    risk_reminders(bot.deps, now=datetime(2027, 4, 11, 1, 0, tzinfo=UTC))
    # Need more time, three times (the third tells the CSM), each with EVIL as the note.
    task = next(t for t in project_tasks(bot, channel) if t.key == "set-goal")
    for due in ("2027-04-26", "2027-04-27", "2027-04-28"):
        _more_time(bot, taro, channel, task.id, due, EVIL)
    # The jobs that name the customer: join check, escalations, the digest.
    join_check(bot.deps, now=datetime(2027, 4, 9, 3, 0, tzinfo=UTC))
    # A few tasks overdue, not all: each overdue task is a DM to the CSM, one a second.
    escalations(bot.deps, now=datetime(2027, 4, 26, 1, 0, tzinfo=UTC))
    digest(bot.deps, now=datetime(2027, 4, 12, 0, 0, tzinfo=UTC))
    bot.settle()
    # The finish line: completion, survey with comment, check-in (stalled), digest again.
    bot.now = datetime(2027, 5, 20, 2, 0, tzinfo=UTC)
    _finish(bot, channel)
    _survey(bot, taro, channel, EVIL)
    adoption(bot.deps, now=datetime(2027, 6, 21, 1, 0, tzinfo=UTC))
    bot.settle()
    checkin = next(
        m for m in reversed(bot.sandbox.messages(channel)) if "checkin:stalled" in str(m["blocks"])
    )
    bot.driver.click_button(taro.id, checkin, "checkin:stalled")
    digest(bot.deps, now=datetime(2027, 5, 24, 0, 0, tzinfo=UTC))
    bot.driver.app_home_opened(csm.id)
    bot.settle()
    # A second project by slash command, paused and closed with EVIL as the reason.
    bot.now = BASE_NOW
    second = bot.start_project(
        f'"{EVIL} North" --playbook low-touch --kickoff 2027-04-05 --lang en'
    )
    answers.append(bot.slash(csm, second, "pause until 2027-04-20"))
    answers.append(bot.slash(csm, second, "resume"))
    answers.append(bot.slash(csm, second, f"close cancelled {EVIL}"))
    answers.append(bot.slash(csm, bot.general, "status"))
    bot.driver.app_home_opened(csm.id)
    bot.settle()

    # The customer's name did travel, escaped, to every kind of surface.
    for method in ("chat.postMessage", "chat.update", "response_url", "views.publish"):
        assert ESCAPED_HEAD in _sent_text(bot, since, method), method
    digests = bot.sandbox.messages(bot.cs_channel, include_replies=True)
    assert any(ESCAPED_HEAD in str(m) for m in digests)
    alerts = bot.sandbox.dm_messages(csm.id)
    assert any(ESCAPED_HEAD in str(m) for m in alerts)
    assert len(project_events(bot, second, "project.cancelled")) == 1
    with session_scope(bot.deps.engine) as session:
        comments = [a.comment for a in session.exec(SurveyAnswer.__table__.select())]  # type: ignore[call-overload]
    assert EVIL in comments  # stored as typed: escaping is for Slack only
    assert raw_injections(bot, since, answers) == []


TOPIC_CALLS = ("conversations.setTopic", "conversations.setPurpose")


def test_channel_topic_and_purpose_escape_the_customer_name(shared: Shared) -> None:
    bot = shared.bot
    since = len(bot.sandbox.calls())
    # Not the EVIL customer started minutes ago by another test: that would be a repeat.
    bot.start_project(f'"{EVIL} West" --playbook tech-touch --kickoff 2027-04-05 --lang en')
    topics = [c for c in bot.sandbox.calls()[since:] if c.method in TOPIC_CALLS]
    assert len(topics) == 2  # once set from the raw customer name: a disguised link, a ping
    assert raw_injections(bot, since, []) == []
    assert all(ESCAPED_HEAD in str(c.args) for c in topics)


def test_command_mistakes_quote_the_text_escaped(shared: Shared) -> None:
    bot = shared.bot
    answers = [
        bot.slash(bot.people.csm, bot.general, text)
        for text in (
            "<!channel>",
            "start Acme --kickoff <!here>",
            "status <https://evil.example|click>",
            "assign <!channel> champion",
        )
    ]
    assert all(a.status == 200 for a in answers)
    assert raw_injections(bot, len(bot.sandbox.calls()), answers) == []


# -- oversized input ------------------------------------------------------------------------------


def test_oversized_text_is_refused_or_cut_and_never_breaks_a_message(shared: Shared) -> None:
    bot, people = shared.bot, shared.bot.people
    csm, taro = people.csm, people.customer
    violations = len(bot.sandbox.block_violations)
    huge = "長" * 10_000
    bot.now = BASE_NOW

    # A 10,000-character customer name: refused, saying how long it is.
    channels = list(bot.created_channels())
    refused = bot.slash(csm, bot.general, f"start {huge}")
    assert refused.status == 200 and "10000" in refused.json["text"]
    bot.slash(csm, bot.general, "start")
    form = bot.driver.submit_view(
        csm.id,
        bot.sandbox.views_for(csm.id)[-1]["id"],
        {"customer_name": {"customer_name": huge}, "playbook": {"playbook": "tech-touch"}},
    )
    assert form.status == 200 and "customer_name" in form.json["errors"]
    bot.driver.close_view(csm.id, bot.sandbox.views_for(csm.id)[-1]["id"])
    assert bot.created_channels() == channels

    # The longest name allowed, made of characters that grow fivefold when escaped.
    widest = "&<>" * 26 + "&&"
    channel = _project(bot, widest, playbook="high-touch")
    reminders(bot.deps, now=datetime(2027, 4, 5, 0, 5, tzinfo=UTC))
    bot.slash(csm, channel, "status")
    bot.slash(csm, bot.general, "status")
    bot.driver.app_home_opened(csm.id)
    # The longest answers the forms take, escaped to four times their length.
    _plan_schedule(
        bot,
        taro,
        channel,
        {
            "slip_reason": {"slip_reason": "other"},
            "slip_note": {"slip_note": "<" * 2000},
            "initiatives": {"initiatives": "<\n" * 1000},
        },
    )
    bot.slash(csm, channel, "status")
    task = next(t for t in project_tasks(bot, channel) if t.owner_role == "champion")
    _more_time(bot, taro, channel, task.id, "2027-04-28", "<" * 500)
    # 10,000 characters where the form would not let them through are refused on the form.
    bot.driver.click_button(
        taro.id,
        next(m for m in bot.sandbox.messages(channel) if "plan_schedule" in str(m["blocks"])),
        "plan_schedule",
    )
    bot.settle()
    too_long = bot.driver.submit_view(
        taro.id,
        bot.sandbox.views_for(taro.id)[-1]["id"],
        {"slip_note": {"slip_note": huge}, "initiatives": {"initiatives": huge}},
    )
    assert set(too_long.json["errors"]) == {"slip_note", "initiatives"}
    bot.driver.close_view(taro.id, bot.sandbox.views_for(taro.id)[-1]["id"])
    digest(bot.deps, now=datetime(2027, 4, 19, 0, 0, tzinfo=UTC))

    # A 10,000-character close reason shared with the channel: cut, and the cut shows.
    since = len(bot.sandbox.calls())
    closing = _project(bot, "Closing Corp")
    closed = bot.slash(csm, closing, "close cancelled --share-reason " + "<" * 10_000)
    assert closed.status == 200
    assert len(project_events(bot, closing, "project.cancelled")) == 1
    posted = [
        c.args
        for c in bot.sandbox.calls()[since:]
        if c.method == "chat.postMessage" and c.args.get("channel") == closing
    ]
    assert "&lt;" * 10 in str(posted[-1]) and "…" in str(posted[-1])

    # A survey comment at the form's limit (escaped fourfold) and far beyond it.
    finished = shared.finished_channel
    for comment in ("<" * 3000, huge):
        _survey(bot, taro, finished, comment)
    with session_scope(bot.deps.engine) as session:
        stored = [a.comment or "" for a in session.exec(SurveyAnswer.__table__.select())]  # type: ignore[call-overload]
    assert stored and all(len(c) <= 3000 for c in stored)
    digest(bot.deps, now=datetime(2027, 5, 3, 0, 0, tzinfo=UTC))
    bot.settle()
    assert bot.sandbox.block_violations[violations:] == []


def test_a_forged_home_opened_by_a_user_slack_does_not_know_logs_no_error(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The HTTP fuzz found it: `app_home_opened` for user "0" (never from Slack)."""
    caplog.set_level(logging.INFO)
    answer = bot.driver.event({"type": "app_home_opened", "user": "0", "channel": bot.general})
    bot.settle()
    assert answer.status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [c.result.get("error") for c in bot.sandbox.calls("views.publish")] == ["user_not_found"]
