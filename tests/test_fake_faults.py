"""Fault injection in the fake Bot API: what python-telegram-bot sees, and what Telegram did."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from tests.helpers import FakeBotApiServer, FakeRequest, FakeTelegram
from tests.helpers.faults import ACTED, ERROR_AFTER, ERROR_BEFORE, TIMEOUT_AFTER, TIMEOUT_BEFORE


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(
        fake.token, request=FakeRequest(fake), get_updates_request=FakeRequest(fake)
    ) as b:
        yield b


def started(fake: FakeTelegram, name: str):
    user = fake.user(name)
    fake.mark_started(user)
    return user


@pytest.mark.parametrize(
    ("kind", "raised", "delivered"),
    [
        (ERROR_BEFORE, NetworkError, False),
        (ERROR_AFTER, NetworkError, True),
        (TIMEOUT_BEFORE, TimedOut, False),
        (TIMEOUT_AFTER, TimedOut, True),
    ],
)
async def test_each_fault_raises_what_ptb_raises_and_delivers_only_after_acting(
    fake: FakeTelegram, bot: Bot, kind: str, raised: type[Exception], delivered: bool
) -> None:
    ann = started(fake, "Ann")
    fake.fault_next("sendMessage", kind)

    with pytest.raises(raised):
        await bot.send_message(ann.id, "hello")
    await bot.send_message(ann.id, "again")  # one fault only

    assert fake.texts(ann.id) == (["hello", "again"] if delivered else ["again"])
    assert [(f.kind, f.chat_id) for f in fake.injected_faults()] == [(kind, ann.id)]
    assert [c.fault for c in fake.calls("sendMessage")] == [kind, None]


async def test_a_429_burst_refuses_every_send_until_it_is_over(fake: FakeTelegram) -> None:
    now = [1000.0]
    fake = FakeTelegram(clock=lambda: now[0])
    a, b = started(fake, "A"), started(fake, "B")
    async with Bot(fake.token, request=FakeRequest(fake)) as bot:
        fake.flood_wait(3)
        with pytest.raises(RetryAfter) as first:
            await bot.send_message(a.id, "1")
        now[0] += 1.5
        with pytest.raises(RetryAfter) as second:
            await bot.send_message(b.id, "2")  # another chat: the burst is bot-wide
        now[0] += 1.6
        await bot.send_message(b.id, "3")

    assert first.value.retry_after in (3, dt.timedelta(seconds=3))
    assert second.value.retry_after in (2, dt.timedelta(seconds=2))
    assert fake.texts(a.id) == [] and fake.texts(b.id) == ["3"]
    assert fake.fault_counts() == {"too_many": 2}


async def _faults_seen(seed: int, order: list[int]) -> list[tuple[int, str | None]]:
    fake = FakeTelegram()
    users = [started(fake, f"U{i}") for i in range(30)]
    fake.inject_faults(seed=seed, error_before=0.1, error_after=0.1, timeout_after=0.1)
    async with Bot(fake.token, request=FakeRequest(fake)) as bot:
        for index in order:
            try:
                await bot.send_message(users[index].id, "x")
            except NetworkError:
                pass
    by_user = {c.params["chat_id"]: c.fault for c in fake.calls("sendMessage")}
    return sorted((i, by_user[users[i].id]) for i in range(30))


async def test_probabilistic_faults_are_reproducible_whatever_the_order_of_sends() -> None:
    forward = await _faults_seen(7, list(range(30)))
    backward = await _faults_seen(7, list(reversed(range(30))))
    other_seed = await _faults_seen(8, list(range(30)))

    assert forward == backward
    assert forward != other_seed
    assert 3 <= sum(1 for _, f in forward if f) <= 18  # ~30% of 30 calls


async def test_faults_can_be_turned_off_at_runtime(fake: FakeTelegram, bot: Bot) -> None:
    ann = started(fake, "Ann")
    fake.inject_faults(error_before=1.0)
    with pytest.raises(NetworkError):
        await bot.send_message(ann.id, "lost")
    fake.faults_off()
    await bot.send_message(ann.id, "through")
    assert fake.texts(ann.id) == ["through"]


async def test_http_timeouts_hold_the_answer_past_the_clients_read_timeout(
    fake: FakeTelegram,
) -> None:
    ann = started(fake, "Ann")
    with FakeBotApiServer(fake) as server:
        server.timeout_delay = 0.8
        request = HTTPXRequest(read_timeout=0.3)
        async with Bot(fake.token, base_url=server.base_url, request=request) as bot:
            fake.fault_next("sendMessage", TIMEOUT_AFTER)
            with pytest.raises(TimedOut):
                await bot.send_message(ann.id, "arrived anyway")
            fake.fault_next("sendMessage", TIMEOUT_BEFORE)
            with pytest.raises(TimedOut):
                await bot.send_message(ann.id, "never arrived")
            fake.fault_next("sendMessage", ERROR_AFTER)
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.send_message(ann.id, "arrived, 502")

    assert fake.texts(ann.id) == ["arrived anyway", "arrived, 502"]
    assert [f.kind in ACTED for f in fake.injected_faults()] == [True, False, True]


async def test_http_control_endpoint_sets_and_counts_faults(fake: FakeTelegram) -> None:
    ann = started(fake, "Ann")
    with FakeBotApiServer(fake) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            set_up = await client.post("/_fake/faults", json={"seed": 3, "error_before": 1.0})
            api = f"/bot{fake.token}/sendMessage"
            refused = await client.post(api, json={"chat_id": ann.id, "text": "x"})
            counts = (await client.get("/_fake/faults")).json()["result"]
            await client.post("/_fake/faults", json={})
            accepted = await client.post(api, json={"chat_id": ann.id, "text": "y"})
            bad = await client.post("/_fake/faults", json={"error_sideways": 0.5})

    assert set_up.status_code == 200
    assert (refused.status_code, refused.json()["description"]) == (502, "Bad Gateway")
    assert counts == {"error_before": 1}
    assert accepted.json()["ok"] is True
    assert bad.status_code == 400
    assert fake.texts(ann.id) == ["y"]
