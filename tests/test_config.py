"""Settings come from the environment, with clear errors for malformed values."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///bridgebot.db"
    assert settings.admin_ids == frozenset()
    assert (settings.default_locale, settings.log_level) == ("en", "INFO")
    assert settings.api_base_url is None and settings.api_file_url is None


def test_self_hosted_bot_api_derives_its_file_url() -> None:
    settings = load_settings({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert settings.api_file_url == "http://127.0.0.1:8081/file/bot"
    explicit = load_settings(
        {
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_API_FILE_URL": "http://files/bot",
        }
    )
    assert explicit.api_file_url == "http://files/bot"


def test_admin_ids_are_parsed_and_validated() -> None:
    assert load_settings({"BRIDGEBOT_ADMIN_IDS": "12, 8589934593 ,"}).admin_ids == {12, 8589934593}
    with pytest.raises(ConfigError, match="BRIDGEBOT_ADMIN_IDS"):
        load_settings({"BRIDGEBOT_ADMIN_IDS": "12,abc"})


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"BRIDGEBOT_DEFAULT_LOCALE": "it"}, "BRIDGEBOT_DEFAULT_LOCALE"),
        ({"BRIDGEBOT_LOG_LEVEL": "LOUD"}, "BRIDGEBOT_LOG_LEVEL"),
        ({"DATABASE_URL": "bridgebot.db"}, "DATABASE_URL"),
        ({"BRIDGEBOT_DELIVERY_LEASE_SECONDS": "soon"}, "BRIDGEBOT_DELIVERY_LEASE_SECONDS"),
        ({"BRIDGEBOT_DELIVERY_SWEEP_SECONDS": "0"}, "BRIDGEBOT_DELIVERY_SWEEP_SECONDS"),
        ({"BRIDGEBOT_DELIVERY_LEASE_SECONDS": "5"}, "BRIDGEBOT_DELIVERY_LEASE_SECONDS"),
    ],
)
def test_malformed_values_name_the_variable(env, variable) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)


def test_token_is_checked_only_when_needed() -> None:
    with pytest.raises(ConfigError, match="not set"):
        load_settings({}).require_token()
    with pytest.raises(ConfigError, match="malformed"):
        load_settings({"TELEGRAM_BOT_TOKEN": "abc"}).require_token()
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    assert load_settings({"TELEGRAM_BOT_TOKEN": token}).require_token() == token


def test_toml_file_with_environment_overrides(tmp_path) -> None:
    path = tmp_path / "bridgebot.toml"
    path.write_text('BRIDGEBOT_DEFAULT_LOCALE = "hy"\nDATABASE_URL = "sqlite+aiosqlite:///x.db"\n')
    settings = load_settings({"BRIDGEBOT_CONFIG": str(path), "BRIDGEBOT_DEFAULT_LOCALE": "az"})
    assert (settings.default_locale, settings.database_url) == ("az", "sqlite+aiosqlite:///x.db")


def test_zone_rules_come_from_the_tzdata_package() -> None:
    import zoneinfo

    import bot  # noqa: F401  (its import makes the package win over the system's files)

    assert zoneinfo.TZPATH == ()
    assert str(zoneinfo.ZoneInfo("America/Chicago")) == "America/Chicago"


def test_delivery_timings_can_be_shortened_for_tests() -> None:
    settings = load_settings(
        {
            "BRIDGEBOT_DELIVERY_LEASE_SECONDS": "3",
            "BRIDGEBOT_DELIVERY_SWEEP_SECONDS": "0.5",
            "BRIDGEBOT_SEND_TIMEOUT_SECONDS": "1",
        }
    )
    assert (settings.delivery_lease_seconds, settings.delivery_sweep_seconds) == (3.0, 0.5)
    assert settings.send_timeout_seconds == 1.0
    defaults = load_settings({})
    assert (defaults.delivery_lease_seconds, defaults.send_timeout_seconds) == (120.0, 10.0)
