"""Moderators hear privately about a flood or a raid: one DM per burst, in their language and zone."""

from __future__ import annotations

from bot.features.moderation.bursts import report_bursts
from bot.i18n import format_datetime, ngettext, use_locale
from bot.services import people
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, t


async def in_zone(dialogue: Dialogue, user, zone: str) -> None:
    async with dialogue.runtime.db() as db:
        await people.set_timezone(db, user.id, zone, dialogue.runtime.clock())


def removed_line(locale: str, rule: str, count: int, start, end, zone: str) -> str:
    with use_locale(locale):
        return ngettext(
            "🛡 In {group}, {rule}: I removed {count} message between {start} and {end}.",
            "🛡 In {group}, {rule}: I removed {count} messages between {start} and {end}.",
            count,
            group="Group 1",
            rule=t(locale, rule),
            count=count,
            start=format_datetime(start, zone, width="short"),
            end=format_datetime(end, zone, width="short"),
        )


async def test_a_flood_is_reported_to_each_moderator_once_after_it_ends(
    tg, app, fake, dialogue: Dialogue, clock
) -> None:
    alice = await dialogue.participant("Alice", "en")
    mona = await dialogue.moderator("Mona", "ru")
    ned = await dialogue.moderator("Ned", "hy")
    await in_zone(dialogue, mona, "Europe/Moscow")
    await in_zone(dialogue, ned, "Asia/Yerevan")
    sent, times = [], []
    for i in range(9):
        times.append(clock())
        sent.append(await tg.say(alice, dialogue.chat, f"message {i}"))
        clock.advance(seconds=1)
    removed = [m for m in sent if fake.message(dialogue.chat, m.message_id).deleted]
    assert len(removed) == 4  # the limit is 5 in 10 seconds
    # While the burst goes on, the moderators are not disturbed.
    assert await report_bursts(app) == 0
    assert tg.texts(tg.private(mona)) == [] and tg.texts(tg.private(ned)) == []
    clock.advance(seconds=30)
    assert await report_bursts(app) == 1
    [to_mona] = tg.texts(tg.private(mona))
    [to_ned] = tg.texts(tg.private(ned))
    first, last = times[5], times[8]
    assert to_mona.startswith(removed_line("ru", "flooding", 4, first, last, "Europe/Moscow"))
    assert to_ned.startswith(removed_line("hy", "flooding", 4, first, last, "Asia/Yerevan"))
    assert t("ru", "Sent by: {people}", people="Alice (4)") in to_mona
    assert (
        t(
            "hy",
            "It counts as one offence for {name}; the other messages were only removed.",
            name="Alice",
        )
        in to_ned
    )
    # Once per burst: nothing more, however often the job runs.
    clock.advance(seconds=30)
    assert await report_bursts(app) == 0
    assert len(tg.texts(tg.private(mona))) == 1


async def test_a_raid_is_one_dm_per_moderator_naming_who_was_removed(
    tg, app, fake, dialogue: Dialogue, clock
) -> None:
    mona = await dialogue.moderator("Mona", "ar")
    await in_zone(dialogue, mona, "Asia/Dubai")
    raiders = [await dialogue.participant(f"Raider{i}", "en") for i in range(24)]
    times = []
    for raider in raiders:
        times.append(clock())
        await tg.say(raider, dialogue.chat, "hello everyone")
        clock.advance(seconds=0.1)
    assert len(tg.calls("deleteMessage")) == 4  # over 20 messages in 10 seconds
    clock.advance(seconds=30)
    assert await report_bursts(app) == 1
    [dm] = tg.texts(tg.private(mona))
    assert dm.startswith(
        removed_line("ar", "a burst of messages", 4, times[20], times[23], "Asia/Dubai")
    )
    for raider in raiders[20:]:
        assert f"{raider.first_name} (1)" in dm
    assert t("ar", "Nobody was sanctioned for it.") in dm
    assert await dialogue.log("warn") == []
