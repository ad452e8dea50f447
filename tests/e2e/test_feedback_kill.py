"""An answer the person was told is saved survives kill -9 of the real process.

The real `bridgebot run` process, over HTTP against the fake Bot API: a participant answers a
survey, sees "saved", and the process is killed (SIGKILL) at once. The answer is waiting, sealed
(fewer than 2k answers: no batch is due), with its receipt. After a restart the receipt still says
"already answered"; and once the survey has closed (a restart with the clock eight days ahead),
the start-up flush writes the answer out as a response. Nothing is lost, nothing is doubled.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.engine import create_engine, create_session_factory
from bot.db.models import DialogueGroup, DialogueSession, Enrolment, GroupMember, Person
from bot.domain.programs import ProgramDraft
from bot.features.feedback import service as feedback
from bot.features.programs import service as programs
from tests.e2e.conftest import bridgebot, spawn
from tests.helpers.driver import TgDriver

pytestmark = pytest.mark.e2e
MEMBERS = 12
MARKER = "zqkilledprocessmarker"


async def _seed(database_url: str, fake) -> tuple[list, int]:
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    users = []
    async with create_session_factory(engine).begin() as db:
        program = await programs.create(
            db,
            ProgramDraft(
                name="Kill Exchange", sides=("North", "South"), languages=("en",), timezone="UTC"
            ),
            creator_id=None,
            now=now,
        )
        group = DialogueGroup(program_id=program.id, name="K", created_at=now)
        db.add(group)
        await db.flush()
        for i in range(MEMBERS):
            user = fake.user(f"Member{i}")
            fake.mark_started(user)
            users.append(user)
            db.add(
                Person(
                    id=user.id, first_name=f"Member{i}", locale="en", created_at=now, updated_at=now
                )
            )
            await db.flush()
            db.add(
                Enrolment(
                    program_id=program.id,
                    person_id=user.id,
                    side_id=program.sides[i % 2].id,
                    role="student",
                    accepted_conduct_at=now,
                    enrolled_at=now,
                )
            )
            db.add(
                GroupMember(
                    program_id=program.id,
                    group_id=group.id,
                    person_id=user.id,
                    status="joined",
                    assigned_at=now,
                )
            )
        session = DialogueSession(
            group_id=group.id,
            title="Circle",
            starts_at=now - timedelta(hours=2),
            ends_at=now - timedelta(hours=1),
            zone="UTC",
            status="closed",
            closed_at=now - timedelta(hours=1),
            created_at=now,
            updated_at=now,
        )
        db.add(session)
        await db.flush()
        opened = await feedback.open_after_session(
            db,
            session_id=session.id,
            group_id=group.id,
            program_id=program.id,
            attendee_ids=[u.id for u in users],
            now=now,
        )
    await engine.dispose()
    return users, opened.instance_id


def _counts(database: str) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("pending_answers", "receipts", "responses")
        }


def _file_holds(database: str, text: str) -> bool:
    return any(
        text.encode() in Path(f"{database}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{database}{suffix}").exists()
    )


def _stop(process, signal_number=signal.SIGTERM) -> None:
    process.send_signal(signal_number)
    try:
        process.wait(timeout=20)
    except Exception:
        process.kill()
        raise


@pytest.mark.timeout(150)
async def test_an_acknowledged_answer_survives_kill_9_and_is_written_when_the_survey_closes(
    bot_env, fake, tmp_path
) -> None:
    assert bridgebot(bot_env, "db", "upgrade").returncode == 0
    database = bot_env["DATABASE_URL"].split(":///", 1)[1]
    users, _instance = await _seed(bot_env["DATABASE_URL"], fake)
    ana = users[0]
    chat = fake.private(ana)
    tg = TgDriver(fake, mode="queue", delivery_timeout=30)

    async def step(action, expect_buttons: bool = True):
        before = len(fake.sent_messages(chat))
        await action
        return await tg.wait_for(
            lambda: (
                len(fake.sent_messages(chat)) > before
                and (not expect_buttons or tg.buttons(fake.sent_messages(chat)[-1]))
                and fake.sent_messages(chat)[-1]
            ),
            timeout=20,
        )

    process = spawn(bot_env, "run", log_path=tmp_path / "bot-1.log")
    try:
        await fake.wait_for_call("getUpdates", timeout=30)
        offer = await step(tg.say(ana, chat, "/feedback"))
        question, label = offer, "Start the survey"
        while True:  # each press edits the same message into the next question
            before = question.text
            await tg.click(ana, question, label)
            question = await tg.wait_for(
                lambda before=before: (
                    fake.last_message(chat).text != before and fake.last_message(chat)
                ),
                timeout=20,
            )
            if "Finish without a comment" in tg.buttons(question):
                break
            label = tg.buttons(question)[-1]
        await tg.say(ana, chat, f"The session was fine {MARKER}")
        await tg.wait_for(lambda: "saved anonymously" in (fake.last_text(chat) or ""), timeout=20)
        process.send_signal(signal.SIGKILL)  # the very moment she was told it is saved
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert _counts(database) == {"pending_answers": 1, "receipts": 1, "responses": 0}
    assert not _file_holds(database, MARKER)  # waiting sealed, not readable

    # Restarted: her receipt survived, so she is not asked again.
    process = spawn(bot_env, "run", log_path=tmp_path / "bot-2.log")
    try:
        await fake.wait_for_call("getUpdates", timeout=30)
        mark = len(fake.sent_messages(chat))
        await tg.say(ana, chat, "/feedback")
        await tg.wait_for(lambda: len(fake.sent_messages(chat)) > mark, timeout=20)
        assert fake.last_text(chat) == "You have no open surveys right now. Thank you!"
    finally:
        _stop(process)
    assert _counts(database)["pending_answers"] == 1

    # Eight days later the survey has closed: the start-up flush writes her answer out.
    env = {**bot_env, "BRIDGEBOT_CLOCK_OFFSET_SECONDS": str(8 * 86400)}
    process = spawn(env, "run", log_path=tmp_path / "bot-3.log")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _counts(database)["responses"] == 0:  # noqa: ASYNC110 - polls another process
            await asyncio.sleep(0.2)
    finally:
        _stop(process, signal.SIGINT)
    assert _counts(database) == {"pending_answers": 0, "receipts": 1, "responses": 1}
    with sqlite3.connect(database) as connection:
        texts = [
            t for (t,) in connection.execute("SELECT text FROM answers WHERE text IS NOT NULL")
        ]
    assert texts == [f"The session was fine {MARKER}"]
    for n in (1, 2, 3):
        log = (tmp_path / f"bot-{n}.log").read_text()
        assert "Traceback" not in log, log
        assert MARKER not in log
