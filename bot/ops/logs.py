"""Log lines as text or JSON, with the update's ids as fields, and nothing secret in any of them.

``configure(settings)`` installs one stderr handler on the root logger with:

- ``RedactionFilter``: every record, at every level and from every library, is rendered (message,
  arguments and traceback) and then scrubbed of the bot token (and its secret part), the server
  secret, the webhook secret, the database password (also URL-encoded), and recent free-text
  feedback registered with ``keep_out``. Records of python-telegram-bot that carry a request's
  parameters, an API answer or a whole update (its DEBUG lines hold people's messages) have those
  arguments withheld: an update shows as its id, a payload as "<withheld>".
- the update's fields (``bot/ops/observe.py``): ``update_id``, ``chat_id``, ``person`` (a keyed
  hash, never the id), ``handler``, and on the "update handled" line ``duration_ms`` and
  ``outcome``. The text format appends them in brackets; the JSON format (one object a line) has
  them as keys beside ``time``, ``level``, ``logger``, ``message`` and ``exception``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus

from bot.ops.observe import current

REDACTED = "<redacted>"
WITHHELD = "<withheld>"
FIELDS = ("update_id", "update_kind", "chat_id", "person", "handler", "duration_ms", "outcome")
# Free texts shorter than this are words like "yes" that would blank out ordinary log words.
MIN_KEPT_OUT = 6
KEPT_OUT_LIMIT = 2000

_kept_out: OrderedDict[str, None] = OrderedDict()
_secrets: list[str] = []


def keep_out(text: str | None) -> None:
    """Never let ``text`` (a free-text comment someone just wrote) appear in a log line."""
    if not text:
        return
    for part in {text.strip(), *text.strip().splitlines()}:
        part = part.strip()
        if len(part) >= MIN_KEPT_OUT:
            _kept_out[part] = None
            _kept_out.move_to_end(part)
    while len(_kept_out) > KEPT_OUT_LIMIT:
        _kept_out.popitem(last=False)


def add_secrets(values: Iterable[str | bytes | None]) -> None:
    """Values (and their URL-encoded forms) that no log line may contain."""
    for value in values:
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                value = value.hex()
        if not value or len(value) < 4:
            continue
        for form in {value, quote(value, safe=""), quote_plus(value)}:
            if form not in _secrets:
                _secrets.append(form)
        if ":" in value and value.split(":", 1)[0].isdigit():  # a bot token: its secret part too
            add_secrets([value.split(":", 1)[1]])
    _secrets.sort(key=len, reverse=True)  # the longest first, so no part of a secret remains


def scrub(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if _kept_out:
        for kept in reversed(_kept_out):
            if kept in text:
                text = text.replace(kept, WITHHELD)
    return text


def _withhold(value: Any) -> Any:
    from telegram import TelegramObject, Update

    if isinstance(value, Update):
        return f"update {value.update_id}"
    if isinstance(value, TelegramObject | dict | list | tuple | bytes):
        return WITHHELD
    return value


class RedactionFilter(logging.Filter):
    """Renders each record once, scrubbed; attached to the handler, so it sees every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_withhold(a) for a in args)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        update = current()
        if update is not None:
            for key, value in update.fields().items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: getattr(record, key) for key in FIELDS if getattr(record, key, None) is not None}


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields(record)
        if fields:
            extra = " ".join(f"{k}={v}" for k, v in fields.items())
            head, sep, rest = line.partition("\n")
            line = f"{head} [{extra}]{sep}{rest}"
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        body.update(_fields(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            body["exception"] = record.exc_text
        if record.stack_info:
            body["stack"] = record.stack_info
        return json.dumps(body, ensure_ascii=False, default=str)


def make_handler(settings: Any, stream: Any = None) -> logging.Handler:
    """A stderr handler in ``settings.log_format`` that redacts ``settings``' secrets."""
    add_secrets(settings.secrets())
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    return handler


def quiet_libraries(level: str) -> None:
    """Library chatter (every HTTP request, every migration step) only when debugging; SQL
    statements and rows never (a row holds names and answers)."""
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in ("httpx", "httpcore", "alembic", "apscheduler", "tornado.access"):
        logging.getLogger(name).setLevel(quiet)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


def configure(settings: Any, stream: Any = None) -> logging.Handler:
    """The root logger's only handler, at ``settings.log_level``, in ``settings.log_format``."""
    handler = make_handler(settings, stream)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    quiet_libraries(settings.log_level)
    return handler
