"""/report in a group: acknowledged privately, moderators decide, first one wins; appeals."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Appeal, Report
from bot.features.moderation.texts import ERROR_MESSAGES
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, t


def err(locale: str, code: str, **params: object) -> str:
    return t(locale, ERROR_MESSAGES[code], **params)


async def _reported(tg, dialogue: Dialogue):
    alice = await dialogue.participant("Alice", "ru")
    boris = await dialogue.participant("Boris", "en")
    mona = await dialogue.moderator("Mona", "en")
    otto = await dialogue.moderator("Otto", "he")
    msg = await tg.say(boris, dialogue.chat, "your side always lies")
    report_cmd = await tg.say(alice, dialogue.chat, "/report personal attack", reply_to=msg)
    return alice, boris, mona, otto, msg, report_cmd


async def test_report_is_acknowledged_privately_and_moderators_get_buttons(
    tg, fake, dialogue: Dialogue
) -> None:
    alice, boris, mona, otto, msg, report_cmd = await _reported(tg, dialogue)
    assert fake.message(dialogue.chat, report_cmd.message_id).deleted  # discreet
    assert tg.last_text(tg.private(alice)) == t(
        "ru",
        "Thank you for your report about a message in {group}. The moderators have been told and will look at it.",
        group="Group 1",
    )
    notice = tg.last_message(tg.private(mona))
    assert notice.text.startswith(
        "🚩 Report in Group 1 about Boris\nReported by 1 person.\nReason: personal attack"
    )
    assert "«your side always lies»" in notice.text
    assert f"https://t.me/c/{str(dialogue.chat.id)[4:]}/{msg.message_id}" in notice.text
    assert tg.buttons(notice) == ["Dismiss", "Warn", "Mute 1h", "Remove"]
    assert tg.buttons(tg.last_message(tg.private(otto))) == [
        t("he", "Dismiss"),
        t("he", "Warn"),
        t("he", "Mute 1h"),
        t("he", "Remove"),
    ]
    [row] = await dialogue.log("report")
    assert row.target_id == boris.id and row.actor_id == alice.id


async def test_first_moderator_wins_and_the_other_sees_who(tg, fake, dialogue: Dialogue) -> None:
    _alice, boris, mona, otto, msg, _ = await _reported(tg, dialogue)
    mona_notice = tg.last_message(tg.private(mona))
    otto_notice = tg.last_message(tg.private(otto))
    otto_warn = otto_notice.inline_keyboard[0][1]["callback_data"]
    await tg.click(mona, mona_notice, "Mute 1h")
    [call] = tg.calls("restrictChatMember")
    assert call.params["user_id"] == boris.id
    assert fake.message(dialogue.chat, msg.message_id).deleted
    assert "🔇 Boris is muted for 1 hour." in tg.last_text(dialogue.chat)
    otto_view = fake.message(tg.private(otto), otto_notice.message_id)
    assert (
        t(
            "he",
            "Handled by {moderator}: {outcome}.",
            moderator="Mona",
            outcome=t("he", "muted for 1 hour"),
        )
        in otto_view.text
    )
    assert otto_view.inline_keyboard == []
    # Otto presses an old button (e.g. from a notification): told who handled it, nothing happens twice
    update = await tg.press_raw(otto, otto_view, otto_warn)
    answer = tg.callback_answer(update)
    assert answer["text"] == t(
        "he",
        "Already handled by {name}: {outcome}.",
        name="Mona",
        outcome=t("he", "muted for 1 hour"),
    )
    assert len(tg.calls("restrictChatMember")) == 1
    async with dialogue.runtime.db() as db:
        report = await db.scalar(select(Report))
    assert report.handled_by == mona.id and report.outcome == "mute"
    assert [r.action for r in await dialogue.log()] == ["report", "report_mute", "mute"]


async def test_dismiss_changes_nothing_in_the_chat(tg, fake, dialogue: Dialogue) -> None:
    _alice, _boris, mona, _otto, msg, _ = await _reported(tg, dialogue)
    await tg.click(mona, tg.last_message(tg.private(mona)), "Dismiss")
    assert not fake.message(dialogue.chat, msg.message_id).deleted
    assert tg.calls("restrictChatMember") == [] and tg.calls("banChatMember") == []
    assert [r.action for r in await dialogue.log()] == ["report", "report_dismiss"]


async def test_repeated_reports_are_merged(tg, fake, dialogue: Dialogue, clock) -> None:
    _alice, _boris, mona, _otto, msg, _ = await _reported(tg, dialogue)
    cleo = await dialogue.participant("Cleo", "en")
    clock.advance(seconds=20)
    await tg.say(cleo, dialogue.chat, "/report", reply_to=msg)
    assert (
        tg.last_text(tg.private(cleo))
        == "Thank you. This message had already been reported; your report was added to it."
    )
    notices = [
        m for m in fake.sent_messages(tg.private(mona)) if m.text and m.text.startswith("🚩")
    ]
    assert len(notices) == 1  # not told twice
    assert "Reported by 2 people." in notices[0].text
    async with dialogue.runtime.db() as db:
        reports = (await db.scalars(select(Report))).all()
    assert len(reports) == 1 and reports[0].reporters == 2


async def test_report_bad_input(tg, fake, dialogue: Dialogue, clock) -> None:
    alice = await dialogue.participant("Alice", "he")
    await dialogue.moderator("Mona", "en")
    await tg.say(alice, dialogue.chat, "/report")
    assert tg.last_text(dialogue.chat) == err("he", "report_needs_reply")
    bot_message = tg.last_message(dialogue.chat)
    clock.advance(seconds=20)
    await tg.say(alice, dialogue.chat, "/report", reply_to=bot_message)
    assert tg.last_text(dialogue.chat) == err("he", "report_bot_message")
    clock.advance(seconds=20)
    own = await tg.say(alice, dialogue.chat, "my own words")
    clock.advance(seconds=20)
    await tg.say(alice, dialogue.chat, "/report", reply_to=own)
    assert tg.last_text(dialogue.chat) == err("he", "report_own_message")
    async with dialogue.runtime.db() as db:
        assert (await db.scalars(select(Report))).all() == []


async def test_reports_are_rate_limited(tg, fake, dialogue: Dialogue, clock) -> None:
    alice = await dialogue.participant("Alice", "en")
    boris = await dialogue.participant("Boris", "en")
    await dialogue.moderator("Mona", "en")
    messages = []
    for i in range(6):
        messages.append(await tg.say(boris, dialogue.chat, f"message {i}"))
        clock.advance(seconds=3)
    for m in messages:
        clock.advance(seconds=3)
        await tg.say(alice, dialogue.chat, "/report", reply_to=m)
    assert tg.last_text(dialogue.chat) == err("en", "report_rate_limited", count=5)
    async with dialogue.runtime.db() as db:
        assert len((await db.scalars(select(Report))).all()) == 5
    clock.advance(hours=1)
    await tg.say(alice, dialogue.chat, "/report", reply_to=messages[-1])
    async with dialogue.runtime.db() as db:
        assert len((await db.scalars(select(Report))).all()) == 6


# ---- appeals ---------------------------------------------------------------------------------------


async def test_appeal_accepted_by_another_moderator_unmutes(tg, fake, dialogue: Dialogue) -> None:
    boris = await dialogue.participant("Boris", "ru", username="boris")
    mona = await dialogue.moderator("Mona", "en")
    otto = await dialogue.moderator("Otto", "en")
    await tg.say(mona, dialogue.chat, "/mute @boris 1d spam")
    assert fake.member(dialogue.chat, boris).status == "restricted"
    await tg.click(boris, tg.last_message(tg.private(boris)), t("ru", "⚖️ Appeal"))
    assert tg.last_text(tg.private(boris)) == t(
        "ru",
        "Please write in one message why this sanction should be lifted. Moderators who did not take "
        "part in it will review your appeal.",
    )
    await tg.say(boris, tg.private(boris), "It was a misunderstanding, I shared a conference link")
    assert tg.last_text(tg.private(boris)) == t(
        "ru", "Your appeal was sent. You will get a message once it has been decided."
    )
    # Mona acted, so only Otto reviews
    assert not any((m.text or "").startswith("⚖️") for m in fake.sent_messages(tg.private(mona)))
    notice = tg.last_message(tg.private(otto))
    assert notice.text.startswith("⚖️ Appeal from Boris (Group 1)")
    assert "«It was a misunderstanding, I shared a conference link»" in notice.text
    await tg.click(otto, notice, "✅ Accept")
    assert fake.member(dialogue.chat, boris).status == "member"
    assert tg.last_text(tg.private(boris)) == t(
        "ru",
        "✅ Your appeal about the {sanction} in {group} was accepted: it has been lifted.",
        sanction=t("ru", "mute"),
        group="Group 1",
    )
    assert "Decided by Otto: accepted." in fake.message(tg.private(otto), notice.message_id).text
    rows = await dialogue.log()
    assert [r.action for r in rows] == ["mute", "appeal", "appeal_accepted"]
    assert rows[0].revoked_at is not None and rows[0].appeal_outcome == "accepted"


async def test_appeal_goes_to_organizers_without_other_moderators_and_can_be_rejected(
    tg, fake, dialogue: Dialogue
) -> None:
    boris = await dialogue.participant("Boris", "en", username="boris")
    mona = await dialogue.moderator("Mona", "en")
    olga = await dialogue.organizer("Olga", "ru")
    await tg.say(mona, dialogue.chat, "/warn @boris insults")
    await tg.click(boris, tg.last_message(tg.private(boris)), "⚖️ Appeal")
    await tg.say(boris, tg.private(boris), "I did not insult anyone")
    notice = tg.last_message(tg.private(olga))
    assert notice.text.startswith(
        t("ru", "⚖️ Appeal from {name} ({group})", name="Boris", group="Group 1")
    )
    await tg.click(olga, notice, t("ru", "❌ Reject"))
    assert tg.last_text(tg.private(olga)) == t(
        "ru", "Please write in one message why the appeal is rejected; the person will read it."
    )
    await tg.say(olga, tg.private(olga), "The log shows the insult")
    assert (
        tg.last_text(tg.private(boris))
        == "Your appeal about the warning in Group 1 was rejected.\nReason: The log shows the insult"
    )
    rows = await dialogue.log()
    assert [r.action for r in rows] == ["warn", "appeal", "appeal_rejected"]
    assert rows[0].revoked_at is None and rows[0].appeal_outcome == "rejected"
    async with dialogue.runtime.db() as db:
        appeal = await db.scalar(select(Appeal))
    assert appeal.status == "rejected" and appeal.decision_reason == "The log shows the insult"


async def test_appeal_twice_and_by_someone_else_is_refused(tg, fake, dialogue: Dialogue) -> None:
    boris = await dialogue.participant("Boris", "en", username="boris")
    mona = await dialogue.moderator("Mona", "en")
    otto = await dialogue.moderator("Otto", "en")
    await tg.say(mona, dialogue.chat, "/warn @boris")
    dm = tg.last_message(tg.private(boris))
    await tg.click(boris, dm, "⚖️ Appeal")
    await tg.say(boris, tg.private(boris), "please")
    update = await tg.click(boris, dm, "⚖️ Appeal")
    assert tg.callback_answer(update)["text"] == err("en", "appeal_exists")
    # Mona acted, so the decision buttons are Otto's: the same data pressed by Mona is refused
    otto_notice = [
        m for m in fake.sent_messages(tg.private(otto)) if (m.text or "").startswith("⚖️")
    ][-1]
    accept = otto_notice.inline_keyboard[0][0]["callback_data"]
    update = await tg.press_raw(mona, otto_notice, accept)
    assert (
        tg.callback_answer(update)["text"]
        == "This button has expired. Please use the latest message."
    )
    assert len(await dialogue.log("appeal")) == 1
    assert await dialogue.log("appeal_accepted") == []


async def test_appeal_command_lists_open_sanctions(tg, fake, dialogue: Dialogue) -> None:
    boris = await dialogue.participant("Boris", "he", username="boris")
    mona = await dialogue.moderator("Mona", "en")
    await tg.say(boris, tg.private(boris), "/appeal")
    assert tg.last_text(tg.private(boris)) == t("he", "You have no sanctions that can be appealed.")
    await tg.say(mona, dialogue.chat, "/warn @boris")
    await tg.say(boris, tg.private(boris), "/appeal")
    assert tg.last_text(tg.private(boris)) == t("he", "Which sanction do you want to appeal?")
    assert len(tg.buttons(tg.last_message(tg.private(boris)))) == 1


def _answers(tg, update) -> list:
    query_id = update["callback_query"]["id"]
    return [c for c in tg.calls("answerCallbackQuery") if c.params["callback_query_id"] == query_id]


async def test_a_late_press_on_a_handled_report_is_answered_once_without_a_failure(
    tg, fake, dialogue: Dialogue, caplog
) -> None:
    """Otto's notice already lost its buttons when Mona decided; his press from an old copy is
    answered once, with who handled it, and nothing fails behind it."""
    _alice, _boris, mona, otto, _msg, _ = await _reported(tg, dialogue)
    otto_notice = tg.last_message(tg.private(otto))
    otto_warn = otto_notice.inline_keyboard[0][1]["callback_data"]
    await tg.click(mona, tg.last_message(tg.private(mona)), "Dismiss")
    caplog.clear()
    otto_view = fake.message(tg.private(otto), otto_notice.message_id)
    assert otto_view.inline_keyboard == []
    update = await tg.press_raw(otto, otto_view, otto_warn)
    answers = _answers(tg, update)
    assert [(a.ok, a.params.get("show_alert")) for a in answers] == [(True, True)]
    assert "Mona" in answers[0].params["text"]
    assert [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []
    # The person is not told "please try again" as a second message either.
    assert all("try again" not in text for text in tg.texts(tg.private(otto)))
