"""`bridgebot backup` while the bot's database is being written, `bridgebot restore` into a fresh
place, and the bot running on the restored copy (SQLite and PostgreSQL).

The program has members, a moderator, a session whose 24-hour reminder is due, a closed session
with its anonymous answers, strikes on the conduct ladder and delivery rows. A writer commits two
delivery rows per transaction for as long as the backup runs, so a copy that is not one snapshot
would show an odd number of them. After restore: every table holds what the original held (the
writer's rows up to the snapshot), the secret came along (the restored bot reads it from
BRIDGEBOT_SECRET_FILE), the report is the same, the ladder's next step is the same, and the bot
started on the copy sends every member the due reminder exactly once.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from bot.db.base import Base
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import (
    Answer,
    Delivery,
    DialogueGroup,
    DialogueSession,
    Person,
    Response,
    SurveyInstance,
)
from bot.domain.anonymity import new_response_id
from bot.features.feedback import evaluation, surveys
from bot.features.feedback.evaluation import Scope
from bot.features.groups import lookup as group_lookup
from bot.features.moderation import service as mod
from bot.reports.csv_export import report_csv
from bot.services import feedback_tallies
from tests.conftest import TEST_SECRET
from tests.e2e.test_sessions_restart import MEMBERS, _populate, _reminders
from tests.helpers.fake_http import FakeBotApiServer
from tests.helpers.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "a long backup passphrase"
ANSWERS = 12


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BRIDGEBOT_", "DATABASE_URL"))
    }
    env.update(
        DATABASE_URL=database_url,
        BRIDGEBOT_BACKUP_PASSPHRASE=PASSPHRASE,
        BRIDGEBOT_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


async def _bridgebot(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def _add_history(engine, member_ids: list[int], chat_id: int) -> int:
    """A closed session with answers, strikes on the ladder, delivery rows. Returns the program."""
    factory = create_session_factory(engine)
    now = datetime.now(UTC)
    rng = random.Random(3)
    async with factory.begin() as db:
        group = (await db.execute(select(DialogueGroup))).scalars().one()
        program_id = group.program_id
        ids = await surveys.ensure_surveys(db, program_id, now)
        view = await surveys.get_survey(db, program_id, surveys.POST_SESSION)
        starts = now - timedelta(days=10)
        past = DialogueSession(
            group_id=group.id,
            title="Earlier circle",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            zone="UTC",
            status="closed",
            closed_at=starts + timedelta(hours=1),
            created_at=starts,
            updated_at=starts,
        )
        db.add(past)
        await db.flush()
        survey = SurveyInstance(
            survey_id=ids[surveys.POST_SESSION],
            program_id=program_id,
            group_id=group.id,
            session_id=past.id,
            opened_at=starts,
            closes_at=starts + timedelta(days=3),
            invited=MEMBERS,
        )
        db.add(survey)
        await db.flush()
        side_ids = [
            r[0] for r in (await db.execute(text("SELECT id FROM sides ORDER BY id"))).all()
        ]
        responses, answers = [], []
        for i in range(ANSWERS):
            rid = new_response_id()
            responses.append(
                {
                    "id": rid,
                    "instance_id": survey.id,
                    "program_id": program_id,
                    "group_id": group.id,
                    "session_id": past.id,
                    "side_id": side_ids[i % 2],
                    "role": "student",
                    "day": starts.date(),
                }
            )
            for item in view.items:
                if item.kind == surveys.TEXT:
                    continue
                value = (
                    rng.randrange(0, 101, 10)
                    if item.kind == surveys.THERMOMETER
                    else rng.randint(1, 5)
                )
                answers.append(
                    {"response_id": rid, "item_id": item.id, "value": value, "text": None}
                )
        await db.execute(insert(Response), responses)
        await db.execute(insert(Answer), answers)
        await feedback_tallies.refresh(db, {r["instance_id"] for r in responses})
        for person_id in member_ids:
            db.add(
                Delivery(
                    key=f"test:earlier:{person_id}",
                    kind="remind_1h",
                    session_id=past.id,
                    person_id=person_id,
                    status="sent",
                    claimed_at=starts - timedelta(hours=1),
                    done_at=starts - timedelta(hours=1),
                    attempts=1,
                )
            )
        view_group = await group_lookup.by_chat(db, chat_id)
        person = await db.get(Person, member_ids[0])
        target = mod.Target(person.id, person.first_name, "en")
        for reason in ("first", "second"):
            await mod.offence(db, view_group, target, actor_id=None, reason=reason, now=now)
    return program_id


async def _writer(engine, stop: asyncio.Event) -> int:
    """Two rows per transaction until ``stop``: an odd count in a copy would be a torn snapshot."""
    factory = create_session_factory(engine)
    n = 0
    while not stop.is_set():
        async with factory.begin() as db:
            for half in ("a", "b"):
                db.add(
                    Delivery(
                        key=f"writer:{n}:{half}",
                        kind="writer",
                        status="sent",
                        claimed_at=datetime.now(UTC),
                        attempts=1,
                    )
                )
        n += 1
        await asyncio.sleep(0.002)
    return n


async def _rows(engine, exclude_writer: bool = True) -> dict[str, list[tuple]]:
    tables: dict[str, list[tuple]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if table.name == "deliveries" and exclude_writer:
                query = query.where(table.c.kind != "writer")
            rows = (await conn.execute(query)).all()
            tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return tables


async def _writer_keys(engine) -> set[str]:
    async with engine.connect() as conn:
        return set(
            (await conn.execute(select(Delivery.key).where(Delivery.kind == "writer"))).scalars()
        )


async def _fresh_target(database_url: str, tmp_path: Path):
    """An empty place of the same kind: a new SQLite path, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'bridgebot.db'}", None
    name = f"bridgebot_restore_{uuid.uuid4().hex[:8]}"
    admin = make_url(database_url).set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(admin)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()

    async def drop() -> None:
        engine = create_engine(admin)
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


