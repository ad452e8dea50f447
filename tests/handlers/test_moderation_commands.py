"""Moderator commands as moderators and participants use them in a dialogue group."""

from __future__ import annotations

from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, t


async def test_moderator_warns_by_reply(tg, fake, dialogue: Dialogue) -> None:
    alice = await dialogue.participant("Alice", "ru")
    mod = await dialogue.moderator("Mona", "en")
    msg = await tg.say(alice, dialogue.chat, "you are all idiots")
    await tg.say(mod, dialogue.chat, "/warn spam", reply_to=msg)
    group_text = tg.last_text(dialogue.chat)
    assert (
        t("en", "⚠️ {name} was warned ({count}/{limit}).", name="Alice", count=1, limit=5)
        in group_text
    )
    assert (
        t("ru", "⚠️ {name} was warned ({count}/{limit}).", name="Alice", count=1, limit=5)
        in group_text
    )
    assert tg.calls("restrictChatMember") == []
    dm = tg.last_text(tg.private(alice))
    assert t("ru", "Reason: {reason}", reason="spam") in dm
    assert "Group 1" in dm
    assert tg.buttons(tg.last_message(tg.private(alice))) == [t("ru", "⚖️ Appeal")]
    rows = await dialogue.log("warn")
    assert (
        len(rows) == 1
        and rows[0].strike
        and rows[0].actor_id == mod.id
        and rows[0].reason == "spam"
    )


from datetime import timedelta  # noqa: E402

import pytest  # noqa: E402

from bot.features.moderation.texts import ERROR_MESSAGES  # noqa: E402


def err(locale: str, code: str, **params: object) -> str:
    return t(locale, ERROR_MESSAGES[code], **params)


async def test_third_warning_mutes_for_an_hour_by_the_ladder(
    tg, fake, dialogue: Dialogue, clock
) -> None:
    alice = await dialogue.participant("Alice", "en", username="alice")
    mod = await dialogue.moderator("Mona", "en")
    for _ in range(2):
        await tg.say(mod, dialogue.chat, "/warn @alice rude")
    assert tg.calls("restrictChatMember") == []
    await tg.say(mod, dialogue.chat, "/warn @alice rude again")
    [call] = tg.calls("restrictChatMember")
    assert call.params["user_id"] == alice.id
    assert call.params["until_date"] == int((clock.now + timedelta(hours=1)).timestamp())
    assert "🔇 Alice is muted for 1 hour." in tg.last_text(dialogue.chat)
    rows = await dialogue.log()
    assert [r.action for r in rows] == ["warn", "warn", "mute"]
    assert rows[-1].duration_seconds == 3600


async def test_mute_by_username_with_duration_in_russian(
    tg, fake, dialogue: Dialogue, clock
) -> None:
    boris = await dialogue.participant("Boris", "ru", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, "/mute @boris 30m off topic")
    [call] = tg.calls("restrictChatMember")
    assert call.params["permissions"]["can_send_messages"] is False
    assert call.params["until_date"] == int((clock.now + timedelta(minutes=30)).timestamp())
    assert fake.member(dialogue.chat, boris).status == "restricted"
    dm = tg.last_text(tg.private(boris))
    from bot.i18n import _, ngettext, use_locale

    with use_locale("ru"):
        expected = _(
            "🔇 You are muted in {group} for {duration}: you can read but not write.",
            group="Group 1",
            duration=ngettext("{n} minute", "{n} minutes", 30),
        )
    assert dm.splitlines()[0] == expected
    with_duration = t("ru", "Reason: {reason}", reason="off topic")
    assert with_duration in dm
    group_text = tg.last_text(dialogue.chat)
    assert "🔇 Boris is muted for 30 minutes." in group_text
    rows = await dialogue.log("mute")
    assert rows[0].duration_seconds == 1800 and rows[0].reason == "off topic"


