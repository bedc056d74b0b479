"""decision-maker steps, their drafts and the tasks they covered; approval, close and snooze settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _str(length=200), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("approval", _str(length=8), nullable=False),
        sa.Column("csm_user_id", _str(length=32), nullable=True),
        sa.Column("decision_maker_user_id", _str(length=32), nullable=True),
        sa.Column("task_ids", sa.JSON(), nullable=False),
        sa.Column("own_task_ids", sa.JSON(), nullable=False),
        sa.Column("text", _str(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("reason", _str(length=500), nullable=True),
        sa.Column("decided_by", _str(length=32), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalation_status"), ["status"], unique=False)
    op.create_table(
        "escalatedtask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("step", _str(length=16), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "due", "step"),
    )
    with op.batch_alter_table("escalatedtask", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalatedtask_escalation_id"), ["escalation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_escalatedtask_project_id"), ["project_id"], unique=False
        )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_approval", _str(length=8), nullable=True))
        batch_op.add_column(
            sa.Column(
                "close_reason_shared", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snoozed_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stakeholder", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("close_reason_shared")
        batch_op.drop_column("escalation_approval")
    with op.batch_alter_table("escalatedtask", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalatedtask_project_id"))
        batch_op.drop_index(batch_op.f("ix_escalatedtask_escalation_id"))
    op.drop_table("escalatedtask")
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_status"))
        batch_op.drop_index(batch_op.f("ix_escalation_project_id"))
    op.drop_table("escalation")
