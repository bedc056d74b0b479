"""What the CSM's morning summary needs beyond the open tasks: waiting drafts, who has
joined, busy periods, open risks, snoozes, and each CSM's time zone (set-based reads)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from bot.domain.summary import ProjectExtras, WaitingDraft
from storage.models import (
    Escalation,
    EscalationStatus,
    Project,
    Risk,
    RiskStatus,
    Stakeholder,
    StakeholderRole,
)


def extras(
    *, session: Session, project_ids: Sequence[int], today: date
) -> dict[int, ProjectExtras]:
    """Per project: unanswered drafts, whether a customer joined, open busy periods,
    open risks and people whose reminders are snoozed past `today`.

    A project started today (UTC) counts as joined: its invitations went out hours ago,
    and "nobody has joined yet" would only be noise on the CSM's kickoff day."""
    ids = list(project_ids)
    if not ids:
        return {}
    drafts = _waiting_drafts(session, ids)
    customers: dict[int, list[Stakeholder]] = defaultdict(list)
    snoozed: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for person in session.exec(
        select(Stakeholder)
        .where(col(Stakeholder.project_id).in_(ids))
        .order_by(col(Stakeholder.id))
    ):
        if person.side == "customer":
            customers[person.project_id].append(person)
        until = person.snoozed_until
        if person.slack_user_id and until is not None and until >= today:
            snoozed[person.project_id].append((person.slack_user_id, until))
    started_today = set(
        session.exec(
            select(Project.id).where(
                col(Project.id).in_(ids),
                col(Project.created_at) >= datetime.combine(today, time(), tzinfo=UTC),
            )
        )
    )
    busy: dict[int, list[tuple[date, date]]] = defaultdict(list)
    risks: dict[int, int] = defaultdict(int)
    for risk in session.exec(
        select(Risk).where(col(Risk.project_id).in_(ids), col(Risk.status) == RiskStatus.OPEN)
    ):
        risks[risk.project_id] += 1
        if risk.kind == "busy_period" and risk.period_start and risk.period_end:
            busy[risk.project_id].append((risk.period_start, risk.period_end))
    return {
        pid: ProjectExtras(
            drafts=tuple(drafts[pid]),
            joined=pid in started_today
            or not customers[pid]
            or any(p.slack_user_id for p in customers[pid]),
            busy_periods=tuple(sorted(busy[pid])),
            open_risks=risks[pid],
            snoozed=tuple(snoozed[pid]),
        )
        for pid in ids
    }


def _waiting_drafts(session: Session, ids: list[int]) -> dict[int, list[WaitingDraft]]:
    """Each project's drafts the CSM has not answered yet, oldest first."""
    drafts: dict[int, list[WaitingDraft]] = defaultdict(list)
    for e in session.exec(
        select(Escalation)
        .where(
            col(Escalation.project_id).in_(ids),
            col(Escalation.status) == EscalationStatus.DRAFT,
        )
        .order_by(col(Escalation.id))
    ):
        assert e.id is not None
        drafts[e.project_id].append(WaitingDraft(e.id, e.local_date, len(e.task_ids)))
    return drafts


def csm_zones(*, session: Session, project_ids: Sequence[int]) -> dict[str, str | None]:
    """Each CSM's time zone as Slack last told it (None: not known yet)."""
    zones: dict[str, str | None] = {}
    ids = list(project_ids)
    if not ids:
        return zones
    for user_id, tz in session.exec(
        select(Stakeholder.slack_user_id, Stakeholder.tz).where(
            col(Stakeholder.project_id).in_(ids),
            col(Stakeholder.role) == StakeholderRole.CSM,
            col(Stakeholder.slack_user_id).is_not(None),
        )
    ):
        if user_id and (zones.get(user_id) is None):
            zones[user_id] = tz
    return zones
