"""Typed settings read once from the environment (and an optional TOML file).

Everything the bot needs to know about its deployment is here, in one frozen object, so that handlers,
jobs and the CLI never read ``os.environ`` themselves.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///bridgebot.db"
SUPPORTED_LOCALES = (
    "en", "ru", "uk", "ar", "he", "tr", "el", "hy", "az",
    "ka", "sr", "sr_Latn", "sq", "ko", "zh_Hans", "zh_Hant", "es", "fr", "de",
)  # fmt: skip
# Telegram tokens look like "123456789:AAH...": a numeric bot id, a colon and a 30+ character secret.
_TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")


REDACTED = "<redacted>"
SECRET_FIELDS = ("token", "secret", "webhook_secret")
LOG_FORMATS = ("text", "json")


def database_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password or None
    except Exception:
        return None


def redact_url(url: str) -> str:
    """The database URL without its password (kept in shape: user:***@host)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return REDACTED


def parse_listen(name: str, raw: str) -> tuple[str, int]:
    """Read a listen address: 9090, :9090, 0.0.0.0:9090, [::]:9090 → (address, port).

    A bare port means loopback; an empty address means every interface."""
    text = raw.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = "127.0.0.1", text
    host = host.strip("[]") or "0.0.0.0"
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"{name}: {raw!r} is not ADDRESS:PORT (e.g. 0.0.0.0:9090) or a port.")
    return host, int(port_text)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and is shown as-is."""


class OperatorError(Exception):
    """An operation failed for a reason the operator must act on: shown as one line, and the
    process ends with ``exit_status`` (each failure mode has its own, see docs/OPERATIONS.md)."""

    def __init__(self, message: str, exit_status: int) -> None:
        super().__init__(message)
        self.exit_status = exit_status


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_base_url: str | None = None
    api_file_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    default_locale: str = "en"
    log_level: str = "INFO"
    secret: str | None = None
    # Where a generated secret is kept: never beside the data (see default_secret_file).
    secret_file: Path | None = None
    # Production mode refuses to start without BRIDGEBOT_SECRET (no generated key at all).
    production: bool = False
    webhook_secret: str | None = None
    # Tests only: run the bot's clock this many seconds ahead (a restarted process "after downtime").
    clock_offset_seconds: float = 0.0
    # Owed messages (bot/jobs/notifier.py): how long a claim is trusted before another process (or
    # this one after a crash) may retry it; how often unfinished deliveries are swept; and the read
    # timeout of one send. The lease must outlast a send, so it is at least twice the timeout.
    delivery_lease_seconds: float = 120.0
    delivery_sweep_seconds: float = 30.0
    send_timeout_seconds: float = 10.0
    # One active instance per database (bot/db/instance.py): how often a standby asks for the lock,
    # and how often the active one checks it still holds it.
    standby_poll_seconds: float = 2.0
    lock_heartbeat_seconds: float = 5.0
    # The HTTP listener (/healthz, /readyz, /metrics): "ADDRESS:PORT" or a port; None = off in
    # polling mode (in webhook mode the webhook server serves them too).
    http_listen: tuple[str, int] | None = None
    # /readyz says "not ready" when Telegram has not answered for this long.
    ready_bot_api_seconds: float = 120.0
    # "text" (one human-readable line) or "json" (one object a line, ids and timings as fields).
    log_format: str = "text"

    def __repr__(self) -> str:
        """Every field, with the token, the secrets and the database password left out."""
        from dataclasses import fields

        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS and value:
                value = REDACTED
            elif f.name == "database_url":
                value = redact_url(value)
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    def secrets(self) -> list[str]:
        """The values no log line may contain (bot/ops/logs.py redacts them)."""
        found = [getattr(self, name) for name in SECRET_FIELDS]
        found.append(database_password(self.database_url))
        return [value for value in found if value]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it."
            )
        if not _TOKEN_RE.match(self.token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<secret>' as given by @BotFather."
            )
        return self.token


def default_secret_file(env: Mapping[str, str]) -> Path:
    """The generated secret's home: the user's configuration directory, not the data folder.

    ``$XDG_CONFIG_HOME/bridgebot/secret`` (``~/.config/bridgebot/secret`` when unset), so that a
    copy of the database folder alone holds no key that could name who answered which survey.
    """
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "bridgebot" / "secret"


# Docker and Kubernetes hand secrets over as files: NAME_FILE names a file holding NAME's value.
# BRIDGEBOT_SECRET_FILE is the secret's own file (read when it exists, else generated there).
FILE_VARIANTS = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "BRIDGEBOT_WEBHOOK_SECRET")


def _read_secret_file(name: str, path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(f"{name}: cannot read {path}: {reason}.") from None
    if not value:
        raise ConfigError(f"{name}: {path} is empty.")
    return value


def _resolve_file_variants(source: dict[str, str]) -> None:
    """Replace NAME_FILE by NAME's value read from that file; both set is an error."""
    for name in FILE_VARIANTS:
        path = source.pop(f"{name}_FILE", None)
        if path is None:
            continue
        if name in source:
            raise ConfigError(f"{name} and {name}_FILE are both set: keep only one of them.")
        source[name] = _read_secret_file(f"{name}_FILE", path)
    if "BRIDGEBOT_SECRET" in source and "BRIDGEBOT_SECRET_FILE" in source:
        raise ConfigError(
            "BRIDGEBOT_SECRET and BRIDGEBOT_SECRET_FILE are both set: keep only one of them."
        )


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: {raw!r} is not true or false.")


