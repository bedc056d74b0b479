"""Use cases on onboarding projects: start, link people, read a project for display."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.command_text import Person
from bot.domain.planning import plan
from bot.domain.playbook import Playbook
from bot.domain.views import PhaseView, ProjectView, TaskView
from storage import events
from storage import projects as project_rows
from storage import tasks as task_rows
from storage.models import RUNNING_STATUSES, Project, Stakeholder, StakeholderRole, Task

# Which stakeholder owns a task of each playbook role.
OWNER_FOR_ROLE = {
    "champion": StakeholderRole.CHAMPION,
    "customer_member": StakeholderRole.CHAMPION,
    "decision_maker": StakeholderRole.DECISION_MAKER,
    "csm": StakeholderRole.CSM,
    "vendor_member": StakeholderRole.CSM,
}


@dataclass(frozen=True)
class NewProject:
    """What a CSM gave to start a project (from the command or the modal)."""

    customer_name: str
    playbook: Playbook
    kickoff: date
    locale: str
    timezone: str
    csm_user_id: str
    created_by: str
    team_id: str | None = None
    go_live: date | None = None
    champion: Person | None = None
    decision_maker: Person | None = None
    members: tuple[Person, ...] = ()
    fiscal_year_end_month: int = 3  # March, as most Japanese companies
    channel_name: str | None = None  # chosen by the CSM; None: made from the customer's name
    # The Slack team of each person named by @mention, when it is another organisation's:
    # the first one tells which organisation is this customer.
    external_teams: Mapping[str, str] = field(default_factory=dict)
    external_id: str | None = None  # the CRM's id when started through the HTTP API


def start_project(
    *, session: Session, new: NewProject, calendar: BusinessCalendar, now: datetime
) -> Project:
    """Create the project, its people and its dated tasks; log it."""
    playbook = new.playbook
    project = Project(
        customer_name=new.customer_name,
        channel_name=new.channel_name,  # the chosen name until the channel exists
        playbook_name=playbook.name,
        playbook_version=playbook.version,
        playbook_snapshot=playbook.model_dump(mode="json"),
        locale=new.locale,
        timezone=new.timezone,
        holiday_country=calendar.country,
        kickoff=new.kickoff,
        target_go_live=new.go_live,
        fiscal_year_end_month=new.fiscal_year_end_month,
        team_id=new.team_id,
        created_by=new.created_by,
        created_at=now,
        reminder_lead_days=playbook.reminder_lead_days,
        csm_after_days=playbook.escalation.csm_after_days,
        decision_maker_after_days=playbook.escalation.decision_maker_after_days,
        decision_maker_overdue_tasks=playbook.escalation.decision_maker_overdue_tasks,
        escalation_approval=playbook.escalation_approval,
        checkin_after_days=playbook.checkin_after_days,
        external_id=new.external_id,
    )
    session.add(project)
    session.flush()
    assert project.id is not None
    session.add_all(_people(new, project_id=project.id, now=now))
    session.add_all(_tasks(new, project_id=project.id, calendar=calendar))
    events.record(
        session=session,
        kind="project.started",
        actor=new.created_by,
        at=now,
        project_id=project.id,
        after={
            "customer_name": new.customer_name,
            "playbook": playbook.name,
            "version": playbook.version,
            "kickoff": new.kickoff.isoformat(),
        },
    )
    session.flush()
    return project


def _people(new: NewProject, *, project_id: int, now: datetime) -> list[Stakeholder]:
    """The CSM and the customer's people named at the start."""
    people = [
        Stakeholder(
            project_id=project_id,
            role=StakeholderRole.CSM,
            side="vendor",
            slack_user_id=new.csm_user_id,
        )
    ]
    for role, person in (
        (StakeholderRole.CHAMPION, new.champion),
        (StakeholderRole.DECISION_MAKER, new.decision_maker),
        *((StakeholderRole.MEMBER, member) for member in new.members),
    ):
        if person is not None:
            team = new.external_teams.get(person.user_id or "")
            people.append(
                Stakeholder(
                    project_id=project_id,
                    role=role,
                    side="customer",
                    slack_user_id=person.user_id,
                    email=person.email,
                    is_external=team is not None,
                    team_id=team,
                    joined_at=now if person.user_id else None,
                )
            )
    return people


