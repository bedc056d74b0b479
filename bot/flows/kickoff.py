"""`/onboard start`: a project, its channel (Slack Connect when emails are given), the
welcome message and the pinned checklist, set up as one unit (see `bot.services.starts`).

The project is written as `starting`; each Slack step below runs while this worker's lease
on the start is current, records its progress, and is safe to run again; the project goes
`active` only at the end. `recover_starts` finishes (or rolls back) starts whose worker died.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime

from bot.blocks.checklist import checklist_messages
from bot.blocks.duplicate import duplicate_question
from bot.blocks.escape import channel_link, escape
from bot.blocks.message import Message, about
from bot.blocks.replies import merged, reply
from bot.blocks.schedule import schedule_prompt
from bot.blocks.welcome import welcome_message
from bot.deps import Deps
from bot.domain import start_again
from bot.domain.command_text import StartCommand
from bot.domain.date_bounds import go_live_problem, kickoff_problem
from bot.domain.permissions import can_use_cs_commands
from bot.domain.playbook import Playbook
from bot.errors import UserError
from bot.flows import kickoff_steps as steps
from bot.flows.context import Caller
from bot.flows.outbox import outbox_row, worker_id
from bot.services import outbox as outbox_service
from bot.services import starts
from bot.services.duplicates import running_for_customer
from bot.services.projects import (
    NewProject,
    attach_channel,
    record_messages,
)
from bot.services.session import unit_of_work
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)


class StartLost(Exception):
    """Another worker took this start over (ours stalled past its lease), or it ended."""


def start(
    deps: Deps, cmd: StartCommand, caller: Caller, *, request: str | None = None
) -> list[Message]:
    """Start a project for a CSM; returns the notes for the caller (ephemeral).

    `request` identifies the Slack request ("command:<trigger id>", "start-form:<view id>"):
    the same request never starts a second project.
    """
    actor = caller.actor
    decision = can_use_cs_commands(actor)
    if not decision:
        raise UserError(decision.reason or "deny.not_staff")
    assert cmd.customer_name is not None
    settings = deps.settings
    locale = cmd.lang or caller.own_locale
    playbook = _playbook(deps, cmd)
    now = deps.clock()
    calendar = deps.calendar(settings.holiday_country)
    kickoff = cmd.kickoff or deps.today()
    problem = kickoff_problem(kickoff, today=deps.today())
    if problem is None and cmd.go_live is not None:
        problem = go_live_problem(cmd.go_live, kickoff=kickoff)
    if problem is not None:
        raise UserError(problem[0], **problem[1])
    csm = (cmd.csm.user_id if cmd.csm else None) or caller.user_id
    named = _known_people(deps, cmd, csm=csm)
    question = _repeat_or_question(deps, cmd, caller, request=request, now=now)
    if question is not None:
        return [question]
    new = _new_project(deps, cmd, caller, playbook=playbook, kickoff=kickoff, csm=csm, named=named)
    worker = _worker()
    with unit_of_work(deps.engine) as session:
        outcome = starts.begin(
            session=session,
            new=new,
            calendar=calendar,
            now=now,
            request=_request_key(request),
            worker=worker,
            confirmed=cmd.again,
        )
    if isinstance(outcome, starts.Repeated):
        key, values = _repeated(outcome)
        raise UserError(key, **values)
    try:
        return set_up(deps, outcome.project_id, worker)
    except StartLost:
        # Our worker stalled past its lease and another took the start over: it finishes
        # the kickoff and tells the CSM.
        return [reply(locale, "start.taken_over", customer=escape(cmd.customer_name))]


def _new_project(
    deps: Deps,
    cmd: StartCommand,
    caller: Caller,
    *,
    playbook: Playbook,
    kickoff: date,
    csm: str,
    named: list[str],
) -> NewProject:
    """What the start form or command asked for, as the service takes it."""
    assert cmd.customer_name is not None
    return NewProject(
        customer_name=cmd.customer_name,
        playbook=playbook,
        kickoff=kickoff,
        locale=cmd.lang or caller.own_locale,
        timezone=deps.settings.default_timezone,
        csm_user_id=csm,
        created_by=caller.user_id,
        team_id=deps.directory.installed_team_id,
        go_live=cmd.go_live,
        champion=cmd.champion,
        decision_maker=cmd.decision_maker,
        members=cmd.members,
        fiscal_year_end_month=cmd.fiscal_year_end_month or 3,
        channel_name=cmd.channel_name,
        external_teams=steps.external_teams(deps, named),
    )


def _playbook(deps: Deps, cmd: StartCommand) -> Playbook:
    name = cmd.playbook or deps.settings.default_playbook
    playbook = deps.playbooks.get(name)
    if playbook is None:
        raise UserError(
            "error.unknown_playbook", name=escape(name), available=", ".join(sorted(deps.playbooks))
        )
    return playbook


def _repeat_or_question(
    deps: Deps, cmd: StartCommand, caller: Caller, *, request: str | None, now: datetime
) -> Message | None:
    """A repeat is answered as one (refused); a second project for one customer needs the
    CSM's yes: the question to ask, or None to go on."""
    assert cmd.customer_name is not None
    with unit_of_work(deps.engine) as session:
        repeat = starts.repeat_of(
            session=session,
            customer_name=cmd.customer_name,
            request=_request_key(request),
            now=now,
            confirmed=cmd.again,
        )
        running = running_for_customer(session=session, customer_name=cmd.customer_name)
    if repeat is not None:
        key, values = _repeated(repeat)
        raise UserError(key, **values)
    asked = start_again.to_ask_about(cmd, [p.project_id for p in running])
    if not asked:
        return None
    shown = [(p.project_id, p.channel_id, p.kickoff) for p in running if p.project_id in asked]
    return duplicate_question(caller.own_locale, cmd, shown)


