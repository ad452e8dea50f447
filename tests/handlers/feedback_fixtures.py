"""A program with a dialogue group, enrolled participants on both sides and closed sessions.

Groups and sessions are made as rows directly (their own parts build them through Telegram); the
"session closed" event is emitted by hand, as the sessions part does when a moderator closes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.db.models import DialogueGroup, DialogueSession, Enrolment, GroupMember, GroupModerator
from bot.domain.programs import ProgramDraft
from bot.events import SessionClosed, emit_session_closed
from bot.features.programs import service as programs
from bot.features.programs.service import ProgramView
from bot.services import people
from bot.services.people import TelegramIdentity
from tests.helpers.fake_telegram import FakeTelegram, FakeUser


@dataclass
class Place:
    runtime: object
    fake: FakeTelegram
    program: ProgramView
    group_id: int
    participants: list[FakeUser] = field(default_factory=list)
    sides: dict[int, int] = field(default_factory=dict)  # person id -> side id
    session_ids: list[int] = field(default_factory=list)

    async def add_person(
        self,
        name: str,
        *,
        locale: str = "en",
        side: int = 0,
        role: str = "student",
        username: str | None = None,
        last_name: str | None = None,
        group: int | None = None,
    ) -> FakeUser:
        user = self.fake.user(name, last_name=last_name, username=username, language_code=locale)
        self.fake.mark_started(user)
        now = self.runtime.clock()
        async with self.runtime.db() as db:
            await people.upsert(
                db,
                TelegramIdentity(
                    user.id, name, last_name=last_name, username=username, language_code=locale
                ),
                now,
            )
            await people.set_locale(db, user.id, locale, now)
            side_id = self.program.sides[side].id
            db.add(
                Enrolment(
                    program_id=self.program.id,
                    person_id=user.id,
                    side_id=side_id,
                    role=role,
                    accepted_conduct_at=now,
                    enrolled_at=now,
                )
            )
            db.add(
                GroupMember(
                    program_id=self.program.id,
                    group_id=group or self.group_id,
                    person_id=user.id,
                    status="joined",
                    assigned_at=now,
                )
            )
        self.participants.append(user)
        self.sides[user.id] = side_id
        return user

    async def add_organizer(
        self, name: str, *, locale: str = "en", program_id: int | None = None
    ) -> FakeUser:
        user = self.fake.user(name, language_code=locale)
        self.fake.mark_started(user)
        now = self.runtime.clock()
        async with self.runtime.db() as db:
            await people.upsert(db, TelegramIdentity(user.id, name, language_code=locale), now)
            await people.set_locale(db, user.id, locale, now)
            await programs.grant_organizer(
                db, program_id or self.program.id, user.id, granted_by=None, now=now
            )
        return user

    async def add_moderator(self, name: str, username: str | None = None) -> FakeUser:
        user = self.fake.user(name, username=username)
        now = self.runtime.clock()
        async with self.runtime.db() as db:
            await people.upsert(db, TelegramIdentity(user.id, name, username=username), now)
            db.add(GroupModerator(group_id=self.group_id, person_id=user.id, created_at=now))
        return user

    async def add_group(self, name: str) -> int:
        now = self.runtime.clock()
        async with self.runtime.db() as db:
            group = DialogueGroup(program_id=self.program.id, name=name, created_at=now)
            db.add(group)
            await db.flush()
            return group.id

    async def closed_session(
        self, title: str = "Week 1", *, group_id: int | None = None, days_ago: float = 0
    ) -> int:
        now = self.runtime.clock()
        starts = now - timedelta(days=days_ago, hours=2)
        async with self.runtime.db() as db:
            session = DialogueSession(
                group_id=group_id or self.group_id,
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                zone="Asia/Yerevan",
                status="closed",
                opened_at=starts,
                closed_at=now,
                created_at=now,
                updated_at=now,
            )
            db.add(session)
            await db.flush()
            self.session_ids.append(session.id)
            return session.id

    async def close(
        self,
        app,
        session_id: int,
        attendees: list[FakeUser],
        *,
        last: bool = False,
        group_id: int | None = None,
    ) -> None:
        await emit_session_closed(
            app,
            SessionClosed(
                session_id=session_id,
                group_id=group_id or self.group_id,
                program_id=self.program.id,
                closed_at=self.runtime.clock(),
                attendee_ids=tuple(u.id for u in attendees),
                last_of_program=last,
            ),
        )


async def make_place(
    runtime, fake: FakeTelegram, *, name: str = "Spring Exchange", languages=("en", "ru", "ar")
) -> Place:
    now = runtime.clock()
    async with runtime.db() as db:
        program = await programs.create(
            db,
            ProgramDraft(
                name=name,
                sides=("Armenia", "Azerbaijan"),
                languages=languages,
                timezone="Asia/Yerevan",
            ),
            creator_id=None,
            now=now,
        )
        group = DialogueGroup(program_id=program.id, name="Group A", created_at=now)
        db.add(group)
        await db.flush()
        group_id = group.id
    return Place(runtime=runtime, fake=fake, program=program, group_id=group_id)
