"""A burst in one chat neither stalls the bot nor waits behind the group's message budget.

The real Application polls the fake Bot API with Telegram's flood limits switched on (30 sends a
second, 20 a minute into one group), through the production send limiter and update processor.
How fast is measured in bench/concurrency.py; here the bounds are loose and only prove that nothing
waits for what Telegram does not limit (the old behaviour took minutes for the same bursts).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.app import ALLOWED_UPDATES, build_application
from tests.handlers.groups_fixtures import (  # noqa: F401
    World,
    bound_group,
    make_person,
    members_of,
    world_fixture,
)
from tests.helpers.driver import TgDriver
from tests.helpers.fake_request import FakeRequest
from tests.helpers.fake_telegram import FakeTelegram


@pytest.fixture
def fake(clock) -> FakeTelegram:
    # Flood windows need time that passes: Telegram's clock starts at the test's instant and runs.
    started = time.monotonic()
    return FakeTelegram(clock=lambda: clock().timestamp() + time.monotonic() - started)


@pytest.fixture
async def app(settings, runtime, fake: FakeTelegram, admin) -> AsyncIterator:
    settings = replace(settings, token=fake.token, admin_ids=frozenset({admin.id}))
    runtime.settings = settings
    application = build_application(
        settings, runtime, request=FakeRequest(fake), get_updates_request=FakeRequest(fake)
    )
    await application.initialize()
    await application.post_init(application)
    try:
        yield application
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


async def polling(app, fake: FakeTelegram) -> TgDriver:
    fake.rate_limit(per_second=30, per_chat_per_minute=20)
    await app.start()
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
    return TgDriver(fake, mode="queue")


def refused_for_flood(fake: FakeTelegram) -> list:
    return [c for c in fake.calls() if c.error_code == 429]


async def test_fifty_people_added_directly_are_removed_while_others_are_answered(
    tg, world: World, fake: FakeTelegram, app
) -> None:
    group, chat = await bound_group(tg, world)
    ani = (await members_of(world, group))[0]
    fake.set_member(chat, ani)
    live = await polling(app, fake)
    outsiders = [fake.user(f"Guest{i}", language_code="en") for i in range(50)]
    started = time.monotonic()
    for guest in outsiders:
        fake.user_joins(guest, chat, by=ani)
    stranger = fake.user("Sam", language_code="en")
    await live.say(stranger, live.private(stranger), "/help")
    await live.wait_for(lambda: live.last_text(live.private(stranger)), timeout=5)
    help_answered = time.monotonic() - started
    await live.wait_for(lambda: len(fake.calls("unbanChatMember")) == 50, timeout=20)
    removed = {c.params["user_id"] for c in fake.calls("restrictChatMember") if c.ok}
    assert removed == {guest.id for guest in outsiders}
    assert all(not fake.member(chat, guest).in_chat for guest in outsiders)
    assert help_answered < 5
    assert refused_for_flood(fake) == []


async def test_join_requests_are_approved_side_by_side_and_each_exactly_once(
    tg, world: World, fake: FakeTelegram, app
) -> None:
    group, chat = await bound_group(tg, world)
    inside = await members_of(world, group)
    links = {user.id: (await world.member(user)).invite_link for user in inside}
    live = await polling(app, fake)
    started = time.monotonic()
    for user in inside:
        fake.user_join_request(user, chat, links[user.id])
    await live.wait_for(
        lambda: len([c for c in fake.calls("approveChatJoinRequest") if c.ok]) == len(inside),
        timeout=10,
    )
    assert time.monotonic() - started < 5
    for user in inside:
        await live.wait_for(lambda u=user: fake.member(chat, u).in_chat, timeout=5)
    for _ in range(200):
        members = await world.members()
        if all(members[user.id].status == "joined" for user in inside):
            break
        await asyncio.sleep(0.05)
    assert {members[user.id].status for user in inside} == {"joined"}
    assert sorted(c.params["user_id"] for c in fake.calls("approveChatJoinRequest")) == sorted(
        user.id for user in inside
    )  # each approved exactly once
    assert refused_for_flood(fake) == []
