"""The groups services as plain use cases (no Telegram), and the `bridgebot groups` command line."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.cli import build_parser
from bot.db.models import DialogueGroup, GroupMember, GroupModerator, Person
from bot.domain.grouping import FormationSpec, GroupingError
from bot.features.groups import gate as groups_gate
from bot.features.groups import service as groups
from bot.features.groups.cli import cmd_groups
from bot.features.groups.service import GroupError
from bot.features.privacy import service as privacy
from tests.handlers.groups_fixtures import World, build_world, enrol, form, make_person
from tests.helpers.fake_telegram import FakeTelegram


@pytest.fixture
async def world(runtime) -> World:
    return await build_world(FakeTelegram(), runtime)


async def _count(runtime, model) -> int:
    async with runtime.db() as db:
        return await db.scalar(select(func.count()).select_from(model))


async def test_preview_writes_nothing_and_is_deterministic_per_seed(runtime, world: World) -> None:
    spec = FormationSpec(4, 6, seed=3)
    async with runtime.db() as db:
        first = await groups.preview(db, world.program.id, spec, runtime.clock())
        second = await groups.preview(db, world.program.id, spec, runtime.clock())
    assert [g.member_ids for g in first.formation.groups] == [
        g.member_ids for g in second.formation.groups
    ]
    assert first.roster.fingerprint == second.roster.fingerprint
    assert await _count(runtime, DialogueGroup) == 0


async def test_confirm_with_a_stale_fingerprint_writes_nothing(runtime, world: World) -> None:
    with pytest.raises(GroupError) as caught:
        async with runtime.db() as db:
            await groups.confirm(
                db, world.program.id, FormationSpec(4, 6), "0000000000", runtime.clock()
            )
    assert caught.value.code == "roster_changed"
    assert await _count(runtime, DialogueGroup) == 0 and await _count(runtime, GroupMember) == 0


async def test_bad_ranges_are_refused_before_any_work(runtime, world: World) -> None:
    for low, high in ((9, 3), (1, 4)):
        with pytest.raises(GroupingError) as caught:
            FormationSpec(low, high)
        assert caught.value.code == "bad_size_range"


async def test_late_joiner_before_any_group_waits_for_formation(runtime, world: World) -> None:
    async with runtime.db() as db:
        assert (
            await groups.place_late_joiner(
                db, world.participants[0].id, world.program.id, runtime.clock()
            )
            is None
        )
    assert await _count(runtime, GroupMember) == 0


async def test_a_repeated_move_confirmation_changes_nothing(runtime, world: World) -> None:
    created = await form(world)
    person = world.participants[0].id
    members = await world.members()
    source = members[person].group_id
    target = next(g.id for g in created if g.id != source)
    admins = frozenset({world.organizer.id})
    async with runtime.db() as db:
        await groups.move(db, person, source, target, world.organizer.id, admins, runtime.clock())
    with pytest.raises(GroupError) as caught:
        async with runtime.db() as db:
            # The same confirmation pressed again: the person is already there.
            await groups.move(
                db, person, source, target, world.organizer.id, admins, runtime.clock()
            )
    assert caught.value.code == "move_same_group"
    assert (await world.members())[person].group_id == target


async def test_forgetme_removes_group_memberships_and_moderator_roles(
    runtime, world: World
) -> None:
    created = await form(world)
    ani = world.participants[0]
    async with runtime.db() as db:
        await groups.add_moderator(
            db, created[0].id, ani.id, world.organizer.id, frozenset(), runtime.clock()
        )
    async with runtime.db() as db:
        await privacy.forget(db, ani.id, runtime.clock())
    async with runtime.db() as db:
        assert await db.get(Person, ani.id) is None
        assert await db.scalar(select(func.count()).where(GroupMember.person_id == ani.id)) == 0
        assert await db.scalar(select(func.count()).where(GroupModerator.person_id == ani.id)) == 0
    assert await _count(runtime, GroupMember) == 7  # everyone else keeps their place


async def test_bot_rights_are_named_in_a_fixed_order() -> None:
    assert groups_gate.missing_rights("creator", {}) == ()
    assert groups_gate.missing_rights("member", {}) == groups_gate.REQUIRED_RIGHTS
    assert groups_gate.missing_rights(
        "administrator",
        {"can_pin_messages": False, "can_delete_messages": True, "can_invite_users": True},
    ) == ("can_restrict_members", "can_pin_messages")


async def test_cli_previews_then_confirms(runtime, world: World, settings, capsys) -> None:
    parser = build_parser()
    preview_args = parser.parse_args(
        ["groups", "form", "--program", "Spring Exchange", "--min", "4", "--max", "6"]
    )
    assert await asyncio.to_thread(cmd_groups, settings, preview_args) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Preview for Spring Exchange: 8 participants in 2 groups (sizes 4 to 6, roles mixed; seed 1)."
    )
    assert await _count(runtime, DialogueGroup) == 0

    confirm_args = parser.parse_args(
        [
            "groups",
            "form",
            "--program",
            str(world.program.id),
            "--min",
            "4",
            "--max",
            "6",
            "--confirm",
        ]
    )
    assert await asyncio.to_thread(cmd_groups, settings, confirm_args) == 0
    out = capsys.readouterr().out
    created = await world.groups()
    assert len(created) == 2
    assert (
        f"Group 1: code {created[0].link_code}" in out
        and f"Group 2: code {created[1].link_code}" in out
    )

    list_args = parser.parse_args(["groups", "list", "--program", "Spring Exchange"])
    assert await asyncio.to_thread(cmd_groups, settings, list_args) == 0
    assert capsys.readouterr().out.startswith("Spring Exchange: 2 dialogue groups")


async def test_cli_bad_range_is_one_translated_line(
    runtime, world: World, settings, monkeypatch, capsys
) -> None:
    from bot import cli

    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    code = await asyncio.to_thread(
        cli.main, ["groups", "form", "--program", "Spring Exchange", "--min", "9", "--max", "3"]
    )
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("bridgebot: A group size range of 9 to 3 cannot work")
    assert await _count(runtime, DialogueGroup) == 0


async def test_moderator_rows_are_idempotent(runtime, world: World) -> None:
    created = await form(world)
    mira = FakeTelegram().user("Mira")
    mira.id = 77_000_000_001
    await make_person(runtime, mira)
    admins = frozenset({world.organizer.id})
    async with runtime.db() as db:
        first = await groups.add_moderator(
            db, created[0].id, mira.id, world.organizer.id, admins, runtime.clock()
        )
        again = await groups.add_moderator(
            db, created[0].id, mira.id, world.organizer.id, admins, runtime.clock()
        )
    assert (first.changed, again.changed) == (True, False)
    assert await _count(runtime, GroupModerator) == 1
    outsider = world.participants[0].id
    with pytest.raises(Exception) as caught:
        async with runtime.db() as db:
            await groups.remove_moderator(db, created[0].id, mira.id, outsider, frozenset())
    assert getattr(caught.value, "code", None) == "needs_organizer"
    assert await _count(runtime, GroupModerator) == 1
    _ = enrol  # imported for symmetry with the handler fixtures