def _known_people(deps: Deps, cmd: StartCommand, *, csm: str) -> list[str]:
    """Everyone named by @mention must be someone Slack knows, and the CSM one of us:
    checked before anything is created. Returns the people named."""
    named = [p.user_id for p in (cmd.champion, cmd.decision_maker, *cmd.members) if p and p.user_id]
    for user_id in [csm, *named]:
        if deps.directory.user(user_id) is None:
            raise UserError("error.unknown_user", user=f"<@{user_id}>")
    if deps.directory.actor(csm).is_external:
        raise UserError("error.csm_external", user=f"<@{csm}>")
    return named


def set_up(deps: Deps, project_id: int, worker: str, *, resuming: bool = False) -> list[Message]:
    """Do what is left of a start in Slack, then make the project live. Returns the notes
    for the person who started it. Raises UserError when the start had to be given up
    (rolled back), StartLost when another worker holds it now."""
    with unit_of_work(deps.engine) as session:
        state = starts.state(session=session, project_id=project_id)
    if state is None:
        raise StartLost(project_id)
    locale, customer = state.locale, escape(state.customer_name)

    def hold() -> None:
        with unit_of_work(deps.engine) as session:
            if not starts.hold(
                session=session, project_id=project_id, worker=worker, now=deps.clock()
            ):
                raise StartLost(project_id)

    channel_id = state.channel_id
    if channel_id is None:
        if resuming:
            # The crashed worker may have created a channel it never recorded: creating
            # another would give the customer two. Nothing was shown yet: undo the start.
            _give_up(deps, project_id, worker)
            raise UserError("start.rolled_back", customer=customer)
        channel_id = _open_channel(deps, state, worker, hold)
    notes: list[Message] = []
    try:
        if not state.reached(starts.StartStep.INVITED):
            notes = steps.set_topic_and_invite(deps, state, channel_id, hold)
            _advance(deps, project_id, worker, starts.StartStep.INVITED)
        if not state.reached(starts.StartStep.POSTED):
            _post_kickoff_messages(deps, project_id, channel_id, hold, check_first=resuming)
            _advance(deps, project_id, worker, starts.StartStep.POSTED)
    except SlackError as exc:
        if exc.code in steps.HOPELESS:
            _give_up(deps, project_id, worker, any_channel=True)
            raise UserError(
                "start.abandoned",
                customer=customer,
                channel=channel_link(channel_id),
                error=exc.code,
            ) from None
        # Slack failed for now: the next recovery (within a minute) carries on from here.
        with unit_of_work(deps.engine) as session:
            starts.release(session=session, project_id=project_id, worker=worker, now=deps.clock())
        raise UserError(
            "start.continuing", customer=customer, channel=channel_link(channel_id), error=exc.code
        ) from None
    started = reply(
        locale,
        "kickoff.started",
        customer=customer,
        channel=channel_link(channel_id),
        tasks=_activate(deps, project_id, worker),
    )
    # A response_url takes five answers: the notes travel together, however many there are.
    return [started, merged(notes)] if notes else [started]


def _activate(deps: Deps, project_id: int, worker: str) -> int:
    """Make the project live; returns how many tasks it has."""
    with unit_of_work(deps.engine) as session:
        if not starts.activate(
            session=session, project_id=project_id, worker=worker, now=deps.clock()
        ):
            raise StartLost(project_id)
        view, _today = starts.kickoff_view(session=session, project_id=project_id, now=deps.clock())
        return len(view.tasks)


