"""`*_FILE` settings (the Docker and Kubernetes secrets convention): the value is read from the
named file; setting both the variable and its `_FILE` is a clear error, as is an unreadable file."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789a"


def test_token_database_url_webhook_secret_and_secret_come_from_files(tmp_path) -> None:
    files = {}
    for name, value in (
        ("token", TOKEN),
        ("db", "postgresql+asyncpg://bot:s3cret@db/bridgebot"),
        ("webhook", "hook-secret"),
        ("secret", "a-mounted-server-secret-0123456789"),
    ):
        path = tmp_path / name
        path.write_text(value + "\n")  # editors and `echo` leave a newline: it is not part of it
        files[name] = str(path)
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN_FILE": files["token"],
            "DATABASE_URL_FILE": files["db"],
            "BRIDGEBOT_WEBHOOK_SECRET_FILE": files["webhook"],
            "BRIDGEBOT_SECRET_FILE": files["secret"],
            "BRIDGEBOT_PRODUCTION": "true",
        }
    )
    assert settings.require_token() == TOKEN
    assert settings.database_url == "postgresql+asyncpg://bot:s3cret@db/bridgebot"
    assert settings.webhook_secret == "hook-secret"
    assert settings.secret == "a-mounted-server-secret-0123456789"


@pytest.mark.parametrize(
    "name", ["TELEGRAM_BOT_TOKEN", "DATABASE_URL", "BRIDGEBOT_WEBHOOK_SECRET", "BRIDGEBOT_SECRET"]
)
def test_both_the_variable_and_its_file_is_an_error(tmp_path, name) -> None:
    path = tmp_path / "value"
    path.write_text(
        "sqlite+aiosqlite:///x.db" if name == "DATABASE_URL" else "value-0123456789abcdef"
    )
    with pytest.raises(ConfigError, match=f"{name} and {name}_FILE are both set"):
        load_settings(
            {
                name: "sqlite+aiosqlite:///y.db" if name == "DATABASE_URL" else "v" * 20,
                f"{name}_FILE": str(path),
            }
        )


def test_an_unreadable_or_empty_file_names_the_variable(tmp_path) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN_FILE: cannot read"):
        load_settings({"TELEGRAM_BOT_TOKEN_FILE": str(tmp_path / "missing")})
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match=r"DATABASE_URL_FILE: .* is empty"):
        load_settings({"DATABASE_URL_FILE": str(empty)})


def test_production_with_a_missing_secret_file_still_refuses(tmp_path) -> None:
    with pytest.raises(ConfigError, match="BRIDGEBOT_SECRET"):
        load_settings(
            {"BRIDGEBOT_PRODUCTION": "1", "BRIDGEBOT_SECRET_FILE": str(tmp_path / "absent")}
        )
