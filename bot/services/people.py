"""People the bot knows: created on first contact, their chosen language and time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import Person
from bot.domain.errors import InvalidInput
from bot.domain.people import display_name as person_name
from bot.domain.programs import clean_label, validate_zone
from bot.i18n import locale_of


@dataclass(frozen=True)
class TelegramIdentity:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Recipient:
    """Someone the bot writes to, with what it needs to write in their terms: the language (already
    resolved by i18n.locale_of, never None), and where the caller knows them the name, time zone
    and side."""

    person_id: int
    locale: str
    name: str = ""
    zone: str | None = None
    side_id: int | None = None
    side_name: str | None = None


@dataclass(frozen=True)
class PersonView:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    locale: str | None
    telegram_language: str | None
    timezone: str | None

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name)


def view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        username=person.username,
        locale=person.locale,
        telegram_language=person.telegram_language,
        timezone=person.timezone,
    )


async def upsert(db: AsyncSession, who: TelegramIdentity, now: datetime) -> Person:
    """Create or refresh the person behind a Telegram user (names can change between visits)."""
    person = await db.get(Person, who.id)
    first = clean_label(who.first_name)[:128] or "?"
    last = clean_label(who.last_name)[:128] if who.last_name else None
    if person is None:
        person = Person(
            id=who.id,
            first_name=first,
            last_name=last,
            username=who.username,
            telegram_language=who.language_code,
            created_at=now,
            updated_at=now,
        )
        db.add(person)
    elif (person.first_name, person.last_name, person.username, person.telegram_language) != (
        first,
        last,
        who.username,
        who.language_code,
    ):
        person.first_name, person.last_name = first, last
        person.username, person.telegram_language = who.username, who.language_code
        person.updated_at = now
    await db.flush()
    return person


async def get(db: AsyncSession, person_id: int) -> PersonView | None:
    person = await db.get(Person, person_id)
    return view(person) if person else None


async def set_locale(db: AsyncSession, person_id: int, locale: str, now: datetime) -> None:
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput("unsupported_language", language=locale)
    person = await db.get(Person, person_id)
    if person is None:
        raise InvalidInput("unknown_person")
    person.locale = locale
    person.updated_at = now


async def set_timezone(db: AsyncSession, person_id: int, zone: str, now: datetime) -> None:
    validate_zone(zone)
    person = await db.get(Person, person_id)
    if person is None:
        raise InvalidInput("unknown_person")
    person.timezone = zone
    person.updated_at = now


async def language_of(db: AsyncSession, person_id: int) -> str | None:
    """The language to write to this person in (i18n.locale_of), None when the bot knows none."""
    person = await get(db, person_id)
    return locale_of(person.locale, person.telegram_language, None) if person else None
