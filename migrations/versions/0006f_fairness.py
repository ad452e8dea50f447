"""Fairness figures: sides stamped on sanctions and reports, program fairness settings, alerts

``moderation_actions.target_side_id`` / ``actor_side_id`` and ``reports.reported_side_id`` keep
the side of the sanctioned (reported) person and of the acting moderator as it was when the row
was written, so the per-side figures of a released week never change when someone is erased or
re-enrolled. Existing rows get the sides of today's enrolments. ``programs.fairness`` holds the
alert threshold and the published goals; ``fairness_alerts`` records that organizers were told
about a period, so they are told once per period.

Revision ID: 0006f
Revises: 0005r
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import BigInt, UTCDateTime

revision: str = "0006f"
down_revision: str | Sequence[str] | None = "0005r"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("moderation_actions") as batch:
        batch.add_column(sa.Column("target_side_id", BigInt, nullable=True))
        batch.add_column(sa.Column("actor_side_id", BigInt, nullable=True))
        batch.create_foreign_key(
            "fk_moderation_actions_target_side_id_sides",
            "sides",
            ["target_side_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            "fk_moderation_actions_actor_side_id_sides",
            "sides",
            ["actor_side_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("reported_side_id", BigInt, nullable=True))
        batch.create_foreign_key(
            "fk_reports_reported_side_id_sides",
            "sides",
            ["reported_side_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("fairness", sa.JSON(), nullable=True))
    op.create_table(
        "fairness_alerts",
        sa.Column("id", BigInt, nullable=False),
        sa.Column("program_id", BigInt, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name="fk_fairness_alerts_program_id_programs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fairness_alerts"),
        sa.UniqueConstraint("program_id", "period", name="uq_fairness_alerts_program_id_period"),
    )
    # Existing rows: the sides of today's enrolments (the best there is).
    op.execute(
        "UPDATE moderation_actions SET target_side_id = (SELECT e.side_id FROM enrolments e "
        "WHERE e.program_id = moderation_actions.program_id "
        "AND e.person_id = moderation_actions.target_id) WHERE target_id IS NOT NULL"
    )
    op.execute(
        "UPDATE moderation_actions SET actor_side_id = (SELECT e.side_id FROM enrolments e "
        "WHERE e.program_id = moderation_actions.program_id "
        "AND e.person_id = moderation_actions.actor_id) WHERE actor_id IS NOT NULL"
    )
    op.execute(
        "UPDATE reports SET reported_side_id = (SELECT e.side_id FROM enrolments e "
        "JOIN dialogue_groups g ON g.program_id = e.program_id "
        "WHERE g.id = reports.group_id AND e.person_id = reports.reported_id) "
        "WHERE reported_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("fairness_alerts")
    with op.batch_alter_table("programs") as batch:
        batch.drop_column("fairness")
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint("fk_reports_reported_side_id_sides", type_="foreignkey")
        batch.drop_column("reported_side_id")
    with op.batch_alter_table("moderation_actions") as batch:
        batch.drop_constraint("fk_moderation_actions_actor_side_id_sides", type_="foreignkey")
        batch.drop_constraint("fk_moderation_actions_target_side_id_sides", type_="foreignkey")
        batch.drop_column("actor_side_id")
        batch.drop_column("target_side_id")