def _tasks(new: NewProject, *, project_id: int, calendar: BusinessCalendar) -> list[Task]:
    """The playbook's tasks, dated from the kickoff on the project's calendar."""
    playbook = new.playbook
    dates = plan(playbook.tasks, kickoff=new.kickoff, calendar=calendar)
    return [
        Task(
            project_id=project_id,
            key=spec.id,
            position=position,
            phase=spec.phase,
            title_ja=spec.title.ja,
            title_en=spec.title.en,
            why_ja=spec.why.ja,
            why_en=spec.why.en,
            owner_side=spec.owner_side,
            owner_role=spec.owner_role,
            start_date=dated.start,
            planned_due=dated.due,
            due=dated.due,
            required=spec.required,
            first_value=spec.first_value,
            depends_on=list(spec.depends_on),
        )
        for position, (spec, dated) in enumerate(zip(playbook.tasks, dates, strict=True))
    ]


def attach_channel(
    *, session: Session, project_id: int, channel_id: str, channel_name: str, now: datetime
) -> None:
    project = _get(session, project_id)
    project.channel_id, project.channel_name = channel_id, channel_name
    events.record(
        session=session,
        kind="project.channel_created",
        actor=events.SYSTEM,
        at=now,
        project_id=project_id,
        after={"channel_id": channel_id, "name": channel_name},
    )


def record_messages(
    *, session: Session, project_id: int, welcome_ts: str | None, checklist_ts: list[str]
) -> None:
    """Remember where the welcome message and the checklist messages are, to edit them later."""
    project = _get(session, project_id)
    if welcome_ts is not None:
        project.welcome_ts = welcome_ts
    project.checklist_ts = list(checklist_ts)


def customer_member(*, session: Session, project_id: int, user_id: str) -> Stakeholder | None:
    """The customer-side stakeholder record of `user_id` on the project, if any."""
    for person in project_rows.stakeholders(session=session, project_id=project_id):
        if person.slack_user_id == user_id and person.side == "customer":
            return person
    return None


def assign_role(
    *,
    session: Session,
    project_id: int,
    user_id: str,
    role: str,
    is_external: bool,
    actor: str,
    now: datetime,
    team_id: str | None = None,
) -> Stakeholder:
    """Link a Slack user to a customer role by hand (`/onboard assign`, or the CSM's answer
    about someone who joined).

    Champion and decision-maker are single seats: the new person takes the seat (an invited
    e-mail without a Slack user is replaced, its e-mail kept), the previous holder stays as
    a member.
    """
    people = project_rows.stakeholders(session=session, project_id=project_id)
    before = {p.id: p.role for p in people}
    mine = next((p for p in people if p.slack_user_id == user_id), None)
    if role != StakeholderRole.MEMBER:
        for holder in people:
            if holder.role == role and holder is not mine:
                if holder.slack_user_id is None:
                    if mine is None:
                        mine = holder  # the invited seat is filled by this person
                    else:
                        mine.email = mine.email or holder.email
                        session.delete(holder)
                else:
                    holder.role = StakeholderRole.MEMBER
    if mine is None:
        mine = Stakeholder(project_id=project_id, role=role, side="customer")
    mine.slack_user_id, mine.role, mine.side, mine.is_external = (
        user_id,
        role,
        "customer",
        is_external,
    )
    mine.team_id = team_id or mine.team_id
    mine.joined_at = mine.joined_at or now
    session.add(mine)
    session.flush()
    events.record(
        session=session,
        kind="stakeholder.assigned",
        actor=actor,
        at=now,
        project_id=project_id,
        before={"role": before.get(mine.id)},
        after={"role": role, "user_id": user_id},
    )
    return mine


def blackouts(*, session: Session, project_id: int) -> list[DateRange]:
    rows = project_rows.blackouts(session=session, project_id=project_id)
    return [DateRange(row.start, row.end) for row in rows]


def project_view(*, session: Session, project: Project) -> ProjectView:
    """Everything needed to render a project, in its own locale."""
    assert project.id is not None
    people = project_rows.stakeholders(session=session, project_id=project.id)
    rows = task_rows.of_project(session=session, project_id=project.id)
    return _view(project, people, rows)