async def test_mute_by_numeric_id_then_unmute(tg, fake, dialogue: Dialogue) -> None:
    boris = await dialogue.participant("Boris", "en")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, f"/mute {boris.id}")
    assert "🔇 Boris is muted until a moderator unmutes them." in tg.last_text(dialogue.chat)
    assert fake.member(dialogue.chat, boris).status == "restricted"
    await tg.say(mod, dialogue.chat, f"/unmute {boris.id}")
    assert fake.member(dialogue.chat, boris).status == "member"
    assert "🔊 Boris can write again." in tg.last_text(dialogue.chat)
    assert tg.last_text(tg.private(boris)) == "🔊 You can write in Group 1 again."
    assert [r.action for r in await dialogue.log()] == ["mute", "unmute"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("30x", "bad_format"), ("-1h", "not_positive"), ("0m", "not_positive"), ("999d", "too_long")],
)
async def test_bad_durations_are_explained_and_change_nothing(
    tg, fake, dialogue: Dialogue, text, code
) -> None:
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, f"/mute @boris {text} reason")
    assert tg.last_text(dialogue.chat) == t(
        "en",
        {
            "bad_format": "I can't read the duration {text}. Use for example 30m, 2h, 1d or 1w.",
            "not_positive": "A duration must be longer than zero.",
            "too_long": "That duration is too long.",
        }[code],
        text=text,
    )
    assert tg.calls("restrictChatMember") == []
    assert await dialogue.log() == []


async def test_bad_duration_in_russian(tg, fake, dialogue: Dialogue) -> None:
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "ru")
    await tg.say(mod, dialogue.chat, "/ban @boris 30x")
    assert tg.last_text(dialogue.chat) == t(
        "ru", "I can't read the duration {text}. Use for example 30m, 2h, 1d or 1w.", text="30x"
    )
    assert tg.calls("banChatMember") == []


async def test_participant_cannot_use_moderator_commands(
    tg, fake, dialogue: Dialogue, clock
) -> None:
    alice = await dialogue.participant("Alice", "ru")
    await dialogue.participant("Boris", "en", username="boris")
    for command in (
        "/warn @boris",
        "/mute @boris 1h",
        "/ban @boris",
        "/kick @boris",
        "/modlog",
        "/settings",
        "/del",
    ):
        clock.advance(seconds=5)  # not a flood
        await tg.say(alice, dialogue.chat, command)
        assert tg.last_text(dialogue.chat) == err("ru", "needs_moderator"), command
    assert tg.calls("restrictChatMember") == [] and tg.calls("banChatMember") == []
    assert await dialogue.log() == []


async def test_no_target_gets_usage(tg, fake, dialogue: Dialogue) -> None:
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, "/warn")
    assert tg.last_text(dialogue.chat) == err("en", "no_target", command="warn")
    await tg.say(mod, dialogue.chat, "/mute")
    assert tg.last_text(dialogue.chat) == err("en", "no_target_timed", command="mute")
    await tg.say(mod, dialogue.chat, "/ban @nobody_here")
    assert tg.last_text(dialogue.chat) == err("en", "unknown_target", who="@nobody_here")
    assert await dialogue.log() == []


async def test_moderator_cannot_act_on_moderator_admin_bot_self_or_absent(
    tg, fake, dialogue: Dialogue
) -> None:
    mod = await dialogue.moderator("Mona", "en")
    other = await dialogue.moderator("Otto", "en", username="otto")
    admin_user = await dialogue.participant("Adam", "en", username="adam")
    fake.set_member(dialogue.chat, admin_user, "administrator")
    gone = await dialogue.participant("Gina", "en", username="gina")
    fake.set_member(dialogue.chat, gone, "left")
    await tg.say(mod, dialogue.chat, "/mute @otto 1h")
    assert tg.last_text(dialogue.chat) == err("en", "target_is_moderator", name="Otto")
    await tg.say(mod, dialogue.chat, "/ban @adam")
    assert tg.last_text(dialogue.chat) == err("en", "target_is_admin", name="Adam")
    await tg.say(mod, dialogue.chat, "/kick @gina")
    assert tg.last_text(dialogue.chat) == err("en", "target_not_in_group", name="Gina")
    bot_message = tg.last_message(dialogue.chat)
    await tg.say(mod, dialogue.chat, "/warn", reply_to=bot_message)
    assert tg.last_text(dialogue.chat) == err("en", "target_is_bot")
    await tg.say(mod, dialogue.chat, f"/warn {mod.id}")
    assert tg.last_text(dialogue.chat) == err("en", "target_is_self")
    assert tg.calls("restrictChatMember") == [] and tg.calls("banChatMember") == []
    assert await dialogue.log() == []
    assert other  # a second moderator exists; nobody touched them


