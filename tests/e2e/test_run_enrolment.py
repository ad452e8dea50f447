"""End to end: the real `bridgebot run` process, long polling the fake Bot API over HTTP, enrols a
participant who follows an invite link made with `bridgebot invite`."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from tests.e2e.conftest import bridgebot, spawn
from tests.helpers.driver import TgDriver

pytestmark = pytest.mark.e2e


async def test_real_process_enrols_a_participant_over_http(bot_env, fake, tmp_path) -> None:
    assert (
        bridgebot(
            bot_env,
            "program",
            "create",
            "--name",
            "Spring Exchange",
            "--side",
            "Armenia",
            "--side",
            "Azerbaijan",
            "--language",
            "en",
            "--language",
            "he",
            "--timezone",
            "Asia/Yerevan",
        ).returncode
        == 0
    )
    link = bridgebot(
        bot_env, "invite", "--program", "Spring Exchange", "--side", "Azerbaijan"
    ).stdout.strip()
    payload = link.rsplit("start=", 1)[1]

    process = spawn(bot_env, "run", log_path=tmp_path / "bot.log")
    tg = TgDriver(fake, mode="queue", delivery_timeout=30)
    try:
        # The bot is ready once it has published its command menus and starts polling.
        await fake.wait_for_call("getUpdates", timeout=30)
        dana = fake.user("Dana", language_code="he")
        chat = fake.private(dana)

        async def step(action, expect_buttons: bool = True):
            before = len(fake.sent_messages(chat))
            await action
            message = await tg.wait_for(
                lambda: (
                    len(fake.sent_messages(chat)) > before
                    and (not expect_buttons or tg.buttons(fake.sent_messages(chat)[-1]))
                    and fake.sent_messages(chat)[-1]
                ),
                timeout=20,
            )
            return message

        welcome = await step(tg.start(dana, payload))
        assert "Spring Exchange" in welcome.text and tg.buttons(welcome)[0] == "✓ עברית"
        role = await step(tg.click(dana, welcome, "עברית"))
        country = await step(tg.click(dana, role, tg.buttons(role)[0]))
        conduct = await step(tg.say(dana, chat, "Jerusalem"))
        assert len(tg.buttons(conduct)) == 2
        await step(tg.click(dana, conduct, tg.buttons(conduct)[0]), expect_buttons=False)
        assert country is not None

        database = bot_env["DATABASE_URL"].split(":///", 1)[1]
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT e.person_id, s.name, e.role, p.locale, p.timezone FROM enrolments e "
                "JOIN sides s ON s.id = e.side_id JOIN people p ON p.id = e.person_id"
            ).fetchall()
        assert rows == [(dana.id, "Azerbaijan", "student", "he", "Asia/Jerusalem")]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except Exception:
            process.kill()
            raise
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log, log
    assert process.returncode == 0, log


async def test_webhook_mode_checks_the_secret_token(bot_env, fake, tmp_path) -> None:
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram"
    process = spawn(
        bot_env,
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
    try:
        set_webhook = await fake.wait_for_call("setWebhook", timeout=30)
        secret = set_webhook.params["secret_token"]
        assert len(secret) >= 32 and set_webhook.params["url"] == url
        ani = fake.user("Ani")
        # Wait until the webhook server accepts connections, then talk to the bot through it.
        await tg.wait_for(lambda: _accepts(port), timeout=20)
        await tg.start(ani)
        await tg.wait_for(lambda: fake.last_text(fake.private(ani)), timeout=20)
        assert "open the invite link" in fake.last_text(fake.private(ani))
        # A request without the secret token is refused and does nothing.
        async with httpx.AsyncClient() as client:
            forged = await client.post(url, json={"update_id": 1, "message": {}}, timeout=5)
        assert forged.status_code == 403
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert "Traceback" not in (tmp_path / "bot.log").read_text()


def _accepts(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