def _parse_admin_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"\d{1,20}", part):
            raise ConfigError(f"BRIDGEBOT_ADMIN_IDS: {part!r} is not a numeric Telegram user id.")
        ids.add(int(part))
    return frozenset(ids)


def _derive_file_url(base_url: str) -> str:
    # The Bot API serves files under /file/bot<token>/ beside /bot<token>/; a self-hosted server
    # follows the same shape, so ".../bot" becomes ".../file/bot".
    trimmed = base_url.rstrip("/")
    if trimmed.endswith("/bot"):
        return trimmed[: -len("/bot")] + "/file/bot"
    return trimmed + "/file/bot"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment).

    ``BRIDGEBOT_CONFIG`` may name a TOML file whose keys are the same variable names; the environment
    wins over the file so that a deployment can override one value without editing the file.
    """
    source: dict[str, str] = {}
    env = dict(os.environ if env is None else env)
    config_path = env.get("BRIDGEBOT_CONFIG")
    if config_path:
        try:
            with open(config_path, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"BRIDGEBOT_CONFIG: cannot read {config_path}: {exc}") from exc
        source.update({str(k).upper(): str(v) for k, v in data.items()})
    source.update({k: v for k, v in env.items() if v != ""})
    _resolve_file_variants(source)

    default_locale = source.get("BRIDGEBOT_DEFAULT_LOCALE", "en")
    if default_locale not in SUPPORTED_LOCALES:
        raise ConfigError(
            f"BRIDGEBOT_DEFAULT_LOCALE: {default_locale!r} is not one of {', '.join(SUPPORTED_LOCALES)}."
        )
    log_level = source.get("BRIDGEBOT_LOG_LEVEL", "INFO").upper()
    if log_level not in logging.getLevelNamesMapping():
        raise ConfigError(f"BRIDGEBOT_LOG_LEVEL: unknown level {log_level!r}.")

    base_url = source.get("TELEGRAM_API_BASE_URL")
    file_url = source.get("TELEGRAM_API_FILE_URL") or (
        _derive_file_url(base_url) if base_url else None
    )
    database_url = source.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if "://" not in database_url:
        raise ConfigError(f"DATABASE_URL: {database_url!r} is not a database URL.")
    raw_offset = source.get("BRIDGEBOT_CLOCK_OFFSET_SECONDS", "0")
    try:
        clock_offset = float(raw_offset)
    except ValueError:
        raise ConfigError(
            f"BRIDGEBOT_CLOCK_OFFSET_SECONDS: {raw_offset!r} is not a number."
        ) from None
    production = _parse_bool("BRIDGEBOT_PRODUCTION", source.get("BRIDGEBOT_PRODUCTION", ""))
    secret = source.get("BRIDGEBOT_SECRET")
    secret_file = source.get("BRIDGEBOT_SECRET_FILE")
    if production and not (secret and secret.strip()):
        if not (secret_file and os.path.isfile(secret_file)):
            raise ConfigError(
                "BRIDGEBOT_PRODUCTION is set but BRIDGEBOT_SECRET is not: production needs an "
                "explicit secret (or an existing BRIDGEBOT_SECRET_FILE), kept apart from the "
                "database (see docs/PRIVACY.md)."
            )
        secret = _read_secret_file("BRIDGEBOT_SECRET_FILE", secret_file)
    lease = _positive_seconds(source, "BRIDGEBOT_DELIVERY_LEASE_SECONDS", 120.0)
    sweep = _positive_seconds(source, "BRIDGEBOT_DELIVERY_SWEEP_SECONDS", 30.0)
    send_timeout = _positive_seconds(source, "BRIDGEBOT_SEND_TIMEOUT_SECONDS", 10.0)
    if lease < 2 * send_timeout:
        raise ConfigError(
            "BRIDGEBOT_DELIVERY_LEASE_SECONDS must be at least twice BRIDGEBOT_SEND_TIMEOUT_SECONDS."
        )
    http_listen = source.get("BRIDGEBOT_HTTP_LISTEN")
    log_format = source.get("BRIDGEBOT_LOG_FORMAT", "text").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"BRIDGEBOT_LOG_FORMAT: {log_format!r} is not one of text, json.")
    return Settings(
        http_listen=parse_listen("BRIDGEBOT_HTTP_LISTEN", http_listen) if http_listen else None,
        ready_bot_api_seconds=_positive_seconds(source, "BRIDGEBOT_READY_BOT_API_SECONDS", 120.0),
        log_format=log_format,
        token=source.get("TELEGRAM_BOT_TOKEN"),
        api_base_url=base_url,
        api_file_url=file_url,
        database_url=database_url,
        admin_ids=_parse_admin_ids(source.get("BRIDGEBOT_ADMIN_IDS", "")),
        default_locale=default_locale,
        log_level=log_level,
        secret=secret,
        secret_file=Path(secret_file) if secret_file else default_secret_file(source),
        production=production,
        webhook_secret=source.get("BRIDGEBOT_WEBHOOK_SECRET"),
        clock_offset_seconds=clock_offset,
        delivery_lease_seconds=lease,
        delivery_sweep_seconds=sweep,
        send_timeout_seconds=send_timeout,
        standby_poll_seconds=_positive_seconds(source, "BRIDGEBOT_STANDBY_POLL_SECONDS", 2.0),
        lock_heartbeat_seconds=_positive_seconds(source, "BRIDGEBOT_LOCK_HEARTBEAT_SECONDS", 5.0),
    )


def _positive_seconds(source: Mapping[str, str], name: str, default: float) -> float:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number of seconds.") from None
    if not value > 0:
        raise ConfigError(f"{name}: {raw!r} must be more than 0 seconds.")
    return value
