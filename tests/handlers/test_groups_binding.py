"""Binding a Telegram group with /link CODE, the bot's own status there, and supergroup migration."""

from __future__ import annotations

from bot.i18n import FSI, PDI, translate_in
from bot.services import people
from tests.handlers.groups_fixtures import (  # noqa: F401
    World,
    bound_group,
    build_world,
    enrol,
    form,
    make_program,
    members_of,
    telegram_group,
    world_fixture,
)

LINKED = (
    "This chat is now dialogue group {group} of {program}. I send each member a personal link; "
    "only the group's participants can join."
)


async def test_link_binds_the_chat_and_sends_each_member_a_personal_join_request_link(
    tg, world: World
) -> None:
    groups = await form(world)
    chat = telegram_group(tg.fake, world, "Bridge 1")
    await tg.say(
        world.organizer, chat, f"/link {groups[0].link_code.lower()}"
    )  # codes are not case-sensitive

    assert tg.last_text(chat) == translate_in("en", LINKED, group="1", program="Spring Exchange")
    group = (await world.groups())[0]
    assert (group.chat_id, group.chat_title, group.bot_status, group.missing_rights) == (
        chat.id,
        "Bridge 1",
        "administrator",
        "",
    )
    links = tg.calls("createChatInviteLink")
    assert len(links) == 4 and all(
        c.params["creates_join_request"] in (True, "true") for c in links
    )
    members = await world.members()
    for user in await members_of(world, group):
        member = members[user.id]
        assert member.status == "invited" and member.invite_link
        dm = tg.last_text(tg.private(user))
        assert member.invite_link in dm
        assert dm.endswith("\n" + member.invite_link)
    # The other group's members are still waiting for their chat.
    other = [u for u in world.participants if members[u.id].group_id != group.id]
    assert all(members[u.id].invite_link is None for u in other)
    assert all(len(tg.texts(tg.private(u))) == 0 for u in other)  # formation by service: no DM yet


async def test_link_in_private_or_without_a_code(tg, world: World) -> None:
    groups = await form(world)
    olga = world.organizer
    await tg.say(olga, tg.private(olga), f"/link {groups[0].link_code}")
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "Send /link CODE inside the Telegram group you want to link, after adding me there as an administrator.",
    )
    chat = telegram_group(tg.fake, world)
    await tg.say(olga, chat, "/link")
    assert tg.last_text(chat) == translate_in(
        "en", "Usage: /link CODE (the code is shown in /groups)."
    )
    assert all(g.chat_id is None for g in await world.groups())


async def test_link_by_a_participant_is_refused(tg, world: World) -> None:
    groups = await form(world)
    chat = telegram_group(tg.fake, world)
    ani = world.participants[0]
    tg.fake.set_member(chat, ani)
    await tg.say(ani, chat, f"/link {groups[0].link_code}")
    assert tg.last_text(chat) == translate_in("en", "Only the program's organizers can do that.")
    assert all(g.chat_id is None for g in await world.groups())


async def test_wrong_used_and_other_program_codes(tg, world: World, fake, runtime) -> None:
    group, chat = await bound_group(tg, world)
    olga = world.organizer
    second = telegram_group(fake, world, "Bridge 2")

    await tg.say(olga, second, "/link NOPE2345")
    assert tg.last_text(second) == translate_in(
        "en",
        "There is no dialogue group with the code {code}. Check the code in /groups.",
        code="NOPE2345",
    )
    await tg.say(olga, second, f"/link {group.link_code}")
    assert tg.last_text(second) == translate_in(
        "en",
        "That code was already used: group {group} is linked to the chat {chat}. Each code links one chat.",
        group="1",
        chat="Bridge 1",
    )
    # Another program, organized by someone else: Olga may not link its groups.
    boris = fake.user("Boris", language_code="en")
    other = await make_program(runtime, name="Autumn Forum", organizer=boris)
    for i, name in enumerate(("Kim", "Lee", "Max", "Noa")):
        await enrol(runtime, fake.user(name), other, i % 2)
    other_world = World(fake=fake, runtime=runtime, program=other, organizer=boris)
    other_groups = await form(other_world, 2, 4)
    await tg.say(olga, second, f"/link {other_groups[0].link_code}")
    assert tg.last_text(second) == translate_in(
        "en", "That code belongs to a program you do not organize; nothing was changed."
    )
    # The chat already bound cannot be bound again.
    groups = await world.groups()
    await tg.say(olga, chat, f"/link {groups[1].link_code}")
    assert tg.last_text(chat) == translate_in(
        "en",
        "This chat is already dialogue group {group} of {program}; nothing was changed.",
        group="1",
        program="Spring Exchange",
    )
    groups = await world.groups()
    assert [g.chat_id for g in groups] == [chat.id, None]
    assert (await other_world.groups())[0].chat_id is None


async def test_link_names_exactly_the_missing_rights(tg, world: World) -> None:
    groups = await form(world)
    chat = tg.fake.group("Bridge 1", creator=world.organizer)
    tg.fake.set_bot_admin(chat, can_delete_messages=False, can_pin_messages=False)
    await tg.say(world.organizer, chat, f"/link {groups[0].link_code}")
    expected = (
        "I need these administrator rights here before I can link this chat: {rights}. "
        "Give them to me and send /link CODE again."
    )
    assert tg.last_text(chat) == translate_in(
        "en", expected, rights="delete messages, pin messages"
    )
    assert (await world.groups())[0].chat_id is None

    tg.fake.set_bot_member(chat)  # not an administrator at all: every right is missing
    await tg.say(world.organizer, chat, f"/link {groups[0].link_code}")
    assert tg.last_text(chat) == translate_in(
        "en",
        expected,
        rights="delete messages, restrict and ban members, invite users, pin messages",
    )
    assert (await world.groups())[0].chat_id is None
    assert tg.calls("createChatInviteLink") == []


