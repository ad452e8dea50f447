"""feedback: released snapshots of program surveys' figures (reports change in steps of k)

Revision ID: 0005b
Revises: 0005e
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005b"
down_revision: str | Sequence[str] | None = "0005e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "released_figures",
        sa.Column("instance_id", BIGINT, nullable=False),
        sa.Column("construct", sa.String(length=40), nullable=False),
        sa.Column("responses", BIGINT, nullable=False),
        sa.Column("n", BIGINT, nullable=False),
        sa.Column("total", sa.Double(), nullable=False),
        sa.Column("total_sq", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["survey_instances.id"],
            name=op.f("fk_released_figures_instance_id_survey_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", "construct", name=op.f("pk_released_figures")),
    )


def downgrade() -> None:
    op.drop_table("released_figures")
