"""feedback: item versions, invitation expiry, feedback settings, answers without rowid

Revision ID: 0003d
Revises: 0002
Create Date: 2026-11-26 12:00:00

On SQLite the tables holding answers are rebuilt WITHOUT ROWID (an ordinary SQLite table keeps an
increasing hidden rowid, i.e. the order of answering). Their rows are kept aside in plain copies
while the tables are rebuilt, because with foreign keys on, dropping ``responses`` deletes answers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision: str = "0003d"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ANSWER_TABLES = ("answers", "receipts", "responses")


def _receipts(with_rowid: bool) -> None:
    op.create_table(
        "receipts",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("instance_id", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["survey_instances.id"], name=op.f("fk_receipts_instance_id_survey_instances"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_receipts")),
        sqlite_with_rowid=with_rowid,
    )


def _responses(with_rowid: bool, group_session_indexes: bool) -> None:
    op.create_table(
        "responses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("instance_id", BIGINT, nullable=False),
        sa.Column("program_id", BIGINT, nullable=False),
        sa.Column("group_id", BIGINT, nullable=True),
        sa.Column("session_id", BIGINT, nullable=True),
        sa.Column("side_id", BIGINT, nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["dialogue_groups.id"], name=op.f("fk_responses_group_id_dialogue_groups"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["instance_id"], ["survey_instances.id"], name=op.f("fk_responses_instance_id_survey_instances"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_responses_program_id_programs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_responses_session_id_sessions"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["side_id"], ["sides.id"], name=op.f("fk_responses_side_id_sides"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sqlite_with_rowid=with_rowid,
    )
    op.create_index(op.f("ix_responses_instance_id"), "responses", ["instance_id"], unique=False)
    op.create_index(op.f("ix_responses_program_id"), "responses", ["program_id"], unique=False)
    if group_session_indexes:
        op.create_index(op.f("ix_responses_group_id"), "responses", ["group_id"], unique=False)
        op.create_index(op.f("ix_responses_session_id"), "responses", ["session_id"], unique=False)


def _answers(with_rowid: bool) -> None:
    op.create_table(
        "answers",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", BIGINT, nullable=False),
        sa.Column("value", BIGINT, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["survey_items.id"], name=op.f("fk_answers_item_id_survey_items"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"], name=op.f("fk_answers_response_id_responses"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "item_id", name=op.f("pk_answers")),
        sqlite_with_rowid=with_rowid,
    )
    op.create_index(op.f("ix_answers_item_id"), "answers", ["item_id"], unique=False)


def _keep(tables: Sequence[str]) -> None:
    for table in tables:
        op.execute(f"CREATE TABLE _keep_{table} AS SELECT * FROM {table}")


def _restore(tables: Sequence[str]) -> None:
    for table in tables:
        op.execute(f"INSERT INTO {table} SELECT * FROM _keep_{table}")
        op.execute(f"DROP TABLE _keep_{table}")


def _survey_items_unique(upgrade: bool) -> None:
    with op.batch_alter_table("survey_items", schema=None) as batch_op:
        if upgrade:
            batch_op.add_column(sa.Column("version", BIGINT, server_default="1", nullable=False))
            batch_op.drop_constraint("uq_survey_items_survey_id_key", type_="unique")
            batch_op.create_unique_constraint(batch_op.f("uq_survey_items_survey_id_version_key"), ["survey_id", "version", "key"])
        else:
            batch_op.drop_constraint("uq_survey_items_survey_id_version_key", type_="unique")
            batch_op.create_unique_constraint(batch_op.f("uq_survey_items_survey_id_key"), ["survey_id", "key"])
            batch_op.drop_column("version")


def _rebuild_sqlite(upgrade: bool) -> None:
    """Rebuild survey_items (its unique key) and the answer tables (rowid) on SQLite.

    Rebuilding a table drops it, and with foreign keys on a drop deletes the rows that refer to
    it; so every table involved is copied aside first and filled again afterwards.
    """
    _keep(("survey_item_texts", *ANSWER_TABLES))
    for table in ANSWER_TABLES:  # answers first: nothing refers to it; responses last
        op.execute(f"DROP TABLE {table}")
    _survey_items_unique(upgrade)
    op.execute("DELETE FROM survey_item_texts")
    _restore(("survey_item_texts",))
    _receipts(with_rowid=not upgrade)
    _responses(with_rowid=not upgrade, group_session_indexes=upgrade)
    _answers(with_rowid=not upgrade)
    _restore(tuple(reversed(ANSWER_TABLES)))  # responses before the answers that refer to them


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "feedback_settings",
        sa.Column("program_id", BIGINT, nullable=False),
        sa.Column("k_comments", BIGINT, nullable=False),
        sa.Column("reminder_after_minutes", BIGINT, nullable=False),
        sa.Column("expiry_days", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], name=op.f("fk_feedback_settings_program_id_programs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", name=op.f("pk_feedback_settings")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", BIGINT, server_default="1", nullable=False))
    with op.batch_alter_table("survey_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_version", BIGINT, server_default="1", nullable=False))
    with op.batch_alter_table("survey_invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", bot.db.base.UTCDateTime(timezone=True), nullable=True))
    if sqlite:
        _rebuild_sqlite(upgrade=True)
    else:
        _survey_items_unique(upgrade=True)
        op.create_index(op.f("ix_responses_group_id"), "responses", ["group_id"], unique=False)
        op.create_index(op.f("ix_responses_session_id"), "responses", ["session_id"], unique=False)


def _drop_column(table: str, column: str, sqlite: bool) -> None:
    if sqlite:
        # Native DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table, and with foreign
        # keys on that deletes every row that refers to it (instances, responses, answers).
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _rebuild_sqlite(upgrade=False)
    else:
        op.drop_index(op.f("ix_responses_session_id"), table_name="responses")
        op.drop_index(op.f("ix_responses_group_id"), table_name="responses")
        _survey_items_unique(upgrade=False)
    _drop_column("survey_invitations", "expires_at", sqlite)
    _drop_column("survey_instances", "survey_version", sqlite)
    _drop_column("surveys", "version", sqlite)
    op.drop_table("feedback_settings")
