"""An in-memory Telegram Bot API, faithful enough to run the real bot against it.

One implementation for two users: the test suite (``tests/helpers`` re-exports these modules) and
``bridgebot playground``. ``FakeTelegram`` holds the server state and answers Bot API methods;
``FakeRequest`` plugs it into python-telegram-bot in process; ``FakeBotApiServer`` serves it over
HTTP on 127.0.0.1; ``TgDriver`` acts as Telegram users and waits until the bot has handled it.
"""

from .driver import HandlerError, TgDriver
from .fake_http import FakeBotApiServer
from .fake_request import FakeRequest
from .fake_telegram import (
    ApiError,
    Call,
    FakeChat,
    FakeTelegram,
    FakeUser,
    InviteLink,
    Member,
    SentMessage,
    StoredFile,
    UploadedFile,
)

__all__ = [
    "ApiError",
    "Call",
    "FakeBotApiServer",
    "FakeChat",
    "FakeRequest",
    "FakeTelegram",
    "FakeUser",
    "HandlerError",
    "InviteLink",
    "Member",
    "SentMessage",
    "StoredFile",
    "TgDriver",
    "UploadedFile",
]
