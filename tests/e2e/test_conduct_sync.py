"""A blocked term added from the command line reaches the running bot at once (PostgreSQL): the
trigger's NOTIFY marks the filters' 60-second cache stale, so the very next group message with
the term is removed (bot/handlers/moderation_sync.py, migration 0008c)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import bridgebot
from tests.e2e.test_sessions_restart import _populate
from tests.e2e.test_standby import _env, _spawn, _stop, _until
from tests.e2e.test_standby import pg_engine as pg_engine
from tests.e2e.test_standby import pg_url as pg_url
from tests.helpers.driver import TgDriver
from tests.helpers.fake_http import FakeBotApiServer
from tests.helpers.fake_telegram import FakeTelegram

TERM = "zorblaxian"


@pytest.mark.timeout(180)
async def test_a_term_added_by_the_cli_filters_the_next_message_without_waiting_a_minute(
    pg_engine, tmp_path
):
    database_url, engine = pg_engine
    fake = FakeTelegram()
    starts_at = datetime.now(UTC) + timedelta(days=5)
    member_ids, chat_id = await _populate(engine, fake, starts_at)
    chat = fake.chat(chat_id)
    member = fake._users[member_ids[0]]
    fake.set_member(chat, member)
    tg = TgDriver(fake, mode="queue", delivery_timeout=30)
    with FakeBotApiServer(fake) as server:
        env = _env(server, fake, database_url)
        log_path = tmp_path / "bot.log"
        bot = _spawn(env, log_path)
        try:
            await _until(lambda: len(fake.calls("getUpdates")) > 0, 60, "polling", log_path)
            await tg.say(member, chat, f"hello {TERM} friends")
            await asyncio.sleep(2.0)  # handled, and the group's rules are now cached
            assert not fake.calls("deleteMessage")
            result = await asyncio.to_thread(
                bridgebot,
                env,
                "rules",
                "terms",
                "add",
                "--program",
                "Restart Exchange",
                "--language",
                "en",
                TERM,
            )
            assert result.returncode == 0, result.stderr
            changed_at = time.monotonic()
            await tg.say(member, chat, f"again {TERM} friends")
            await _until(lambda: fake.calls("deleteMessage"), 20, "the deletion", log_path)
            took = time.monotonic() - changed_at
        finally:
            _stop(bot)
    assert took < 20  # the cache alone would have kept the old rules for up to 60 s
    print(f"\nterm added by the CLI filtered {took:.2f} s later")
