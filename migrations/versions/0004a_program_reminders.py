"""programs: reminder offsets for every session of the program without its own

Merges the four 0003 heads. ``programs.reminder_minutes`` holds minutes before the start, longest
first; NULL means the shipped default (24 hours and 1 hour).

Revision ID: 0004a
Revises: 0003a, 0003b, 0003c, 0003d
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004a"
down_revision: str | Sequence[str] | None = ("0003a", "0003b", "0003c", "0003d")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD/DROP COLUMN: no table copy on SQLite, so no implicit cascades
    # (programs is the parent of nearly every table).
    op.add_column("programs", sa.Column("reminder_minutes", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("programs", "reminder_minutes")
