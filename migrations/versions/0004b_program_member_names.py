"""programs: whether group invitations name the other members

Revision ID: 0004b
Revises: 0004a
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004b"
down_revision: str | Sequence[str] | None = "0004a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD/DROP COLUMN: no table copy on SQLite, so no implicit cascades.
    op.add_column(
        "programs",
        sa.Column("show_member_names", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("programs", "show_member_names")