def projects_by_id(*, session: Session, project_ids: Sequence[int]) -> dict[int, Project]:
    return {
        p.id: p
        for p in project_rows.many(session=session, project_ids=project_ids)
        if p.id is not None
    }


def project_views(*, session: Session, projects: Sequence[Project]) -> dict[int, ProjectView]:
    """`project_view` of many projects with two statements (per bounded piece), not two
    per project."""
    ids = [p.id for p in projects if p.id is not None]
    people: defaultdict[int, list[Stakeholder]] = defaultdict(list)
    for person in project_rows.stakeholders_of(session=session, project_ids=ids):
        people[person.project_id].append(person)
    rows: defaultdict[int, list[Task]] = defaultdict(list)
    for row in task_rows.of_projects(session=session, project_ids=ids):
        rows[row.project_id].append(row)
    return {p.id: _view(p, people[p.id], rows[p.id]) for p in projects if p.id is not None}


def blackouts_of(*, session: Session, project_ids: Sequence[int]) -> dict[int, list[DateRange]]:
    """Each project's blackout periods, in one statement (per bounded piece)."""
    found: defaultdict[int, list[DateRange]] = defaultdict(list)
    for row in project_rows.blackouts_of(session=session, project_ids=project_ids):
        found[row.project_id].append(DateRange(row.start, row.end))
    return found


def _view(project: Project, people: Sequence[Stakeholder], rows: Sequence[Task]) -> ProjectView:
    assert project.id is not None
    locale = project.locale
    playbook = Playbook.model_validate(project.playbook_snapshot)
    by_role = {p.role: p.slack_user_id for p in people if p.slack_user_id}
    tasks = tuple(
        TaskView(
            id=row.id,  # type: ignore[arg-type]  # a stored row's id is never None (the model types it int | None for new rows)
            key=row.key,
            phase=row.phase,
            title=row.title_ja if locale == "ja" else row.title_en,
            why=row.why_ja if locale == "ja" else row.why_en,
            owner_side=row.owner_side,
            owner_role=row.owner_role,
            owner_user_id=by_role.get(OWNER_FOR_ROLE.get(row.owner_role, "")),
            due=row.due,
            planned_due=row.planned_due,
            status=row.status,
            required=row.required,
            completed_by=row.completed_by,
            completed_on=row.completed_on,
            replan_count=row.replan_count,
        )
        for row in rows
    )
    return ProjectView(
        id=project.id,
        customer_name=project.customer_name,
        locale=locale,
        playbook_title=playbook.title.get(locale),  # type: ignore[arg-type]  # the project's locale is one of LOCALES (checked when stored); the model types it str
        status=project.status,
        running=project.status in RUNNING_STATUSES,
        kickoff=project.kickoff,
        target_go_live=project.target_go_live,
        csm_user_id=by_role.get(StakeholderRole.CSM),
        champion_user_id=by_role.get(StakeholderRole.CHAMPION),
        decision_maker_user_id=by_role.get(StakeholderRole.DECISION_MAKER),
        channel_id=project.channel_id,
        goal=playbook.goal.get(locale),  # type: ignore[arg-type]  # the project's locale is one of LOCALES (checked when stored); the model types it str
        completion_criteria=tuple(c.get(locale) for c in playbook.completion_criteria),  # type: ignore[arg-type]  # the project's locale is one of LOCALES (checked when stored); the model types it str
        phases=tuple(PhaseView(p.id, p.title.get(locale)) for p in playbook.phases),  # type: ignore[arg-type]  # the project's locale is one of LOCALES (checked when stored); the model types it str
        tasks=tasks,
        customer_user_ids=tuple(
            p.slack_user_id for p in people if p.side == "customer" and p.slack_user_id
        ),
    )


def local_today(project: Project, now: datetime) -> date:
    """The date in the project's time zone."""
    return now.astimezone(ZoneInfo(project.timezone)).date()


def _get(session: Session, project_id: int) -> Project:
    project = project_rows.get(session=session, project_id=project_id)
    if project is None:
        raise LookupError(f"project {project_id} not found")
    return project


def discard_project(*, session: Session, project_id: int) -> None:
    """Remove a project whose kickoff failed before it had a channel (nothing was shown)."""
    project = project_rows.get(session=session, project_id=project_id)
    if project is not None and project.channel_id is None:
        session.delete(project)