def recover_starts(deps: Deps, *, now: datetime) -> list[int]:
    """Finish (or roll back) the starts whose worker stopped holding them (a crash, a stall
    past the lease); their CSM hears how it ended. Returns the project ids handled."""
    worker = _worker()
    with unit_of_work(deps.engine) as session:
        taken = starts.take_over_stalled(session=session, now=max(now, deps.clock()), worker=worker)
    handled = []
    for project_id in taken:
        with unit_of_work(deps.engine) as session:
            state = starts.state(session=session, project_id=project_id)
        if state is None:
            continue
        try:
            notes = set_up(deps, project_id, worker, resuming=True)
            key = "start.resumed"
        except StartLost:
            continue
        except Exception as error:
            if not isinstance(error, UserError):
                logger.exception("could not finish the start of project %s", project_id)
                continue
            refusal = error
            if refusal.key == "start.continuing":
                continue  # still failing: the next recovery tries again, quietly
            notes, key = [reply(state.locale, refusal.key, **refusal.values)], refusal.key
        else:
            notes = [reply(state.locale, key, customer=escape(state.customer_name)), *notes[1:]]
        handled.append(project_id)
        _tell_creator(deps, state, key, notes)
    return handled


def _open_channel(
    deps: Deps, state: starts.StartState, worker: str, hold: Callable[[], None]
) -> str:
    hold()
    try:
        channel_id, channel = steps.create_channel(
            deps, state.customer_name, state.project_id, chosen=state.chosen_channel_name
        )
    except (SlackError, UserError):
        # No channel, no project: the CSM can simply run the command again.
        _give_up(deps, state.project_id, worker)
        raise
    with unit_of_work(deps.engine) as session:
        if not starts.advance(
            session=session,
            project_id=state.project_id,
            worker=worker,
            step=starts.StartStep.CHANNEL,
        ):
            logger.warning(
                "start %s was taken over while its channel was created", state.project_id
            )
            raise StartLost(state.project_id)
        attach_channel(
            session=session,
            project_id=state.project_id,
            channel_id=channel_id,
            channel_name=channel,
            now=deps.clock(),
        )
    return channel_id


def _post_kickoff_messages(
    deps: Deps, project_id: int, channel_id: str, hold: Callable[[], None], *, check_first: bool
) -> None:
    """Welcome, checklist (pinned) and the scheduling prompt, each once: every message
    carries its own key, and a resumed start looks for it before posting again."""
    with unit_of_work(deps.engine) as session:
        view, today = starts.kickoff_view(session=session, project_id=project_id, now=deps.clock())

    def post(message: Message, key: str) -> str:
        return steps.post_once(
            deps, channel_id, message, f"kickoff:{project_id}:{key}", hold, check_first
        )

    def ours(message: Message, event: str) -> Message:
        return about(message, event, project_id=project_id)

    welcome_ts = post(ours(welcome_message(view), "onboarding_project_started"), "welcome")
    stamps = [
        post(ours(message, "onboarding_checklist"), f"checklist:{n}")
        for n, message in enumerate(checklist_messages(view, today=today))
    ]
    hold()
    deps.gateway.pin(channel_id, stamps[0])
    with unit_of_work(deps.engine) as session:
        record_messages(
            session=session, project_id=project_id, welcome_ts=welcome_ts, checklist_ts=stamps
        )
    post(ours(schedule_prompt(view), "onboarding_schedule_prompt"), "schedule-prompt")


def _advance(deps: Deps, project_id: int, worker: str, step: starts.StartStep) -> None:
    with unit_of_work(deps.engine) as session:
        if not starts.advance(session=session, project_id=project_id, worker=worker, step=step):
            raise StartLost(project_id)


def _give_up(deps: Deps, project_id: int, worker: str, *, any_channel: bool = False) -> None:
    with unit_of_work(deps.engine) as session:
        if any_channel:
            starts.abandon(session=session, project_id=project_id, worker=worker)
        else:
            starts.roll_back(session=session, project_id=project_id, worker=worker)


def _tell_creator(deps: Deps, state: starts.StartState, key: str, notes: list[Message]) -> None:
    """A DM (through the outbox, so exactly once) to whoever started the project."""
    if not state.created_by:
        return
    rows = [
        outbox_row(
            f"start:{state.project_id}:{key}:{n}",
            "kickoff",
            state.created_by,
            note,
            project_id=None,  # a rolled-back project is gone
            now=deps.clock(),
        )
        for n, note in enumerate(notes)
    ]
    with unit_of_work(deps.engine) as session:
        outbox_service.enqueue(session=session, rows=rows)


def _repeated(outcome: starts.Repeated) -> tuple[str, dict[str, object]]:
    customer = escape(outcome.customer_name)
    if outcome.starting or outcome.channel_id is None:
        return "error.start_in_progress", {"customer": customer}
    return "error.start_repeated", {
        "customer": customer,
        "channel": channel_link(outcome.channel_id),
    }


def _request_key(request: str | None) -> str | None:
    kind, _, identity = (request or "").partition(":")
    return starts.request_key(kind, identity) if kind and identity else None


def new_worker() -> str:
    """A claimer id for one start (this process plus a random suffix)."""
    return _worker()


def _worker() -> str:
    return f"{worker_id()}/{secrets.token_hex(4)}"
