"""Every command and CLI argument that takes a number, given numbers no id can have (huge, zero,
negative), digits of other scripts (Arabic-Indic, full-width) and look-alikes (superscripts): a
clear answer in the reader's language, nothing changed, never "something went wrong"."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from bot.cli import build_parser
from bot.db.models import DialogueSession, Invite, OrganizerGrant
from bot.i18n import translate_in
from tests.handlers.groups_fixtures import make_program
from tests.handlers.moderation_fixtures import make_dialogue
from tests.handlers.sessions_fixtures import build_world

HUGE = ["99999999999999999999", "1180591620717411303424", "9223372036854775808"]
NOT_IDS = [*HUGE, "0", "-5", "\u22127"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SESSION_USAGE = (
    "Usage: /reschedule NUMBER DATE TIME, /editsession NUMBER title TEXT, /editsession NUMBER "
    "length 2h, or /cancelsession NUMBER. /sessions shows the numbers."
)
NO_SESSION = "There is no session number {session}. /sessions lists the ones you can change."


async def _sessions(runtime) -> list[tuple[int, str, str]]:
    async with runtime.db() as db:
        rows = (await db.scalars(select(DialogueSession).order_by(DialogueSession.id))).all()
    return [(r.id, r.status, r.title) for r in rows]


async def test_session_commands_refuse_numbers_no_session_can_have(tg, fake, runtime, app):
    world = await build_world(runtime, fake, moderator_locale="ru")
    await world.add_session(datetime(2026, 3, 10, 19, 0))
    mira, chat = world.moderator, fake.private(world.moderator)
    before = await _sessions(runtime)
    for number in NOT_IDS:
        for command in (
            f"/cancelsession {number}",
            f"/reschedule {number} 10.03.2026 19:00",
            f"/editsession {number} title Story circle",
            f"/editsession #{number} length 2h",
        ):
            await tg.say(mira, chat, command)
            assert tg.last_text(chat) == translate_in("ru", NO_SESSION, session=number), command
    for look_alike in ("²", "①", "1.5"):
        await tg.say(mira, chat, f"/cancelsession {look_alike}")
        assert tg.last_text(chat) == translate_in("ru", SESSION_USAGE)
    assert await _sessions(runtime) == before


async def test_session_numbers_in_arabic_indic_and_full_width_digits(tg, fake, runtime, app):
    world = await build_world(runtime, fake)
    first = await world.add_session(datetime(2026, 3, 10, 19, 0))
    second = await world.add_session(datetime(2026, 3, 17, 19, 0), title="Second circle")
    mira, chat = world.moderator, fake.private(world.moderator)
    await tg.say(mira, chat, f"/editsession {str(first.id).translate(FULL_WIDTH)} title Story circle")
    assert tg.last_text(chat) == "Saved: Story circle, 1 hour and 30 minutes."
    await tg.say(mira, chat, f"/cancelsession {str(second.id).translate(ARABIC_INDIC)}")
    assert tg.last_text(chat) == "Cancelled Second circle. Members are being told."
    assert await _sessions(runtime) == [
        (first.id, "scheduled", "Story circle"),
        (second.id, "cancelled", "Second circle"),
    ]


async def _to_repeat_step(tg, mira):
    for text in ("/newsession", "10.03.2026 19:00", "90m", "Listening circle", "Welcome 10"):
        await tg.say(mira, tg.private(mira), text)


async def test_newsession_counts_and_weeks_are_range_checked(tg, fake, runtime, app):
    world = await build_world(runtime, fake)
    mira, chat = world.moderator, fake.private(world.moderator)
    await _to_repeat_step(tg, mira)
    for weeks in (*HUGE, "0", "-2", "53"):
        await tg.say(mira, chat, weeks)
        assert tg.last_text(chat) == (
            f"Please give a whole number from 1 to 52; {weeks} is not."
        ), weeks
    await tg.say(mira, chat, "２")  # full-width 2: every two weeks
    assert tg.last_text(chat).startswith("Until when?")
    for count in (*HUGE, "0", "-1", "105"):
        await tg.say(mira, chat, count)
        assert tg.last_text(chat) == f"Please give a whole number from 1 to 104; {count} is not."
    await tg.say(mira, chat, "٣")  # Arabic-Indic 3
    summary = tg.last_text(chat)
    assert "Repeats every 2 weeks: 3 sessions in all" in summary, summary
    assert await _sessions(runtime) == []


async def test_program_commands_with_huge_and_odd_numbers(tg, fake, runtime, admin):
    spring = await make_program(runtime)
    chat = fake.private(admin)
    async with runtime.db() as db:
        grants = await db.scalar(select(func.count()).select_from(OrganizerGrant))
    for command in ("/report", "/export"):
        for number in NOT_IDS:
            await tg.say(admin, chat, f"{command} {number}")
            assert tg.last_text(chat) == "There is no such program.", (command, number)
        # The program's own number, in Arabic-Indic digits, finds it.
        await tg.say(admin, chat, f"{command} {str(spring.id).translate(ARABIC_INDIC)}")
        assert "The whole program" in tg.buttons(tg.last_message(chat))
    for number in NOT_IDS:
        await tg.say(admin, chat, f"/organizer {spring.id} {number}")
        assert tg.last_text(chat) == (
            f"There is nothing with the number {number}. Please check the number I showed you."
        )
    await tg.say(admin, chat, f"/organizer {spring.id} ²")
    assert tg.last_text(chat) == "Usage: /organizer PROGRAM_ID USER_ID"
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(OrganizerGrant)) == grants

    invites_before = await _count(runtime, Invite)
    for number in (*HUGE, "0"):
        await tg.say(admin, chat, f"/invite 7d {number}")
        assert tg.last_text(chat) == "The number of uses must be between 1 and 100000.", number
    assert await _count(runtime, Invite) == invites_before


async def _count(runtime, model) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model))


async def test_moderator_targets_and_group_moves_with_huge_numbers(tg, fake, runtime, admin):
    dialogue = await make_dialogue(fake, runtime)
    mod = await dialogue.moderator("Mod", "ru")
    for number in HUGE:
        await tg.say(mod, dialogue.chat, f"/warn {number} spam")
        assert tg.last_text(dialogue.chat) == translate_in(
            "ru", "I don't know {who}. Reply to one of their messages instead.", who=number
        )
    assert tg.calls("restrictChatMember") == []
    chat = fake.private(admin)
    for number in HUGE:
        await tg.say(admin, chat, f"/groups move {number} {number}")
        assert tg.last_text(chat) == (
            "I don't know that person yet: they need to open a chat with me first."
        )


@pytest.mark.parametrize(
    "argv",
    [
        ["sessions", "cancel", "99999999999999999999"],
        ["sessions", "unreached", "0"],
        ["sessions", "list", "--group", "-4"],
        ["report", "--program", "x", "--group", "1180591620717411303424"],
        ["organizer", "add", "--program", "x", "--user", "99999999999999999999"],
        ["invite", "--max-uses", "0"],
        ["run", "--port", "99999999999999999999"],
    ],
)
def test_cli_refuses_numbers_out_of_range_in_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "There is nothing with the number" in error or "Please give a whole number" in error


def test_cli_reads_digits_of_other_scripts():
    args = build_parser().parse_args(["sessions", "cancel", "٣"])
    assert args.session == 3
    args = build_parser().parse_args(["groups", "form", "--program", "x", "--min", "６"])
    assert args.min == 6
