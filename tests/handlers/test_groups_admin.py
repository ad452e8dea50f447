"""Organizers run the groups: /moderator, the /groups overview, /groups move and late joiners."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import GroupMember, GroupModerator
from bot.features.groups import handlers as group_handlers
from bot.i18n import translate_in
from bot.services import people
from tests.handlers.groups_fixtures import (  # noqa: F401
    World,
    bound_group,
    build_world,
    enrol,
    form,
    make_person,
    make_program,
    members_of,
    world_fixture,
)

USAGE = (
    "Usage: /moderator add @user or /moderator remove @user in the group (or as a reply to their message); "
    "in private chat add the group's code: /moderator add @user CODE"
)


async def _moderators(world: World) -> list[tuple[int, int]]:
    async with world.runtime.db() as db:
        return [
            (m.group_id, m.person_id)
            for m in await db.scalars(select(GroupModerator).order_by(GroupModerator.id))
        ]


async def test_moderator_added_in_the_group_is_told_in_their_language(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    mira = tg.fake.user("Mira", username="mira_mod", language_code="ru")
    tg.fake.mark_started(mira)
    await make_person(world.runtime, mira)
    async with world.runtime.db() as db:
        await people.set_locale(db, mira.id, "ru", world.runtime.clock())
    await tg.say(world.organizer, chat, "/moderator add @mira_mod")
    assert await _moderators(world) == [(group.id, mira.id)]
    assert tg.last_text(chat) == "Mira is now a moderator of Group 1."
    assert tg.last_text(tg.private(mira)) == translate_in(
        "ru",
        "You are now a moderator of dialogue group {group} of {program}. /help lists what moderators can do.",
        group="1",
        program="Spring Exchange",
    )
    await tg.say(world.organizer, chat, "/moderator add @mira_mod")
    assert tg.last_text(chat) == "Mira already moderates Group 1; nothing changed."
    assert await _moderators(world) == [(group.id, mira.id)]

    await tg.say(world.organizer, chat, "/moderator remove @mira_mod")
    assert await _moderators(world) == []
    assert tg.last_text(tg.private(mira)) == translate_in(
        "ru",
        "You are no longer a moderator of dialogue group {group} of {program}.",
        group="1",
        program="Spring Exchange",
    )


async def test_moderator_by_reply_and_privately_with_a_code(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    ani = (await members_of(world, group))[0]
    tg.fake.set_member(chat, ani)
    hello = await tg.say(ani, chat, "hello")
    await tg.say(world.organizer, chat, "/moderator add", reply_to=hello)
    assert await _moderators(world) == [(group.id, ani.id)]
    groups = await world.groups()
    olga = world.organizer
    await tg.say(olga, tg.private(olga), f"/moderator add @aram {groups[1].link_code}")
    assert tg.last_text(tg.private(olga)) == "Aram is now a moderator of Group 2."
    assert (groups[1].id, world.participants[1].id) in await _moderators(world)


async def test_moderator_bad_input_changes_nothing(tg, world: World) -> None:
    _group, chat = await bound_group(tg, world)
    olga = world.organizer
    await tg.say(olga, chat, "/moderator promote @ani")
    assert tg.last_text(chat) == translate_in("en", USAGE)
    await tg.say(olga, tg.private(olga), "/moderator add @ani")  # no group code in private
    assert tg.last_text(tg.private(olga)) == translate_in("en", USAGE)
    await tg.say(olga, chat, "/moderator add @nobody_here")
    assert tg.last_text(chat) == translate_in(
        "en", "I don't know that person yet: they need to open a chat with me first."
    )
    await tg.say(olga, tg.private(olga), "/moderator add @ani ZZZZ9999")
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "There is no dialogue group {ref}. /groups shows the codes of your groups.",
        ref="ZZZZ9999",
    )
    ani = world.participants[0]
    tg.fake.set_member(chat, ani)
    await tg.say(ani, chat, "/moderator add @aram")
    assert tg.last_text(chat) == translate_in("en", "Only the program's organizers can do that.")
    unbound = tg.fake.group("Random chat", creator=olga)
    await tg.say(olga, unbound, "/moderator add @ani")
    assert tg.last_text(unbound) == translate_in(
        "en", "This chat is not a dialogue group. Link it first with /link CODE."
    )
    assert await _moderators(world) == []


async def test_groups_overview_shows_counts_binding_moderators_and_missing_rights(
    tg, world: World
) -> None:
    _group, chat = await bound_group(tg, world)
    olga = world.organizer
    await tg.say(olga, chat, "/moderator add @ani")
    await tg.bot_status(chat, "administrator", rights={"can_pin_messages": False})
    groups = await world.groups()
    await tg.say(olga, tg.private(olga), "/groups")
    text = tg.last_text(tg.private(olga))
    assert text.startswith("Spring Exchange: 2 dialogue groups")
    assert (
        f"Group 1 (code {groups[0].link_code}): 4 members, 0 in the chat\n  Armenia 2 · Azerbaijan 2\n"
        in text
    )
    assert (
        "  linked to Bridge 1\n  Moderators: Ani\n  Languages: English\n  ⚠️ I lack these rights there: pin messages"
        in text
    )
    assert f"  not linked yet: send /link {groups[1].link_code} in its Telegram group" in text
    assert f"  No moderators yet: /moderator add @user {groups[1].link_code}" in text


async def test_groups_for_participants_is_refused(tg, world: World) -> None:
    ani = world.participants[0]
    await tg.say(ani, tg.private(ani), "/groups")
    assert tg.last_text(tg.private(ani)) == translate_in(
        "en", "Only the program's organizers can do that."
    )


async def test_move_keeping_the_invariants(tg, fake, runtime) -> None:
    world = await build_world(fake, runtime)
    groups = await form(world, 3, 6)  # 2 groups of 4; a move leaves 3 and 5
    olga = world.organizer
    person = (await members_of(world, groups[0]))[0]
    await tg.say(olga, tg.private(olga), f"/groups move @{person.username} {groups[1].link_code}")
    question = tg.last_message(tg.private(olga))
    assert question.text == (
        f"Move {person.first_name} from Group 1 to Group 2?\n\n"
        "Both groups stay balanced, within their size range and with a shared language."
    )
    assert tg.buttons(question) == ["Move", "Cancel"]
    await tg.click(olga, question, "Move")
    assert (await world.member(person)).group_id == groups[1].id
    assert tg.last_text(tg.private(olga)) == f"Moved {person.first_name} to Group 2."
    assert tg.last_text(tg.private(person)).startswith(
        "You are in dialogue group 2 of Spring Exchange."
    )


async def test_move_that_breaks_balance_is_named_and_can_be_cancelled(tg, world: World) -> None:
    groups = await form(world)
    olga = world.organizer
    person = (await members_of(world, groups[0]))[0]
    side = "Armenia" if person.first_name in ("Ani", "Aram", "Lilit", "Narek") else "Azerbaijan"
    await tg.say(olga, tg.private(olga), f"/groups move {person.id} {groups[1].link_code}")
    question = tg.last_message(tg.private(olga))
    assert (
        f"• Group 2: {side} would have 3, its fair share is 2 to 3." not in question.text
    )  # 5 seats: 2-3 is fair
    assert "• Group 1: 3 members, outside the size range 4 to 6." in question.text
    assert tg.buttons(question) == ["Move anyway", "Cancel"]
    await tg.click(olga, question, "Cancel")
    assert tg.last_text(tg.private(olga)) == "Cancelled; nobody was moved."
    assert (await world.member(person)).group_id == groups[0].id


async def test_move_into_another_programs_group_is_refused(tg, world: World, fake, runtime) -> None:
    groups = await form(world)
    other = await make_program(runtime, name="Autumn Forum", organizer=world.organizer)
    other_world = World(fake=fake, runtime=runtime, program=other, organizer=world.organizer)
    for i, name in enumerate(("Kim", "Lee", "Max", "Noa")):
        await enrol(runtime, fake.user(name), other, i % 2)
    other_groups = await form(other_world, 2, 4)
    olga = world.organizer
    person = world.participants[0]
    await tg.say(
        olga, tg.private(olga), f"/groups move @{person.username} {other_groups[0].link_code}"
    )
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "That group belongs to another program; people can only move between groups of their own program.",
    )
    before = (await world.member(person)).group_id
    assert before in {g.id for g in groups}
    await tg.say(olga, tg.private(olga), "/groups move @ani")
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "Usage: /groups [program], or /groups move @user CODE to move someone into another group.",
    )
    assert (await world.member(person)).group_id == before


async def test_a_joined_member_who_moves_leaves_the_old_chat_and_is_invited_to_the_new(
    tg, world: World
) -> None:
    group, chat = await bound_group(tg, world)
    person = (await members_of(world, group))[0]
    await tg.join_request(person, chat, (await world.member(person)).invite_link)
    groups = await world.groups()
    olga = world.organizer
    await tg.say(olga, tg.private(olga), f"/groups move @{person.username} {groups[1].link_code}")
    await tg.click(olga, tg.last_message(tg.private(olga)), "Move")
    assert not tg.fake.member(chat, person).in_chat
    member = await world.member(person)
    assert (member.group_id, member.status) == (groups[1].id, "assigned")


async def test_late_joiners_are_placed_where_balance_holds(tg, fake, runtime) -> None:
    world = await build_world(fake, runtime)
    await form(world, 4, 6)
    samir = fake.user("Samir", language_code="en")
    fake.mark_started(samir)
    await enrol(runtime, samir, world.program, 1, locale="en")
    placement = await group_handlers.on_enrolled(tg.application, samir.id, world.program.id)
    assert placement is not None and placement.placed
    member = await world.member(samir)
    assert member.group_id == placement.group_id and member.status == "assigned"
    assert tg.last_text(tg.private(samir)).startswith(
        f"You are in dialogue group {placement.group_name} of Spring Exchange."
    )
    # Calling the hook again places nobody twice.
    again = await group_handlers.on_enrolled(tg.application, samir.id, world.program.id)
    assert again.group_id == placement.group_id
    async with runtime.db() as db:
        rows = (
            await db.scalars(select(GroupMember).where(GroupMember.person_id == samir.id))
        ).all()
    assert len(rows) == 1


async def test_a_late_joiner_who_breaks_an_invariant_waits_for_the_organizer(
    tg, fake, runtime
) -> None:
    world = await build_world(fake, runtime)
    await form(world, 4, 4)  # full groups: a fifth member breaks the size range
    samir = fake.user("Samir", language_code="en")
    fake.mark_started(samir)
    await enrol(runtime, samir, world.program, 1)
    placement = await group_handlers.on_enrolled(tg.application, samir.id, world.program.id)
    assert placement is not None and not placement.placed
    assert await world.member(samir) is None
    olga = world.organizer
    ask = tg.last_message(tg.private(olga))
    assert ask.text.startswith(
        f"Samir enrolled in Spring Exchange after the groups were formed. The best place is Group {placement.group_name}, but it breaks:\n"
    )
    assert f"• Group {placement.group_name}: 5 members, outside the size range 4 to 4." in ask.text
    place_anyway = next(
        b["callback_data"] for row in ask.inline_keyboard for b in row if b["text"] == "Place anyway"
    )
    await tg.click(olga, ask, "Place anyway")
    assert (await world.member(samir)).group_id == placement.group_id
    assert tg.last_text(tg.private(samir)).startswith("You are in dialogue group")
    # The same button again: "already done", no second placement or invitation.
    invitations = len(tg.texts(tg.private(samir)))
    update = await tg.press_raw(olga, ask, place_anyway)
    assert tg.callback_answer(update)["text"] == "This was already done."
    assert len(tg.texts(tg.private(samir))) == invitations
    async with runtime.db() as db:
        rows = (
            await db.scalars(select(GroupMember).where(GroupMember.person_id == samir.id))
        ).all()
    assert len(rows) == 1


async def test_a_new_moderator_gets_the_moderator_menu_in_the_group(tg, world: World) -> None:
    """Telegram shows each moderator the moderator commands in their group's command menu."""
    _group, chat = await bound_group(tg, world)
    moderator = tg.fake.user("Mira", username="mira_mod", language_code="ru")
    tg.fake.mark_started(moderator)
    await make_person(world.runtime, moderator)
    await tg.say(world.organizer, chat, "/moderator add @mira_mod")
    scoped = [
        c
        for c in tg.calls("setMyCommands")
        if c.params.get("scope", {}).get("type") == "chat_member"
        and c.params["scope"].get("user_id") == moderator.id
    ]
    assert scoped and scoped[-1].params["scope"]["chat_id"] == chat.id
    commands = {c["command"] for c in scoped[-1].params["commands"]}
    assert {"warn", "mute", "newsession", "rules", "report"} <= commands
    await tg.say(world.organizer, chat, "/moderator remove @mira_mod")
    assert tg.calls("deleteMyCommands")[-1].params["scope"]["user_id"] == moderator.id
