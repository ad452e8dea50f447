"""groups: remember the size range each dialogue group was formed with

Moves and late joiners are judged against the range the organizer chose at formation time.

Revision ID: 0003a
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003a"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD/DROP COLUMN: no table copy on SQLite, so no implicit cascades.
    op.add_column("dialogue_groups", sa.Column("min_size", BigInt, nullable=True))
    op.add_column("dialogue_groups", sa.Column("max_size", BigInt, nullable=True))


def downgrade() -> None:
    op.drop_column("dialogue_groups", "max_size")
    op.drop_column("dialogue_groups", "min_size")
