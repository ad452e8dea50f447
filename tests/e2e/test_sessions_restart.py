"""Kill the real `bridgebot run` process in the middle of a reminder wave, start it again, and check
that every member got exactly one reminder (SQLite and PostgreSQL).

The fake Bot API lets the first messages of the wave through and then holds every further
sendMessage without delivering it, so the process is killed (SIGKILL) with sends in flight: the
worst moment, when deliveries are claimed but not sent. The second process runs with its clock
five minutes ahead (BRIDGEBOT_CLOCK_OFFSET_SECONDS, read by bot/config.py), past the
notifier's two-minute lease, so those claims count as "in doubt" and are sent once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_session_factory
from bot.db.models import (
    Delivery,
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    GroupModerator,
    Person,
)
from bot.domain.programs import ProgramDraft
from bot.features.programs import service as programs
from tests.conftest import TEST_SECRET
from tests.helpers.fake_http import FakeBotApiServer
from tests.helpers.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 40
LET_THROUGH = 12


class GatedTelegram(FakeTelegram):
    """Delivers the first ``LET_THROUGH`` reminders, then holds every further DM undelivered."""

    def __init__(self) -> None:
        super().__init__()
        self.gate_closed = threading.Event()
        self.release = threading.Event()
        self.held = 0
        self._passed = 0
        self._count_lock = threading.Lock()
        self.gating = True

    def handle_wire(self, method, raw_params, files=None, *, token=None):
        if (
            self.gating
            and method.lower() == "sendmessage"
            and not str(raw_params.get("chat_id", "")).startswith("-")
        ):
            with self._count_lock:
                self._passed += 1
                hold = self._passed > LET_THROUGH
                if hold:
                    self.held += 1
                    self.gate_closed.set()
            if hold:
                self.release.wait(timeout=60)
                return 500, {
                    "ok": False,
                    "error_code": 500,
                    "description": "Internal Server Error: held",
                }
        return super().handle_wire(method, raw_params, files, token=token)


async def _populate(engine, fake: FakeTelegram, starts_at: datetime) -> tuple[list[int], int]:
    factory = create_session_factory(engine)
    now = datetime.now(UTC)
    member_ids = []
    async with factory.begin() as db:
        program = await programs.create(
            db,
            ProgramDraft(
                name="Restart Exchange", sides=("North", "South"), languages=("en",), timezone="UTC"
            ),
            creator_id=None,
            now=now,
        )
        chat = fake.group("Restart group")
        fake.set_bot_admin(chat)
        group = DialogueGroup(program_id=program.id, name="R", chat_id=chat.id, created_at=now)
        db.add(group)
        await db.flush()
        moderator = fake.user("Mod")
        fake.mark_started(moderator)
        db.add(
            Person(
                id=moderator.id,
                first_name="Mod",
                locale="en",
                timezone="UTC",
                created_at=now,
                updated_at=now,
            )
        )
        await db.flush()
        db.add(GroupModerator(group_id=group.id, person_id=moderator.id, created_at=now))
        for i in range(MEMBERS):
            user = fake.user(f"Member{i}")
            fake.mark_started(user)
            member_ids.append(user.id)
            db.add(
                Person(
                    id=user.id,
                    first_name=f"Member{i}",
                    locale="en",
                    timezone="Europe/Berlin",
                    created_at=now,
                    updated_at=now,
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
        db.add(
            DialogueSession(
                group_id=group.id,
                title="Restart circle",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=1),
                zone="UTC",
                status="scheduled",
                sequence=0,
                created_at=now - timedelta(days=2),
                updated_at=now - timedelta(days=2),
                planned_at=now - timedelta(days=2),
            )
        )
    return member_ids, chat.id


def _start_bot(
    server: FakeBotApiServer, fake: FakeTelegram, database_url: str, tmp_path: Path, offset: int = 0
):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "DATABASE_URL": database_url,
        "BRIDGEBOT_SECRET": TEST_SECRET.decode(),
        "BRIDGEBOT_LOG_LEVEL": "INFO",
    }
    if offset:
        env["BRIDGEBOT_CLOCK_OFFSET_SECONDS"] = str(offset)
    log = open(tmp_path / f"bot-{offset}.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    ), log


def _reminders(fake: FakeTelegram, member_ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(member_ids, 0)
    for call in fake.calls("sendMessage"):
        chat_id = int(call.params.get("chat_id", 0))
        if (
            call.ok
            and chat_id in counts
            and "Reminder: Restart circle" in str(call.params.get("text"))
        ):
            counts[chat_id] += 1
    return counts


@pytest.mark.timeout(120)
async def test_killed_in_the_middle_of_a_reminder_wave_every_member_gets_exactly_one(
    database_url, engine, tmp_path
):
    fake = GatedTelegram()
    # The 24-hour reminder fell due a minute ago: the bot sends it as soon as it starts.
    starts_at = datetime.now(UTC) + timedelta(hours=24) - timedelta(minutes=1)
    member_ids, _chat = await _populate(engine, fake, starts_at)
    with FakeBotApiServer(fake) as server:
        first, log1 = _start_bot(server, fake, database_url, tmp_path)
        try:
            assert await asyncio.to_thread(fake.gate_closed.wait, 60), (
                tmp_path / "bot-0.log"
            ).read_text()[-3000:]
            await asyncio.sleep(1.5)  # the sends that were answered get recorded as sent
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
            log1.close()
        delivered_before = sum(_reminders(fake, member_ids).values())
        assert delivered_before == LET_THROUGH
        async with create_session_factory(engine)() as db:
            in_doubt = await db.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == "claimed")
            )
        assert in_doubt >= 1  # killed with claims in flight

        fake.gating = False
        fake.release.set()
        second, log2 = _start_bot(server, fake, database_url, tmp_path, offset=300)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and min(_reminders(fake, member_ids).values()) < 1:  # noqa: ASYNC110 - polls another process
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # anything extra would show up now
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(timeout=15)
            except subprocess.TimeoutExpired:
                second.kill()
            log2.close()
    counts = _reminders(fake, member_ids)
    assert sorted(set(counts.values())) == [1], (tmp_path / "bot-300.log").read_text()[-3000:]
    async with create_session_factory(engine)() as db:
        statuses = (
            await db.execute(
                select(Delivery.status, func.count())
                .where(Delivery.person_id.is_not(None))
                .group_by(Delivery.status)
            )
        ).all()
    assert dict(statuses) == {"sent": MEMBERS}
