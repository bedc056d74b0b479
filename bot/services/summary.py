"""What the CSM's morning summary needs beyond the open tasks: waiting drafts, who has
joined, busy periods, open risks, snoozes, and each CSM's time zone (set-based reads)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, case, func
from sqlmodel import Session, col, select

from bot.domain.languages import language_of
from bot.domain.reminders import LocalClock, ProjectInfo
from bot.domain.summary import ProjectExtras, WaitingDraft, csm_day
from storage.models import (
    Escalation,
    EscalationStatus,
    Project,
    Risk,
    RiskStatus,
    Stakeholder,
    StakeholderRole,
)


def for_run(
    *, session: Session, projects: Mapping[int, ProjectInfo], now: datetime, reminder_hour: int
) -> tuple[dict[int, ProjectExtras], dict[str, str | None]]:
    """What the summaries due at `now` need beyond the tasks: the CSMs' zones, and the
    extras of the projects whose CSM is within the reminder window (no other is read)."""
    zones = csm_zones(
        session=session, project_ids=[p.id for p in projects.values() if p.csm_user_id]
    )
    clock = LocalClock(now)
    due = [p.id for p in projects.values() if csm_day(clock, p, zones, reminder_hour) is not None]
    return extras(session=session, project_ids=due, today=now.date()), zones


def extras(
    *, session: Session, project_ids: Sequence[int], today: date
) -> dict[int, ProjectExtras]:
    """Per project of `project_ids` with any: unanswered drafts, whether a customer joined,
    open busy periods, open risks and people whose reminders are snoozed past `today`. A
    project left out has none of these (`bot.domain.summary.NO_EXTRAS`).

    A project started today (UTC) counts as joined: its invitations went out hours ago,
    and "nobody has joined yet" would only be noise on the CSM's kickoff day."""
    ids = list(project_ids)
    if not ids:
        return {}
    connection = session.connection()  # Core rows: tens of thousands, no ORM bookkeeping
    wanted = set(ids)
    drafts = _waiting_drafts(connection, ids)
    not_joined = _not_joined(connection, ids, today)
    snoozed: dict[int, list[tuple[str, date]]] = defaultdict(list)
    linked_snoozed: Sequence[Any] = connection.execute(
        select(
            col(Stakeholder.project_id),
            col(Stakeholder.slack_user_id),
            col(Stakeholder.snoozed_until),
        )
        .where(
            _among(Stakeholder.project_id, ids),
            _linked(),
            col(Stakeholder.snoozed_until) >= today,
        )
        .order_by(col(Stakeholder.id))
    ).all()
    for project_id, user_id, until in linked_snoozed:
        snoozed[project_id].append((user_id, until))
    busy: dict[int, list[tuple[date, date]]] = defaultdict(list)
    risks: dict[int, int] = defaultdict(int)
    for project_id, kind, start, end in connection.execute(
        select(
            col(Risk.project_id), col(Risk.kind), col(Risk.period_start), col(Risk.period_end)
        ).where(_among(Risk.project_id, ids), col(Risk.status) == RiskStatus.OPEN)
    ).all():
        risks[project_id] += 1
        if kind == "busy_period" and start and end:
            busy[project_id].append((start, end))
    found = {}
    for pid in wanted & (drafts.keys() | not_joined | busy.keys() | risks.keys() | snoozed.keys()):
        found[pid] = ProjectExtras(
            drafts=tuple(drafts.get(pid, ())),
            joined=pid not in not_joined,
            busy_periods=tuple(sorted(busy.get(pid, ()))),
            open_risks=risks.get(pid, 0),
            snoozed=tuple(snoozed.get(pid, ())),
        )
    return found


def _not_joined(connection: Connection, ids: list[int], today: date) -> set[int]:
    """Projects with people of the customer invited and none of them in Slack yet, other
    than those started today (UTC)."""
    # `created_at` is looked up only for projects nobody joined: on SQLite it sits past the
    # playbook snapshot in the row, and reading it for every project costs a page chain each.
    started_today = (
        select(col(Project.id))
        .where(
            col(Project.id) == col(Stakeholder.project_id),
            col(Project.created_at) >= datetime.combine(today, time(), tzinfo=UTC),
        )
        .exists()
    )
    invited_only = (
        select(col(Stakeholder.project_id))
        .where(_among(Stakeholder.project_id, ids), col(Stakeholder.side) == "customer")
        .group_by(col(Stakeholder.project_id))
        .having((func.count(case((_linked(), 1))) == 0) & ~started_today)
    )
    return set(connection.execute(invited_only).scalars())


def _linked() -> Any:
    """A person with a Slack account linked (an id, not empty)."""
    return col(Stakeholder.slack_user_id).is_not(None) & (col(Stakeholder.slack_user_id) != "")


def _waiting_drafts(connection: Connection, ids: list[int]) -> dict[int, list[WaitingDraft]]:
    """Each project's drafts the CSM has not answered yet, oldest first."""
    drafts: dict[int, list[WaitingDraft]] = defaultdict(list)
    rows: Sequence[Any] = connection.execute(
        select(
            col(Escalation.id),
            col(Escalation.project_id),
            col(Escalation.local_date),
            col(Escalation.task_ids),
        )
        .where(
            _among(Escalation.project_id, ids),
            col(Escalation.status) == EscalationStatus.DRAFT,
        )
        .order_by(col(Escalation.id))
    ).all()
    for draft_id, project_id, local_date, task_ids in rows:
        drafts[project_id].append(WaitingDraft(draft_id, local_date, len(task_ids)))
    return drafts


def csm_zones(*, session: Session, project_ids: Sequence[int]) -> dict[str, str | None]:
    """Each CSM's time zone as Slack last told it (None: not known yet)."""
    zones: dict[str, str | None] = {}
    ids = list(project_ids)
    if not ids:
        return zones
    # Slack's answer is saved on every row of the person: any known zone of theirs is it.
    for user_id, tz in session.connection().execute(
        select(col(Stakeholder.slack_user_id), func.max(col(Stakeholder.tz)))
        .where(
            _among(Stakeholder.project_id, ids),
            col(Stakeholder.role) == StakeholderRole.CSM,
            col(Stakeholder.slack_user_id).is_not(None),
        )
        .group_by(col(Stakeholder.slack_user_id))
    ):
        if user_id:
            zones[user_id] = tz
    return zones


def csm_locales(*, session: Session, user_ids: Sequence[str]) -> dict[str, str]:
    """Each CSM's language (`ja` or `en`) as Slack last told it; CSMs whose language is not
    known yet are left out."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.connection().execute(
        select(col(Stakeholder.slack_user_id), func.max(col(Stakeholder.locale)))
        .where(
            col(Stakeholder.slack_user_id).in_(ids),
            col(Stakeholder.role) == StakeholderRole.CSM,
            col(Stakeholder.locale).is_not(None),
        )
        .group_by(col(Stakeholder.slack_user_id))
    )
    return {user_id: language_of(locale) for user_id, locale in rows if user_id and locale}


def _among(column: Any, ids: Sequence[int]) -> Any:
    """Rows of projects from the lowest to the highest of `ids`: a superset, read without
    binding thousands of ids (the caller keeps those it asked for)."""
    return col(column).between(min(ids), max(ids))
