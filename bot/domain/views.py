"""Read models handed from services to Block Kit rendering. Pure dataclasses, no storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class TaskView:
    id: int  # database id, carried in button values
    key: str  # playbook task id
    phase: str  # phase id
    title: str  # in the project's locale
    why: str
    owner_side: str  # "customer" | "vendor"
    owner_role: str  # champion | decision_maker | csm | customer_member | vendor_member
    owner_user_id: str | None  # Slack user id of the owner, when known
    due: date
    planned_due: date
    status: str  # "open" | "done" | "skipped"
    required: bool = True
    completed_by: str | None = None
    completed_on: date | None = None
    replan_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class PhaseView:
    id: str
    title: str


@dataclass(frozen=True)
class ProjectView:
    id: int
    customer_name: str
    locale: str
    playbook_title: str
    status: str  # active | paused | completed | cancelled
    kickoff: date
    target_go_live: date | None
    csm_user_id: str | None
    champion_user_id: str | None
    decision_maker_user_id: str | None
    channel_id: str | None
    goal: str = ""
    completion_criteria: tuple[str, ...] = ()
    phases: tuple[PhaseView, ...] = ()
    tasks: tuple[TaskView, ...] = field(default_factory=tuple)
    # Slack ids of the customer's people on the project (named with 様 in Japanese).
    customer_user_ids: tuple[str, ...] = ()
    # on_track | at_risk | late | paused | completed | cancelled (bot.services.health);
    # None where the renderer was not given it.
    health: str | None = None
    running: bool = False  # the caller's word (storage.models.RUNNING_STATUSES)

    @property
    def progress(self) -> tuple[int, int]:
        """(done, total); skipped tasks count in neither."""
        counted = [t for t in self.tasks if t.status != "skipped"]
        return sum(1 for t in counted if t.status == "done"), len(counted)

    def overdue(self, today: date) -> list[TaskView]:
        return [t for t in self.tasks if t.is_open and t.due < today]

    def next_due(self, today: date) -> TaskView | None:
        upcoming = [t for t in self.tasks if t.is_open and t.due >= today]
        return min(upcoming, key=lambda t: (t.due, t.id), default=None)


@dataclass(frozen=True)
class RiskView:
    id: int
    kind: str  # busy_period | slip_reason | initiatives | go_live
    reason: str | None  # a SLIP_REASONS value for slip_reason
    text: str | None  # as the customer wrote it (escape before posting)
    period_start: date | None
    period_end: date | None
    said_by: str
    status: str  # open | closed


@dataclass(frozen=True)
class HabitView:
    id: str
    title: str  # in the project's locale
    why: str


@dataclass(frozen=True)
class HomeProject:
    """One line of a CSM's App Home."""

    project: ProjectView
    overdue: int
    open_risks: int
    state: str  # on_track | at_risk | late | paused
