"""`bridgebot backup` and `bridgebot restore`: the database and the server secret in one encrypted file.

A backup is taken while the bot runs and is consistent:

* SQLite: the sqlite3 online backup API copies the database in one step under one read
  transaction (WAL lets the bot keep writing meanwhile), so committed data still in the
  write-ahead log is included, which a plain file copy can miss.
* PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the row counts and schema
  revision are read in it and ``pg_dump --format=custom --snapshot`` dumps exactly that state.

The file holds a tar stream (``manifest.json``: format, schema revision, row count of every table;
``secret``; the database) sealed by ``bot/db/backup_crypto.py`` under a passphrase. The secret
belongs with the data: without it, receipts no longer match people and answers still waiting to
be stored cannot be opened. So the backup is as sensitive as both (docs/PRIVACY.md, P7).

Restore opens and authenticates everything before it touches the target, refuses a schema this
code does not know, checks the copy (``PRAGMA integrity_check`` / ``pg_restore --list``), refuses a
non-empty database without ``force`` and a database a bot is running on, puts the copy in place,
checks every table's row count against the manifest, migrates it to this code's head, and writes
the secret where the bot will read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.config import OperatorError, Settings
from bot.db import instance
from bot.db.backup_crypto import BadPassphrase, CorruptBackup, DecryptingReader, EncryptingWriter

FORMAT = 1
EXIT_BAD_PASSPHRASE = 3
EXIT_CORRUPT = 4
EXIT_NEWER_SCHEMA = 5
EXIT_DATABASE = 6
EXIT_MISSING_TOOL = 7
EXIT_NOT_EMPTY = 8
EXIT_IN_USE = 9
EXIT_SECRET_MISMATCH = 10
EXIT_USAGE = 2

SQLITE_NAME = "database.sqlite"
PG_NAME = "database.pgdump"
MEMBERS = ("manifest.json", "secret", SQLITE_NAME, PG_NAME)


@dataclass
class Outcome:
    path: Path
    dialect: str
    revision: str
    tables: dict[str, int] = field(default_factory=dict)
    size: int = 0
    seconds: float = 0.0
    migrated_to: str | None = None
    secret_written: Path | None = None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _fail(message: str, status: int) -> OperatorError:
    return OperatorError(message, status)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _safe_url(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


@contextlib.contextmanager
def _private_dir(near: Path | None) -> Iterator[Path]:
    """A 0700 scratch folder (beside ``near`` when given), removed with everything in it."""
    base = near if near is not None and near.is_dir() else None
    path = Path(tempfile.mkdtemp(prefix=".bridgebot-backup-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise _fail(
            f"{name} is not on PATH: install the PostgreSQL client tools (version at least the "
            "server's) to back up or restore a PostgreSQL database",
            EXIT_MISSING_TOOL,
        )
    return found


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore, and the environment carrying the password
    (never on the command line, where `ps` shows it)."""
    url = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    query: dict[str, Any] = {}
    ssl = url.query.get("ssl") or url.query.get("sslmode")
    if ssl:
        query["sslmode"] = ssl if isinstance(ssl, str) else ssl[0]
    plain = url.set(drivername="postgresql", password=None, query=query)
    return plain.render_as_string(hide_password=False), env


# ---- reading the secret ------------------------------------------------------------------------


def current_secret(settings: Settings) -> bytes:
    """The secret the bot runs with, without generating one."""
    if settings.secret and settings.secret.strip():
        return settings.secret.strip().encode("utf-8")
    from bot.secret import resolve_secret_file

    database_dir = None
    if settings.is_sqlite:
        path = instance.sqlite_path(settings.database_url)
        database_dir = path.parent if path else None
    secret_file = resolve_secret_file(settings.secret_file, database_dir)
    try:
        return secret_file.read_bytes().strip()
    except OSError:
        raise _fail(
            f"no server secret to back up: BRIDGEBOT_SECRET is not set and {secret_file} cannot "
            "be read (set BRIDGEBOT_SECRET or BRIDGEBOT_SECRET_FILE as the bot has it)",
            EXIT_USAGE,
        ) from None


# ---- backup ------------------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _sqlite_revision(conn: sqlite3.Connection) -> str:
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        rows = []
    return ",".join(sorted(row[0] for row in rows))


