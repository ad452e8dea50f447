"""The bot as people meet it: the real Application over the fake Bot API, driven by TgDriver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.handlers.errors import UNEXPECTED_ERRORS_KEY
from tests.helpers.driver import TgDriver
from tests.helpers.fake_request import FakeRequest
from tests.helpers.fake_telegram import FakeTelegram, FakeUser


@pytest.fixture
def fake(clock) -> FakeTelegram:
    # Telegram's dates follow the same hand-moved clock as the bot's services.
    return FakeTelegram(clock=lambda: clock().timestamp())


@pytest.fixture
def admin(fake: FakeTelegram) -> FakeUser:
    """A Bridgebot administrator: the app fixture puts this user in BRIDGEBOT_ADMIN_IDS."""
    return fake.user("Ada", username="ada_admin", language_code="en")


@pytest.fixture
async def app(settings, runtime, fake: FakeTelegram, admin: FakeUser) -> AsyncIterator:
    settings = replace(settings, token=fake.token, admin_ids=frozenset({admin.id}))
    runtime.settings = settings
    application = build_application(
        settings,
        runtime,
        request=FakeRequest(fake),
        get_updates_request=FakeRequest(fake),
        rate_limit=False,
    )
    await application.initialize()
    # post_init runs only under run_polling/run_webhook; the tests start the app by hand.
    await application.post_init(application)
    try:
        yield application
    finally:
        await application.shutdown()


@pytest.fixture
async def tg(fake: FakeTelegram, app) -> AsyncIterator[TgDriver]:
    driver = TgDriver(fake, app, allowed_updates=ALLOWED_UPDATES)
    yield driver
    unexpected = list(app.bot_data.get(UNEXPECTED_ERRORS_KEY, []))
    assert unexpected == [], f"handlers failed unexpectedly: {unexpected!r}"
