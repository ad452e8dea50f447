"""feedback: sealed pending answers, per-response coarsening, receipts by instance

Revision ID: 0005a
Revises: 0005h2

Answers wait, sealed, in ``pending_answers`` until they are written in shuffled batches
(docs/PRIVACY.md). ``responses.coarsened`` records which attributes were coarsened at write time.
Receipts are counted per instance (to know when everyone invited has answered), hence the index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005a"
down_revision: str | Sequence[str] | None = "0005h2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pending_answers",
        sa.Column("instance_id", BIGINT, autoincrement=False, nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["survey_instances.id"],
            name=op.f("fk_pending_answers_instance_id_survey_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_pending_answers")),
        sqlite_with_rowid=False,
    )
    # Plain ALTER TABLE ... ADD COLUMN: no table copy on SQLite (responses stays WITHOUT ROWID).
    op.add_column(
        "responses",
        sa.Column("coarsened", sa.String(length=40), server_default=sa.text("''"), nullable=False),
    )
    op.create_index(op.f("ix_receipts_instance_id"), "receipts", ["instance_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_receipts_instance_id"), table_name="receipts")
    # Native DROP COLUMN (SQLite 3.35+): a batch copy would cascade-delete the answers.
    op.drop_column("responses", "coarsened")
    op.drop_table("pending_answers")
