"""findtime_declines: a member's "None of these" is stored as an answer

Until now the tap was acknowledged and dropped, so results counted that member as silent. One row
per member and poll; rows go with the poll or the person.

Revision ID: 0005h
Revises: 0005b
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import BigInt, UTCDateTime

revision: str = "0005h"
down_revision: str | Sequence[str] | None = "0005b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "findtime_declines",
        sa.Column("id", BigInt, nullable=False),
        sa.Column("poll_id", BigInt, nullable=False),
        sa.Column("person_id", BigInt, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_findtime_declines_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["findtime_polls.id"],
            name=op.f("fk_findtime_declines_poll_id_findtime_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findtime_declines")),
        sa.UniqueConstraint(
            "poll_id", "person_id", name=op.f("uq_findtime_declines_poll_id_person_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("findtime_declines")
