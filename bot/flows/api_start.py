"""Starting a project from another system (the HTTP API): the same start as `/onboard
start`, with the CRM's deal id as its key.

The project is written as `starting` before the answer (so the same deal sent twice, or
twice at once, gives one project), then the kickoff runs on the work pool exactly as a
slash command's does, and its CSM hears in Slack who started it and how it went.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from bot.blocks.escape import escape
from bot.blocks.message import Message
from bot.blocks.replies import merged, reply
from bot.deps import Deps
from bot.domain.command_text import Person
from bot.domain.date_bounds import go_live_problem, kickoff_problem
from bot.errors import UserError
from bot.flows import kickoff, kickoff_steps
from bot.flows.outbox import dispatch, outbox_row
from bot.i18n import t
from bot.services import api_projects, starts
from bot.services import outbox as outbox_service
from bot.services.duplicates import running_for_customer
from bot.services.projects import NewProject
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiStart:
    """What the API's caller asked for (already well-formed: see handlers/api/models)."""

    external_id: str
    customer_name: str
    csm: Person  # an e-mail or a Slack user id
    playbook: str | None = None
    kickoff: date | None = None
    go_live: date | None = None
    champion: Person | None = None
    decision_maker: Person | None = None
    members: tuple[Person, ...] = ()
    language: str | None = None
    fiscal_year_end_month: int | None = None
    channel_name: str | None = None
    again: bool = False


@dataclass(frozen=True)
class Created:
    project_id: int


@dataclass(frozen=True)
class Existing:
    project_id: int


@dataclass(frozen=True)
class Invalid:
    problems: list[tuple[str, str]]  # (field, message in English)


@dataclass(frozen=True)
class Conflict:
    detail: str
    project_ids: list[int] = field(default_factory=list)


Outcome = Created | Existing | Invalid | Conflict


def start(deps: Deps, request: ApiStart, *, system: str) -> Outcome:
    """Start (or find) the project of `request.external_id`; `system` names the token."""
    with unit_of_work(deps.engine) as session:
        found = api_projects.by_external_id(session=session, external_id=request.external_id)
    if found is not None:
        return Existing(found)
    checked = _check(deps, request)
    if isinstance(checked, Invalid):
        return checked
    csm, new = checked
    key = starts.request_key("api", request.external_id)
    now = deps.clock()
    with unit_of_work(deps.engine) as session:
        repeat = starts.repeat_of(
            session=session,
            customer_name=request.customer_name,
            request=key,
            now=now,
            confirmed=request.again,
        )
        running = running_for_customer(session=session, customer_name=request.customer_name)
    if repeat is not None:
        return _repeated(deps, repeat, request)
    if running and not request.again:
        return Conflict(
            f"{request.customer_name!r} has a running project; send again with"
            ' "again": true to start another one for this customer',
            [p.project_id for p in running],
        )
    worker = kickoff.new_worker()
    outcome = api_projects.begin_start(
        engine=deps.engine,
        external_id=request.external_id,
        new=new,
        calendar=deps.calendar(deps.settings.holiday_country),
        now=now,
        request=key,
        worker=worker,
        confirmed=request.again,
    )
    if isinstance(outcome, int):  # the same deal, started by another request at this moment
        return Existing(outcome)
    if isinstance(outcome, starts.Repeated):
        return _repeated(deps, outcome, request)
    deps.work.submit(
        _kick_off,
        deps,
        outcome.project_id,
        worker,
        csm=csm,
        request=request,
        system=system,
        locale=new.locale,
    )
    return Created(outcome.project_id)


def _check(deps: Deps, request: ApiStart) -> tuple[str, NewProject] | Invalid:
    """Every field as `/onboard start` checks it, each problem named by its field."""
    settings = deps.settings
    problems: list[tuple[str, str]] = []
    playbook = deps.playbooks.get(request.playbook or settings.default_playbook)
    if playbook is None:
        problems.append(
            (
                "playbook",
                f"no playbook named {request.playbook!r} (available: "
                f"{', '.join(sorted(deps.playbooks))})",
            )
        )
    today = deps.today()
    kickoff_day = request.kickoff or today
    problem = kickoff_problem(kickoff_day, today=today)
    if problem is not None:
        problems.append(("kickoff", t("en", problem[0], **problem[1])))
    elif request.go_live is not None:
        problem = go_live_problem(request.go_live, kickoff=kickoff_day)
        if problem is not None:
            problems.append(("go_live", t("en", problem[0], **problem[1])))
    csm, csm_problem = _csm(deps, request.csm)
    if csm_problem:
        problems.append(("csm", csm_problem))
    named = _known_people(deps, request, problems)
    if problems or csm is None or playbook is None:
        return Invalid(problems)
    locale = request.language or deps.directory.locale_of(csm, settings.default_locale)
    return csm, NewProject(
        customer_name=request.customer_name,
        playbook=playbook,
        kickoff=kickoff_day,
        locale=locale,
        timezone=settings.default_timezone,
        csm_user_id=csm,
        created_by=csm,
        team_id=deps.directory.installed_team_id,
        go_live=request.go_live,
        champion=request.champion,
        decision_maker=request.decision_maker,
        members=request.members,
        fiscal_year_end_month=request.fiscal_year_end_month or 3,
        channel_name=request.channel_name,
        external_teams=kickoff_steps.external_teams(deps, named),
        external_id=request.external_id,
    )


