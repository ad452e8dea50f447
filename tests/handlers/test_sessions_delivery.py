"""Reminders under Telegram's faults: every delivery ends sent, failed (with a reason moderators
see) or skipped (stale) — never left claimed — and a member gets a second copy only when an
attempt's outcome was unknown and Telegram had in fact delivered it (bot/domain/delivery.py).

The clock is moved by hand; the notifier's sweep runs as its job would. Inline retries are off
(``INLINE_PATIENCE = 0``) so that every retry here is the sweep's."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.db.models import Delivery
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import service as sessions_service
from bot.jobs import notifier
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world, quiet_world)
from tests.handlers.sessions_fixtures import build_world
from tests.helpers.faults import ACTED, ERROR_AFTER, ERROR_BEFORE, TIMEOUT_AFTER, TIMEOUT_BEFORE

REMINDER_DUE = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)  # 24 h before 19:00 in Yerevan


@pytest.fixture(autouse=True)
def no_inline_patience(monkeypatch):
    monkeypatch.setattr(notifier, "INLINE_PATIENCE", timedelta(0))


def reminders_per_member(fake, world) -> Counter[int]:
    ids = {u.id for u in world.members.values()}
    return Counter(
        int(c.params["chat_id"])
        for c in fake.calls("sendMessage")
        if c.ok
        and int(c.params["chat_id"]) in ids
        and "Listening circle" in str(c.params.get("text"))
    )


async def statuses(runtime) -> dict[str, int]:
    async with runtime.db() as db:
        rows = await db.execute(
            select(Delivery.status, func.count())
            .where(Delivery.person_id.is_not(None))
            .group_by(Delivery.status)
        )
    return dict(rows.all())


async def sweep_until_done(app, runtime, clock, rounds: int = 40) -> None:
    for _ in range(rounds):
        if not set(await statuses(runtime)) & {"claimed", "pending"}:
            return
        clock.advance(seconds=61)  # past any backoff and past the test lease
        await notifier.sweep(app)
    raise AssertionError(f"deliveries still open: {await statuses(runtime)}")


@pytest.mark.parametrize(
    ("kind", "copies"),
    [(ERROR_BEFORE, 1), (TIMEOUT_BEFORE, 1), (ERROR_AFTER, 2), (TIMEOUT_AFTER, 2)],
)
async def test_a_failed_attempt_is_retried_and_only_an_unknown_outcome_that_was_delivered_repeats(
    tg, world, clock, app, runtime, kind, copies
):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    tg.fake.fault_next("sendMessage", kind)  # the wave's first send
    clock.now = REMINDER_DUE
    report = await session_jobs.run_due(app)
    assert (report.sent, report.pending) == (3, 1)
    async with runtime.db() as db:
        waiting = await db.scalar(select(Delivery).where(Delivery.status == "pending"))
    assert waiting.attempts == 1 and waiting.next_attempt_at == REMINDER_DUE + timedelta(seconds=1)
    await sweep_until_done(app, runtime, clock)

    counts = reminders_per_member(tg.fake, world)
    assert sorted(counts.values()) == sorted([1, 1, 1, copies])
    assert set(counts) == {u.id for u in world.members.values()}
    assert await statuses(runtime) == {"sent": 4}


async def test_a_429_burst_is_waited_out_and_nobody_is_missed_or_doubled(
    tg, world, clock, app, runtime
):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = REMINDER_DUE
    tg.fake.flood_wait(30)
    report = await session_jobs.run_due(app)
    assert report.pending == 4
    async with runtime.db() as db:
        due = set((await db.scalars(select(Delivery.next_attempt_at))).all()) - {None}
    assert due == {REMINDER_DUE + timedelta(seconds=30)}  # retry_after obeyed, not the backoff
    clock.advance(seconds=10)
    await notifier.sweep(app)
    assert reminders_per_member(tg.fake, world) == Counter()  # not yet: nothing was tried early
    await sweep_until_done(app, runtime, clock)
    assert set(reminders_per_member(tg.fake, world).values()) == {1}
    assert await statuses(runtime) == {"sent": 4}


async def test_with_random_faults_a_wave_ends_with_everyone_reached_and_nothing_claimed(
    tg, runtime, clock, app
):
    members = tuple((f"M{i}", "en", "Europe/Berlin", i % 2) for i in range(60))
    world = await build_world(runtime, tg.fake, members=members)
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    tg.fake.inject_faults(
        seed=11,
        error_before=0.05,
        error_after=0.05,
        timeout_before=0.05,
        timeout_after=0.05,
        too_many=0.05,
        retry_after=5,
    )
    clock.now = REMINDER_DUE
    await session_jobs.run_due(app)
    tg.fake.fault_next("sendMessage", "too_many")  # and a flood wait when the retries begin
    await sweep_until_done(app, runtime, clock)

    counts = reminders_per_member(tg.fake, world)
    acted = [f for f in tg.fake.injected_faults() if f.kind in ACTED]
    assert len(counts) == 60  # nobody missing
    # A member gets an extra copy only for an attempt whose outcome was unknown and which had in
    # fact been delivered: at most one per such fault on their chat.
    acted_on = Counter(f.chat_id for f in acted)
    assert all(n <= 1 + acted_on[chat] for chat, n in counts.items())
    assert sum(n - 1 for n in counts.values()) <= len(acted)
    assert await statuses(runtime) == {"sent": 60}
    assert tg.fake.fault_counts()["too_many"] > 1


async def test_a_refusal_is_failed_with_the_reason_moderators_are_told(
    tg, world, clock, app, runtime
):
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    tg.fake.deactivate(world.member("Noa"))
    await tg.block(world.member("Olga"))
    clock.now = REMINDER_DUE
    await session_jobs.run_due(app)
    async with runtime.db() as db:
        rows = dict(
            (
                await db.execute(
                    select(Delivery.person_id, Delivery.reason).where(Delivery.status == "failed")
                )
            ).all()
        )
    assert rows == {world.member("Olga").id: "blocked", world.member("Noa").id: "deactivated"}
    clock.now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    await session_jobs.run_due(app)
    told = tg.texts(tg.private(world.moderator))[-1]
    assert told.splitlines()[1:] == [
        "• Noa: deleted their Telegram account",
        "• Olga: blocked the bot",
    ]
    assert session.title in told


async def test_a_reminder_still_failing_when_the_session_starts_is_skipped_as_stale(
    tg, world, clock, app, runtime
):
    await world.add_session(datetime(2026, 3, 10, 19, 0), reminder_offsets=[timedelta(hours=1)])
    tg.fake.inject_faults(error_before=1.0)
    clock.now = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    await session_jobs.run_due(app)
    for _ in range(3):
        clock.advance(minutes=10)
        await notifier.sweep(app)
    clock.now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    await notifier.sweep(app)
    async with runtime.db() as db:
        rows = (
            await db.execute(
                select(Delivery.status, Delivery.reason, Delivery.payload).where(
                    Delivery.person_id.is_not(None)
                )
            )
        ).all()
    assert {tuple(r) for r in rows} == {("skipped", "session_started", None)}
    assert reminders_per_member(tg.fake, world) == Counter()


async def test_a_crash_mid_wave_leaves_claims_the_sweep_finishes_after_the_lease(
    tg, world, clock, app, runtime
):
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = REMINDER_DUE
    await session_jobs.run_due(app)
    sent_before = len(tg.fake.calls("sendMessage"))
    # What a kill -9 during two sends (one of them a 429 wait) and during the marking of the
    # wave leaves behind: claims nobody will ever finish, from a process that no longer exists.
    async with runtime.db() as db:
        ani, olga = world.member("Ani").id, world.member("Olga").id
        await db.execute(
            update(Delivery)
            .where(Delivery.person_id.in_([ani, olga]))
            .values(
                status="claimed", chat_id=Delivery.person_id, payload={"text": "⏰ Reminder: again"}
            )
        )
        await db.execute(
            update(Delivery).where(Delivery.kind == "reminder_wave").values(status="claimed")
        )
    app.bot_data.pop(notifier.IN_FLIGHT_KEY, None)
    clock.advance(seconds=30)  # within the lease: the holder may still be alive
    assert (await notifier.sweep(app)).retried == 0
    clock.advance(seconds=120)
    report = await notifier.sweep(app)
    assert (report.retried, report.sent, report.released) == (2, 2, 1)
    assert len(tg.fake.calls("sendMessage")) == sent_before + 2
    async with runtime.db() as db:
        assert (
            await db.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == "claimed")
            )
            == 0
        )
    # The wave marker was handed back: the next run re-marks it without sending anyone anything.
    await session_jobs.run_due(app)
    assert len(tg.fake.calls("sendMessage")) == sent_before + 2
    async with runtime.db() as db:
        assert (
            await db.scalar(select(Delivery.status).where(Delivery.kind == "reminder_wave"))
            == "sent"
        )


async def test_pending_reminders_of_a_cancelled_session_are_skipped(tg, world, clock, app, runtime):
    session = await world.add_session(datetime(2026, 3, 10, 19, 0))
    tg.fake.inject_faults(error_before=1.0)
    clock.now = REMINDER_DUE
    await session_jobs.run_due(app)
    tg.fake.faults_off()
    async with runtime.db() as db:
        await sessions_service.cancel(
            db, session_id=session.id, actor_id=None, admin_ids=(), now=clock()
        )
    clock.advance(minutes=5)
    await notifier.sweep(app)
    assert await statuses(runtime) == {"skipped": 4}
    assert reminders_per_member(tg.fake, world) == Counter()


async def test_the_start_up_catch_up_runs_however_late_the_job_queue_starts(
    tg, world, clock, app, runtime
):
    # Scheduled by post_init (the app fixture); the session is already past half time.
    await world.add_session(datetime(2026, 3, 10, 19, 0), minutes=60)
    clock.now = datetime(2026, 3, 10, 15, 40, tzinfo=UTC)
    await asyncio.sleep(1.5)  # a slow start-up: longer than APScheduler's default 1-second grace
    await app.job_queue.start()
    try:
        for _ in range(100):
            if tg.texts(tg.private(world.moderator)):
                break
            await asyncio.sleep(0.05)
    finally:
        await app.job_queue.stop()
    assert tg.texts(tg.private(world.moderator))[-1].startswith(
        "Half time in Listening circle: how the sides are heard so far."
    )
    ani = tg.texts(tg.private(world.member("Ani")))
    assert ani and ani[-1].startswith("Hello! We are halfway through Listening circle.")


async def test_an_opening_post_still_being_retried_does_not_keep_the_group_quiet(
    tg, quiet_world, clock, app, runtime
):
    await quiet_world.add_session(datetime(2026, 3, 10, 19, 0), minutes=60)
    clock.now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    tg.fake.fault_next("sendMessage", ERROR_BEFORE)  # the opening post
    await session_jobs.run_due(app)
    assert tg.fake.chat(quiet_world.chat.id).permissions["can_send_messages"] is True
    assert tg.texts(quiet_world.chat) == []
    clock.advance(seconds=5)
    await notifier.sweep(app)
    assert len(tg.texts(quiet_world.chat)) == 1  # the sweep posted it