async def test_kick_ban_unban(tg, fake, dialogue: Dialogue, clock) -> None:
    boris = await dialogue.participant("Boris", "ru", username="boris")
    cleo = await dialogue.participant("Cleo", "en", username="cleo")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, "/kick @boris trolling")
    assert [c.params["user_id"] for c in tg.calls("banChatMember")] == [boris.id]
    assert [c.params["user_id"] for c in tg.calls("unbanChatMember")] == [boris.id]
    assert fake.member(dialogue.chat, boris).status == "left"
    assert "👋 Boris was removed from the group." in tg.last_text(dialogue.chat)
    await tg.say(mod, dialogue.chat, "/ban @cleo 1d threats")
    ban_call = tg.calls("banChatMember")[-1]
    assert ban_call.params["until_date"] == int((clock.now + timedelta(days=1)).timestamp())
    assert fake.member(dialogue.chat, cleo).status == "kicked"
    assert "⛔ Cleo is banned for 1 day." in tg.last_text(dialogue.chat)
    await tg.say(mod, dialogue.chat, "/unban @boris")
    assert tg.last_text(dialogue.chat) == err("en", "not_banned", name="Boris")
    await tg.say(mod, dialogue.chat, "/unban @cleo")
    assert fake.member(dialogue.chat, cleo).status == "left"
    assert "✅ Cleo is no longer banned and may rejoin." in tg.last_text(dialogue.chat)
    assert [r.action for r in await dialogue.log()] == ["kick", "ban", "unban"]


async def test_unwarn_and_warns(tg, fake, dialogue: Dialogue) -> None:
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, "/unwarn @boris")
    assert tg.last_text(dialogue.chat) == err("en", "no_warnings", name="Boris")
    await tg.say(mod, dialogue.chat, "/warn @boris insults")
    await tg.say(mod, dialogue.chat, "/warn @boris more insults")
    from bot.services import people

    async with dialogue.runtime.db() as db:
        await people.set_timezone(db, mod.id, "Asia/Kathmandu", dialogue.runtime.clock())
    await tg.say(mod, dialogue.chat, "/warns @boris")
    text = tg.last_text(dialogue.chat)
    assert text.startswith("Boris has 2 active strikes:")
    # Times read in the moderator's own zone (09:00 UTC is 14:45 in Kathmandu).
    assert "2:45\u202fPM" in text
    assert "insults" in text and "Next step on the ladder: mute (1 hour)" in text
    await tg.say(mod, dialogue.chat, "/unwarn @boris")
    assert "↩️ A warning of Boris was withdrawn (1/5)." in tg.last_text(dialogue.chat)
    rows = await dialogue.log()
    assert [r.action for r in rows] == ["warn", "warn", "unwarn"]
    assert rows[1].revoked_at is not None and rows[0].revoked_at is None
    # the withdrawn warning no longer counts: the next warning is the second, not the third
    await tg.say(mod, dialogue.chat, "/warn @boris")
    assert "⚠️ Boris was warned (2/5)." in tg.last_text(dialogue.chat)
    assert tg.calls("restrictChatMember") == []


async def test_warnings_expire_after_30_days(tg, fake, dialogue: Dialogue, clock) -> None:
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, "/warn @boris")
    await tg.say(mod, dialogue.chat, "/warn @boris")
    clock.advance(days=31)
    await tg.say(mod, dialogue.chat, "/warn @boris")
    assert "⚠️ Boris was warned (1/5)." in tg.last_text(dialogue.chat)
    assert tg.calls("restrictChatMember") == []


