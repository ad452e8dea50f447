"""The `bridgebot` command line as an operator meets it: one clear line and exit status 2 on error."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import bridgebot


def assert_one_line_failure(result, *phrases: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    # The verdict is the last line, and it is the only line that speaks of the failure.
    assert lines[-1].startswith("bridgebot: "), result.stderr
    for phrase in phrases:
        assert phrase in lines[-1]
    assert [line for line in lines if "ERROR" in line or "CRITICAL" in line] == []


def test_missing_token(bot_env) -> None:
    del bot_env["TELEGRAM_BOT_TOKEN"]
    assert_one_line_failure(bridgebot(bot_env, "run"), "TELEGRAM_BOT_TOKEN is not set")


def test_malformed_token(bot_env) -> None:
    bot_env["TELEGRAM_BOT_TOKEN"] = "not-a-token"
    assert_one_line_failure(bridgebot(bot_env, "run"), "TELEGRAM_BOT_TOKEN is malformed")


def test_rejected_token(bot_env, fake) -> None:
    bot_env["TELEGRAM_BOT_TOKEN"] = "123456789:AAWrongTokenWrongTokenWrongToken12345"
    assert_one_line_failure(bridgebot(bot_env, "run"), "Telegram rejected TELEGRAM_BOT_TOKEN")


def test_unreachable_database(bot_env) -> None:
    bot_env["DATABASE_URL"] = "postgresql+asyncpg://nobody:secret@127.0.0.1:9/nowhere"
    result = bridgebot(bot_env, "run")
    assert_one_line_failure(result, "cannot connect to the database")
    assert "secret" not in result.stderr  # the password is never printed


def test_bad_admin_ids(bot_env) -> None:
    bot_env["BRIDGEBOT_ADMIN_IDS"] = "12,abc"
    assert_one_line_failure(bridgebot(bot_env, "run"), "BRIDGEBOT_ADMIN_IDS")


def test_program_and_invite_scripting(bot_env) -> None:
    created = bridgebot(
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
        "hy",
        "--timezone",
        "Asia/Yerevan",
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("1\tSpring Exchange\tsides: Armenia, Azerbaijan")
    invite = bridgebot(
        bot_env, "invite", "--program", "Spring Exchange", "--side", "armenia", "--expires", "14d"
    )
    assert invite.returncode == 0, invite.stderr
    assert invite.stdout.startswith("https://t.me/bridgebot_test_bot?start=join_")
    assert len(invite.stdout.strip().rsplit("join_", 1)[1]) >= 22
    listing = bridgebot(bot_env, "program", "list")
    assert listing.stdout.strip() == "1\tSpring Exchange\tArmenia=0, Azerbaijan=0"


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("invite", "--program", "Nope", "--side", "A"), "There is no such program."),
        (
            ("invite", "--program", "1", "--side", "A", "--expires", "30x"),
            "I can't read the duration 30x.",
        ),
        (
            ("program", "create", "--name", "X", "--side", "Only"),
            "A program needs at least 2 sides.",
        ),
        (
            (
                "program",
                "create",
                "--name",
                "X",
                "--side",
                "A",
                "--side",
                "B",
                "--timezone",
                "Mars/Base",
            ),
            "I don't know the time zone Mars/Base.",
        ),
    ],
)
def test_bad_arguments_are_explained(bot_env, args, phrase) -> None:
    assert_one_line_failure(bridgebot(bot_env, *args), phrase)


def test_db_upgrade_and_current(bot_env) -> None:
    assert bridgebot(bot_env, "db", "upgrade").stdout.strip() == "database is up to date"
    assert bridgebot(bot_env, "db", "current").stdout.strip() == "up to date"
