"""Test helpers: the fake Telegram Bot API (in memory and over HTTP) and the user driver."""

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
