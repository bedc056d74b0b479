"""Scheduled jobs: plain functions of an explicit `now`. The scheduler only decides when.

Each job decides what to send, writes it to the outbox (a unique key per message makes a
second decision harmless), then sends what the outbox holds.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.blocks.adoption import checkin_message, habit_nudge
from bot.blocks.escape import escape
from bot.blocks.forward import Why, forward_message
from bot.blocks.message import Message
from bot.blocks.reminder import reminder_message
from bot.blocks.replies import reply
from bot.blocks.schedule import risk_reminder
from bot.deps import Deps
from bot.domain.reminders import (
    DecisionMakerStep,
    EscalationDraft,
    ProjectInfo,
    ReminderDraft,
    plan_decision_maker_steps,
    plan_reminders,
)
from bot.domain.views import HabitView
from bot.flows import escalations as escalation_flow
from bot.flows import summary as summary_flow
from bot.flows.digest import post_weekly
from bot.flows.kickoff import recover_starts
from bot.flows.outbox import dispatch, outbox_row
from bot.flows.webhooks import deliver
from bot.services import completion as completion_service
from bot.services import onboarding_checks
from bot.services import schedule as schedule_service
from bot.services.projects import project_views, projects_by_id
from bot.services.reminders import (
    load_portfolio,
    people_to_refresh,
    project_calendars,
    resume_due,
    save_profile,
)
from bot.slack.gateway import SlackError
from storage import outbox as outbox_rows
from storage import webhooks as webhook_rows
from storage.db import session_scope

logger = logging.getLogger(__name__)
_Draft = TypeVar("_Draft", ReminderDraft, EscalationDraft)
PROFILE_MAX_AGE = timedelta(days=1)
# users.info is Tier 4 (100 a minute, shared with what people are waiting on): a run takes
# no more than a burst's worth, so the morning never waits on its pacing; people never
# looked up come first. Every 10 minutes that is 5,760 profiles a day.
PROFILES_PER_RUN = 40


@dataclass
class JobReport:
    """What a run decided and did; a dry run fills `planned` and sends nothing."""

    job: str
    planned: list[str] = field(default_factory=list)  # one readable line per message
    enqueued: int = 0
    sent: int = 0
    failed: int = 0

    def summary(self) -> str:
        return f"{self.job}: {len(self.planned)} planned, {self.enqueued} new, {self.sent} sent, {self.failed} failed"


def reminders(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Each task owner's reminder for their day, at the reminder hour of their time zone."""
    report = JobReport("reminders")
    if not dry_run:  # a dry run neither calls Slack nor writes: it plans with the zones known
        _refresh_profiles(deps, now=now)
        with session_scope(deps.engine) as session:
            resume_due(session=session, now=now)
    enqueue_reminders(deps, report, now=now, dry_run=dry_run)
    return _send(deps, report, now=now, dry_run=dry_run)


def enqueue_reminders(deps: Deps, report: JobReport, *, now: datetime, dry_run: bool) -> None:
    """The reminders part of the morning that writes the outbox (no Slack call)."""
    drafts = _planned(deps, plan_reminders, now=now)
    unsent = _unsent(deps, [d.key for d in drafts])
    rows = [_reminder_row(d) for d in drafts if d.key in unsent]  # render only what is new
    _enqueue(deps, report, rows, now=now, dry_run=dry_run)


