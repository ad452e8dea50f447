"""deliveries: keep the owed message and its retry state, so no delivery is left claimed

``chat_id`` and ``payload`` (text and buttons) let the sweep resend a delivery whose process
died; ``attempts``, ``next_attempt_at`` and ``stale_at`` drive retries (status ``pending``);
``reason`` says why one failed or was skipped. ``status`` gets an index for the sweep. Rows
claimed before this migration have no payload: the sweep records them as skipped (``not_kept``).

Revision ID: 0005e
Revises: 0005g
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import BigInt, UTCDateTime

revision: str = "0005e"
down_revision: str | Sequence[str] | None = "0005g"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("reason", sa.String(length=40), nullable=True))
    op.add_column("deliveries", sa.Column("chat_id", BigInt, nullable=True))
    op.add_column("deliveries", sa.Column("payload", sa.JSON(), nullable=True))
    op.add_column(
        "deliveries",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("deliveries", sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
    op.add_column("deliveries", sa.Column("stale_at", UTCDateTime(), nullable=True))
    op.create_index("ix_deliveries_status", "deliveries", ["status"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_status", table_name="deliveries")
    for column in ("stale_at", "next_attempt_at", "attempts", "payload", "chat_id", "reason"):
        op.drop_column("deliveries", column)
