"""The adoption job: the check-in after completion, and weekly habit nudges in the first
month, in the project channel (once each)."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.adoption import checkin_message, habit_nudge
from bot.deps import Deps
from bot.domain.views import HabitView
from bot.flows.job_report import JobReport, Queued, queue, report, unsent
from bot.flows.outgoing import outbox_row
from bot.services import completion as completion_service
from bot.services.completion import AdoptionDue
from bot.services.outbox import OutboxMessage
from bot.services.projects import project_views, projects_by_id
from bot.services.session import unit_of_work

# Projects read, rendered and queued at a time: a month of completions at 50,000
# projects is thousands of check-ins and nudges, each with its project's view.
CHUNK = 500


def run(deps: Deps, *, now: datetime, dry_run: bool = False) -> JobReport:
    """Queue the check-ins and nudges due at `now`, a bounded number of projects at a
    time, then send."""
    with unit_of_work(deps.engine) as session:
        due = completion_service.adoption_due(
            session=session, now=now, reminder_hour=deps.settings.reminder_hour
        )
    new = unsent(deps, [item.key for item in due])
    due = [item for item in due if item.key in new]
    project_ids = sorted({item.project_id for item in due})
    queued = Queued()
    for start in range(0, len(project_ids), CHUNK):
        chunk = set(project_ids[start : start + CHUNK])
        rows = _rows(deps, [item for item in due if item.project_id in chunk], now=now)
        queued += queue(deps, rows, dry_run=dry_run)
    return report(deps, "adoption", queued, now=now, dry_run=dry_run)


def _rows(deps: Deps, due: list[AdoptionDue], *, now: datetime) -> list[OutboxMessage]:
    """The messages of `due`, rendered from their projects' views."""
    rows: list[OutboxMessage] = []
    with unit_of_work(deps.engine) as session:
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
                outbox_row(
                    item.key,
                    "adoption",
                    project.channel_id,
                    message,
                    project_id=project.id,
                    now=now,
                )
            )
    return rows
