"""Organizers edit the program's conduct rules with /conduct; moderators edit their group's allowed
sites from /settings. Everything through the fake Bot API, in English and in Arabic (right to left)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import BlockedTerm, OrganizerGrant, RuleSet
from bot.domain.programs import ProgramDraft
from bot.features.moderation.texts import ERROR_MESSAGES
from bot.features.programs import service as programs
from bot.i18n import language_name, ngettext, use_locale
from tests.handlers.moderation_fixtures import *  # noqa: F403  (fixtures: dialogue, no_sleep)
from tests.handlers.moderation_fixtures import Dialogue, t
from tests.helpers.driver import TgDriver
from tests.helpers.fake_telegram import FakeTelegram, FakeUser

PANEL_EN = (
    "Conduct rules of Spring Exchange\n"
    "Escalation ladder: warning → warning → mute (1 hour) → mute (1 day) → removal from the group\n"
    "Warnings count for 30 days\n"
    "Flood limit: 5 messages in 10 s\n"
    "Raid limit: 20 messages in 10 s\n"
    "Links: allowed\n"
    "Forwards: allowed\n"
    "Own blocked terms: none (the shipped lists apply)\n"
    "\n"
    "Press a button to change a rule. Every change is recorded in the moderation log."
)
EXPIRED = "This button has expired. Please use the latest message."


async def send_file(
    tg: TgDriver,
    fake: FakeTelegram,
    user: FakeUser,
    content: bytes,
    *,
    caption: str | None = None,
    filename: str = "terms.txt",
    mime_type: str = "text/plain",
) -> None:
    """The user sends a document to the bot in private chat."""
    stored = fake._store_file(content, filename, mime_type, "documents", suffix=".txt")
    extra: dict[str, object] = {
        "document": {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(content),
        }
    }
    if caption is not None:
        extra["caption"] = caption
    fake.user_message(user, fake.private_chat(user), None, extra=extra)
    await tg._dispatch()


async def open_panel(tg: TgDriver, organizer: FakeUser):
    await tg.say(organizer, tg.private(organizer), "/conduct")
    return tg.last_message(tg.private(organizer))


async def rule_row(dialogue: Dialogue) -> dict | None:
    async with dialogue.runtime.db() as db:
        row = await db.scalar(
            select(RuleSet).where(
                RuleSet.program_id == dialogue.program_id, RuleSet.group_id.is_(None)
            )
        )
        return dict(row.settings) if row else None


# ---- showing ----------------------------------------------------------------------------------------


async def test_conduct_shows_the_program_rules_with_a_button_each(tg, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    panel = await open_panel(tg, olga)
    assert panel.text == PANEL_EN
    assert tg.buttons(panel) == [
        "Change the escalation ladder",
        "Change how long warnings count",
        "Change the flood limit",
        "Change the raid limit",
        "Links: allowed",
        "Forwards: allowed",
        "Blocked terms",
    ]


async def test_conduct_in_arabic(tg, dialogue: Dialogue) -> None:
    amal = await dialogue.organizer("Amal", "ar")
    panel = await open_panel(tg, amal)
    lines = panel.text.split("\n")
    assert lines[0] == t("ar", "Conduct rules of {program}", program="Spring Exchange")
    assert lines[3] == t("ar", "Flood limit: {count} messages in {seconds} s", count=5, seconds=10)
    assert t("ar", "Own blocked terms: none (the shipped lists apply)") in lines
    await tg.click(amal, panel, t("ar", "Change the flood limit"))
    await tg.say(amal, tg.private(amal), "خمسة")
    assert tg.last_text(tg.private(amal)) == t("ar", ERROR_MESSAGES["bad_rate"], text="خمسة")
    await tg.say(amal, tg.private(amal), "3/20s")
    reply = tg.last_text(tg.private(amal))
    assert reply.startswith(t("ar", "Saved.") + "\n\n" + lines[0])
    assert t("ar", "Flood limit: {count} messages in {seconds} s", count=3, seconds=20) in reply
    # the terms count names languages in the organizer's language
    await tg.click(amal, tg.last_message(tg.private(amal)), t("ar", "Blocked terms"))
    await tg.say(amal, tg.private(amal), "add ru плохослово")
    reply = tg.last_text(tg.private(amal))
    russian = language_name("ru", in_locale="ar")
    with use_locale("ar"):
        added = ngettext(
            "Added {n} term to the {language} list.",
            "Added {n} terms to the {language} list.",
            1,
            language=russian,
        )
    assert reply.startswith(added + "\n")
    assert (
        t(
            "ar",
            "Own blocked terms: {counts}",
            counts=t("ar", "{language}: {count}", language=russian, count=1),
        )
        in reply
    )


async def test_several_programs_are_picked_first(tg, fake, dialogue: Dialogue, runtime) -> None:
    olga = await dialogue.organizer("Olga", "en")
    async with runtime.db() as db:
        other = await programs.create(
            db,
            ProgramDraft(name="Autumn Forum", sides=("X", "Y"), languages=("en",), timezone="UTC"),
            creator_id=olga.id,
            now=runtime.clock(),
        )
    picker = await open_panel(tg, olga)
    assert picker.text == "The conduct rules of which program?"
    assert tg.buttons(picker) == ["Spring Exchange", "Autumn Forum"]
    await tg.click(olga, picker, "Autumn Forum")
    assert tg.last_text(tg.private(olga)).startswith("Conduct rules of Autumn Forum\n")
    # or named straight away
    await tg.say(olga, tg.private(olga), f"/conduct {other.id}")
    assert tg.last_text(tg.private(olga)).startswith("Conduct rules of Autumn Forum\n")


async def test_only_organizers_see_conduct(tg, fake, dialogue: Dialogue, runtime) -> None:
    alice = await dialogue.participant("Alice", "ar")
    await tg.say(alice, tg.private(alice), "/conduct")
    assert tg.last_text(tg.private(alice)) == t("ar", "Only the program's organizers can do that.")
    # an organizer of another program cannot open this one by name
    async with runtime.db() as db:
        await programs.create(
            db,
            ProgramDraft(name="Elsewhere", sides=("X", "Y"), languages=("en",), timezone="UTC"),
            creator_id=alice.id,
            now=runtime.clock(),
        )
    await tg.say(alice, tg.private(alice), "/conduct Spring Exchange")
    assert tg.last_text(tg.private(alice)) == t("ar", "Only the program's organizers can do that.")


# ---- typed values -----------------------------------------------------------------------------------


async def test_ladder_is_changed_by_typing_it(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    panel = await open_panel(tg, olga)
    ladder = next(
        b["callback_data"]
        for row in panel.inline_keyboard
        for b in row
        if b["text"] == "Change the escalation ladder"
    )
    await tg.click(olga, panel, "Change the escalation ladder")
    assert tg.last_text(tg.private(olga)).startswith(
        "Send the new escalation ladder for Spring Exchange:"
    )
    # A second press of the same button does not ask again.
    asked = len(tg.texts(tg.private(olga)))
    update = await tg.press_raw(olga, panel, ladder)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert len(tg.texts(tg.private(olga))) == asked
    assert tg.last_text(tg.private(olga)).endswith("Now: warn, warn, mute 1h, mute 1d, remove")
    await tg.say(olga, tg.private(olga), "warn, explode, remove")
    assert (
        tg.last_text(tg.private(olga)) == "The escalation ladder has a step I can't read: explode."
    )
    await tg.say(olga, tg.private(olga), "warn, mute 30x")
    assert (
        tg.last_text(tg.private(olga)) == "The escalation ladder has a step I can't read: mute 30x."
    )
    assert await rule_row(dialogue) is None
    assert await dialogue.log("settings") == []
    # the question stays open: the corrected value is taken
    await tg.say(olga, tg.private(olga), "warn, ban 1d")
    reply = tg.last_text(tg.private(olga))
    assert reply.startswith("Saved.\n\nConduct rules of Spring Exchange\n")
    assert "Escalation ladder: warning → ban (1 day)\n" in reply
    assert (await rule_row(dialogue))["ladder"] == "warn, ban 1d"
    [row] = await dialogue.log("settings")
    assert (row.reason, row.actor_id, row.group_id) == ("ladder=warn, ban 1d", olga.id, None)
    # answered: the next free text is not taken as a ladder
    await tg.say(olga, tg.private(olga), "warn")
    assert (
        tg.last_text(tg.private(olga)) == "I didn't understand that. /help lists what you can do."
    )
    # and the group now climbs the new ladder: a second offence bans for a day
    alice = await dialogue.participant("Alice", "en")
    await tg.say(alice, dialogue.chat, "kys")
    await tg.say(alice, dialogue.chat, "kys")
    [ban] = tg.calls("banChatMember")
    assert ban.params["user_id"] == alice.id


async def test_expiry_and_raid_limits(tg, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Change how long warnings count")
    for bad, expected in (
        ("12h", ERROR_MESSAGES["expiry_whole_days"].format(maximum=366)),
        ("0d", "A duration must be longer than zero."),
        ("999d", "That duration is too long."),
        ("soon", "I can't read the duration soon. Use for example 30m, 2h, 1d or 1w."),
    ):
        await tg.say(olga, tg.private(olga), bad)
        assert tg.last_text(tg.private(olga)) == expected
    await tg.say(olga, tg.private(olga), "2w")
    assert "Warnings count for 14 days\n" in tg.last_text(tg.private(olga))
    await tg.click(olga, tg.last_message(tg.private(olga)), "Change the raid limit")
    await tg.say(olga, tg.private(olga), "0/10s")
    assert tg.last_text(tg.private(olga)) == (
        "A limit must be between 1 and 1000 messages within 1 to 3600 seconds."
    )
    await tg.say(olga, tg.private(olga), "40 in 1m")
    assert "Raid limit: 40 messages in 60 s\n" in tg.last_text(tg.private(olga))
    assert [r.reason for r in await dialogue.log("settings")] == [
        "warning_expiry_days=14",
        "raid_messages=40",
        "raid_seconds=60",
    ]


async def test_new_flood_limit_applies_to_the_next_message(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    alice = await dialogue.participant("Alice", "en")
    for n in range(3):  # the group's rules are now cached
        await tg.say(alice, dialogue.chat, f"hello {n}")
    assert tg.calls("deleteMessage") == []
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Change the flood limit")
    await tg.say(olga, tg.private(olga), "2/10s")
    msg = await tg.say(alice, dialogue.chat, "one more")
    # 4 messages within 10 s: over the new limit of 2 (the counters survived the reload)
    assert fake.message(dialogue.chat, msg.message_id).deleted
    assert "No flooding: at most 2 messages in 10 seconds." in tg.last_text(tg.private(alice))


# ---- toggles ----------------------------------------------------------------------------------------


async def test_links_cycle_and_allowed_sites(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    alice = await dialogue.participant("Alice", "en")
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Links: allowed")
    panel = fake.message(tg.private(olga), panel.message_id)
    assert "Links: only allowed sites\nAllowed sites: none yet\n" in panel.text
    assert "Edit the allowed sites" in tg.buttons(panel)
    await tg.click(olga, panel, "Edit the allowed sites")
    await tg.say(olga, tg.private(olga), "wikipedia.org, localhost")
    assert tg.last_text(tg.private(olga)) == "localhost is not a domain name."
    await tg.say(olga, tg.private(olga), "Wikipedia.org, https://www.bbc.com/news")
    assert "Allowed sites: wikipedia.org, bbc.com\n" in tg.last_text(tg.private(olga))
    ok = await tg.say(alice, dialogue.chat, "see en.wikipedia.org/wiki/Border")
    bad = await tg.say(alice, dialogue.chat, "see example.com/page")
    assert not fake.message(dialogue.chat, ok.message_id).deleted
    assert fake.message(dialogue.chat, bad.message_id).deleted
    assert [r.reason for r in await dialogue.log("settings")] == [
        "link_policy=allowlist",
        "allowed_domains=wikipedia.org bbc.com",
    ]


async def test_forwards_toggle(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    alice = await dialogue.participant("Alice", "en")
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Forwards: allowed")
    assert "Forwards: not allowed\n" in fake.message(tg.private(olga), panel.message_id).text
    msg = await tg.say(alice, dialogue.chat, "look", forward_from=fake.user("Someone"))
    assert fake.message(dialogue.chat, msg.message_id).deleted
    assert (await rule_row(dialogue))["forwards_allowed"] is False


async def test_a_toggle_pressed_twice_changes_once(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    panel = await open_panel(tg, olga)
    data = tg._find_button(panel, "Forwards: allowed")["callback_data"]
    await tg.press_raw(olga, panel, data)
    update = await tg.press_raw(olga, panel, data)  # a double tap carries the old value
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert (await rule_row(dialogue))["forwards_allowed"] is False
    # The redrawn button acts.
    await tg.click(olga, fake.message(tg.private(olga), panel.message_id), "Forwards: not allowed")
    assert (await rule_row(dialogue))["forwards_allowed"] is True
    assert len(await dialogue.log("settings")) == 2


async def test_buttons_are_the_organizers_own(tg, fake, dialogue: Dialogue, runtime) -> None:
    olga = await dialogue.organizer("Olga", "en")
    alice = await dialogue.participant("Alice", "ar")
    panel = await open_panel(tg, olga)
    button = next(
        b
        for row in panel.data["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "Forwards: allowed"
    )
    update = await tg.press_raw(alice, panel, button["callback_data"])
    assert tg.callback_answer(update)["text"] == t("ar", EXPIRED)
    # an organizer who lost the role cannot use an old panel
    async with runtime.db() as db:
        for grant in (await db.scalars(select(OrganizerGrant))).all():
            await db.delete(grant)
    update = await tg.click(olga, panel, "Forwards: allowed")
    assert tg.callback_answer(update)["text"] == "Only the program's organizers can do that."
    assert await dialogue.log("settings") == []


# ---- blocked terms ----------------------------------------------------------------------------------


async def test_added_term_is_enforced_on_the_next_message(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    boris = await dialogue.participant("Boris", "ru")
    first = await tg.say(boris, dialogue.chat, "это плохослово тут")
    assert not fake.message(dialogue.chat, first.message_id).deleted
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Blocked terms")
    assert tg.last_text(tg.private(olga)).startswith(
        "The program's own blocked terms, added to the lists shipped for every language.\n"
        "Own blocked terms: none (the shipped lists apply)\n"
    )
    await tg.say(olga, tg.private(olga), "add ru плохослово, гадость*")
    assert tg.last_text(tg.private(olga)).startswith(
        "Added 2 terms to the Russian list.\nThe program now has 2 own terms in Russian.\n\n"
    )
    assert "Own blocked terms: Russian: 2\n" in tg.last_text(tg.private(olga))
    second = await tg.say(boris, dialogue.chat, "это плохослово тут")
    third = await tg.say(boris, dialogue.chat, "какая гадостью")
    assert fake.message(dialogue.chat, second.message_id).deleted
    assert fake.message(dialogue.chat, third.message_id).deleted
    assert (
        t("ru", "What was found: «{quote}»", quote="плохослово") in tg.texts(tg.private(boris))[-2]
    )
    # remove one, list them
    await tg.click(olga, tg.last_message(tg.private(olga)), "Blocked terms")
    await tg.say(olga, tg.private(olga), "remove ru гадость, нет-такого")
    assert tg.last_text(tg.private(olga)).startswith(
        "Removed 1 term from the Russian list.\nNot in the list: нет-такого\n"
        "The program now has 1 own term in Russian.\n\n"
    )
    await tg.click(olga, tg.last_message(tg.private(olga)), "Blocked terms")
    await tg.say(olga, tg.private(olga), "list ru")
    assert tg.last_text(tg.private(olga)) == "1 own blocked term in Russian:\nплохослово"
    fourth = await tg.say(boris, dialogue.chat, "какая гадостью")
    assert not fake.message(dialogue.chat, fourth.message_id).deleted
    assert [r.reason for r in await dialogue.log("settings")] == [
        "blocked_terms.ru+2: плохослово, гадость*",
        "blocked_terms.ru-1: гадость*",
    ]


async def test_bad_terms_commands(tg, dialogue: Dialogue) -> None:
    amal = await dialogue.organizer("Amal", "ar")
    panel = await open_panel(tg, amal)
    await tg.click(amal, panel, t("ar", "Blocked terms"))
    private = tg.private(amal)
    cases = [
        ("please block this", t("ar", ERROR_MESSAGES["bad_terms_command"])),
        ("add ru", t("ar", ERROR_MESSAGES["bad_terms_command"])),
        ("add xx word", t("ar", ERROR_MESSAGES["unknown_language"], language="xx")),
        (
            "add ru хорошо, 🙂",
            t("ar", ERROR_MESSAGES["empty_term"], line=2, language="ru"),
        ),
        (
            "add en ok, a",
            t("ar", ERROR_MESSAGES["term_too_short"], term="a", line=2, language="en"),
        ),
        ("add en ,,", t("ar", ERROR_MESSAGES["no_terms"])),
    ]
    for text, expected in cases:
        await tg.say(amal, private, text)
        assert tg.last_text(private) == expected, text
    async with dialogue.runtime.db() as db:
        assert (await db.scalars(select(BlockedTerm))).all() == []


async def test_terms_from_a_text_file(tg, fake, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    private = tg.private(olga)
    # a file nobody asked for
    await send_file(tg, fake, olga, b"word\n", caption="ru")
    assert tg.last_text(private) == "I didn't understand that. /help lists what you can do."
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Blocked terms")
    await send_file(tg, fake, olga, "одно\n".encode())
    assert tg.last_text(private) == ERROR_MESSAGES["terms_file_caption"]
    await send_file(tg, fake, olga, "одно\n".encode("cp1251"), caption="ru")
    assert tg.last_text(private) == ERROR_MESSAGES["terms_file_unreadable"].format(limit=512)
    await send_file(
        tg, fake, olga, b"%PDF", caption="ru", filename="terms.pdf", mime_type="application/pdf"
    )
    assert tg.last_text(private) == ERROR_MESSAGES["terms_file_unreadable"].format(limit=512)
    await send_file(tg, fake, olga, "# list\nодно\n!!\n".encode(), caption="ru")
    assert tg.last_text(private) == ("The blocked term on line 3 (ru) is empty once folded.")
    content = "\ufeff# our list\nодно\nдругое слово\nтретье*  # stem\n\nодно\n".encode()
    await send_file(tg, fake, olga, content, caption="add ru")
    assert tg.last_text(private).startswith(
        "Added 3 terms to the Russian list.\nThe program now has 3 own terms in Russian."
    )
    await tg.click(olga, tg.last_message(private), "Blocked terms")
    await send_file(tg, fake, olga, "одно\nчужое\n".encode(), caption="remove ru")
    assert tg.last_text(private).startswith(
        "Removed 1 term from the Russian list.\nNot in the list: чужое\n"
    )
    async with dialogue.runtime.db() as db:
        rows = (await db.scalars(select(BlockedTerm).order_by(BlockedTerm.id))).all()
    assert [(r.locale, r.term, r.stem) for r in rows] == [
        ("ru", "другое слово", False),
        ("ru", "третье", True),
    ]


# ---- a group's allowed sites from /settings ---------------------------------------------------------


async def test_moderator_edits_the_group_allowlist(tg, fake, dialogue: Dialogue) -> None:
    mona = await dialogue.moderator("Mona", "en")
    alice = await dialogue.participant("Alice", "en")
    await tg.say(mona, dialogue.chat, "/settings")
    panel = tg.last_message(dialogue.chat)
    assert "Edit the allowed sites" not in tg.buttons(panel)
    await tg.click(mona, panel, "Links: allowed")
    panel = fake.message(dialogue.chat, panel.message_id)
    assert "Links: only allowed sites\nAllowed sites: none yet\n" in panel.text
    update = await tg.click(mona, panel, "Edit the allowed sites")
    assert tg.callback_answer(update)["text"] == (
        "I sent you a private message: type the sites there."
    )
    assert tg.last_text(tg.private(mona)).startswith("Send me the sites Group 1 may link to,")
    await tg.say(mona, tg.private(mona), "wikipedia.org bad_domain")
    assert tg.last_text(tg.private(mona)) == "bad_domain is not a domain name."
    await tg.say(mona, tg.private(mona), "wikipedia.org, osce.org")
    assert tg.last_text(tg.private(mona)) == (
        "Saved for Group 1.\nAllowed sites: wikipedia.org, osce.org"
    )
    # the panel in the group shows the new list
    assert (
        "Allowed sites: wikipedia.org, osce.org\n"
        in fake.message(dialogue.chat, panel.message_id).text
    )
    ok = await tg.say(alice, dialogue.chat, "read https://www.osce.org/report")
    bad = await tg.say(alice, dialogue.chat, "read example.com")
    assert not fake.message(dialogue.chat, ok.message_id).deleted
    assert fake.message(dialogue.chat, bad.message_id).deleted
    assert [r.reason for r in await dialogue.log("settings")] == [
        "link_policy=allowlist",
        "allowed_domains=wikipedia.org osce.org",
    ]
    async with dialogue.runtime.db() as db:
        row = await db.scalar(select(RuleSet).where(RuleSet.group_id == dialogue.group_id))
    assert row.settings["allowed_domains"] == ["wikipedia.org", "osce.org"]


async def test_group_allowlist_in_hebrew_and_unreachable_moderator(
    tg, fake, dialogue: Dialogue
) -> None:
    mona = await dialogue.moderator("Mona", "he")
    await tg.say(mona, dialogue.chat, "/settings")
    panel = tg.last_message(dialogue.chat)
    await tg.click(mona, panel, t("he", "Links: {policy}", policy=t("he", "allowed")))
    panel = fake.message(dialogue.chat, panel.message_id)
    mona.started = False  # never opened a private chat with the bot
    update = await tg.click(mona, panel, t("he", "Edit the allowed sites"))
    assert tg.callback_answer(update)["text"] == t(
        "he", "Please open a private chat with me (press Start), then press the button again."
    )
    fake.mark_started(mona)
    await tg.click(mona, panel, t("he", "Edit the allowed sites"))
    await tg.say(mona, tg.private(mona), "-")
    assert tg.last_text(tg.private(mona)) == (
        t("he", "Saved for {group}.", group="Group 1")
        + "\n"
        + t("he", "Allowed sites: {domains}", domains=t("he", "none yet"))
    )


async def test_a_participant_cannot_edit_the_allowlist(tg, fake, dialogue: Dialogue) -> None:
    mona = await dialogue.moderator("Mona", "en")
    alice = await dialogue.participant("Alice", "en")
    await tg.say(mona, dialogue.chat, "/settings")
    panel = tg.last_message(dialogue.chat)
    await tg.click(mona, panel, "Links: allowed")
    update = await tg.click(
        alice, fake.message(dialogue.chat, panel.message_id), "Edit the allowed sites"
    )
    assert tg.callback_answer(update)["text"] == EXPIRED
    assert fake.sent_messages(tg.private(alice)) == []


async def test_help_lists_conduct_for_organizers_only(tg, dialogue: Dialogue) -> None:
    amal = await dialogue.organizer("Amal", "ar")
    alice = await dialogue.participant("Alice", "en")
    await tg.say(amal, tg.private(amal), "/help")
    assert "/conduct — " + t("ar", "edit the program's conduct rules") in tg.last_text(
        tg.private(amal)
    )
    await tg.say(alice, tg.private(alice), "/help")
    assert "/conduct" not in tg.last_text(tg.private(alice))


async def test_conduct_starts_over_and_forged_keys_expire(tg, dialogue: Dialogue) -> None:
    olga = await dialogue.organizer("Olga", "en")
    panel = await open_panel(tg, olga)
    await tg.click(olga, panel, "Change the flood limit")
    # /conduct again drops the open question
    panel = await open_panel(tg, olga)
    await tg.say(olga, tg.private(olga), "3/10s")
    assert (
        tg.last_text(tg.private(olga)) == "I didn't understand that. /help lists what you can do."
    )
    # a signed press with a key the panel never offers is treated as stale
    from bot.features.moderation.rules_handlers import EDIT
    from bot.handlers.callbacks import sign

    data = sign(dialogue.runtime.secret, olga.id, EDIT, dialogue.program_id, "colour")
    update = await tg.press_raw(olga, panel, data)
    assert tg.callback_answer(update)["text"] == EXPIRED
    assert await dialogue.log("settings") == []
