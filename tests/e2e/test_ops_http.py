"""The HTTP listener of the real `bridgebot run` process: /healthz, /readyz and /metrics in polling
mode (listener switched on) and in webhook mode (beside the webhook route, on the same port), and
the one-line failure when the listener's port is taken."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import time

import httpx
import pytest

from tests.e2e.conftest import bridgebot, spawn
from tests.helpers.driver import TgDriver

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(process) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except Exception:
        process.kill()
        raise


async def wait_ready(tg: TgDriver, client: httpx.AsyncClient, base: str) -> httpx.Response:
    async def ready():
        answer = await client.get(f"{base}/readyz")
        return answer if answer.status_code == 200 else None

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = await ready()
        if answer is not None:
            return answer
        await asyncio.sleep(0.2)
    raise AssertionError((await client.get(f"{base}/readyz")).text)


async def test_polling_mode_serves_health_readiness_and_metrics(bot_env, fake, tmp_path) -> None:
    port = free_port()
    env = dict(bot_env, BRIDGEBOT_READY_BOT_API_SECONDS="4")
    process = spawn(env, "run", "--http-port", str(port), log_path=tmp_path / "bot.log")
    tg = TgDriver(fake, mode="queue", delivery_timeout=30)
    base = f"http://127.0.0.1:{port}"
    try:
        await fake.wait_for_call("getUpdates", timeout=90)
        await tg.wait_for(lambda: accepts(port), timeout=20)
        async with httpx.AsyncClient(timeout=10) as client:
            health = await client.get(f"{base}/healthz")
            assert health.status_code == 200 and health.json()["alive"] is True
            ready = await wait_ready(tg, client, base)
            body = ready.json()
            assert body["ready"] is True
            assert set(body["checks"]) == {"database", "bot_api", "jobs"}
            assert all(check["ok"] for check in body["checks"].values())

            ani = fake.user("Ani")
            await tg.start(ani)
            await tg.wait_for(lambda: fake.last_text(fake.private(ani)), timeout=20)
            assert "open the invite link" in fake.last_text(fake.private(ani))
            scraped = await client.get(f"{base}/metrics")
            assert scraped.status_code == 200
            assert scraped.headers["content-type"].startswith("text/plain")
            text = scraped.text
            assert 'bridgebot_updates_total{kind="command"} 1.0' in text
            assert 'bridgebot_update_handling_seconds_count{kind="command"} 1.0' in text
            for outcome in ("sent", "retried", "failed", "skipped"):
                assert f'bridgebot_deliveries_total{{outcome="{outcome}"}}' in text
            for name in (
                "bridgebot_retry_after_waits_total",
                "bridgebot_conduct_filter_hits",
                "bridgebot_job_lag_seconds_bucket",
                "bridgebot_open_sessions 0.0",
                'bridgebot_errors_total{kind="unexpected"} 0.0',
                "bridgebot_bot_api_last_answer_age_seconds",
            ):
                assert name in text, name
            assert fake.token not in text and fake.token.split(":")[1] not in text

            # The schema falls behind the code (a downgrade, a restored old copy): not ready.
            database = bot_env["DATABASE_URL"].split(":///", 1)[1]
            with sqlite3.connect(database) as connection:
                (head,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                connection.execute("UPDATE alembic_version SET version_num = 'old'")
            behind = await client.get(f"{base}/readyz")
            assert behind.status_code == 503
            assert behind.json()["reason"] == (
                "database: database schema is not at the migrations' head"
            )
            with sqlite3.connect(database) as connection:
                connection.execute("UPDATE alembic_version SET version_num = ?", (head,))
            assert (await client.get(f"{base}/readyz")).status_code == 200

            # Telegram stops answering (502 to every call): after BRIDGEBOT_READY_BOT_API_SECONDS
            # the bot is not ready, but alive.
            fake.inject_faults(methods=["getUpdates", "getMe"], error_before=1.0)
            deadline = time.monotonic() + 20
            while (answer := await client.get(f"{base}/readyz")).status_code == 200:
                assert time.monotonic() < deadline, answer.text
                await asyncio.sleep(0.5)
            assert answer.status_code == 503
            assert answer.json()["reason"].startswith("bot_api: last answer")
            assert (await client.get(f"{base}/healthz")).status_code == 200
            fake.faults_off()
    finally:
        stop(process)
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log, log
    assert process.returncode == 0, log


async def test_webhook_mode_shares_its_server_and_never_shows_the_secret(
    bot_env, fake, tmp_path
) -> None:
    port = free_port()
    internal = free_port()  # BRIDGEBOT_HTTP_LISTEN: the endpoints also on an internal port
    url = f"http://127.0.0.1:{port}/telegram"
    process = spawn(
        dict(bot_env, BRIDGEBOT_HTTP_LISTEN=f"127.0.0.1:{internal}"),
        "run",
        "--webhook-url",
        url,
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        log_path=tmp_path / "bot.log",
    )
    tg = TgDriver(fake, mode="webhook")
    base = f"http://127.0.0.1:{port}"
    try:
        set_webhook = await fake.wait_for_call("setWebhook", timeout=90)
        secret = set_webhook.params["secret_token"]
        await tg.wait_for(lambda: accepts(port), timeout=20)
        ani = fake.user("Ani")
        await tg.start(ani)
        await tg.wait_for(lambda: fake.last_text(fake.private(ani)), timeout=20)
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.get(f"{base}/healthz")).status_code == 200
            ready = await wait_ready(tg, client, base)
            assert ready.json()["ready"] is True
            scraped = await client.get(f"{base}/metrics")
            assert 'bridgebot_updates_total{kind="command"} 1.0' in scraped.text
            forged = await client.post(url, json={"update_id": 1, "message": {}})
            assert forged.status_code == 403
            for answer in (ready, scraped, forged):
                assert secret not in answer.text and fake.token not in answer.text
                assert secret not in str(answer.headers)
            # A GET on the webhook route is not a way in either.
            assert (await client.get(url)).status_code == 405
            # The internal listener serves the endpoints, never the webhook route.
            inside = f"http://127.0.0.1:{internal}"
            assert (await client.get(f"{inside}/healthz")).status_code == 200
            assert "bridgebot_updates_total" in (await client.get(f"{inside}/metrics")).text
            assert (await client.post(f"{inside}/telegram", json={})).status_code == 404
    finally:
        stop(process)
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log and secret not in log, log


def test_a_taken_port_is_one_line_and_exit_status_2(bot_env) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = bridgebot(bot_env, "run", "--http-port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"bridgebot: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_an_unreadable_listen_address_is_one_line(bot_env) -> None:
    result = bridgebot(dict(bot_env, BRIDGEBOT_HTTP_LISTEN="somewhere"), "run")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "bridgebot: BRIDGEBOT_HTTP_LISTEN: 'somewhere' is not ADDRESS:PORT (e.g. 0.0.0.0:9090) "
        "or a port."
    )
