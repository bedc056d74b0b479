"""`/onboard start`: a project, its channel (Slack Connect when emails are given), the
welcome message and the pinned checklist."""

from __future__ import annotations

import logging

from bot.blocks.checklist import checklist_messages
from bot.blocks.escape import channel_link, escape
from bot.blocks.message import Message
from bot.blocks.replies import reply
from bot.blocks.welcome import welcome_message
from bot.deps import Deps
from bot.domain.channel_names import channel_name
from bot.domain.command_text import Person, StartCommand
from bot.domain.permissions import can_use_cs_commands
from bot.errors import UserError
from bot.flows import schedule
from bot.flows.context import Caller
from bot.i18n import t
from bot.services.projects import (
    NewProject,
    attach_channel,
    discard_project,
    local_today,
    project_view,
    record_messages,
    start_project,
)
from bot.slack.gateway import SlackError
from storage import projects as project_rows
from storage.db import session_scope

logger = logging.getLogger(__name__)

MAX_NAME_TRIES = 30


def start(deps: Deps, cmd: StartCommand, caller: Caller) -> list[Message]:
    """Start a project for a CSM; returns the notes for the caller (ephemeral)."""
    actor = deps.directory.actor(caller.user_id, payload_team_id=caller.payload_team_id)
    decision = can_use_cs_commands(actor)
    if not decision:
        raise UserError(decision.reason or "deny.not_staff")
    assert cmd.customer_name is not None
    settings = deps.settings
    locale = cmd.lang or deps.directory.locale_of(caller.user_id, settings.default_locale)
    name = cmd.playbook or settings.default_playbook
    playbook = deps.playbooks.get(name)
    if playbook is None:
        raise UserError(
            "error.unknown_playbook", name=escape(name), available=", ".join(sorted(deps.playbooks))
        )
    now = deps.clock()
    calendar = deps.calendar(settings.holiday_country)
    kickoff = cmd.kickoff or deps.today()
    if cmd.go_live is not None and cmd.go_live <= kickoff:
        raise UserError(
            "error.go_live_before_kickoff",
            go_live=cmd.go_live.isoformat(),
            kickoff=kickoff.isoformat(),
        )
    csm = (cmd.csm.user_id if cmd.csm else None) or caller.user_id
    # Everyone named by @mention must be someone Slack knows, and the CSM one of us:
    # checked before anything is created.
    named = [p.user_id for p in (cmd.champion, cmd.decision_maker, *cmd.members) if p and p.user_id]
    for user_id in [csm, *named]:
        if deps.directory.user(user_id) is None:
            raise UserError("error.unknown_user", user=f"<@{user_id}>")
    if deps.directory.actor(csm).is_external:
        raise UserError("error.csm_external", user=f"<@{csm}>")
    new = NewProject(
        customer_name=cmd.customer_name,
        playbook=playbook,
        kickoff=kickoff,
        locale=locale,
        timezone=settings.default_timezone,
        csm_user_id=csm,
        created_by=caller.user_id,
        team_id=deps.directory.installed_team_id,
        go_live=cmd.go_live,
        champion=cmd.champion,
        decision_maker=cmd.decision_maker,
        members=cmd.members,
        fiscal_year_end_month=cmd.fiscal_year_end_month or 3,
    )
    with session_scope(deps.engine) as session:
        project_id = start_project(session=session, new=new, calendar=calendar, now=now).id
    assert project_id is not None
    notes: list[Message] = []
    try:
        channel_id, channel = _create_channel(deps, cmd.customer_name, project_id)
    except (SlackError, UserError):
        # No channel, no project: the CSM can simply run the command again.
        with session_scope(deps.engine) as session:
            discard_project(session=session, project_id=project_id)
        raise
    with session_scope(deps.engine) as session:
        attach_channel(
            session=session,
            project_id=project_id,
            channel_id=channel_id,
            channel_name=channel,
            now=now,
        )
    customer = escape(cmd.customer_name)
    deps.gateway.set_topic(
        channel_id, t(locale, "kickoff.topic", customer=customer, csm=f"<@{csm}>")
    )
    deps.gateway.set_purpose(channel_id, t(locale, "kickoff.purpose", customer=customer))
    people = [cmd.champion, cmd.decision_maker, *cmd.members]
    internal = [csm, caller.user_id]
    for person in people:
        if person and person.user_id and not deps.directory.actor(person.user_id).is_external:
            internal.append(person.user_id)
    try:
        deps.gateway.invite(channel_id, list(dict.fromkeys(internal)))
    except SlackError as exc:  # the project stands; the CSM adds people by hand
        notes.append(
            reply(locale, "kickoff.invite_failed", error=exc.code, channel=channel_link(channel_id))
        )
    notes += _invite_customers(deps, channel_id, [p for p in people if p], locale=locale)
    _post_kickoff_messages(deps, project_id)
    return [
        reply(
            locale,
            "kickoff.started",
            customer=escape(cmd.customer_name),
            channel=channel_link(channel_id),
            tasks=len(playbook.tasks),
        ),
        *notes,
    ]


def _create_channel(deps: Deps, customer_name: str, project_id: int) -> tuple[str, str]:
    """Create the project channel, adding a suffix while the name is taken."""
    short_id = f"p{project_id}"
    for suffix in range(MAX_NAME_TRIES):
        name = channel_name(customer_name, short_id=short_id, suffix=suffix)
        try:
            return deps.gateway.create_channel(name), name
        except SlackError as exc:
            if exc.code == "name_taken":
                continue
            if exc.code.startswith("invalid_name"):
                customer_name = ""  # fall back to the short id
                continue
            raise
    raise UserError("error.channel_name_exhausted")


def _invite_customers(
    deps: Deps, channel_id: str, people: list[Person], *, locale: str
) -> list[Message]:
    """Slack Connect invitations, one invitee per call; refusals become notes for the CSM."""
    notes = []
    for person in people:
        target = person.email
        if target is None and person.user_id and deps.directory.actor(person.user_id).is_external:
            target = person.user_id
        if target is None:
            continue
        try:
            deps.gateway.invite_shared(
                channel_id, email=person.email, user_id=None if person.email else target
            )
        except SlackError as exc:
            logger.info("shared invite refused: %s", exc.code)
            notes.append(
                reply(
                    locale,
                    "kickoff.shared_invite_failed",
                    who=escape(target),
                    error=exc.code,
                    channel=channel_link(channel_id),
                )
            )
    return notes


def _post_kickoff_messages(deps: Deps, project_id: int) -> None:
    with session_scope(deps.engine) as session:
        project = project_rows.get(session=session, project_id=project_id)
        assert project is not None and project.channel_id is not None
        view = project_view(session=session, project=project)
        today = local_today(project, deps.clock())
        channel_id = project.channel_id
    welcome_ts = deps.gateway.post_message(channel_id, welcome_message(view))
    stamps = [
        deps.gateway.post_message(channel_id, m) for m in checklist_messages(view, today=today)
    ]
    deps.gateway.pin(channel_id, stamps[0])
    with session_scope(deps.engine) as session:
        record_messages(
            session=session, project_id=project_id, welcome_ts=welcome_ts, checklist_ts=stamps
        )
    schedule.post_prompt(deps, project_id)
