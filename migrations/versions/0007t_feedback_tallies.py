"""feedback: per-instance tallies of responses and answers, which reports read

Revision ID: 0007t
Revises: 0006p
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007t"
down_revision: str | Sequence[str] | None = "0006p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _attributes() -> list[sa.Column]:
    return [
        sa.Column("side_id", BIGINT, nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("coarsened", sa.String(length=40), server_default=sa.text("''"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "respondent_tallies",
        sa.Column("instance_id", BIGINT, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        *_attributes(),
        sa.Column("n", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["survey_instances.id"],
            name=op.f("fk_respondent_tallies_instance_id_survey_instances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["side_id"],
            ["sides.id"],
            name=op.f("fk_respondent_tallies_side_id_sides"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("instance_id", "id", name=op.f("pk_respondent_tallies")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "answer_tallies",
        sa.Column("instance_id", BIGINT, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("item_id", BIGINT, nullable=False),
        *_attributes(),
        sa.Column("value", BIGINT, nullable=True),
        sa.Column("n", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["survey_instances.id"],
            name=op.f("fk_answer_tallies_instance_id_survey_instances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["survey_items.id"],
            name=op.f("fk_answer_tallies_item_id_survey_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["side_id"],
            ["sides.id"],
            name=op.f("fk_answer_tallies_side_id_sides"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("instance_id", "id", name=op.f("pk_answer_tallies")),
        sqlite_with_rowid=False,
    )
    _backfill()


def _backfill() -> None:
    """Tallies of the responses already stored (random keys, as the service writes them)."""
    bind = op.get_bind()
    respondents = bind.execute(
        sa.text(
            "SELECT instance_id, side_id, role, coarsened, count(*) FROM responses"
            " GROUP BY instance_id, side_id, role, coarsened"
        )
    ).all()
    answers = bind.execute(
        sa.text(
            "SELECT r.instance_id, a.item_id, r.side_id, r.role, r.coarsened, a.value, count(*)"
            " FROM responses r JOIN answers a ON a.response_id = r.id"
            " WHERE a.value IS NOT NULL OR a.text IS NOT NULL"
            " GROUP BY r.instance_id, a.item_id, r.side_id, r.role, r.coarsened, a.value"
        )
    ).all()
    if respondents:
        bind.execute(
            sa.text(
                "INSERT INTO respondent_tallies (id, instance_id, side_id, role, coarsened, n)"
                " VALUES (:id, :i, :s, :r, :c, :n)"
            ),
            [
                {"id": secrets.token_hex(16), "i": i, "s": s, "r": r, "c": c, "n": n}
                for i, s, r, c, n in respondents
            ],
        )
    if answers:
        bind.execute(
            sa.text(
                "INSERT INTO answer_tallies"
                " (id, instance_id, item_id, side_id, role, coarsened, value, n)"
                " VALUES (:id, :i, :item, :s, :r, :c, :v, :n)"
            ),
            [
                {
                    "id": secrets.token_hex(16),
                    "i": i,
                    "item": item,
                    "s": s,
                    "r": r,
                    "c": c,
                    "v": v,
                    "n": n,
                }
                for i, item, s, r, c, v, n in answers
            ],
        )


def downgrade() -> None:
    op.drop_table("answer_tallies")
    op.drop_table("respondent_tallies")