def _sqlite_snapshot(settings: Settings, target: Path) -> tuple[str, dict[str, int]]:
    source_path = instance.sqlite_path(settings.database_url)
    if source_path is None or not source_path.is_file():
        raise _fail(
            f"cannot open the database ({_safe_url(settings.database_url)}): no such file",
            EXIT_DATABASE,
        )
    try:
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(target)
        try:
            # One step (all pages) under one read transaction: a consistent snapshot even while the
            # bot writes.
            source.backup(copy)
        finally:
            source.close()
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise _fail(f"the live database fails its integrity check: {check}", EXIT_DATABASE)
        revision = _sqlite_revision(copy)
        tables = _sqlite_tables(copy)
        copy.close()
    except sqlite3.Error as exc:
        raise _fail(
            f"cannot read the database {source_path}: {_first_line(exc)}", EXIT_DATABASE
        ) from None
    return revision, tables


async def _pg_snapshot(settings: Settings, target: Path) -> tuple[str, dict[str, int]]:
    import asyncpg

    pg_dump = _tool("pg_dump")
    dsn, env = _libpq(settings.database_url)
    try:
        conn = await asyncpg.connect(**instance.asyncpg_params(settings.database_url), timeout=15)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        raise _fail(
            f"cannot connect to the database ({_safe_url(settings.database_url)}): {_first_line(exc)}",
            EXIT_DATABASE,
        ) from None
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            revision = ",".join(
                sorted(r[0] for r in await conn.fetch("SELECT version_num FROM alembic_version"))
            )
            names = [
                r[0]
                for r in await conn.fetch(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                    "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
                )
            ]
            tables = {n: await conn.fetchval(f'SELECT count(*) FROM "{n}"') for n in names}
            process = await asyncio.create_subprocess_exec(
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                f"--dbname={dsn}",
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            _out, err = await process.communicate()
            if process.returncode != 0:
                raise _fail(
                    "pg_dump failed: "
                    + (err.decode(errors="replace").strip().splitlines() or ["?"])[0],
                    EXIT_DATABASE,
                )
    except asyncpg.PostgresError as exc:
        raise _fail(f"cannot read the database: {_first_line(exc)}", EXIT_DATABASE) from None
    finally:
        await conn.close()
    return revision, tables


def backup(settings: Settings, out: Path, passphrase: bytes) -> Outcome:
    started = time.monotonic()
    secret = current_secret(settings)
    out = out.resolve()
    if not out.parent.is_dir():
        raise _fail(f"cannot write {out}: the folder does not exist", EXIT_USAGE)
    dialect = "sqlite" if settings.is_sqlite else "postgresql"
    with _private_dir(out.parent) as scratch:
        if settings.is_sqlite:
            name = SQLITE_NAME
            revision, tables = _sqlite_snapshot(settings, scratch / name)
        else:
            name = PG_NAME
            revision, tables = asyncio.run(_pg_snapshot(settings, scratch / name))
        manifest = {
            "format": FORMAT,
            "dialect": dialect,
            "revision": revision,
            "tables": tables,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        partial = out.with_name(f".{out.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                writer = EncryptingWriter(raw, passphrase)
                # gzip level 6, not tarfile's stream default of 9: three times faster on a
                # database file for a few per cent of size.
                with (
                    gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=6, mtime=0) as packed,  # type: ignore[arg-type]
                    tarfile.open(fileobj=packed, mode="w|") as tar,  # type: ignore[call-overload]
                ):
                    _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
                    _add_bytes(tar, "secret", secret)
                    tar.add(scratch / name, arcname=name)
                writer.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
    return Outcome(
        path=out,
        dialect=dialect,
        revision=revision,
        tables=tables,
        size=out.stat().st_size,
        seconds=time.monotonic() - started,
    )


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


# ---- restore -----------------------------------------------------------------------------------


def _open_backup(path: Path, passphrase: bytes, scratch: Path) -> dict[str, Any]:
    """Decrypt and unpack ``path`` into ``scratch``; every byte is authenticated before use."""
    try:
        source = open(path, "rb")
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    with source:
        try:
            reader = DecryptingReader(source, passphrase)
            with tarfile.open(fileobj=reader, mode="r|gz") as tar:  # type: ignore[call-overload]
                for member in tar:
                    if member.name not in MEMBERS or not member.isfile():
                        raise CorruptBackup(f"the backup holds an unexpected entry {member.name!r}")
                    handle = tar.extractfile(member)
                    assert handle is not None
                    fd = os.open(scratch / member.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as target:
                        shutil.copyfileobj(handle, target, 1 << 20)
            reader.read()  # to the authenticated end: a cut-off file fails here
        except BadPassphrase:
            raise _fail(f"wrong passphrase for {path}", EXIT_BAD_PASSPHRASE) from None
        except CorruptBackup as exc:
            raise _fail(f"{path} is damaged or incomplete: {exc}", EXIT_CORRUPT) from None
        except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
            raise _fail(
                f"{path} is damaged or incomplete: {_first_line(exc)}", EXIT_CORRUPT
            ) from None
    try:
        manifest = json.loads((scratch / "manifest.json").read_text())
        secret = (scratch / "secret").read_bytes()
    except (OSError, ValueError):
        raise _fail(
            f"{path} is damaged or incomplete: no manifest or secret", EXIT_CORRUPT
        ) from None
    if manifest.get("format") != FORMAT:
        raise _fail(
            f"{path} was written by a newer Bridgebot (format {manifest.get('format')})",
            EXIT_NEWER_SCHEMA,
        )
    manifest["secret"] = secret
    return manifest


def _check_revision(revision: str) -> bool:
    """Whether ``revision`` is known here; True when it is this code's head (nothing to migrate)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from bot.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r for r in revision.split(",") if r]
    if not revisions:
        raise _fail("the backup holds no schema revision", EXIT_CORRUPT)
    for one in revisions:
        try:
            found = script.get_revision(one)
        except CommandError:
            found = None
        if found is None:
            raise _fail(
                f"the backup's schema (revision {one}) is newer than this Bridgebot knows: "
                "upgrade Bridgebot, then restore",
                EXIT_NEWER_SCHEMA,
            )
    return set(revisions) == set(script.get_heads())


def _sqlite_restore(settings: Settings, copy: Path, force: bool, expected: dict[str, int]) -> None:
    target = instance.sqlite_path(settings.database_url)
    if target is None:
        raise _fail("DATABASE_URL names no SQLite file to restore into", EXIT_USAGE)
    try:
        conn = sqlite3.connect(copy)
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = _sqlite_tables(conn)
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise _fail(
            f"the database in the backup is damaged: {_first_line(exc)}", EXIT_CORRUPT
        ) from None
    if check != "ok":
        raise _fail(f"the database in the backup fails its integrity check: {check}", EXIT_CORRUPT)
    if tables != expected:
        raise _fail("the database in the backup does not match its manifest", EXIT_CORRUPT)
    # Held while the file is replaced, so no bot can start on it halfway.
    lock = instance.SqliteLock(target)
    try:
        lock.acquire()
    except OperatorError:
        holder = instance.sqlite_holder(target) or "unknown"
        raise _fail(
            f"a bot (pid {holder}) is running on {target}: stop it first", EXIT_IN_USE
        ) from None
    try:
        _sqlite_replace(target, copy, force)
    finally:
        lock.release()


def _sqlite_replace(target: Path, copy: Path, force: bool) -> None:
    if target.exists() and not force:
        try:
            conn = sqlite3.connect(target)
            rows = _sqlite_tables(conn)
            conn.close()
        except sqlite3.DatabaseError as exc:
            raise _fail(
                f"cannot read {target}: {_first_line(exc)} (use --force to replace it)",
                EXIT_NOT_EMPTY,
            ) from None
        if any(n for name, n in rows.items() if name != "alembic_version"):
            raise _fail(
                f"{target} already holds data: restore into an empty place, or add --force to "
                "replace it",
                EXIT_NOT_EMPTY,
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(copy, staged)
    os.chmod(staged, 0o600)
    with open(staged, "rb") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target.with_name(target.name + suffix))
    os.replace(staged, target)


async def _pg_restore(
    settings: Settings, dump: Path, force: bool, expected: dict[str, int]
) -> None:
    import asyncpg

    pg_restore = _tool("pg_restore")
    dsn, env = _libpq(settings.database_url)
    listing = await asyncio.create_subprocess_exec(
        pg_restore, "--list", str(dump), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _out, err = await listing.communicate()
    if listing.returncode != 0:
        raise _fail(
            "the dump in the backup is damaged: "
            + (err.decode(errors="replace").strip().splitlines() or ["pg_restore --list failed"])[
                0
            ],
            EXIT_CORRUPT,
        )
    try:
        conn = await asyncpg.connect(**instance.asyncpg_params(settings.database_url), timeout=15)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        raise _fail(
            f"cannot connect to the database ({_safe_url(settings.database_url)}): {_first_line(exc)}",
            EXIT_DATABASE,
        ) from None
    try:
        # Held (on this connection) until the restore is over, so no bot or standby starts on a
        # database being replaced.
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", instance.LOCK_KEY):
            raise _fail(
                "a bot is running on this database: stop it (and its standby) first", EXIT_IN_USE
            )
        names = [
            r[0]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_type = 'BASE TABLE'"
            )
        ]
        holding = [
            n
            for n in names
            if n != "alembic_version"
            and await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{n}")')
        ]
        if holding and not force:
            raise _fail(
                f"the database {_safe_url(settings.database_url)} already holds data: restore "
                "into an empty database, or add --force to replace it",
                EXIT_NOT_EMPTY,
            )
        arguments = [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={dsn}",
        ]
        if names:
            arguments += ["--clean", "--if-exists"]
        process = await asyncio.create_subprocess_exec(
            *arguments, str(dump), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _out, err = await process.communicate()
        if process.returncode != 0:
            raise _fail(
                "pg_restore failed (nothing was changed): "
                + (err.decode(errors="replace").strip().splitlines() or ["?"])[0],
                EXIT_DATABASE,
            )
        restored = {n: await conn.fetchval(f'SELECT count(*) FROM "{n}"') for n in expected}
    finally:
        await conn.close()
    if restored != expected:
        differ = sorted(n for n in expected if restored.get(n) != expected[n])
        raise _fail(
            f"restored row counts differ from the backup in: {', '.join(differ)}", EXIT_CORRUPT
        )


def _place_secret(settings: Settings, secret: bytes, secret_out: Path | None) -> Path | None:
    """Write the backup's secret where the bot reads it (or to ``secret_out``)."""
    explicit = (
        settings.secret.strip().encode() if settings.secret and settings.secret.strip() else None
    )
    if secret_out is not None:
        target = secret_out
    elif explicit is not None:
        if explicit != secret:
            raise _fail(
                "BRIDGEBOT_SECRET differs from the secret in the backup, so the restored "
                "receipts and waiting answers could not be read: add --secret-out FILE and put "
                "that secret in BRIDGEBOT_SECRET",
                EXIT_SECRET_MISMATCH,
            )
        return None
    else:
        target = settings.secret_file or Path("bridgebot.secret")
    target = target.resolve()
    if target.exists():
        if target.read_bytes().strip() == secret:
            return target
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target.rename(target.with_name(f"{target.name}.replaced-{stamp}"))
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret + b"\n")
    return target


def _check_secret_fits(settings: Settings, secret: bytes, secret_out: Path | None) -> None:
    explicit = (
        settings.secret.strip().encode() if settings.secret and settings.secret.strip() else None
    )
    if secret_out is None and explicit is not None and explicit != secret:
        _place_secret(settings, secret, None)  # raises the mismatch


def restore(
    settings: Settings,
    path: Path,
    passphrase: bytes,
    *,
    force: bool = False,
    secret_out: Path | None = None,
) -> Outcome:
    started = time.monotonic()
    dialect = "sqlite" if settings.is_sqlite else "postgresql"
    if dialect == "postgresql":
        _tool("pg_restore")
    near = None
    if settings.is_sqlite:
        target = instance.sqlite_path(settings.database_url)
        near = target.parent if target and target.parent.is_dir() else None
    with _private_dir(near) as scratch:
        manifest = _open_backup(path, passphrase, scratch)
        if manifest.get("dialect") != dialect:
            raise _fail(
                f"this is a backup of a {manifest.get('dialect')} database and DATABASE_URL names "
                f"{dialect}: restore it into the same kind of database",
                EXIT_USAGE,
            )
        revision = str(manifest.get("revision") or "")
        at_head = _check_revision(revision)
        tables = {str(k): int(v) for k, v in (manifest.get("tables") or {}).items()}
        _check_secret_fits(settings, manifest["secret"], secret_out)
        if settings.is_sqlite:
            if not (scratch / SQLITE_NAME).is_file():
                raise _fail(f"{path} is damaged or incomplete: no database in it", EXIT_CORRUPT)
            _sqlite_restore(settings, scratch / SQLITE_NAME, force, tables)
        else:
            if not (scratch / PG_NAME).is_file():
                raise _fail(f"{path} is damaged or incomplete: no database in it", EXIT_CORRUPT)
            asyncio.run(_pg_restore(settings, scratch / PG_NAME, force, tables))
        written = _place_secret(settings, manifest["secret"], secret_out)
    migrated = None
    if not at_head:
        from bot.db.migrate import upgrade_url

        upgrade_url(settings.database_url)
        migrated = "head"
    return Outcome(
        path=path,
        dialect=dialect,
        revision=revision,
        tables=tables,
        size=path.stat().st_size,
        seconds=time.monotonic() - started,
        migrated_to=migrated,
        secret_written=written,
    )
