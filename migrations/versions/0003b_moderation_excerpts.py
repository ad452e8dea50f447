"""moderation: excerpts owned by the person who wrote them, appeal notices

Message excerpts and appeal texts move out of the log rows into ``moderation_excerpts``, whose rows
belong to the person (ON DELETE CASCADE): /forgetme removes the words while the audit rows stay.
``appeal_notices`` records the DMs reviewers got, so they can be edited once someone decided.

Revision ID: 0003b
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003b"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "moderation_excerpts",
        sa.Column("id", BigInt, nullable=False),
        sa.Column("person_id", BigInt, nullable=False),
        sa.Column("action_id", BigInt, nullable=True),
        sa.Column("report_id", BigInt, nullable=True),
        sa.Column("appeal_id", BigInt, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_moderation_excerpts_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["moderation_actions.id"],
            name=op.f("fk_moderation_excerpts_action_id_moderation_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_moderation_excerpts_report_id_reports"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_moderation_excerpts_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_excerpts")),
    )
    for column in ("person_id", "action_id", "report_id", "appeal_id"):
        op.create_index(op.f(f"ix_moderation_excerpts_{column}"), "moderation_excerpts", [column], unique=False)
    op.create_table(
        "appeal_notices",
        sa.Column("id", BigInt, nullable=False),
        sa.Column("appeal_id", BigInt, nullable=False),
        sa.Column("reviewer_id", BigInt, nullable=False),
        sa.Column("message_id", BigInt, nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_notices_appeal_id_appeals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["people.id"], name=op.f("fk_appeal_notices_reviewer_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_notices")),
    )
    op.create_index(op.f("ix_appeal_notices_appeal_id"), "appeal_notices", ["appeal_id"], unique=False)
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): no table copy, so no implicit cascades.
    op.drop_column("moderation_actions", "message_excerpt")
    op.drop_column("reports", "excerpt")
    op.drop_column("appeals", "text")


def downgrade() -> None:
    op.add_column("appeals", sa.Column("text", sa.Text(), nullable=True))
    op.add_column("reports", sa.Column("excerpt", sa.String(length=500), nullable=True))
    op.add_column("moderation_actions", sa.Column("message_excerpt", sa.String(length=500), nullable=True))
    op.drop_index(op.f("ix_appeal_notices_appeal_id"), table_name="appeal_notices")
    op.drop_table("appeal_notices")
    for column in ("person_id", "action_id", "report_id", "appeal_id"):
        op.drop_index(op.f(f"ix_moderation_excerpts_{column}"), table_name="moderation_excerpts")
    op.drop_table("moderation_excerpts")
