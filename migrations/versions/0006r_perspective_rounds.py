"""Perspective rounds: prompts, rounds, passes; agenda items get a kind ("talk" or "round")

Revision ID: 0006r
Revises: 0006f
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import BigInt, UTCDateTime

revision: str = "0006r"
down_revision: str | Sequence[str] | None = "0006f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_prompts",
        sa.Column("id", BigInt, nullable=False),
        sa.Column(
            "program_id",
            BigInt,
            sa.ForeignKey(
                "programs.id", ondelete="CASCADE", name="fk_round_prompts_program_id_programs"
            ),
            nullable=False,
        ),
        sa.Column("position", BigInt, nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_round_prompts"),
        sa.UniqueConstraint(
            "program_id", "position", "locale", name="uq_round_prompts_program_id_position_locale"
        ),
    )
    op.create_table(
        "perspective_rounds",
        sa.Column("id", BigInt, nullable=False),
        sa.Column(
            "program_id",
            BigInt,
            sa.ForeignKey(
                "programs.id", ondelete="CASCADE", name="fk_perspective_rounds_program_id_programs"
            ),
            nullable=False,
        ),
        sa.Column(
            "group_id",
            BigInt,
            sa.ForeignKey(
                "dialogue_groups.id",
                ondelete="CASCADE",
                name="fk_perspective_rounds_group_id_dialogue_groups",
            ),
            nullable=False,
        ),
        sa.Column(
            "session_id",
            BigInt,
            sa.ForeignKey(
                "sessions.id", ondelete="SET NULL", name="fk_perspective_rounds_session_id_sessions"
            ),
            nullable=True,
        ),
        sa.Column("agenda_position", BigInt, nullable=True),
        sa.Column(
            "teller_id",
            BigInt,
            sa.ForeignKey(
                "people.id", ondelete="SET NULL", name="fk_perspective_rounds_teller_id_people"
            ),
            nullable=True,
        ),
        sa.Column(
            "listener_id",
            BigInt,
            sa.ForeignKey(
                "people.id", ondelete="SET NULL", name="fk_perspective_rounds_listener_id_people"
            ),
            nullable=True,
        ),
        sa.Column(
            "teller_side_id",
            BigInt,
            sa.ForeignKey(
                "sides.id", ondelete="SET NULL", name="fk_perspective_rounds_teller_side_id_sides"
            ),
            nullable=True,
        ),
        sa.Column(
            "listener_side_id",
            BigInt,
            sa.ForeignKey(
                "sides.id", ondelete="SET NULL", name="fk_perspective_rounds_listener_side_id_sides"
            ),
            nullable=True,
        ),
        sa.Column("prompt_position", BigInt, nullable=False),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("attempt", BigInt, nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=True),
        sa.Column("note", sa.String(20), nullable=True),
        sa.Column("told", sa.Boolean, nullable=False),
        sa.Column("tell_seconds", BigInt, nullable=False),
        sa.Column("posts", BigInt, nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_perspective_rounds"),
    )
    op.create_index("ix_perspective_rounds_program_id", "perspective_rounds", ["program_id"])
    op.create_index("ix_perspective_rounds_group_id", "perspective_rounds", ["group_id"])
    op.create_index("ix_perspective_rounds_step", "perspective_rounds", ["step"])
    op.create_index("ix_perspective_rounds_deadline", "perspective_rounds", ["deadline"])
    op.create_table(
        "round_passes",
        sa.Column("id", BigInt, nullable=False),
        sa.Column(
            "round_id",
            BigInt,
            sa.ForeignKey(
                "perspective_rounds.id",
                ondelete="CASCADE",
                name="fk_round_passes_round_id_perspective_rounds",
            ),
            nullable=False,
        ),
        sa.Column(
            "person_id",
            BigInt,
            sa.ForeignKey("people.id", ondelete="CASCADE", name="fk_round_passes_person_id_people"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_round_passes"),
        sa.UniqueConstraint("round_id", "person_id", name="uq_round_passes_round_id_person_id"),
    )
    op.create_index("ix_round_passes_round_id", "round_passes", ["round_id"])
    op.add_column(
        "agenda_items",
        sa.Column("kind", sa.String(20), nullable=False, server_default="talk"),
    )


def downgrade() -> None:
    with op.batch_alter_table("agenda_items") as batch:
        batch.drop_column("kind")
    op.drop_table("round_passes")
    op.drop_table("perspective_rounds")
    op.drop_table("round_prompts")