def _known_people(deps: Deps, request: ApiStart, problems: list[tuple[str, str]]) -> list[str]:
    """The people named by user id; one Slack does not know is a problem of its field."""
    named: list[str] = []
    for name, person in (
        ("champion", request.champion),
        ("decision_maker", request.decision_maker),
        *((f"members.{n}", p) for n, p in enumerate(request.members)),
    ):
        if person is None or person.user_id is None:
            continue
        if deps.directory.user(person.user_id) is None:
            problems.append((name, f"{person.user_id} is not a user Slack knows"))
        else:
            named.append(person.user_id)
    return named


def _csm(deps: Deps, person: Person) -> tuple[str | None, str | None]:
    """The CSM's Slack id, or why the person cannot be the CSM."""
    shown = person.email or person.user_id
    user_id = person.user_id
    if user_id is None and person.email is not None:
        try:
            user_id = deps.gateway.lookup_by_email(person.email)
        except SlackError as exc:
            return None, f"Slack could not look up {shown} ({exc.code})"
        if user_id is None:
            return None, f"nobody in the workspace has the e-mail {shown}"
    assert user_id is not None
    info = deps.directory.user(user_id)
    if info is None or info.deleted or info.is_bot:
        return None, f"{shown} is not a user Slack knows"
    actor = deps.directory.actor(user_id)
    if actor.is_external:
        return None, f"{shown} is of another organisation: the CSM must be one of you"
    if not actor.is_staff:
        return None, f"{shown} is not CS staff (a member of the CS team channel)"
    return user_id, None


def _repeated(deps: Deps, repeat: starts.Repeated, request: ApiStart) -> Outcome:
    if repeat.project_id is not None:
        with unit_of_work(deps.engine) as session:
            mine = api_projects.by_external_id(session=session, external_id=request.external_id)
        if mine is not None:
            return Existing(mine)
    if repeat.starting:
        detail = f"a start for {repeat.customer_name!r} is under way"
    else:
        detail = (
            f"{repeat.customer_name!r} was started minutes ago; a second project for it"
            ' needs "again": true once that start is over'
        )
    return Conflict(detail, [repeat.project_id] if repeat.project_id is not None else [])


def _kick_off(
    deps: Deps,
    project_id: int,
    worker: str,
    *,
    csm: str,
    request: ApiStart,
    system: str,
    locale: str,
) -> None:
    """The kickoff in Slack, then the CSM's note (through the outbox: exactly once)."""
    try:
        notes = kickoff.set_up(deps, project_id, worker)
    except kickoff.StartLost:
        return  # another worker took it over and tells the CSM
    except UserError as error:
        notes = [reply(locale, error.key, **error.values)]
    intro = reply(
        locale,
        "api.started_by",
        customer=escape(request.customer_name),
        system=escape(system),
        external_id=escape(request.external_id),
    )
    _tell(deps, csm, project_id, merged([intro, *notes]))


def _tell(deps: Deps, csm: str, project_id: int, note: Message) -> None:
    """One DM to the CSM (through the outbox: exactly once, even if this is repeated)."""
    rows = [
        outbox_row(
            f"api-start:{project_id}",
            "kickoff",
            csm,
            note,
            project_id=None,  # a rolled-back project is gone
            now=deps.clock(),
        )
    ]
    with unit_of_work(deps.engine) as session:
        outbox_service.enqueue(session=session, rows=rows)
    try:
        dispatch(deps, now=deps.clock())
    except Exception:  # the outbox job sends it within 30 seconds
        logger.exception("could not send the CSM's note about an API start at once")