async def test_del_deletes_and_logs_excerpt_then_already_deleted(
    tg, fake, dialogue: Dialogue
) -> None:
    boris = await dialogue.participant("Boris", "en")
    mod = await dialogue.moderator("Mona", "en")
    msg = await tg.say(boris, dialogue.chat, "buy cheap watches")
    await tg.say(mod, dialogue.chat, "/del", reply_to=msg)
    assert fake.message(dialogue.chat, msg.message_id).deleted
    [row] = await dialogue.log("delete")
    from sqlalchemy import select

    from bot.db.models import Excerpt

    async with dialogue.runtime.db() as db:
        excerpts = (await db.scalars(select(Excerpt.text).where(Excerpt.action_id == row.id))).all()
    assert excerpts == ["buy cheap watches"]
    await tg.say(mod, dialogue.chat, "/del", reply_to=msg)
    assert tg.last_text(dialogue.chat) == err("en", "message_gone")
    assert len(await dialogue.log("delete")) == 1


async def test_del_without_reply(tg, fake, dialogue: Dialogue) -> None:
    mod = await dialogue.moderator("Mona", "he")
    await tg.say(mod, dialogue.chat, "/del")
    assert tg.last_text(dialogue.chat) == err("he", "del_needs_reply")


async def test_modlog_is_sent_privately(tg, fake, dialogue: Dialogue) -> None:
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    await tg.say(mod, dialogue.chat, "/warn @boris spam")
    await tg.say(mod, dialogue.chat, "/mute @boris 2h")
    await tg.say(mod, dialogue.chat, "/modlog")
    assert tg.last_text(dialogue.chat) == "I sent you the moderation log in a private message."
    log_text = tg.last_text(tg.private(mod))
    assert log_text.startswith("Moderation log of Group 1, newest first:")
    lines = log_text.splitlines()[1:]
    assert (
        "mute" in lines[0]
        and "Boris" in lines[0]
        and "by Mona" in lines[0]
        and "2 hours" in lines[0]
    )
    assert "warning" in lines[1] and "spam" in lines[1]


async def test_bot_losing_restrict_right_mid_action(tg, fake, dialogue: Dialogue) -> None:
    await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "ru")
    fake.set_bot_admin(dialogue.chat, can_restrict_members=False)
    await tg.say(mod, dialogue.chat, "/mute @boris 1h")
    assert tg.last_text(dialogue.chat) == err("ru", "missing_right", right=t("ru", "Ban users"))
    [row] = await dialogue.log("mute")
    assert row.failure == "missing_right:can_restrict_members"
    assert row.strike is False
    # nothing was announced as done
    assert not any("muted" in text for text in tg.texts(dialogue.chat))


async def test_flood_errors_are_retried(tg, fake, dialogue: Dialogue, no_sleep) -> None:
    boris = await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    fake.fail_next("restrictChatMember", code=429, retry_after=3, times=2)
    await tg.say(mod, dialogue.chat, "/mute @boris 1h")
    assert no_sleep == [3, 3]
    assert fake.member(dialogue.chat, boris).status == "restricted"
    assert "🔇 Boris is muted for 1 hour." in tg.last_text(dialogue.chat)
    [row] = await dialogue.log("mute")
    assert row.failure is None


async def test_persistent_flood_errors_are_reported_not_dropped(
    tg, fake, dialogue: Dialogue, no_sleep
) -> None:
    boris = await dialogue.participant("Boris", "en", username="boris")
    mod = await dialogue.moderator("Mona", "en")
    fake.fail_next("banChatMember", code=429, retry_after=5, times=10)
    await tg.say(mod, dialogue.chat, "/ban @boris")
    assert tg.last_text(dialogue.chat) == err("en", "telegram_flood")
    assert fake.member(dialogue.chat, boris).status == "member"
    [row] = await dialogue.log("ban")
    assert row.failure.startswith("flood:") and row.strike is False
    assert len(no_sleep) == 3
