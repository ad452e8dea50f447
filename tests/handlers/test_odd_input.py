"""Every command, from every kind of person, with odd arguments: a clear answer, never a crash and
never silence. (The `tg` fixture fails the test if any handler raised unexpectedly.)"""

from __future__ import annotations

import pytest

from bot.handlers.menus import (
    GROUP_COMMANDS,
    MODERATOR_COMMANDS,
    ORGANIZER_COMMANDS,
    PARTICIPANT_COMMANDS,
)
from tests.handlers.groups_fixtures import bound_group, build_world

ODD_ARGUMENTS = [
    "",
    "x" * 3000,
    "\u202eevil\u202c \u200b\u200b\u200b",
    "👍🏽👨‍👩‍👧‍👦🇦🇲🇦🇿",
    "a" + "\u0301" * 200,
    "مرحبا 123 שלום",
    "-1h 0m 30x 999d",
    "@ @@ @nobody_here_at_all 99999999999999999999999",
]
PRIVATE_COMMANDS = sorted(
    {name for name, _ in PARTICIPANT_COMMANDS + ORGANIZER_COMMANDS} | {"organizer", "cancel"}
)
IN_GROUP_COMMANDS = sorted({name for name, _ in GROUP_COMMANDS + MODERATOR_COMMANDS})


@pytest.mark.parametrize("argument", ODD_ARGUMENTS, ids=range(len(ODD_ARGUMENTS)))
async def test_private_commands_always_answer(tg, fake, runtime, admin, argument) -> None:
    world = await build_world(fake, runtime, count=4)
    people = {"participant": world.participants[0], "organizer": world.organizer, "admin": admin}
    for role, person in people.items():
        chat = fake.private(person)
        for command in PRIVATE_COMMANDS:
            if command == "forgetme":
                continue  # answered with a confirmation keyboard; covered in test_profile
            before = len(fake.sent_messages(chat))
            await tg.say(person, chat, f"/{command} {argument}".strip())
            sent = fake.sent_messages(chat)[before:]
            assert sent, f"/{command} from the {role} got no answer"
            assert all(m.text or m.caption or m.document for m in sent)
            await tg.say(person, chat, "/cancel")


@pytest.mark.parametrize("argument", ODD_ARGUMENTS[:5], ids=range(5))
async def test_group_commands_from_a_participant_never_crash(tg, fake, runtime, argument) -> None:
    world = await build_world(fake, runtime, count=8)
    _group, chat = await bound_group(tg, world)
    participant = world.participants[0]
    fake.set_member(chat, participant, "member")
    for command in IN_GROUP_COMMANDS:
        await tg.say(participant, chat, f"/{command} {argument}".strip())
    # Plain odd text in the group: filtered or counted, never an error.
    await tg.say(participant, chat, argument or "…")
