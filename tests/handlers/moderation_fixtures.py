"""A bound dialogue group with participants and moderators, built straight in the database (the
dialogue-group part builds these through its own flows) and mirrored in the fake Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.db.models import DialogueGroup, GroupMember, GroupModerator, ModerationAction, Person
from bot.domain.programs import ProgramDraft
from bot.features.programs import service as programs
from bot.i18n import translate_in
from bot.services import people
from bot.services.people import TelegramIdentity
from tests.helpers.fake_telegram import FakeChat, FakeTelegram, FakeUser


@dataclass
class Dialogue:
    fake: FakeTelegram
    runtime: object
    chat: FakeChat
    program_id: int
    group_id: int
    people: dict[int, str] = field(default_factory=dict)  # fake user id -> locale

    async def _person(self, user: FakeUser, locale: str) -> None:
        async with self.runtime.db() as db:
            await people.upsert(
                db,
                TelegramIdentity(
                    user.id, user.first_name, user.last_name, user.username, user.language_code
                ),
                self.runtime.clock(),
            )
            await people.set_locale(db, user.id, locale, self.runtime.clock())
        self.people[user.id] = locale

    async def participant(
        self, name: str, locale: str = "en", *, username: str | None = None
    ) -> FakeUser:
        user = self.fake.user(name, username=username, language_code=locale)
        self.fake.mark_started(user)
        self.fake.set_member(self.chat, user, "member")
        await self._person(user, locale)
        async with self.runtime.db() as db:
            db.add(
                GroupMember(
                    program_id=self.program_id,
                    group_id=self.group_id,
                    person_id=user.id,
                    status="joined",
                    assigned_at=self.runtime.clock(),
                    joined_at=self.runtime.clock(),
                )
            )
        return user

    async def moderator(
        self, name: str, locale: str = "en", *, username: str | None = None
    ) -> FakeUser:
        user = self.fake.user(name, username=username, language_code=locale)
        self.fake.mark_started(user)
        self.fake.set_member(self.chat, user, "member")
        await self._person(user, locale)
        async with self.runtime.db() as db:
            db.add(
                GroupModerator(
                    group_id=self.group_id, person_id=user.id, created_at=self.runtime.clock()
                )
            )
        return user

    async def organizer(self, name: str, locale: str = "en") -> FakeUser:
        user = self.fake.user(name, language_code=locale)
        self.fake.mark_started(user)
        await self._person(user, locale)
        async with self.runtime.db() as db:
            await programs.grant_organizer(
                db, self.program_id, user.id, granted_by=None, now=self.runtime.clock()
            )
        return user

    async def log(self, action: str | None = None) -> list[ModerationAction]:
        async with self.runtime.db() as db:
            query = select(ModerationAction).where(ModerationAction.program_id == self.program_id)
            if action is not None:
                query = query.where(ModerationAction.action == action)
            return list((await db.scalars(query.order_by(ModerationAction.id))).all())

    async def person(self, user: FakeUser) -> Person | None:
        async with self.runtime.db() as db:
            return await db.get(Person, user.id)


def t(locale: str, msgid: str, **params: object) -> str:
    """What a reader of ``locale`` sees for ``msgid`` (translators fill the catalogs later)."""
    return translate_in(locale, msgid, **params)


async def make_dialogue(
    fake: FakeTelegram,
    runtime,
    *,
    languages: tuple[str, ...] = ("en", "ru"),
    name: str = "Spring Exchange",
) -> Dialogue:
    chat = fake.group("Dialogue group 1")
    fake.set_bot_admin(chat)
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
            now=runtime.clock(),
        )
        group = DialogueGroup(
            program_id=program.id,
            name="Group 1",
            chat_id=chat.id,
            chat_title=chat.title,
            bound_at=runtime.clock(),
            bot_status="administrator",
            created_at=runtime.clock(),
        )
        db.add(group)
        await db.flush()
        group_id = group.id
    return Dialogue(fake=fake, runtime=runtime, chat=chat, program_id=program.id, group_id=group_id)


@pytest.fixture
async def dialogue(tg, fake, runtime) -> Dialogue:
    return await make_dialogue(fake, runtime)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """Flood retries wait through moderation_ops.SLEEP; tests record the waits instead of sleeping."""
    from bot.features.moderation import ops as moderation_ops

    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(moderation_ops, "SLEEP", fake_sleep)
    return waits
