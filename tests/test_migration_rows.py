"""No migration loses rows on SQLite: altering a table there rebuilds it, and a rebuild with foreign
keys on would delete, by ON DELETE CASCADE, every row that refers to the table (appeals when
moderation_actions gains a column). Walk the chain one revision at a time with a row in every
table and check that each table keeps its rows, up and down."""

from __future__ import annotations

import datetime as dt
import itertools

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text, types

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, downgrade_engine, upgrade_engine


def _chain() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions("base", "heads"))
    assert len(script.get_heads()) == 1, "one head expected"
    return [rev.revision for rev in reversed(revisions)]


def _value(column) -> object:
    kind = column.type
    if isinstance(kind, types.Boolean):
        return 1
    if isinstance(kind, types.Integer | types.Numeric | types.Float):
        return 1
    if isinstance(kind, types.DateTime):
        return dt.datetime(2026, 1, 1, 12, 0)
    if isinstance(kind, types.Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, types.JSON):
        return "{}"
    if isinstance(kind, types.LargeBinary):
        return b"1"
    return "1"


def _fill(sync_conn) -> dict[str, int]:
    """One row in every empty table (parents first; every key and reference is 1)."""
    meta = MetaData()
    meta.reflect(sync_conn)
    for table in meta.sorted_tables:
        if table.name == "alembic_version":
            continue
        if sync_conn.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar():
            continue
        row = {column.name: _value(column) for column in table.columns}
        sync_conn.execute(table.insert().values(**row))
    return _counts(sync_conn)


def _counts(sync_conn) -> dict[str, int]:
    names = [n for n in inspect(sync_conn).get_table_names() if n != "alembic_version"]
    return {n: sync_conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}


async def test_every_migration_keeps_the_rows_of_tables_it_alters(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}")
    try:
        chain = _chain()
        await upgrade_engine(engine, chain[0])
        for previous, revision in itertools.pairwise(chain):
            async with engine.begin() as conn:
                before = await conn.run_sync(_fill)
            await upgrade_engine(engine, revision)
            async with engine.connect() as conn:
                after = await conn.run_sync(_counts)
            lost = {t: (n, after[t]) for t, n in before.items() if t in after and after[t] < n}
            assert not lost, f"upgrade {previous} -> {revision} lost rows: {lost}"
            await downgrade_engine(engine, previous)
            async with engine.connect() as conn:
                back = await conn.run_sync(_counts)
            lost = {t: (n, back[t]) for t, n in before.items() if t in back and back[t] < n}
            assert not lost, f"downgrade {revision} -> {previous} lost rows: {lost}"
            await upgrade_engine(engine, revision)
    finally:
        await engine.dispose()
