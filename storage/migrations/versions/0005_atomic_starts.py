"""projects that are still starting, and requests handled once

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # autogenerate writes sqlmodel.sql.sqltypes.AutoString
from alembic import op

import storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handledrequest",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("handledrequest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handledrequest_project_id"), ["project_id"], unique=False
        )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "start_claimed_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("start_lease_until", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("start_step", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("start_step")
        batch_op.drop_column("start_lease_until")
        batch_op.drop_column("start_claimed_by")
    with op.batch_alter_table("handledrequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handledrequest_project_id"))
    op.drop_table("handledrequest")
