"""/readyz's checks one by one, and what the settings and the runtime show of themselves."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from bot.config import ConfigError, load_settings, parse_listen
from bot.ops.watch import readiness


def app_of(runtime):
    return SimpleNamespace(bot_data={"runtime": runtime})


async def test_ready_when_every_check_passes(runtime) -> None:
    now = time.time()
    runtime.metrics.bot_api_answered(now - 10)
    runtime.metrics.last_job_at = now - 10
    state = await readiness(app_of(runtime), now=now)
    assert state.ready and state.reason is None
    assert state.as_json()["checks"]["database"] == {
        "ok": True,
        "detail": "reachable, migrations at head",
    }


async def test_not_ready_before_telegram_answered_and_when_the_job_loop_stalls(runtime) -> None:
    now = time.time()
    runtime.metrics.last_job_at = now - 91  # three 30 s sweeps missed
    state = await readiness(app_of(runtime), now=now)
    assert not state.ready
    assert state.as_json()["reason"] == (
        "bot_api: Telegram has not answered yet; "
        "jobs: last job started 91 s ago (stalled after 90 s)"
    )


async def test_not_ready_when_telegram_has_been_silent_too_long(runtime) -> None:
    now = time.time()
    runtime.metrics.bot_api_answered(now - 121)
    runtime.metrics.last_job_at = now
    state = await readiness(app_of(runtime), now=now)
    assert state.reason == "bot_api: last answer 121 s ago (limit 120 s)"


async def test_not_ready_when_the_schema_is_not_at_head(runtime) -> None:
    async with runtime.engine.begin() as conn:
        head = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        await conn.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    try:
        now = time.time()
        runtime.metrics.bot_api_answered(now)
        runtime.metrics.last_job_at = now
        state = await readiness(app_of(runtime), now=now)
        assert state.reason == "database: database schema is not at the migrations' head"
    finally:  # the PostgreSQL test database is shared by the whole run
        async with runtime.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_listen_addresses() -> None:
    assert parse_listen("X", "9090") == ("127.0.0.1", 9090)
    assert parse_listen("X", ":9090") == ("0.0.0.0", 9090)
    assert parse_listen("X", "0.0.0.0:8080") == ("0.0.0.0", 8080)
    assert parse_listen("X", "[::]:8080") == ("::", 8080)
    for bad in ("", "host", "1.2.3.4:", "1.2.3.4:70000", "1.2.3.4:0"):
        with pytest.raises(ConfigError, match="is not ADDRESS:PORT"):
            parse_listen("X", bad)


def test_settings_and_runtime_reprs_show_no_secret(runtime) -> None:
    token = "123456789:AAHsecretPartOfTheToken_abcdefghijklmnop"
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": token,
            "BRIDGEBOT_SECRET": "server-secret-0123456789",
            "BRIDGEBOT_WEBHOOK_SECRET": "webhook-secret-0123456789",
            "DATABASE_URL": "postgresql+asyncpg://bridgebot:pa%40ss-word@db/bridgebot",
            "BRIDGEBOT_LOG_FORMAT": "json",
            "BRIDGEBOT_HTTP_LISTEN": "0.0.0.0:8080",
        }
    )
    runtime.settings = settings
    for shown in (repr(settings), str(settings), repr(runtime)):
        for secret in (
            token,
            "secretPartOfTheToken",
            "server-secret",
            "webhook-secret",
            "pa%40ss",
            "pa@ss",
        ):
            assert secret not in shown
        assert "<redacted>" in shown and "bridgebot:***@db/bridgebot" in shown
    assert "test-secret" not in repr(runtime)
    assert settings.log_format == "json" and settings.http_listen == ("0.0.0.0", 8080)


def test_an_unknown_log_format_is_one_line() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"BRIDGEBOT_LOG_FORMAT": "xml"})
    assert str(raised.value) == "BRIDGEBOT_LOG_FORMAT: 'xml' is not one of text, json."
