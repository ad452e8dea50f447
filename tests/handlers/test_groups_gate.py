"""The entry gate: join requests, people added directly, leaving and coming back."""

from __future__ import annotations

import pytest

from bot.features.groups import service as groups
from bot.features.groups.handlers import membership as gate_handlers
from bot.i18n import translate_in
from tests.handlers.groups_fixtures import (  # noqa: F401
    World,
    bound_group,
    make_person,
    members_of,
    world_fixture,
)

DECLINED_STRANGER = "{person} asked to join {group} but is not one of its participants; I declined."


@pytest.fixture(autouse=True)
def no_retry_wait(monkeypatch) -> None:
    monkeypatch.setattr(gate_handlers, "APPROVE_RETRY_DELAYS", (0.0, 0.0))


async def _with_moderator(tg, world: World, group, locale: str = "ru"):
    mira = tg.fake.user("Mira", username="mira_mod", language_code=locale)
    tg.fake.mark_started(mira)
    await make_person(world.runtime, mira)
    async with world.runtime.db() as db:
        await groups.add_moderator(
            db, group.id, mira.id, world.organizer.id, frozenset(), world.runtime.clock()
        )
    return mira


async def test_an_assigned_participant_is_let_in_through_their_link(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    ani = (await members_of(world, group))[0]
    member = await world.member(ani)
    await tg.join_request(ani, chat, member.invite_link)
    assert [c.params["user_id"] for c in tg.calls("approveChatJoinRequest")] == [ani.id]
    assert tg.fake.member(chat, ani).status == "member"
    member = await world.member(ani)
    assert member.status == "joined" and member.joined_at == world.runtime.clock()


async def test_strangers_are_declined_and_moderators_told_once(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    mira = await _with_moderator(tg, world, group)
    eve = tg.fake.user("Eve", username="eve", language_code="ru")
    before = len(tg.texts(tg.private(mira)))
    await tg.join_request(eve, chat)
    assert [c.params["user_id"] for c in tg.calls("declineChatJoinRequest")] == [eve.id]
    assert tg.calls("approveChatJoinRequest") == []
    who = translate_in("ru", "{name} (@{username}, id {id})", name="Eve", username="eve", id=eve.id)
    assert tg.texts(tg.private(mira))[before:] == [
        translate_in(
            "ru", DECLINED_STRANGER, person=who, group=translate_in("ru", "Group {name}", name="1")
        )
    ]
    # Eve is told why, in her Telegram language.
    assert tg.last_text(tg.private(eve)) == translate_in(
        "ru",
        "Your request to join this chat was declined: it is only for the participants assigned to "
        "dialogue group {group}. If you think this is a mistake, please contact the organizers.",
        group=translate_in("ru", "Group {name}", name="1"),
    )
    # She tries again the same day: declined again, the moderator is not told twice.
    await tg.join_request(eve, chat)
    assert len(tg.calls("declineChatJoinRequest")) == 2
    assert len(tg.texts(tg.private(mira))) == before + 1
    assert tg.fake.member(chat, eve).status == "left"


async def test_a_participant_of_another_group_is_declined(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    inside = await members_of(world, group)
    outsider = next(u for u in world.participants if u not in inside)
    await tg.join_request(outsider, chat)
    assert [c.params["user_id"] for c in tg.calls("declineChatJoinRequest")] == [outsider.id]
    # Without moderators, the organizers hear about it.
    assert "a participant of another group, asked to join Group 1; I declined." in tg.last_text(
        tg.private(world.organizer)
    )
    assert (await world.member(outsider)).status == "assigned"


async def test_a_duplicate_request_is_approved_once_without_alarms(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    mira = await _with_moderator(tg, world, group)
    ani = (await members_of(world, group))[0]
    link = (await world.member(ani)).invite_link
    # Two updates for the same request reach the bot (e.g. redelivered after a restart).
    tg.fake.user_join_request(ani, chat, link)
    tg.fake.user_join_request(ani, chat, link)
    before = len(tg.texts(tg.private(mira)))
    await tg.flush()
    approvals = tg.calls("approveChatJoinRequest")
    assert [c.ok for c in approvals] == [
        True,
        False,
    ]  # the second finds the request already handled
    assert len(approvals) == 2 and len(tg.texts(tg.private(mira))) == before
    assert (await world.member(ani)).status == "joined"


async def test_telegram_errors_are_retried_within_limits(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    ani = (await members_of(world, group))[0]
    tg.fake.fail_next("approveChatJoinRequest", code=502, times=2)
    await tg.join_request(ani, chat, (await world.member(ani)).invite_link)
    assert [c.ok for c in tg.calls("approveChatJoinRequest")] == [False, False, True]
    assert (await world.member(ani)).status == "joined"


async def test_when_retries_run_out_moderators_and_the_participant_are_told(
    tg, world: World
) -> None:
    group, chat = await bound_group(tg, world)
    mira = await _with_moderator(tg, world, group, locale="en")
    ani = (await members_of(world, group))[0]
    tg.fake.fail_next("approveChatJoinRequest", code=502, times=gate_handlers.APPROVE_ATTEMPTS)
    await tg.join_request(ani, chat, (await world.member(ani)).invite_link)
    assert len(tg.calls("approveChatJoinRequest")) == gate_handlers.APPROVE_ATTEMPTS
    notice = tg.last_text(tg.private(mira))
    assert notice.startswith(
        f"I could not let Ani (@ani, id {ani.id}), a participant of Group 1, into the chat ("
    )
    assert notice.endswith("). Please approve their join request by hand.")
    assert tg.last_text(tg.private(ani)) == translate_in(
        "en",
        "Your request to join the chat of {group} is waiting: something went wrong on Telegram's side. "
        "The moderators were told and will let you in.",
        group="Group 1",
    )
    assert tg.fake.pending_join_requests(chat) == [
        ani.id
    ]  # still there for the moderators to approve


async def test_missing_rights_at_a_join_request_are_named_to_moderators(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    mira = await _with_moderator(tg, world, group, locale="en")
    tg.fake.set_bot_admin(chat, can_restrict_members=False)  # changed without the bot being told
    ani = (await members_of(world, group))[0]
    await tg.join_request(ani, chat, (await world.member(ani)).invite_link)
    assert tg.last_text(tg.private(mira)) == translate_in(
        "en",
        "{person} asked to join {group}, but I lack these administrator rights there: {rights}. "
        "Please give them to me so the group's entry and moderation work.",
        person=f"Ani (@ani, id {ani.id})",
        group="Group 1",
        rights="restrict and ban members",
    )
    assert (await world.member(ani)).status == "joined"  # approving needs only the invite right
    assert (await world.groups())[0].missing_rights == "can_restrict_members"


async def test_a_right_lost_while_approving_is_reported(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    mira = await _with_moderator(tg, world, group, locale="en")
    ani = (await members_of(world, group))[0]
    tg.fake.fail_next(
        "approveChatJoinRequest", code=400, description="Bad Request: CHAT_ADMIN_REQUIRED"
    )
    await tg.join_request(ani, chat, (await world.member(ani)).invite_link)
    assert len(tg.calls("approveChatJoinRequest")) == 1  # not worth retrying
    assert tg.last_text(tg.private(mira)) == translate_in(
        "en",
        "I could not let {person}, a participant of {group}, into the chat: I lack the "
        "administrator right to {rights}. Please give it to me, or approve their join request by hand.",
        person=f"Ani (@ani, id {ani.id})",
        group="Group 1",
        rights="invite users",
    )


async def test_someone_added_directly_is_restricted_then_removed(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    mira = await _with_moderator(tg, world, group, locale="en")
    ani = (await members_of(world, group))[0]
    tg.fake.set_member(chat, ani)
    eve = tg.fake.user("Eve", language_code="en")
    await tg.add_member(chat, eve, by=ani)
    restricted = tg.calls("restrictChatMember")
    assert [c.params["user_id"] for c in restricted] == [eve.id]
    assert [c.params["user_id"] for c in tg.calls("banChatMember")] == [eve.id]
    assert [c.params["user_id"] for c in tg.calls("unbanChatMember")] == [eve.id]
    assert not tg.fake.member(chat, eve).in_chat
    assert tg.last_text(tg.private(mira)) == translate_in(
        "en",
        "{person} was added to {group} by {by} but is not one of its participants, so I removed them. "
        "Participants join with the personal link I send them.",
        person=f"Eve (id {eve.id})",
        group="Group 1",
        by=f"Ani (@ani, id {ani.id})",
    )
    # Removed, not banned: should she ever be assigned, she can ask through the gate.
    assert tg.fake.member(chat, eve).status == "left"


async def test_an_assigned_participant_added_directly_is_recognised(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    ani, aram = (await members_of(world, group))[:2]
    tg.fake.set_member(chat, ani)
    await tg.add_member(chat, aram, by=ani)
    assert tg.calls("restrictChatMember") == [] and tg.calls("banChatMember") == []
    assert (await world.member(aram)).status == "joined"


async def test_leaving_and_coming_back_goes_through_the_gate(tg, world: World) -> None:
    group, chat = await bound_group(tg, world)
    ani = (await members_of(world, group))[0]
    link = (await world.member(ani)).invite_link
    await tg.join_request(ani, chat, link)
    await tg.leave(ani, chat)
    assert (await world.member(ani)).status == "left"
    await tg.join_request(ani, chat, link)
    assert len([c for c in tg.calls("approveChatJoinRequest") if c.ok]) == 2
    assert (await world.member(ani)).status == "joined"

    # Removed by an admin: the gate keeps them out until an organizer places them again.
    await tg.member_update(chat, ani, "left", by=world.organizer)
    assert (await world.member(ani)).status == "removed"
    await tg.join_request(ani, chat, link)
    assert [c.params["user_id"] for c in tg.calls("declineChatJoinRequest")] == [ani.id]
    assert "who was removed from Group 1, asked to join again; I declined." in tg.last_text(
        tg.private(world.organizer)
    )
