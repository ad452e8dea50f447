"""pairs: cross-border pairs between sessions (opt-ins, rounds, pairs, the sealed tally)

Revision ID: 0006p
Revises: 0006r
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import BigInt, UTCDateTime

revision: str = "0006p"
down_revision: str | Sequence[str] | None = "0006r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pair_settings",
        sa.Column("program_id", BigInt, nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("interval_days", BigInt, nullable=False),
        sa.Column("waking_hours", sa.String(length=16), nullable=False),
        sa.Column("min_overlap_minutes", BigInt, nullable=False),
        sa.Column("questions", sa.JSON(), nullable=True),
        sa.Column("next_round_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_pair_settings_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("program_id", name=op.f("pk_pair_settings")),
    )
    op.create_table(
        "pair_members",
        sa.Column("enrolment_id", BigInt, nullable=False),
        sa.Column("program_id", BigInt, nullable=False),
        sa.Column("person_id", BigInt, nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("opted_in_at", UTCDateTime(), nullable=False),
        sa.Column("sat_out", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_pair_members_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_pair_members_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_pair_members_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrolment_id", name=op.f("pk_pair_members")),
    )
    op.create_index(op.f("ix_pair_members_person_id"), "pair_members", ["person_id"], unique=True)
    op.create_index(op.f("ix_pair_members_program_id"), "pair_members", ["program_id"])
    op.create_table(
        "pair_rounds",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("program_id", BigInt, nullable=False),
        sa.Column("number", BigInt, nullable=False),
        sa.Column("seed", BigInt, nullable=False),
        sa.Column("formed_at", UTCDateTime(), nullable=False),
        sa.Column("check_at", UTCDateTime(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_pair_rounds_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_rounds")),
    )
    op.create_index(op.f("ix_pair_rounds_program_id"), "pair_rounds", ["program_id"])
    op.create_table(
        "pairs",
        sa.Column("id", BigInt, autoincrement=True, nullable=False),
        sa.Column("round_id", BigInt, nullable=False),
        sa.Column("program_id", BigInt, nullable=False),
        sa.Column("person_a", BigInt, nullable=False),
        sa.Column("person_b", BigInt, nullable=False),
        sa.Column("question", BigInt, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("ended", sa.String(length=16), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        *(
            sa.Column(name, sa.Boolean(), nullable=False)
            for name in (
                "share_a",
                "share_b",
                "introduced_a",
                "introduced_b",
                "asked_a",
                "asked_b",
                "answered_a",
                "answered_b",
            )
        ),
        sa.ForeignKeyConstraint(
            ["person_a"], ["people.id"], name=op.f("fk_pairs_person_a_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_b"], ["people.id"], name=op.f("fk_pairs_person_b_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_pairs_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["pair_rounds.id"],
            name=op.f("fk_pairs_round_id_pair_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairs")),
    )
    for column in ("person_a", "person_b", "program_id", "round_id"):
        op.create_index(op.f(f"ix_pairs_{column}"), "pairs", [column])
    op.create_table(
        "pair_tallies",
        sa.Column("program_id", BigInt, nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("answers_since", BigInt, nullable=False),
        sa.Column("released", sa.JSON(), nullable=True),
        sa.Column("released_conversations", BigInt, nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_pair_tallies_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("program_id", name=op.f("pk_pair_tallies")),
    )


def downgrade() -> None:
    op.drop_table("pair_tallies")
    for column in ("person_a", "person_b", "program_id", "round_id"):
        op.drop_index(op.f(f"ix_pairs_{column}"), table_name="pairs")
    op.drop_table("pairs")
    op.drop_index(op.f("ix_pair_rounds_program_id"), table_name="pair_rounds")
    op.drop_table("pair_rounds")
    op.drop_index(op.f("ix_pair_members_program_id"), table_name="pair_members")
    op.drop_index(op.f("ix_pair_members_person_id"), table_name="pair_members")
    op.drop_table("pair_members")
    op.drop_table("pair_settings")
