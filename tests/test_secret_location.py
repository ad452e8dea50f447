"""The key is not beside the data: a copy of the database folder alone holds no secret.

A generated secret goes to the user's configuration directory; an old one beside the SQLite file
is moved out (so receipts stay valid); production mode refuses to start without an explicit one.
"""

from __future__ import annotations

import asyncio
import stat

import pytest

from bot.config import ConfigError, load_settings
from bot.runtime import create_runtime


def _env(tmp_path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bridgebot.db'}",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path / "home"),
        **extra,
    }


def _runtime_secret(settings) -> bytes:
    runtime = create_runtime(settings)
    asyncio.run(runtime.engine.dispose())
    return runtime.secret


def test_a_generated_secret_lives_in_the_config_dir_not_beside_the_data(tmp_path) -> None:
    (tmp_path / "data").mkdir()
    settings = load_settings(_env(tmp_path))
    assert settings.secret_file == tmp_path / "config" / "bridgebot" / "secret"
    secret = _runtime_secret(settings)
    stored = tmp_path / "config" / "bridgebot" / "secret"
    assert stored.read_bytes().strip() == secret
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # Nothing in the data folder holds the key.
    for path in (tmp_path / "data").rglob("*"):
        assert path.is_dir() or secret not in path.read_bytes()
    assert not (tmp_path / "data" / "bridgebot.secret").exists()
    # Restarting reads the same secret.
    assert _runtime_secret(load_settings(_env(tmp_path))) == secret


def test_without_xdg_the_secret_goes_under_home(tmp_path) -> None:
    env = _env(tmp_path)
    del env["XDG_CONFIG_HOME"]
    assert load_settings(env).secret_file == tmp_path / "home" / ".config" / "bridgebot" / "secret"


def test_an_old_secret_beside_the_database_is_moved_out_and_kept(tmp_path) -> None:
    (tmp_path / "data").mkdir()
    legacy = tmp_path / "data" / "bridgebot.secret"
    legacy.write_bytes(b"a" * 64)
    legacy.chmod(0o600)
    secret = _runtime_secret(load_settings(_env(tmp_path)))
    assert secret == b"a" * 64  # receipts and sealed answers made with it stay valid
    assert not legacy.exists()
    assert (tmp_path / "config" / "bridgebot" / "secret").read_bytes() == b"a" * 64


def test_an_explicit_secret_writes_no_file(tmp_path) -> None:
    (tmp_path / "data").mkdir()
    env = _env(tmp_path, BRIDGEBOT_SECRET="an-explicit-deployment-secret")
    assert _runtime_secret(load_settings(env)) == b"an-explicit-deployment-secret"
    assert not (tmp_path / "config").exists()


def test_production_mode_requires_an_explicit_secret(tmp_path) -> None:
    with pytest.raises(ConfigError, match="BRIDGEBOT_SECRET"):
        load_settings(_env(tmp_path, BRIDGEBOT_PRODUCTION="true"))
    settings = load_settings(
        _env(tmp_path, BRIDGEBOT_PRODUCTION="1", BRIDGEBOT_SECRET="an-explicit-deployment-secret")
    )
    assert settings.production
    with pytest.raises(ConfigError, match="BRIDGEBOT_PRODUCTION"):
        load_settings(_env(tmp_path, BRIDGEBOT_PRODUCTION="maybe"))
