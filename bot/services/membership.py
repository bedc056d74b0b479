"""Who belongs to a project's customer: linking people who join, and the CSM's answers.

Many organisations hide their members' e-mail from other organisations, so a customer who
joins is recognised by their Slack team: the customer's team is that of the first external
customer who joined or was linked. Anyone of that team who joins becomes a customer member
at once (they can tick customer-side tasks); when invited seats are still open the bot
cannot tell which one they are, and the CSM is asked. A person of another organisation in
the same channel is never treated as this customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlmodel import Session

from bot.domain.permissions import Actor, can_use_cs_commands
from bot.services.projects import assign_role
from storage import events
from storage import projects as project_rows
from storage.models import Stakeholder, StakeholderRole

_NEVER = datetime.max.replace(tzinfo=UTC)
CUSTOMER_ROLES = (StakeholderRole.CHAMPION, StakeholderRole.DECISION_MAKER)


def customer_team(people: Sequence[Stakeholder]) -> str | None:
    """The customer's Slack team: that of the first external customer who joined or was
    linked; None until one has."""
    known = [p for p in people if p.side == "customer" and p.is_external and p.team_id]
    if not known:
        return None
    return min(known, key=lambda p: (p.joined_at or _NEVER, p.id or 0)).team_id


@dataclass(frozen=True)
class Joined:
    """A person who joined a project channel and now counts as one of the customer's."""

    project_id: int
    user_id: str
    role: str
    by_email: bool  # matched to an invitation by e-mail (the bot knows their seat)
    open_seats: tuple[str, ...]  # invited roles nobody has taken yet
    csm_user_id: str | None
    customer_name: str
    channel_id: str
    locale: str

    @property
    def ask_csm(self) -> bool:
        """Whether the CSM must say who this is (the bot cannot tell the seat)."""
        return not self.by_email and bool(self.open_seats) and self.csm_user_id is not None


def joined(
    *,
    session: Session,
    channel_id: str,
    user_id: str,
    email: str | None,
    team_id: str | None,
    is_external: bool,
    now: datetime,
) -> Joined | None:
    """Someone joined `channel_id`. Link them to their invitation by e-mail when Slack shows
    it; else, if they are of the customer's organisation, make them a customer member.
    Returns what changed, or None (not a project channel, already known, not the customer).
    """
    project = project_rows.by_channel(session=session, channel_id=channel_id)
    if project is None or project.id is None:
        return None
    people = project_rows.stakeholders(session=session, project_id=project.id)
    if any(p.slack_user_id == user_id for p in people):
        return None
    invited = next(
        (
            p
            for p in people
            if email and p.email and p.email.lower() == email.lower() and p.slack_user_id is None
        ),
        None,
    )
    if invited is None:
        known_team = customer_team(people)
        if not is_external or (known_team is not None and team_id != known_team):
            return None  # one of ours, or another organisation: never this customer
    person = invited or Stakeholder(
        project_id=project.id, role=StakeholderRole.MEMBER, side="customer", email=email
    )
    person.slack_user_id, person.is_external = user_id, is_external
    person.team_id, person.joined_at = team_id, now
    session.add(person)
    events.record(
        session=session,
        kind="stakeholder.joined",
        actor=user_id,
        at=now,
        project_id=project.id,
        after={"role": person.role, "user_id": user_id, "by_email": invited is not None},
    )
    csm = next((p.slack_user_id for p in people if p.role == StakeholderRole.CSM), None)
    return Joined(
        project_id=project.id,
        user_id=user_id,
        role=person.role,
        by_email=invited is not None,
        open_seats=_open_seats(people, taken=person),
        csm_user_id=csm,
        customer_name=project.customer_name,
        channel_id=channel_id,
        locale=project.locale,
    )


def _open_seats(people: Sequence[Stakeholder], *, taken: Stakeholder) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            p.role
            for p in people
            if p is not taken and p.role in CUSTOMER_ROLES and p.slack_user_id is None
        )
    )


class Answer(StrEnum):
    CHAMPION = "champion"
    DECISION_MAKER = "decision_maker"
    MEMBER = "member"
    NOT_PART = "not_part"


@dataclass(frozen=True)
class Identified:
    """The outcome of the CSM's answer: a refusal key, or the project it changed."""

    refusal: str | None
    project_id: int | None = None
    locale: str | None = None
    customer_name: str = ""


def identify(
    *,
    session: Session,
    project_id: int,
    user_id: str,
    answer: Answer,
    actor: Actor,
    now: datetime,
) -> Identified:
    """The CSM says who someone who joined is: a seat, a member, or not part of the project."""
    decision = can_use_cs_commands(actor)
    if not decision:
        return Identified(decision.reason or "deny.not_staff")
    project = project_rows.get(session=session, project_id=project_id)
    if project is None or project.id is None:
        return Identified("error.project_not_found")
    people = project_rows.stakeholders(session=session, project_id=project.id)
    person = next((p for p in people if p.slack_user_id == user_id), None)
    if person is None or person.side != "customer":
        # Removed meanwhile (another answer, or by hand): nothing to decide any more.
        return Identified("identify.gone", project.id, project.locale, project.customer_name)
    if answer == Answer.NOT_PART:
        session.delete(person)
        events.record(
            session=session,
            kind="stakeholder.removed",
            actor=actor.user_id,
            at=now,
            project_id=project.id,
            before={"role": person.role, "user_id": user_id},
        )
    else:
        assign_role(
            session=session,
            project_id=project.id,
            user_id=user_id,
            role=answer.value,
            is_external=person.is_external,
            team_id=person.team_id,
            actor=actor.user_id,
            now=now,
        )
    return Identified(None, project.id, project.locale, project.customer_name)


@dataclass(frozen=True)
class Assigned:
    """The outcome of `/onboard assign`: a refusal key, or the project it changed."""

    refusal: str | None
    project_id: int | None = None
    locale: str | None = None


def assign_by_hand(
    *,
    session: Session,
    channel_id: str,
    actor: Actor,
    user_id: str,
    known: bool,
    team_id: str | None,
    is_external: bool,
    role: str,
    now: datetime,
) -> Assigned:
    """`/onboard assign @user role` in a project channel, by CS staff.

    `known`: Slack knows the user. Someone of another organisation than the customer's is
    refused: they are never treated as this customer.
    """
    decision = can_use_cs_commands(actor)
    if not decision:
        return Assigned(decision.reason or "deny.not_staff")
    project = project_rows.by_channel(session=session, channel_id=channel_id)
    if project is None or project.id is None:
        return Assigned("deny.not_a_project_channel")
    if not known:
        return Assigned("error.unknown_user")
    team = customer_team(project_rows.stakeholders(session=session, project_id=project.id))
    if is_external and team is not None and team_id != team:
        return Assigned("error.other_organisation")
    assign_role(
        session=session,
        project_id=project.id,
        user_id=user_id,
        role=role,
        is_external=is_external,
        team_id=team_id if is_external else None,
        actor=actor.user_id,
        now=now,
    )
    return Assigned(None, project.id, project.locale)
