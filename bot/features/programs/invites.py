"""Invite links: created per side (and optionally role), with expiry and a use limit, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Invite
from bot.db.rows import affected
from bot.domain import invites as rules
from bot.domain.errors import InvalidInput, InviteError, NotFound
from bot.domain.programs import validate_role
from bot.features.programs import service as programs

# An invite link meant for more people than this is a typo (and a leak risk), not a program.
MAX_USES = 100_000


@dataclass(frozen=True)
class InviteView:
    id: int
    code: str
    program_id: int
    program_name: str
    side_id: int
    side_name: str
    role: str | None
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    revoked: bool


def _view(invite: Invite) -> InviteView:
    return InviteView(
        id=invite.id,
        code=invite.code,
        program_id=invite.program_id,
        program_name=invite.program.name,
        side_id=invite.side_id,
        side_name=invite.side.name,
        role=invite.role,
        expires_at=invite.expires_at,
        max_uses=invite.max_uses,
        uses=invite.uses,
        revoked=invite.revoked_at is not None,
    )


def _load():
    return (selectinload(Invite.program), selectinload(Invite.side))


async def create(
    db: AsyncSession,
    *,
    program_id: int,
    side_id: int,
    role: str | None,
    created_by: int | None,
    now: datetime,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> InviteView:
    program = await programs.get(db, program_id)
    program.side(side_id)
    validate_role(role)
    if max_uses is not None and not 1 <= max_uses <= MAX_USES:
        raise InvalidInput("bad_max_uses", maximum=MAX_USES)
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("expiry_in_past")
    invite = Invite(
        code=rules.new_code(),
        program_id=program_id,
        side_id=side_id,
        role=role,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
        max_uses=max_uses,
    )
    db.add(invite)
    await db.flush()
    return await get_by_code(db, invite.code)


async def get_by_code(db: AsyncSession, code: str) -> InviteView:
    invite = await db.scalar(
        select(Invite)
        .where(Invite.code == code)
        .options(*_load())
        .execution_options(populate_existing=True)
    )
    if invite is None:
        raise InviteError("invite_unknown")
    return _view(invite)


async def resolve(db: AsyncSession, code: str, now: datetime) -> InviteView:
    """The invite behind ``code`` if it can be used now; else InviteError saying why not."""
    invite = await get_by_code(db, code)
    rules.check_usable(
        rules.InviteState(
            expires_at=invite.expires_at,
            max_uses=invite.max_uses,
            uses=invite.uses,
            revoked_at=now if invite.revoked else None,
        ),
        now,
    )
    return invite


async def consume(db: AsyncSession, invite_id: int, now: datetime) -> None:
    """Count one use, atomically: two people racing for the last use cannot both get it."""
    result = await db.execute(
        update(Invite)
        .where(
            Invite.id == invite_id,
            Invite.revoked_at.is_(None),
            (Invite.expires_at.is_(None)) | (Invite.expires_at > now),
            (Invite.max_uses.is_(None)) | (Invite.uses < Invite.max_uses),
        )
        .values(uses=Invite.uses + 1)
    )
    if affected(result) != 1:
        invite = await db.get(Invite, invite_id)
        if invite is None:
            raise InviteError("invite_unknown")
        await db.refresh(invite)
        rules.check_usable(
            rules.InviteState(invite.expires_at, invite.max_uses, invite.uses, invite.revoked_at),
            now,
        )
        raise InviteError("invite_used_up")


async def revoke(db: AsyncSession, code: str, now: datetime) -> InviteView:
    invite = await db.scalar(select(Invite).where(Invite.code == code))
    if invite is None:
        raise NotFound("invite_unknown")
    if invite.revoked_at is None:
        invite.revoked_at = now
        await db.flush()
    return await get_by_code(db, code)


async def list_for_program(db: AsyncSession, program_id: int) -> list[InviteView]:
    rows = await db.scalars(
        select(Invite).where(Invite.program_id == program_id).options(*_load()).order_by(Invite.id)
    )
    return [_view(i) for i in rows]


async def get_by_id(db: AsyncSession, invite_id: int) -> InviteView:
    code = await db.scalar(select(Invite.code).where(Invite.id == invite_id))
    if code is None:
        raise NotFound("invite_unknown")
    return await get_by_code(db, code)