def escalations(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """The escalation ladder: the decision-maker step (at most once per project and day; a
    draft for the CSM to approve in `csm` mode; the CSM told how to link her when none is
    linked), and each CSM's morning summary (their overdue tasks and alerts, drafts waiting,
    their own tasks), once per CSM and business morning in their time zone."""
    report = JobReport("escalations")
    enqueue_escalations(deps, report, now=now, dry_run=dry_run)
    return _send(deps, report, now=now, dry_run=dry_run)


def enqueue_escalations(deps: Deps, report: JobReport, *, now: datetime, dry_run: bool) -> None:
    """The escalations part of the morning that writes the outbox (no Slack call)."""
    with session_scope(deps.engine) as session:
        portfolio = load_portfolio(session=session)
    reached = escalation_flow.reached(deps)
    calendar_for = project_calendars(portfolio, deps.calendar)
    planning = {
        "now": now,
        "projects": portfolio.projects,
        "tasks": portfolio.tasks,
        "calendar_for": calendar_for,
        "reminder_hour": deps.settings.reminder_hour,
    }
    steps = plan_decision_maker_steps(**planning, reached=reached)
    with session_scope(deps.engine) as session:
        sent_counts = _reminders_sent(session, _step_drafts(steps))
    recorded = escalation_flow.record_steps(
        deps, steps, now=now, reminders_sent=sent_counts, dry_run=dry_run
    )
    # The CSM's alerts are in their morning summary (one DM per CSM and business morning),
    # with unanswered drafts, their own tasks and the rest: no separate DM per task.
    rows = summary_flow.summary_rows(
        deps,
        now=now,
        projects=portfolio.projects,
        tasks=portfolio.tasks,
        calendar_for=calendar_for,
    )
    _enqueue(deps, report, rows, now=now, dry_run=dry_run)
    report.planned += recorded.planned
    report.enqueued += recorded.recorded


def send_outbox(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Send what is due in the outbox (retries with backoff, rows left by a dead worker),
    after finishing or rolling back `/onboard start`s whose worker died (their CSM is
    told through the outbox)."""
    report = JobReport("outbox")
    if dry_run:
        with session_scope(deps.engine) as session:
            report.planned = [
                f"{r.key} → {r.recipient}"
                for r in outbox_rows.rows(session=session, status="pending")
            ]
        return report
    recover_starts(deps, now=now)
    result = dispatch(deps, now=now)
    report.sent, report.failed = len(result.sent), len(result.failed)
    return report


def join_check(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Tell the CSM when nobody from the customer has joined 3 business days after kickoff."""
    report = JobReport("join_check")
    with session_scope(deps.engine) as session:
        waiting = onboarding_checks.nobody_joined(
            session=session, now=now, calendar_for=lambda country: deps.calendar(country)
        )
    waiting = [item for item in waiting if item.csm_user_id]
    unsent = _unsent(deps, [f"join-check:{item.project_id}" for item in waiting])
    rows = []
    for item in waiting:
        key = f"join-check:{item.project_id}"
        if key not in unsent:
            continue  # told before: not rendered again
        message = reply(
            item.locale,
            "joincheck.nobody_joined",
            customer=escape(item.customer_name),
            channel=f"<#{item.channel_id}>",
            emails=", ".join(escape(e) for e in item.emails) or "—",
        )
        assert item.csm_user_id is not None
        rows.append(
            outbox_row(key, "join_check", item.csm_user_id, message, project_id=item.project_id)
        )
    return _enqueue_and_send(deps, report, rows, now=now, dry_run=dry_run)


def risk_reminders(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """The day before a customer's busy period starts, remind the CSM."""
    report = JobReport("risk_reminders")
    rows = []
    with session_scope(deps.engine) as session:
        due = schedule_service.periods_starting_tomorrow(
            session=session, now=now, reminder_hour=deps.settings.reminder_hour
        )
        unsent = _unsent(deps, [f"risk:{risk.id}:{risk.period_start}" for risk, _ in due])
        due = [(r, pid) for r, pid in due if f"risk:{r.id}:{r.period_start}" in unsent]
        projects = projects_by_id(session=session, project_ids=sorted({pid for _, pid in due}))
        views = project_views(session=session, projects=list(projects.values()))
        for risk, project_id in due:
            view = views[project_id]
            if not view.csm_user_id:
                continue
            rows.append(
                outbox_row(
                    f"risk:{risk.id}:{risk.period_start}",
                    "risk_reminder",
                    view.csm_user_id,
                    risk_reminder(view, risk),
                    project_id=project_id,
                )
            )
    return _enqueue_and_send(deps, report, rows, now=now, dry_run=dry_run)


def digest(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """The weekly digest to CS_TEAM_CHANNEL (once per week)."""
    report = JobReport("digest")
    report.planned = post_weekly(deps, now=now, dry_run=dry_run)
    return report


def adoption(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """The adoption check-in after completion, and weekly habit nudges in the first month."""
    report = JobReport("adoption")
    rows = []
    with session_scope(deps.engine) as session:
        due = completion_service.adoption_due(
            session=session, now=now, reminder_hour=deps.settings.reminder_hour
        )
        unsent = _unsent(deps, [item.key for item in due])
        due = [item for item in due if item.key in unsent]
        projects = projects_by_id(
            session=session, project_ids=sorted({item.project_id for item in due})
        )
        views = project_views(session=session, projects=list(projects.values()))
        for item in due:
            project, view = projects[item.project_id], views[item.project_id]
            assert project.channel_id is not None
            if item.kind == "checkin":
                message = checkin_message(view, days_since=item.days_since)
            else:
                habits = [
                    HabitView(h["id"], h["title"][project.locale], h["why"][project.locale])
                    for h in project.playbook_snapshot.get("adoption_habits", [])
                ]
                if not habits:
                    continue
                message = habit_nudge(view, habits, week=item.week)
            rows.append(
                outbox_row(item.key, "adoption", project.channel_id, message, project_id=project.id)
            )
    return _enqueue_and_send(deps, report, rows, now=now, dry_run=dry_run)


def webhooks(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Deliver the outgoing webhooks that are due (retries with backoff, rows left by a
    dead sender)."""
    report = JobReport("webhooks")
    if dry_run:
        with session_scope(deps.engine) as session:
            report.planned = [
                f"{r.event_type} {r.event_id} → {r.receiver}"
                for r in webhook_rows.rows(session=session, status="pending")
            ]
        return report
    result = deliver(deps, now=now)
    report.sent, report.failed = len(result.delivered), len(result.failed)
    return report


JOBS: dict[str, Callable[..., JobReport]] = {
    "reminders": reminders,
    "escalations": escalations,
    "outbox": send_outbox,
    "join_check": join_check,
    "risk_reminders": risk_reminders,
    "adoption": adoption,
    "digest": digest,
    "webhooks": webhooks,
}


# -- helpers -----------------------------------------------------------------------------
def _planned(deps: Deps, planner: Callable[..., list[_Draft]], *, now: datetime) -> list[_Draft]:
    """Read the running projects' open tasks and plan with `planner` for `now`."""
    with session_scope(deps.engine) as session:
        portfolio = load_portfolio(session=session)
    return planner(
        now=now,
        projects=portfolio.projects,
        tasks=portfolio.tasks,
        calendar_for=project_calendars(portfolio, deps.calendar),
        reminder_hour=deps.settings.reminder_hour,
    )


def _refresh_profiles(deps: Deps, *, now: datetime) -> None:
    """Keep people's time zones current (users.info, a few hundred per run at most)."""
    with session_scope(deps.engine) as session:
        stale = people_to_refresh(
            session=session, before=now - PROFILE_MAX_AGE, limit=PROFILES_PER_RUN
        )
    for _, user_id in stale:
        try:
            info = deps.directory.user(user_id)
        except SlackError as exc:
            logger.warning("users.info failed for a stakeholder: %s", exc.code)
            continue
        with session_scope(deps.engine) as session:
            save_profile(
                session=session,
                user_id=user_id,
                tz=info.tz if info else None,
                locale=info.locale if info else None,
                now=now,
            )


def _unsent(deps: Deps, keys: list[str]) -> set[str]:
    """Which of `keys` the outbox does not hold yet: only those are rendered."""
    with session_scope(deps.engine) as session:
        known = outbox_rows.existing_keys(session=session, keys=keys)
    return set(keys) - known


def _reminders_sent(session: Any, drafts: list[EscalationDraft]) -> dict[int, int]:
    """How many reminders have reached each task's owner so far (for the CSM's alert)."""
    wanted = {task_id for d in drafts for task_id in d.task_ids}
    counts: dict[int, int] = defaultdict(int)
    projects = sorted({d.project.id for d in drafts})
    for task_ids in outbox_rows.sent_task_ids(
        session=session, kind="reminder", project_ids=projects
    ):
        for task_id in task_ids:
            if task_id in wanted:
                counts[task_id] += 1
    return counts


def _reminder_row(draft: ReminderDraft) -> dict[str, Any]:
    """A reminder's outbox row: the DM, with what to do if Slack refuses it."""
    first = draft.items[0][0]
    message = reminder_message(draft)
    row = functools.partial(
        outbox_row,
        draft.key,
        "reminder",
        project_id=first.id,
        task_ids=draft.task_ids,
        local_date=draft.local_date,
    )
    if draft.channel_id is not None:
        return row(draft.channel_id, message, thread_ts=draft.thread_ts)
    if draft.forward_to is not None:
        return row(draft.forward_to, _forwarded(first, message, Why.NOT_ON_SLACK))
    assert draft.user_id is not None
    if draft.is_decision_maker:
        # Never a mention in the shared channel: the CSM passes it on.
        if not first.csm_user_id:
            return row(draft.user_id, message)
        fallback = _forwarded(first, message, Why.DM_REFUSED, user_id=draft.user_id)
        return row(draft.user_id, message, fallback=fallback, fallback_channel=first.csm_user_id)
    if not first.channel_id:
        return row(draft.user_id, message)
    mention_draft = dataclasses.replace(
        draft, channel_id=first.channel_id, thread_ts=first.thread_ts
    )
    return row(
        draft.user_id,
        message,
        fallback=reminder_message(mention_draft),
        fallback_channel=first.channel_id,
        fallback_thread_ts=first.thread_ts,
    )


def _forwarded(
    project: ProjectInfo, inner: Message, why: Why, *, user_id: str | None = None
) -> Message:
    return forward_message(
        inner,
        locale=project.locale,
        customer=project.customer_name,
        why=why,
        user_id=user_id,
        email=None if user_id else project.decision_maker_email,
    )


def _step_drafts(steps: list[DecisionMakerStep]) -> list[EscalationDraft]:
    """Steps as drafts, only to count the reminders their tasks' owners got."""
    return [
        EscalationDraft(
            key=s.key,
            level="decision_maker_notice",
            project=s.project,
            tasks=s.tasks,
            recipient_user_id=None,
            forward=False,
            local_date=s.local_date,
        )
        for s in steps
    ]


def _enqueue_and_send(
    deps: Deps, report: JobReport, rows: list[dict[str, Any]], *, now: datetime, dry_run: bool
) -> JobReport:
    _enqueue(deps, report, rows, now=now, dry_run=dry_run)
    return _send(deps, report, now=now, dry_run=dry_run)


def _enqueue(
    deps: Deps, report: JobReport, rows: list[dict[str, Any]], *, now: datetime, dry_run: bool
) -> None:
    """Write the rows whose key is new (in bounded statements, whatever their number)."""
    with session_scope(deps.engine) as session:
        known = outbox_rows.existing_keys(session=session, keys=[r["key"] for r in rows])
    fresh = [r for r in rows if r["key"] not in known]
    report.planned += [f"{r['key']} → {r['recipient']}: {r['text'][:120]}" for r in fresh]
    if dry_run:
        return
    for row in fresh:
        row["next_attempt_at"] = now
        row["created_at"] = now
    with session_scope(deps.engine) as session:
        report.enqueued += outbox_rows.enqueue(session=session, rows=fresh)


def _send(deps: Deps, report: JobReport, *, now: datetime, dry_run: bool) -> JobReport:
    if dry_run:
        return report
    result = dispatch(deps, now=now)
    report.sent, report.failed = len(result.sent), len(result.failed)
    return report
