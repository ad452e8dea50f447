"""A program with one dialogue group bound to a fake Telegram group: a moderator and members in
several languages and time zones, built directly in the database (the group part is built
elsewhere at the same time)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from bot.db.models import DialogueGroup, Enrolment, GroupMember, GroupModerator, Person
from bot.domain.programs import ProgramDraft
from bot.domain.scheduling import AgendaItem, Recurrence, SessionDraft
from bot.features.programs import service as programs
from bot.features.sessions import service as sessions_service
from tests.helpers.fake_telegram import FakeChat, FakeTelegram, FakeUser

# name, locale, zone, side index
DEFAULT_MEMBERS = (
    ("Ani", "en", "Asia/Yerevan", 0),
    ("Olga", "ru", "Europe/Moscow", 1),
    ("Noa", "he", "Asia/Jerusalem", 1),
    ("Ravi", "en", "Asia/Kathmandu", 0),
)


@dataclass
class World:
    fake: FakeTelegram
    runtime: object
    program_id: int
    side_ids: list[int]
    group_id: int
    chat: FakeChat
    moderator: FakeUser
    members: dict[str, FakeUser] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)
    locales: dict[str, str] = field(default_factory=dict)

    def member(self, name: str) -> FakeUser:
        return self.members[name]

    async def add_session(
        self,
        start_local: datetime,
        *,
        minutes: int = 90,
        title: str = "Listening circle",
        zone: str = "Asia/Yerevan",
        agenda: tuple[tuple[str, int], ...] = (),
        recurrence: Recurrence | None = None,
        reminder_offsets=None,
    ):
        async with self.runtime.db() as db:
            created = await sessions_service.create(
                db,
                group_id=self.group_id,
                actor_id=None,
                admin_ids=(),
                draft=SessionDraft(
                    title=title,
                    start_local=start_local,
                    zone=zone,
                    duration=timedelta(minutes=minutes),
                    agenda=tuple(AgendaItem(t, m) for t, m in agenda),
                    recurrence=recurrence,
                ),
                now=self.runtime.clock(),
                reminder_offsets=reminder_offsets,
            )
        return created.sessions if recurrence else created.sessions[0]


async def build_world(
    runtime,
    fake: FakeTelegram,
    *,
    members=DEFAULT_MEMBERS,
    quiet: bool = False,
    moderator_locale: str = "en",
    moderator_zone: str = "Asia/Yerevan",
    name: str = "Spring Exchange",
    group_name: str = "Group A",
) -> World:
    now = runtime.clock()
    async with runtime.db() as db:
        program = await programs.create(
            db,
            ProgramDraft(
                name=name,
                sides=("Armenia", "Azerbaijan"),
                languages=("en", "ru", "he"),
                timezone="Asia/Yerevan",
            ),
            creator_id=None,
            now=now,
        )
    moderator = fake.user("Mira", language_code=moderator_locale)
    fake.mark_started(moderator)
    users = {}
    for member_name, locale, _zone, _side in members:
        user = fake.user(member_name, language_code=locale)
        fake.mark_started(user)
        users[member_name] = user
    chat = fake.group(group_name, members=list(users.values()), admins=[moderator])
    fake.set_bot_admin(chat)
    async with runtime.db() as db:
        group = DialogueGroup(
            program_id=program.id,
            name=group_name,
            chat_id=chat.id,
            quiet_between_sessions=quiet,
            created_at=now,
        )
        db.add(group)
        db.add(
            Person(
                id=moderator.id,
                first_name="Mira",
                locale=moderator_locale,
                timezone=moderator_zone,
                created_at=now,
                updated_at=now,
            )
        )
        await db.flush()
        db.add(GroupModerator(group_id=group.id, person_id=moderator.id, created_at=now))
        for member_name, locale, zone, side in members:
            user = users[member_name]
            db.add(
                Person(
                    id=user.id,
                    first_name=member_name,
                    locale=locale,
                    timezone=zone,
                    created_at=now,
                    updated_at=now,
                )
            )
            await db.flush()
            db.add(
                Enrolment(
                    program_id=program.id,
                    person_id=user.id,
                    side_id=program.sides[side].id,
                    role="student",
                    accepted_conduct_at=now,
                    enrolled_at=now,
                )
            )
            db.add(
                GroupMember(
                    program_id=program.id,
                    group_id=group.id,
                    person_id=user.id,
                    status="joined",
                    assigned_at=now,
                    joined_at=now,
                )
            )
        await db.flush()
        group_id = group.id
    if quiet:
        from tests.helpers.fake_telegram import PERMISSION_KEYS

        chat.permissions = dict.fromkeys(PERMISSION_KEYS, False)
    return World(
        fake=fake,
        runtime=runtime,
        program_id=program.id,
        side_ids=[s.id for s in program.sides],
        group_id=group_id,
        chat=chat,
        moderator=moderator,
        members=users,
        zones={n: z for n, _l, z, _s in members},
        locales={n: loc for n, loc, _z, _s in members},
    )


@pytest.fixture
async def world(app, runtime, fake) -> World:
    return await build_world(runtime, fake)


@pytest.fixture
async def quiet_world(app, runtime, fake) -> World:
    return await build_world(runtime, fake, quiet=True)


__all__ = ["DEFAULT_MEMBERS", "World", "build_world", "quiet_world", "world"]
