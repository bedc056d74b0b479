"""an index holding what the reminders and escalations runs read of each project (SQLite)

On SQLite these columns sit after the playbook snapshot (kilobytes of JSON) in each project
row, so reading them from the table follows every row's overflow pages: 0.4-0.7 s of the
planning at 50,000 projects. The index holds them all (SQLite reads it alone, a covering
index). PostgreSQL keeps large values out of line (TOAST), so the table's rows are short
there and it needs no such index (nor could `checklist_ts`, a json column, be a key).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns bot.services.reminders reads of each reminded project (its WHERE first).
COLUMNS = [
    "status",
    "id",
    "customer_name",
    "locale",
    "timezone",
    "holiday_country",
    "channel_id",
    "checklist_ts",
    "reminder_lead_days",
    "csm_after_days",
    "decision_maker_after_days",
    "decision_maker_overdue_tasks",
    "paused_until",
    "escalation_approval",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_project_planning", "project", COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_project_planning", table_name="project")
