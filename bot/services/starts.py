"""Starting a project as one unit from the user's point of view.

A start writes the project in the `starting` state (no job looks at it), then the flow sets
it up in Slack step by step, holding a lease on it; only when the channel, the invitations
and the checklist exist does it become `active`. A start interrupted by a crash is taken
over by another worker once its lease runs out: finished when its channel exists, rolled
back (nothing was shown yet) when it does not.

The same request (a replayed slash command, a form submitted twice) starts at most one
project, and while a customer's start is under way, or minutes after it, another start for
the same customer is refused: both through keys written with the project, in one
transaction (`HandledRequest`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain.calendar import BusinessCalendar
from bot.domain.customers import customer_key as same_customer
from bot.domain.views import ProjectView
from bot.services.projects import NewProject, local_today, project_view, start_project
from storage import events, requests
from storage import projects as project_rows
from storage.models import HandledRequest, Project, ProjectStatus, StakeholderRole

START_LEASE = timedelta(minutes=2)
RECENT_START = timedelta(minutes=10)  # a second start of one customer this soon is a repeat
RECENT_BATCH = 500  # candidates of a repeated start read at a time


class StartStep(StrEnum):
    """How far a start got in Slack (each step is safe to do again)."""

    CREATED = "created"  # rows written, no channel yet
    CHANNEL = "channel"  # channel created and recorded
    INVITED = "invited"  # topic, purpose and invitations done
    POSTED = "posted"  # welcome and checklist posted and recorded


@dataclass(frozen=True)
class Begun:
    project_id: int


@dataclass(frozen=True)
class Repeated:
    """This start repeats one already made (or under way): nothing new was written."""

    project_id: int | None
    customer_name: str
    channel_id: str | None
    starting: bool  # the earlier start is still under way


@dataclass(frozen=True)
class Invitee:
    """Someone to bring into the channel: a Slack user and/or an e-mail address."""

    user_id: str | None
    email: str | None


@dataclass(frozen=True)
class StartState:
    """A start as the flow needs it to carry on (after a crash too: all from the database)."""

    project_id: int
    customer_name: str
    locale: str
    created_by: str | None
    csm_user_id: str | None
    channel_id: str | None
    step: StartStep
    invitees: tuple[Invitee, ...]  # the customer's people and members named at the start
    chosen_channel_name: str | None = None  # `--channel` or the form's, before the channel

    def reached(self, step: StartStep) -> bool:
        order = list(StartStep)
        return order.index(self.step) >= order.index(step)


def customer_key(name: str) -> str:
    """One key per customer however the name is typed (legal form, width, case, spacing):
    `bot.domain.customers.customer_key`, hashed to fit a request key."""
    return hashlib.sha256(same_customer(name).encode()).hexdigest()


def request_key(kind: str, identity: str) -> str:
    """The key of one request (e.g. a slash command's trigger_id); long ones are hashed."""
    key = f"{kind}:{identity}"
    return (
        key if len(key) <= 120 else f"{kind}:sha256:{hashlib.sha256(identity.encode()).hexdigest()}"
    )


def begin(
    *,
    session: Session,
    new: NewProject,
    calendar: BusinessCalendar,
    now: datetime,
    request: str | None,
    worker: str,
    lease: timedelta = START_LEASE,
    confirmed: bool = False,
) -> Begun | Repeated:
    """Write the project as `starting`, held by `worker`, unless this request was handled
    already or the same customer's start is under way or just happened. `confirmed`: the
    CSM asked for another project for this customer, so only a start under way stops it."""
    if request is not None and not requests.claim(session=session, key=request, at=now):
        return _repeat_of(session, request=request, customer_name=new.customer_name)
    recent = _recent_start(
        session, customer_name=new.customer_name, now=now, starting_only=confirmed
    )
    starting_key = f"starting:{customer_key(new.customer_name)}"
    if recent is None and not requests.claim(session=session, key=starting_key, at=now):
        # Another start of this customer began between our look and our write.
        recent = _repeat_of(session, request=starting_key, customer_name=new.customer_name)
    if recent is not None:
        if request is not None and recent.project_id is not None:
            # Its replays get the same answer.
            requests.point(session=session, keys=[request], project_id=recent.project_id)
        return recent
    project = start_project(session=session, new=new, calendar=calendar, now=now)
    project.status = ProjectStatus.STARTING
    project.start_step = StartStep.CREATED
    project.start_claimed_by, project.start_lease_until = worker, now + lease
    assert project.id is not None
    keys = [starting_key] + ([request] if request else [])
    requests.point(session=session, keys=keys, project_id=project.id)
    session.flush()
    return Begun(project.id)


def repeat_of(
    *, session: Session, customer_name: str, request: str | None, now: datetime, confirmed: bool
) -> Repeated | None:
    """What `begin` would answer as a repeat, looked up without writing: asked first, so a
    replayed request or a start just made gets that answer rather than a question."""
    if request is not None and session.get(HandledRequest, request) is not None:
        return _repeat_of(session, request=request, customer_name=customer_name)
    return _recent_start(session, customer_name=customer_name, now=now, starting_only=confirmed)


def hold(
    *, session: Session, project_id: int, worker: str, now: datetime, lease: timedelta = START_LEASE
) -> bool:
    """Extend `worker`'s lease on a start; False when the start is no longer `worker`'s
    (taken over after the lease ran out, finished or rolled back by another)."""
    return _update_held(session, project_id, worker, start_lease_until=now + lease)


def is_starting(project: Project) -> bool:
    """Still being set up: no job, status or button treats it as a running project."""
    return project.status == ProjectStatus.STARTING


def project(*, session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def kickoff_view(*, session: Session, project_id: int, now: datetime) -> tuple[ProjectView, date]:
    """What the kickoff messages show: the project, and its date today."""
    found = project(session=session, project_id=project_id)
    assert found is not None
    return project_view(session=session, project=found), local_today(found, now)


def starting(*, session: Session, project_id: int) -> Project | None:
    """The project while it is still starting (None once it is live or gone)."""
    project = session.get(Project, project_id)
    if project is None or project.status != ProjectStatus.STARTING:
        return None
    return project


def state(*, session: Session, project_id: int) -> StartState | None:
    project = starting(session=session, project_id=project_id)
    if project is None:
        return None
    people = project_rows.stakeholders(session=session, project_id=project_id)
    csm = next((p.slack_user_id for p in people if p.role == StakeholderRole.CSM), None)
    return StartState(
        project_id=project_id,
        customer_name=project.customer_name,
        locale=project.locale,
        created_by=project.created_by,
        csm_user_id=csm,
        channel_id=project.channel_id,
        chosen_channel_name=project.channel_name if project.channel_id is None else None,
        step=StartStep(project.start_step or StartStep.CREATED),
        invitees=tuple(
            Invitee(p.slack_user_id, p.email) for p in people if p.role != StakeholderRole.CSM
        ),
    )


def advance(*, session: Session, project_id: int, worker: str, step: StartStep) -> bool:
    """Record that `step` is done (only by the start's holder)."""
    return _update_held(session, project_id, worker, start_step=step)


def activate(*, session: Session, project_id: int, worker: str, now: datetime) -> bool:
    """The channel and checklist exist: the project goes live for every job."""
    if not _update_held(
        session,
        project_id,
        worker,
        status=ProjectStatus.ACTIVE,
        start_step=None,
        start_claimed_by=None,
        start_lease_until=None,
    ):
        return False
    requests.release_starting(session=session, project_id=project_id)
    events.record(
        session=session,
        kind="project.activated",
        actor=events.SYSTEM,
        at=now,
        project_id=project_id,
    )
    return True


def roll_back(*, session: Session, project_id: int, worker: str | None = None) -> bool:
    """Remove a start that never got a channel (nobody saw anything of it). With `worker`,
    only while that worker holds it."""
    query = select(Project).where(
        col(Project.id) == project_id,
        col(Project.status) == ProjectStatus.STARTING,
        col(Project.channel_id).is_(None),
    )
    if worker is not None:
        query = query.where(col(Project.start_claimed_by) == worker)
    project = session.exec(query).first()
    if project is None:
        return False
    session.delete(project)  # its people, tasks, events and request keys go with it
    return True


def abandon(*, session: Session, project_id: int, worker: str) -> bool:
    """Remove a start that can never be finished (its channel was archived, the app lost
    its rights): no job will ever remind anyone of it. The Slack channel stays."""
    found = session.exec(select(Project).where(*_held(project_id, worker))).first()
    if found is None:
        return False
    session.delete(found)
    return True


def release(*, session: Session, project_id: int, worker: str, now: datetime) -> None:
    """Let go of a start now (Slack failed for a while): the next recovery picks it up."""
    _update_held(session, project_id, worker, start_lease_until=now)


def take_over_stalled(
    *, session: Session, now: datetime, worker: str, lease: timedelta = START_LEASE, limit: int = 20
) -> list[int]:
    """Claim starts whose lease ran out (their worker crashed or stalled) for `worker`."""
    stalled = session.exec(
        select(Project.id)
        .where(
            col(Project.status) == ProjectStatus.STARTING,
            col(Project.start_lease_until) < now,
        )
        .order_by(col(Project.id))
        .limit(limit)
    ).all()
    taken = []
    for project_id in stalled:
        result = session.execute(
            update(Project)
            .where(
                col(Project.id) == project_id,
                col(Project.status) == ProjectStatus.STARTING,
                col(Project.start_lease_until) < now,
            )
            .values(start_claimed_by=worker, start_lease_until=now + lease)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]  # Session.execute() is typed as Result; an UPDATE/DELETE returns a CursorResult, which has rowcount
            taken.append(int(project_id))  # type: ignore[arg-type]  # a stored row's id is never None (the model types it int | None for new rows)
    return taken


def _held(project_id: int, worker: str) -> tuple[Any, ...]:
    """The start `project_id` while `worker` holds it."""
    return (
        col(Project.id) == project_id,
        col(Project.status) == ProjectStatus.STARTING,
        col(Project.start_claimed_by) == worker,
    )


def _update_held(session: Session, project_id: int, worker: str, **values: Any) -> bool:
    result = session.execute(update(Project).where(*_held(project_id, worker)).values(**values))
    return result.rowcount == 1  # type: ignore[attr-defined]  # Session.execute() is typed as Result; an UPDATE/DELETE returns a CursorResult, which has rowcount


def _repeat_of(session: Session, *, request: str, customer_name: str) -> Repeated:
    project_id = requests.project_of(session=session, key=request)
    project = session.get(Project, project_id) if project_id is not None else None
    if project is None:
        return Repeated(None, customer_name, None, starting=True)
    return Repeated(
        project.id,
        project.customer_name,
        project.channel_id,
        starting=project.status == ProjectStatus.STARTING,
    )


def _recent_start(
    session: Session, *, customer_name: str, now: datetime, starting_only: bool = False
) -> Repeated | None:
    """The oldest start of this customer under way (or, unless `starting_only`, made within
    RECENT_START). The customer key is computed in Python, so every candidate is looked at:
    only the four columns the answer needs, read in batches, up to the first match."""
    key = same_customer(customer_name)
    recent = col(Project.status) == ProjectStatus.STARTING
    if not starting_only:
        recent = recent | (col(Project.created_at) >= now - RECENT_START)
    rows = session.exec(
        select(
            col(Project.id),
            col(Project.customer_name),
            col(Project.channel_id),
            col(Project.status),
        )
        .where(recent)
        .order_by(col(Project.id))
        .execution_options(yield_per=RECENT_BATCH)
    )
    try:
        for project_id, name, channel_id, status in rows:
            if same_customer(name) == key:
                return Repeated(
                    project_id, name, channel_id, starting=status == ProjectStatus.STARTING
                )
    finally:
        rows.close()
    return None
