"""What the feedback service shares: errors, the values it returns, receipts and keys."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Person, Program
from bot.domain.anonymity import receipt
from bot.domain.errors import BridgeError
from bot.features.feedback.surveys import TEXT, ItemView
from bot.i18n import locale_of

# Program-wide instances (pre / post program) stay open this long; each invitation expires on its own.
PROGRAM_INSTANCE_DAYS = 400


class FeedbackError(BridgeError):
    """A survey that cannot be answered as asked (expired, already answered, not invited...)."""


@dataclass(frozen=True)
class Invitee:
    person_id: int
    locale: str


@dataclass(frozen=True)
class Opened:
    instance_id: int
    program_id: int
    kind: str
    invitees: tuple[Invitee, ...]  # newly invited; send each one a DM
    closes_at: datetime


@dataclass(frozen=True)
class SurveyForm:
    """What a participant answers: the instance's items in order, with its context."""

    instance_id: int
    program_id: int
    program_name: str
    kind: str
    session_title: str | None
    group_name: str | None
    items: tuple[ItemView, ...]
    expires_at: datetime

    @property
    def rating_items(self) -> tuple[ItemView, ...]:
        return tuple(i for i in self.items if i.kind != TEXT)

    @property
    def text_item(self) -> ItemView | None:
        return next((i for i in self.items if i.kind == TEXT), None)


@dataclass(frozen=True)
class Pending:
    instance_id: int
    program_name: str
    kind: str
    session_title: str | None
    expires_at: datetime


@dataclass(frozen=True)
class DueReminder:
    invitation_id: int
    instance_id: int
    person_id: int
    locale: str
    delivery_key: str
    expires_at: datetime


def instance_key(instance_id: int) -> str:
    return f"instance:{instance_id}"


def receipt_of(secret: bytes, person_id: int, instance_id: int) -> str:
    return receipt(secret, person_id, instance_key(instance_id))


def reminder_key(secret: bytes, person_id: int, instance_id: int) -> str:
    """The reminder's delivery key: unique per person and instance, but names nobody."""
    digest = hmac.new(
        secret, f"reminder:{person_id}:{instance_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"fb:rem:{instance_id}:{digest[:40]}"


def invitation_key(instance_id: int, person_id: int) -> str:
    return f"fb:inv:{instance_id}:{person_id}"


async def _locale_of(
    db: AsyncSession, person_ids: Sequence[int], program_id: int
) -> dict[int, str]:
    program = await db.get(Program, program_id)
    fallback = program.default_locale if program else "en"
    rows = await db.execute(
        select(Person.id, Person.locale, Person.telegram_language).where(Person.id.in_(person_ids))
    )
    return {pid: locale_of(loc, tl, fallback) for pid, loc, tl in rows}
