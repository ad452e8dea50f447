"""A program with enrolled participants, ready for dialogue groups, built straight in the database
(the enrolment conversation has its own tests); then the tests act through the fake Bot API."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.db.models import DialogueGroup, Enrolment, GroupMember
from bot.domain.programs import ProgramDraft
from bot.features.programs import service as programs
from bot.features.programs.service import ProgramView
from bot.services import people
from bot.services.people import TelegramIdentity
from tests.helpers.fake_telegram import FakeTelegram, FakeUser


def ident(user: FakeUser) -> TelegramIdentity:
    return TelegramIdentity(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


async def make_person(runtime, user: FakeUser) -> None:
    async with runtime.db() as db:
        await people.upsert(db, ident(user), runtime.clock())


async def make_program(
    runtime,
    *,
    name: str = "Spring Exchange",
    sides: tuple[str, ...] = ("Armenia", "Azerbaijan"),
    languages: tuple[str, ...] = ("en", "ru", "ar"),
    timezone: str = "Asia/Yerevan",
    organizer: FakeUser | None = None,
) -> ProgramView:
    if organizer is not None:
        await make_person(runtime, organizer)
    async with runtime.db() as db:
        return await programs.create(
            db,
            ProgramDraft(name=name, sides=sides, languages=languages, timezone=timezone),
            creator_id=organizer.id if organizer else None,
            now=runtime.clock(),
        )


async def enrol(
    runtime,
    user: FakeUser,
    program: ProgramView,
    side: int,
    *,
    role: str = "student",
    locale: str = "en",
    zone: str = "Asia/Yerevan",
) -> None:
    now = runtime.clock()
    async with runtime.db() as db:
        await people.upsert(db, ident(user), now)
        await people.set_locale(db, user.id, locale, now)
        await people.set_timezone(db, user.id, zone, now)
        db.add(
            Enrolment(
                program_id=program.id,
                person_id=user.id,
                side_id=program.sides[side].id,
                role=role,
                accepted_conduct_at=now,
                enrolled_at=now,
            )
        )


@dataclass
class World:
    """Spring Exchange (Armenia / Azerbaijan; en, ru, ar), organized by Olga, eight participants."""

    fake: FakeTelegram
    runtime: object
    program: ProgramView
    organizer: FakeUser
    participants: list[FakeUser] = field(default_factory=list)

    async def groups(self) -> list[DialogueGroup]:
        async with self.runtime.db() as db:
            return list(
                (
                    await db.scalars(
                        select(DialogueGroup)
                        .where(DialogueGroup.program_id == self.program.id)
                        .order_by(DialogueGroup.id)
                    )
                ).all()
            )

    async def members(self) -> dict[int, GroupMember]:
        async with self.runtime.db() as db:
            rows = await db.scalars(
                select(GroupMember).where(GroupMember.program_id == self.program.id)
            )
            return {row.person_id: row for row in rows}

    async def member(self, user: FakeUser) -> GroupMember | None:
        return (await self.members()).get(user.id)

    def user(self, person_id: int) -> FakeUser:
        return next(u for u in self.participants if u.id == person_id)


PARTICIPANTS = [
    # name, side, locale, zone, role
    ("Ani", 0, "en", "Asia/Yerevan", "student"),
    ("Aram", 0, "ru", "Asia/Yerevan", "professional"),
    ("Lilit", 0, "en", "Europe/Berlin", "student"),
    ("Narek", 0, "ar", "Asia/Yerevan", "professional"),
    ("Elvin", 1, "en", "Asia/Baku", "student"),
    ("Leyla", 1, "ru", "Asia/Baku", "professional"),
    ("Murad", 1, "en", "Europe/Istanbul", "student"),
    ("Nigar", 1, "ar", "Asia/Baku", "professional"),
]


async def build_world(fake: FakeTelegram, runtime, count: int = 8) -> World:
    organizer = fake.user("Olga", username="olga_org", language_code="en")
    fake.mark_started(organizer)
    program = await make_program(runtime, organizer=organizer)
    world = World(fake=fake, runtime=runtime, program=program, organizer=organizer)
    for name, side, locale, zone, role in PARTICIPANTS[:count]:
        # Telegram app in English: everyone also reads English, so groups share a language.
        user = fake.user(name, username=name.lower(), language_code="en")
        fake.mark_started(user)
        await enrol(runtime, user, program, side, role=role, locale=locale, zone=zone)
        world.participants.append(user)
    return world


@pytest.fixture(name="world")
async def world_fixture(fake, runtime, app) -> World:
    return await build_world(fake, runtime)


async def form(
    world: World, min_size: int = 4, max_size: int = 6, tracks: bool = False
) -> list[DialogueGroup]:
    """Form and confirm groups as /formgroups would (seed 1)."""
    from bot.domain.grouping import FormationSpec
    from bot.features.groups import service as groups

    spec = FormationSpec(min_size=min_size, max_size=max_size, separate_role_tracks=tracks, seed=1)
    async with world.runtime.db() as db:
        shown = await groups.preview(db, world.program.id, spec, world.runtime.clock())
        await groups.confirm(
            db, world.program.id, spec, shown.roster.fingerprint, world.runtime.clock()
        )
    return await world.groups()


def telegram_group(
    fake: FakeTelegram, world: World, title: str = "Bridge 1", *, supergroup: bool = True
):
    """A Telegram group Olga created, with the bot as a full administrator."""
    chat = fake.group(title, creator=world.organizer, supergroup=supergroup)
    fake.set_bot_admin(chat)
    return chat


async def bound_group(tg, world: World, index: int = 0, title: str = "Bridge 1"):
    """Form groups, create the Telegram group for one of them and /link it. Returns (group, chat)."""
    groups = await world.groups() or await form(world)
    chat = telegram_group(tg.fake, world, title)
    await tg.say(world.organizer, chat, f"/link {groups[index].link_code}")
    group = next(g for g in await world.groups() if g.id == groups[index].id)
    assert group.chat_id == chat.id, tg.last_text(chat)
    return group, chat


async def members_of(world: World, group: DialogueGroup) -> list[FakeUser]:
    members = await world.members()
    return [world.user(pid) for pid, m in members.items() if m.group_id == group.id]
