"""conduct: PostgreSQL tells the running bot when rules, terms, staff or groups change (NOTIFY)

The bot caches each group's conduct rules for 60 seconds. A change made by another process (the
`bridgebot rules` command line, `program apply`, a restore) would otherwise wait out that minute;
statement-level triggers on the tables the cache is built from send ``bridgebot_conduct`` and
the running bot (bot/jobs/conduct_sync.py) reloads at the next message. SQLite: nothing (one
process; the command line's changes wait out the cache).

Revision ID: 0008c
Revises: 0007t
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008c"
down_revision: str | Sequence[str] | None = "0007t"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "rule_sets",
    "blocked_terms",
    "dialogue_groups",
    "group_languages",
    "group_moderators",
    "program_languages",
    "organizer_grants",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION bridgebot_conduct_changed() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('bridgebot_conduct', TG_TABLE_NAME); "
        "RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER bridgebot_conduct_changed AFTER INSERT OR UPDATE OR DELETE OR "
            f'TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION bridgebot_conduct_changed()'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS bridgebot_conduct_changed ON "{table}"')
    op.execute("DROP FUNCTION IF EXISTS bridgebot_conduct_changed()")
