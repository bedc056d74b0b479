"""SQLModel tables. Storage knows nothing of Slack beyond opaque ids it keeps for others."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class ProjectStatus(StrEnum):
    STARTING = "starting"  # rows written, channel or checklist not yet there: no jobs touch it
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DELETED = "deleted"  # `onboardbot project delete`: forgotten; no job touches it again


# The one definition of the lifecycle's two groups. Services test `status in RUNNING_STATUSES`
# or `col(Project.status).in_(RUNNING_STATUSES)`. The pure domain never imports this module: a
# service tells it with `ProjectFacts.running`, and the domain's own state words (paused,
# completed, cancelled, deleted) are pinned to these values by tests/storage/test_statuses.py.
RUNNING_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.PAUSED)  # live: jobs and buttons work
ENDED_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED)  # closed by the CSM


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"


class StakeholderRole(StrEnum):
    CSM = "csm"
    CHAMPION = "champion"
    DECISION_MAKER = "decision_maker"
    MEMBER = "member"


class Project(SQLModel, table=True):
    """One customer's onboarding project."""

    id: int | None = Field(default=None, primary_key=True)
    customer_name: str = Field(max_length=200)
    playbook_name: str = Field(max_length=100)
    playbook_version: int
    locale: str = Field(default="ja", max_length=5)
    timezone: str = Field(default="Asia/Tokyo", max_length=64)
    holiday_country: str = Field(default="JP", max_length=8)
    kickoff: date
    target_go_live: date | None = None
    fiscal_year_end_month: int = 3
    status: str = Field(default=ProjectStatus.ACTIVE, max_length=16, index=True)
    paused_until: date | None = None
    team_id: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32, unique=True)
    channel_name: str | None = Field(default=None, max_length=80)
    welcome_ts: str | None = Field(default=None, max_length=32)
    checklist_ts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The playbook as it was at kickoff: later edits of the YAML don't change a running project.
    playbook_snapshot: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    close_reason: str | None = Field(default=None, max_length=2000)
    committed_go_live: date | None = None  # the date the customer committed to when planning
    checkin_after_days: int = 30  # adoption check-in, calendar days after completion
    # Reminder and escalation policy, copied from the playbook at kickoff.
    reminder_lead_days: int = 2
    csm_after_days: int = 2
    decision_maker_after_days: int = 5
    decision_maker_overdue_tasks: int = 3
    # `csm`: the decision-maker's message waits for the CSM's Send; `auto`: sent at once;
    # None: the global ESCALATION_APPROVAL setting.
    escalation_approval: str | None = Field(default=None, max_length=8)
    close_reason_shared: bool = False  # the CSM chose `--share-reason` when closing
    # While `starting`: who is setting the project up in Slack and until when (a lease, so
    # an interrupted start is finished or rolled back by another worker), and how far it got.
    start_claimed_by: str | None = Field(default=None, max_length=80)
    start_lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    start_step: str | None = Field(default=None, max_length=16)  # a StartStep value
    # The CRM's id for the deal (HTTP API): one project per external id, ever.
    external_id: str | None = Field(default=None, max_length=200, unique=True)
    # The time of the latest recorded event (API paging by `updated_since`).
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class Stakeholder(SQLModel, table=True):
    """A person on a project: the CSM, the champion, the decision-maker or another member."""

    __table_args__ = (Index("ix_stakeholder_project_user", "project_id", "slack_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)  # a StakeholderRole value
    side: str = Field(max_length=8)  # "customer" or "vendor"
    slack_user_id: str | None = Field(default=None, max_length=32, index=True)
    email: str | None = Field(default=None, max_length=254)
    name: str | None = Field(default=None, max_length=200)
    is_external: bool = False
    team_id: str | None = Field(default=None, max_length=32)  # the person's Slack team
    joined_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tz: str | None = Field(default=None, max_length=64)  # from users.info, refreshed daily
    locale: str | None = Field(default=None, max_length=16)
    profile_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    snoozed_until: date | None = None  # no reminders through this day (their own choice)


class Task(SQLModel, table=True):
    """A dated task of a project, copied from the playbook when the project starts."""

    __table_args__ = (UniqueConstraint("project_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=100)  # the playbook task id
    position: int
    phase: str = Field(max_length=100)
    title_ja: str = Field(max_length=500)
    title_en: str = Field(max_length=500)
    why_ja: str = Field(max_length=1000)
    why_en: str = Field(max_length=1000)
    owner_side: str = Field(max_length=8)
    owner_role: str = Field(max_length=32)
    owner_id: int | None = Field(default=None, foreign_key="stakeholder.id", ondelete="SET NULL")
    start_date: date
    planned_due: date
    due: date = Field(index=True)
    required: bool = True
    first_value: bool = False
    depends_on: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=TaskStatus.OPEN, max_length=16, index=True)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_on: date | None = None  # the completion day in the project's time zone
    completed_by: str | None = Field(default=None, max_length=32)
    replan_count: int = 0


class Blackout(SQLModel, table=True):
    """A period in which the customer cannot work on onboarding (e.g. fiscal year-end close)."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    start: date
    end: date
    label: str | None = Field(default=None, max_length=200)


class Event(SQLModel, table=True):
    """Append-only log of every change: who did what, when, with the values before and after."""

    __table_args__ = (Index("ix_event_project_at", "project_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", ondelete="CASCADE")
    task_id: int | None = Field(default=None, foreign_key="task.id", ondelete="SET NULL")
    kind: str = Field(max_length=64, index=True)
    actor: str = Field(max_length=64)  # a Slack user id, or "system"
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class OutboxStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last try


class Outbox(SQLModel, table=True):
    """A message the bot has decided to send, written before it is sent.

    The unique `key` (kind, person or task, local date or level) makes deciding twice
    harmless; claiming with a lease makes sending once, also with several replicas.
    """

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32, index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", ondelete="CASCADE")
    recipient: str = Field(max_length=32)  # a user id (DM) or a channel id
    thread_ts: str | None = Field(default=None, max_length=32)
    fallback_channel: str | None = Field(default=None, max_length=32)  # when a DM is refused
    fallback_thread_ts: str | None = Field(default=None, max_length=32)
    text: str
    blocks: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    fallback_text: str | None = None
    fallback_blocks: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    task_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    local_date: date | None = None
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_channel: str | None = Field(default=None, max_length=32)
    sent_ts: str | None = Field(default=None, max_length=32)
    delivered_via: str | None = Field(default=None, max_length=16)  # "dm" | "channel"
    last_error: str | None = Field(default=None, max_length=200)


class HandledRequest(SQLModel, table=True):
    """A request (or a claim such as "a start for this customer is under way") that must
    take effect once: its key is written in the same transaction as its effect."""

    key: str = Field(primary_key=True, max_length=200)
    project_id: int | None = Field(
        default=None, foreign_key="project.id", index=True, ondelete="CASCADE"
    )
    at: datetime = Field(sa_type=UTCDateTime)


class JobRun(SQLModel, table=True):
    """One scheduled run of a job: the unique slot makes it run once across replicas."""

    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    slot: datetime = Field(sa_type=UTCDateTime)  # the fire time this run stands for
    runner: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=200)


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Risk(SQLModel, table=True):
    """A delay risk found with the customer (e.g. a busy period, a likely reason to slip)."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)  # busy_period | slip_reason | initiatives | go_live
    reason: str | None = Field(default=None, max_length=32)  # a SLIP_REASONS value
    text: str | None = Field(default=None, max_length=2000)
    period_start: date | None = None
    period_end: date | None = None
    said_by: str = Field(max_length=32)
    said_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=RiskStatus.OPEN, max_length=16)
    closed_by: str | None = Field(default=None, max_length=32)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyAnswer(SQLModel, table=True):
    """The champion's answers at completion: satisfaction (CSAT 1-5), recommend (NPS 0-10)."""

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    user_id: str = Field(max_length=32)
    csat: int | None = None
    nps: int | None = None
    comment: str | None = Field(default=None, max_length=3000)
    answered_at: datetime = Field(sa_type=UTCDateTime)


class EscalationStatus(StrEnum):
    DRAFT = "draft"  # the CSM has not answered yet: nothing went to the decision-maker
    SENT = "sent"  # queued for the decision-maker (auto, or the CSM pressed Send)
    SKIPPED = "skipped"  # the CSM chose not to send it (reason kept)
    WAITING = "waiting"  # no decision-maker linked: the CSM was told how to link one
    NOTED = "noted"  # only tasks she owns herself: the CSM was told, nothing to her
    WITHDRAWN = "withdrawn"  # the project ended before the CSM answered


class Escalation(SQLModel, table=True):
    """One decision-maker step of one project on one business day (its `key` makes it
    once per project and day): the message to her as it was drafted, and what became of it."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    local_date: date
    status: str = Field(default=EscalationStatus.DRAFT, max_length=16, index=True)
    approval: str = Field(max_length=8)  # "csm" | "auto", as it was decided
    csm_user_id: str | None = Field(default=None, max_length=32)
    decision_maker_user_id: str | None = Field(default=None, max_length=32)
    task_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    own_task_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    text: str = ""  # the message to the decision-maker (fallback text)
    blocks: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    edited: bool = False
    reason: str | None = Field(default=None, max_length=500)  # why the CSM skipped it
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EscalatedTask(SQLModel, table=True):
    """A task that reached a step for one due date: never again at that step for that date."""

    __table_args__ = (UniqueConstraint("task_id", "due", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    task_id: int = Field(foreign_key="task.id", ondelete="CASCADE")
    due: date
    step: str = Field(max_length=16)  # "decision_maker" | "waiting" | "own"


class WebhookStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last try


class WebhookDelivery(SQLModel, table=True):
    """One event for one receiver, written in the transaction that made the event: the
    unique (event id, receiver) pair makes it once; a lease makes one sender at a time."""

    __table_args__ = (
        UniqueConstraint("event_id", "receiver"),
        Index("ix_webhookdelivery_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64)
    event_type: str = Field(max_length=64)
    receiver: str = Field(max_length=2000)  # the URL, as configured in WEBHOOK_URLS
    project_id: int | None = Field(default=None, index=True)  # no foreign key: history
    body: str  # the JSON sent, exactly as signed
    status: str = Field(default=WebhookStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=200)
