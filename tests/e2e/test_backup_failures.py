"""Every way a backup or restore can fail ends with one line on stderr and its own exit status:
wrong passphrase 3, damaged or cut-off file 4, a schema newer than the code 5, database
unreachable 6, pg_dump/pg_restore missing 7, target holds data 8, a bot running on the target 9,
BRIDGEBOT_SECRET not the backup's 10. Nothing is changed by a refused restore."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

PASSPHRASE = "a long backup passphrase"
SECRET = "backup-test-secret-0123456789"


def _env(db: Path | str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BRIDGEBOT_", "DATABASE_URL"))
    }
    url = db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}"
    env.update(
        {
            "DATABASE_URL": url,
            "BRIDGEBOT_SECRET": SECRET,
            "BRIDGEBOT_BACKUP_PASSPHRASE": PASSPHRASE,
            **extra,
        }
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.fixture
def backup_file(tmp_path: Path) -> Path:
    db = tmp_path / "source.db"
    created = _run(_env(db), "program", "create", "--name", "Spring", "--side", "A", "--side", "B")
    assert created.returncode == 0, created.stderr
    out = tmp_path / "spring.backup"
    result = _run(_env(db), "backup", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_a_wrong_passphrase_is_status_3(tmp_path, backup_file) -> None:
    result = _run(
        _env(tmp_path / "new.db", BRIDGEBOT_BACKUP_PASSPHRASE="not the passphrase"),
        "restore",
        str(backup_file),
    )
    assert result.returncode == 3
    assert "wrong passphrase" in _one_line(result)
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize("damage", ["truncate", "flip", "append", "garbage"])
def test_a_damaged_or_cut_off_backup_is_status_4(tmp_path, backup_file, damage) -> None:
    data = bytearray(backup_file.read_bytes())
    if damage == "truncate":
        data = data[: len(data) - 40]
    elif damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "append":
        data += b"extra"
    else:
        data = bytearray(b"PK\x03\x04 not a backup at all" * 10)
    backup_file.write_bytes(bytes(data))
    result = _run(_env(tmp_path / "new.db"), "restore", str(backup_file))
    assert result.returncode == 4, result.stderr
    assert "damaged or incomplete" in _one_line(result) or "not a Bridgebot backup" in result.stderr
    assert not (tmp_path / "new.db").exists()


def test_a_newer_schema_is_status_5(tmp_path) -> None:
    db = tmp_path / "future.db"
    assert _run(_env(db), "db", "upgrade").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    out = tmp_path / "future.backup"
    assert _run(_env(db), "backup", "--out", str(out)).returncode == 0
    result = _run(_env(tmp_path / "new.db"), "restore", str(out))
    assert result.returncode == 5
    assert "9999_from_the_future" in _one_line(result) and "newer" in result.stderr
    assert not (tmp_path / "new.db").exists()


def test_an_existing_database_with_data_needs_force_status_8(tmp_path, backup_file) -> None:
    target = tmp_path / "busy.db"
    _run(_env(target), "program", "create", "--name", "Other", "--side", "X", "--side", "Y")
    result = _run(_env(target), "restore", str(backup_file))
    assert result.returncode == 8
    assert "--force" in _one_line(result)
    listed = _run(_env(target), "program", "list")
    assert "Other" in listed.stdout and "Spring" not in listed.stdout
    forced = _run(_env(target), "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr
    listed = _run(_env(target), "program", "list")
    assert "Spring" in listed.stdout and "Other" not in listed.stdout


def test_a_different_explicit_secret_is_status_10_and_secret_out_resolves_it(
    tmp_path, backup_file
) -> None:
    env = _env(tmp_path / "new.db", BRIDGEBOT_SECRET="some-other-secret-0123456789")
    result = _run(env, "restore", str(backup_file))
    assert result.returncode == 10
    assert "--secret-out" in _one_line(result)
    assert not (tmp_path / "new.db").exists()
    out = tmp_path / "restored.secret"
    result = _run(env, "restore", str(backup_file), "--secret-out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().strip() == SECRET
    assert oct(out.stat().st_mode & 0o777) == "0o600"


def test_no_passphrase_without_a_terminal_is_a_usage_error(tmp_path, backup_file) -> None:
    env = _env(tmp_path / "new.db")
    del env["BRIDGEBOT_BACKUP_PASSPHRASE"]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "restore", str(backup_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "BRIDGEBOT_BACKUP_PASSPHRASE" in _one_line(result)
    passfile = tmp_path / "pass"
    passfile.write_text(PASSPHRASE + "\n")
    result = _run(env, "restore", str(backup_file), "--passphrase-file", str(passfile))
    assert result.returncode == 0, result.stderr


def test_postgresql_unreachable_is_6_and_missing_pg_dump_is_7(tmp_path) -> None:
    unreachable = _env("postgresql+asyncpg://bridgebot:pw@127.0.0.1:1/none")
    result = _run(unreachable, "backup", "--out", str(tmp_path / "x.backup"))
    assert result.returncode == 6
    line = _one_line(result)
    assert "cannot connect to the database" in line and "pw" not in line
    no_tools = {**unreachable, "PATH": str(tmp_path)}
    result = _run(no_tools, "backup", "--out", str(tmp_path / "x.backup"))
    assert result.returncode == 7
    assert "pg_dump is not on PATH" in _one_line(result)
    result = _run(no_tools, "restore", str(tmp_path / "x.backup"))
    assert result.returncode == 7
    assert "pg_restore is not on PATH" in _one_line(result)


def test_a_bot_running_on_the_target_is_status_9(tmp_path, backup_file) -> None:
    from bot.db.instance import SqliteLock

    target = tmp_path / "live.db"
    running = SqliteLock(target)  # what `bridgebot run` holds while it runs
    running.acquire()
    try:
        result = _run(_env(target), "restore", str(backup_file), "--force")
    finally:
        running.release()
    assert result.returncode == 9
    assert f"pid {os.getpid()}" in _one_line(result)
    assert not target.exists()
