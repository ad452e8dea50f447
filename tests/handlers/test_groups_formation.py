"""/formgroups as an organizer uses it: preview, re-run with another seed, confirm; and every bad
input gets a translated answer that changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.models import DialogueGroup, GroupLanguage, GroupMember
from bot.i18n import translate_in
from tests.handlers.groups_fixtures import World, build_world, enrol, world_fixture  # noqa: F401


async def _group_count(world: World) -> int:
    async with world.runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(DialogueGroup))


async def test_preview_rerun_and_confirm_create_groups_and_tell_each_participant(
    tg, world: World
) -> None:
    olga = world.organizer
    await tg.say(olga, tg.private(olga), "/formgroups 4-6")
    preview = tg.last_message(tg.private(olga))
    text = preview.text
    assert text.startswith(
        "Preview for Spring Exchange: 8 participants in 2 groups (sizes 4 to 6, roles mixed; seed 1)."
    )
    assert "Group 1: 4 members\n  Armenia 2 · Azerbaijan 2\n  " in text
    assert "Group 2: 4 members\n  Armenia 2 · Azerbaijan 2\n  " in text
    assert text.count("Shared languages: English") == 2
    assert "Everyone is between 08:00 and 22:00 local time from" in text
    assert tg.buttons(preview) == ["🔀 Re-run with another seed", "✅ Confirm"]
    assert await _group_count(world) == 0  # a preview writes nothing

    await tg.click(olga, preview, "Re-run")
    rerun = tg.last_message(tg.private(olga))
    assert "seed 2)" in rerun.text
    assert tg.buttons(preview) == []  # the old preview's buttons are gone

    await tg.click(olga, rerun, "Confirm")
    groups = await world.groups()
    assert [g.name for g in groups] == ["1", "2"]
    assert all(len(g.link_code) == 8 and g.chat_id is None for g in groups)
    assert groups[0].link_code != groups[1].link_code
    assert (groups[0].min_size, groups[0].max_size) == (4, 6)
    members = await world.members()
    assert len(members) == 8 and {m.status for m in members.values()} == {"assigned"}
    summary = tg.last_text(tg.private(olga))
    assert summary.startswith("Created 2 dialogue groups for Spring Exchange.")
    assert f"Group 1: code {groups[0].link_code}" in summary
    async with world.runtime.db() as db:
        languages = (
            await db.scalars(
                select(GroupLanguage.locale).where(GroupLanguage.group_id == groups[0].id)
            )
        ).all()
    assert languages == ["en"]

    # Each participant hears, in their language, their group and the others' sides, not names.
    for user in world.participants:
        member = members[user.id]
        group = next(g for g in groups if g.id == member.group_id)
        locale = {"Aram": "ru", "Leyla": "ru", "Narek": "ar", "Nigar": "ar"}.get(
            user.first_name, "en"
        )
        mine = 0 if user.first_name in ("Ani", "Aram", "Lilit", "Narek") else 1
        others = {0: "2 from Armenia", 1: "2 from Azerbaijan"}
        other_text = ", ".join(
            translate_in(locale, "{count} from {side}", count=n, side=s)
            for s, n in (("Armenia", 2 - (mine == 0)), ("Azerbaijan", 2 - (mine == 1)))
        )
        assert others  # both sides are named by count only
        expected = (
            translate_in(
                locale,
                "You are in dialogue group {group} of {program}. Besides you, the group has: {others}.",
                group=group.name,
                program="Spring Exchange",
                others=other_text,
            )
            + "\n\n"
            + translate_in(
                locale,
                "The group's chat is being prepared; I will send you your personal link to join it.",
            )
        )
        assert tg.texts(tg.private(user)) == [expected]
        for other in world.participants:
            assert other.first_name not in tg.last_text(tg.private(user))


async def test_confirming_again_or_after_new_enrolments_changes_nothing(
    tg, world: World, fake, runtime
) -> None:
    olga = world.organizer
    await tg.say(olga, tg.private(olga), "/formgroups 4-6")
    preview = tg.last_message(tg.private(olga))
    # Someone enrols between the preview and the confirmation: the preview is no longer what would be written.
    late = fake.user("Samir", language_code="en")
    await enrol(runtime, late, world.program, 1)
    update = await tg.click(olga, preview, "Confirm")
    assert tg.callback_answer(update)["text"] == translate_in(
        "en",
        "Enrolments changed since this preview, so nothing was created. Run /formgroups again to see the "
        "groups as they would be now.",
    )
    assert await _group_count(world) == 0

    await tg.say(olga, tg.private(olga), "/formgroups 4-6")
    fresh = tg.last_message(tg.private(olga))
    await tg.click(olga, fresh, "Confirm")
    assert await _group_count(world) == 2
    # A second confirmation (say, an old message) is refused politely.
    await tg.say(olga, tg.private(olga), "/formgroups 4-6")
    assert tg.last_text(tg.private(olga)).startswith("Spring Exchange already has dialogue groups")
    assert await _group_count(world) == 2


async def test_bad_size_ranges_are_explained_in_the_organizers_language(tg, world: World) -> None:
    olga = world.organizer
    expected = "A group size range of {min_size} to {max_size} cannot work: the smallest size must be at least 2 and not larger than the largest. Example: /formgroups 8-12"
    await tg.say(olga, tg.private(olga), "/formgroups 12-8")
    assert tg.last_text(tg.private(olga)) == translate_in("en", expected, min_size=12, max_size=8)
    await tg.say(olga, tg.private(olga), "/formgroups 1-5")
    assert tg.last_text(tg.private(olga)) == translate_in("en", expected, min_size=1, max_size=5)
    assert await _group_count(world) == 0


async def test_bad_size_range_in_russian(tg, fake, runtime) -> None:
    world = await build_world(fake, runtime)
    async with runtime.db() as db:
        from bot.services import people

        await people.set_locale(db, world.organizer.id, "ru", runtime.clock())
    await tg.say(world.organizer, tg.private(world.organizer), "/formgroups 9-3")
    assert tg.last_text(tg.private(world.organizer)) == translate_in(
        "ru",
        "A group size range of {min_size} to {max_size} cannot work: the smallest size must be at least 2 "
        "and not larger than the largest. Example: /formgroups 8-12",
        min_size=9,
        max_size=3,
    )


async def test_too_few_participants_for_one_group(tg, fake, runtime) -> None:
    world = await build_world(fake, runtime, count=6)
    olga = world.organizer
    await tg.say(olga, tg.private(olga), "/formgroups")
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "Only {participants} participants are enrolled: too few for even one group of at least {min_size}. "
        "Invite more people or choose a smaller size, e.g. /formgroups 4-6.",
        participants=6,
        min_size=8,
    )
    assert await _group_count(world) == 0


async def test_a_side_with_nobody_on_it(tg, fake, runtime) -> None:
    world = await build_world(fake, runtime, count=4)  # only Armenians
    olga = world.organizer
    await tg.say(olga, tg.private(olga), "/formgroups 2-4")
    assert tg.last_text(tg.private(olga)) == translate_in(
        "en",
        "Nobody is enrolled on the {side} side yet, so no group could be balanced. Invite people from every "
        "side first.",
        side="Azerbaijan",
    )
    assert await _group_count(world) == 0


async def test_separate_tracks_keep_roles_apart(tg, world: World) -> None:
    olga = world.organizer
    await tg.say(olga, tg.private(olga), "/formgroups 4-4 tracks")
    preview = tg.last_message(tg.private(olga))
    assert "separate tracks for students and professionals" in preview.text
    await tg.click(olga, preview, "Confirm")
    groups = await world.groups()
    assert sorted(g.track for g in groups) == ["professional", "student"]


async def test_participants_cannot_form_groups(tg, world: World) -> None:
    ani = world.participants[0]
    await tg.say(ani, tg.private(ani), "/formgroups 4-6")
    assert tg.last_text(tg.private(ani)) == translate_in(
        "en", "Only the program's organizers can do that."
    )
    async with world.runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(GroupMember)) == 0


async def test_a_program_that_allows_it_names_the_other_members(tg, world: World) -> None:
    from bot.features.programs import service as programs

    async with world.runtime.db() as db:
        assert await programs.set_show_member_names(db, world.program.id, True)
    olga = world.organizer
    await tg.say(olga, tg.private(olga), "/formgroups 4-6")
    await tg.click(olga, tg.last_message(tg.private(olga)), "Confirm")
    members = await world.members()
    ani = next(u for u in world.participants if u.first_name == "Ani")
    mates = [
        u
        for u in world.participants
        if members[u.id].group_id == members[ani.id].group_id and u != ani
    ]
    text = tg.texts(tg.private(ani))[-1]
    for mate in mates:
        assert mate.first_name in text
    assert "Ani" not in text.split("Besides you")[1]
    assert "from Armenia: " in text and "from Azerbaijan: " in text