async def test_missing_rights_in_hebrew(tg, world: World) -> None:
    groups = await form(world)
    async with world.runtime.db() as db:
        await people.set_locale(db, world.organizer.id, "he", world.runtime.clock())
    chat = tg.fake.group("Bridge 1", creator=world.organizer)
    tg.fake.set_bot_admin(chat, can_invite_users=False)
    await tg.say(world.organizer, chat, f"/link {groups[0].link_code}")
    rights = translate_in("he", "invite users")
    text = tg.last_text(chat)
    assert text == translate_in(
        "he",
        "I need these administrator rights here before I can link this chat: {rights}. "
        "Give them to me and send /link CODE again.",
        rights=rights,
    )
    assert f"{FSI}{rights}{PDI}" in text  # the parameter keeps its own direction in Hebrew


async def test_bilingual_post_has_one_right_to_left_block(tg, fake, runtime) -> None:
    """A group whose members all read Arabic and English posts in both, in the program's order."""
    organizer = fake.user("Olga", language_code="en")
    fake.mark_started(organizer)
    program = await make_program(runtime, languages=("en", "ar"), organizer=organizer)
    world = World(fake=fake, runtime=runtime, program=program, organizer=organizer)
    for i, name in enumerate(("Rami", "Huda", "Sami", "Dana")):
        user = fake.user(name, language_code="en")
        fake.mark_started(user)
        await enrol(runtime, user, program, i % 2, locale="ar")
        world.participants.append(user)
    groups = await form(world, 2, 4)
    assert len(groups) == 1
    chat = telegram_group(fake, world)
    await tg.say(organizer, chat, f"/link {groups[0].link_code}")
    english = translate_in("en", LINKED, group="1", program="Spring Exchange")
    arabic = translate_in("ar", LINKED, group="1", program="Spring Exchange")
    assert tg.last_text(chat) == english + "\n\n" + arabic
    assert f"{FSI}Spring Exchange{PDI}" in arabic and FSI not in english
    # Each member's invitation is in Arabic, their own language.
    dm = tg.last_text(tg.private(world.participants[0]))
    assert dm.startswith(
        translate_in(
            "ar",
            "You are in dialogue group {group} of {program}. Besides you, the group has: {others}.",
            group="1",
            program="Spring Exchange",
            others=", ".join(
                translate_in("ar", "{count} from {side}", count=n, side=s)
                for s, n in (("Armenia", 1), ("Azerbaijan", 2))
            ),
        )
    )


async def test_losing_rights_or_being_removed_is_recorded_and_organizers_are_told(
    tg, world: World
) -> None:
    _group, chat = await bound_group(tg, world)
    olga = world.organizer
    await tg.bot_status(
        chat, "administrator", rights={"can_pin_messages": False, "can_invite_users": False}
    )
    refreshed = (await world.groups())[0]
    assert (refreshed.bot_status, refreshed.missing_rights) == (
        "administrator",
        "can_invite_users,can_pin_messages",
    )
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "In the chat of dialogue group {group} ({program}) I no longer have these administrator rights: "
        "{rights}. Please give them back.",
        group="1",
        program="Spring Exchange",
        rights="invite users, pin messages",
    )
    before = len(tg.texts(tg.private(olga)))
    await tg.bot_status(
        chat, "administrator", rights={"can_pin_messages": False, "can_invite_users": False}
    )
    assert len(tg.texts(tg.private(olga))) == before  # nothing new lost, nothing said

    await tg.bot_status(chat, "left")
    refreshed = (await world.groups())[0]
    assert refreshed.bot_status == "left" and refreshed.chat_id == chat.id  # the binding is kept
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "I was removed from the chat of dialogue group {group} ({program}). Until I am added back as "
        "an administrator, nobody can join it through me and its sessions cannot run.",
        group="1",
        program="Spring Exchange",
    )


async def test_a_migrated_group_keeps_its_binding(tg, world: World) -> None:
    groups = await form(world)
    chat = tg.fake.group("Bridge 1", creator=world.organizer, supergroup=False)
    tg.fake.set_bot_admin(chat)
    await tg.say(world.organizer, chat, f"/link {groups[0].link_code}")
    assert (await world.groups())[0].chat_id == chat.id
    old_links = {
        pid: m.invite_link
        for pid, m in (await world.members()).items()
        if m.group_id == groups[0].id
    }
    new_chat = await tg.migrate(chat, world.organizer)
    group = (await world.groups())[0]
    assert group.chat_id == new_chat.id
    members = await world.members()
    for pid, old in old_links.items():
        assert (
            members[pid].invite_link and members[pid].invite_link != old
        )  # new links for the new chat
        assert members[pid].invite_link in tg.last_text(tg.private(world.user(pid)))
    # Commands keep working in the new chat.
    await tg.say(world.organizer, new_chat, f"/link {groups[1].link_code}")
    assert tg.last_text(new_chat).startswith("This chat is already dialogue group 1")