async def _report(engine, program_id: int) -> bytes:
    async with create_session_factory(engine).begin() as db:
        report = await evaluation.build_report(
            db, Scope(program_id), now=datetime.now(UTC) + timedelta(days=1)
        )
    return report_csv(report)


async def _next_step(engine, chat_id: int, person_id: int):
    async with create_session_factory(engine).begin() as db:
        group = await group_lookup.by_chat(db, chat_id)
        view = await mod.warns(db, group, mod.Target(person_id, "x", "en"), datetime.now(UTC))
    return len(view.strikes), view.next_step


@pytest.mark.timeout(240)
async def test_an_online_backup_restores_into_a_bot_with_everything_intact(
    database_url, engine, tmp_path
):
    fake = FakeTelegram()
    starts_at = datetime.now(UTC) + timedelta(hours=24) - timedelta(minutes=1)
    member_ids, chat_id = await _populate(engine, fake, starts_at)
    program_id = await _add_history(engine, member_ids, chat_id)
    source_env = _env(database_url, BRIDGEBOT_SECRET=TEST_SECRET.decode())
    backup_file = tmp_path / "program.bridgebot-backup"

    stop = asyncio.Event()
    writer = asyncio.create_task(_writer(engine, stop))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    status, out, err = await _bridgebot(source_env, "backup", "--out", str(backup_file))
    backup_seconds = time.monotonic() - started
    await asyncio.sleep(0.2)
    stop.set()
    transactions = await writer
    assert status == 0, err
    assert "backed up" in out and "encrypted" in out
    # Nothing readable in the file: not the secret, not a name.
    raw = backup_file.read_bytes()
    assert TEST_SECRET not in raw and b"Member1" not in raw
    assert raw.startswith(b"BRIDGEBOT-BACKUP")

    target_url, drop = await _fresh_target(database_url, tmp_path)
    secret_file = tmp_path / "restored-config" / "secret"
    target_env = _env(target_url, BRIDGEBOT_SECRET_FILE=str(secret_file))
    try:
        started = time.monotonic()
        status, out, err = await _bridgebot(target_env, "restore", str(backup_file))
        restore_seconds = time.monotonic() - started
        assert status == 0, err
        assert "every table's row count matches the backup" in out
        assert secret_file.read_bytes().strip() == TEST_SECRET

        restored = create_engine(target_url)
        try:
            # The same rows, table by table; the writer's rows form whole transactions that are
            # all in the original.
            assert await _rows(restored) == await _rows(engine)
            copied = await _writer_keys(restored)
            assert len(copied) % 2 == 0 and 0 < len(copied) <= 2 * transactions
            assert copied <= await _writer_keys(engine)
            report = await _report(restored, program_id)
            assert f"answered,,,{ANSWERS}," in report.decode()
            assert report == await _report(engine, program_id)
            assert await _next_step(restored, chat_id, member_ids[0]) == await _next_step(
                engine, chat_id, member_ids[0]
            )
            assert (await _next_step(restored, chat_id, member_ids[0]))[0] == 2
        finally:
            await restored.dispose()

        # The bot runs on the copy: the due reminder goes to every member exactly once.
        with FakeBotApiServer(fake) as server:
            run_env = {
                **target_env,
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": server.base_url,
            }
            log_path = tmp_path / "restored-bot.log"
            with log_path.open("wb") as log:
                bot = subprocess.Popen(  # noqa: ASYNC220 - a long-lived process
                    [sys.executable, "-m", "bot", "run"],
                    cwd=ROOT,
                    env=run_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                try:
                    deadline = time.monotonic() + 60
                    while time.monotonic() < deadline:
                        if min(_reminders(fake, member_ids).values()) >= 1:
                            break
                        await asyncio.sleep(0.2)
                    await asyncio.sleep(1.0)
                finally:
                    bot.send_signal(signal.SIGTERM)
                    try:
                        bot.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        bot.kill()
            counts = _reminders(fake, member_ids)
            assert set(counts.values()) == {1}, log_path.read_text()[-3000:]
    finally:
        if drop is not None:
            await drop()
    rows = sum(len(v) for v in (await _rows(engine, exclude_writer=False)).values())
    print(
        f"\n{database_url.split(':', 1)[0]}: backup of {rows} rows while writing "
        f"({transactions} transactions): {backup_seconds:.2f} s, {len(raw)} bytes; "
        f"restore {restore_seconds:.2f} s"
    )
