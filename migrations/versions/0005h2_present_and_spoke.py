"""session_side_stats.spoke: who wrote, apart from who was present

``present`` now counts every member in the chat during the session, the quiet ones included;
``spoke`` counts those who wrote. Older rows counted posting or reacting as ``present``: that is
the closest thing to ``spoke`` they know, so it is copied there (their ``present`` stays a lower
bound).

Revision ID: 0005h2
Revises: 0005h
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import BigInt

revision: str = "0005h2"
down_revision: str | Sequence[str] | None = "0005h"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "session_side_stats", sa.Column("spoke", BigInt, nullable=False, server_default="0")
    )
    op.execute("UPDATE session_side_stats SET spoke = present")


def downgrade() -> None:
    with op.batch_alter_table("session_side_stats") as batch:
        batch.drop_column("spoke")
