"""Programs, invites and enrolment as plain use cases over the database (no Telegram)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Enrolment, EnrolmentDraft, ErasureRecord, Invite, Person
from bot.domain.errors import EnrolmentError, InvalidInput, InviteError
from bot.domain.programs import ProgramDraft
from bot.features.enrolment import service as enrolment
from bot.features.enrolment.service import Step
from bot.features.privacy import service as privacy
from bot.features.programs import invites
from bot.features.programs import service as programs
from bot.services.people import TelegramIdentity

ANI = TelegramIdentity(id=2**40 + 1, first_name="Ani", language_code="hy")
ELVIN = TelegramIdentity(id=2**40 + 2, first_name="Elvin", language_code="az")


async def _program(runtime, name="Spring Exchange", **kwargs):
    async with runtime.db() as db:
        return await programs.create(
            db,
            ProgramDraft(
                name=name,
                sides=("Armenia", "Azerbaijan"),
                languages=("en", "hy", "az"),
                timezone="Asia/Yerevan",
                **kwargs,
            ),
            creator_id=None,
            now=runtime.clock(),
        )


async def _invite(runtime, program, side=0, **kwargs):
    async with runtime.db() as db:
        return await invites.create(
            db,
            program_id=program.id,
            side_id=program.sides[side].id,
            role=kwargs.pop("role", None),
            created_by=None,
            now=runtime.clock(),
            **kwargs,
        )


async def _enrol(runtime, who, code):
    now = runtime.clock()
    async with runtime.db() as db:
        draft = (await enrolment.start(db, who, code, now)).draft
    async with runtime.db() as db:
        draft = await enrolment.choose_language(db, who.id, "hy", draft.nonce, now)
    async with runtime.db() as db:
        draft = await enrolment.choose_role(db, who.id, "student", draft.nonce)
    async with runtime.db() as db:
        draft = await enrolment.choose_timezone(db, who.id, "Asia/Yerevan", draft.nonce, now)
    async with runtime.db() as db:
        return await enrolment.accept(db, who.id, draft.nonce, now)


async def test_invite_codes_are_long_random_and_unique(runtime) -> None:
    program = await _program(runtime)
    codes = {(await _invite(runtime, program)).code for _ in range(20)}
    assert len(codes) == 20
    assert all(len(code) >= 22 for code in codes)  # 16 random bytes, base64url


async def test_full_enrolment_writes_one_enrolment_and_counts_the_invite(runtime) -> None:
    program = await _program(runtime)
    invite = await _invite(runtime, program, side=1)
    enrolled = await _enrol(runtime, ANI, invite.code)
    assert (enrolled.program_name, enrolled.side_name, enrolled.role) == (
        "Spring Exchange",
        "Azerbaijan",
        "student",
    )
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Enrolment)) == 1
        assert await db.scalar(select(func.count()).select_from(EnrolmentDraft)) == 0
        assert (await db.get(Invite, invite.id)).uses == 1
        person = await db.get(Person, ANI.id)
        assert (person.locale, person.timezone) == ("hy", "Asia/Yerevan")


async def test_following_the_invite_again_is_idempotent(runtime) -> None:
    program = await _program(runtime)
    invite = await _invite(runtime, program)
    await _enrol(runtime, ANI, invite.code)
    async with runtime.db() as db:
        result = await enrolment.start(db, ANI, invite.code, runtime.clock())
    assert result.draft is None and result.already is not None
    async with runtime.db() as db:
        assert (await db.get(Invite, invite.id)).uses == 1


async def test_an_invite_to_a_second_program_is_refused(runtime) -> None:
    first, second = await _program(runtime), await _program(runtime, name="Autumn Forum")
    await _enrol(runtime, ANI, (await _invite(runtime, first)).code)
    with pytest.raises(EnrolmentError) as caught:
        async with runtime.db() as db:
            await enrolment.start(db, ANI, (await _invite(runtime, second)).code, runtime.clock())
    assert (
        caught.value.code == "enrolled_elsewhere"
        and caught.value.params["program"] == "Spring Exchange"
    )


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"expires_at_delta": timedelta(hours=1), "advance": timedelta(hours=2)}, "invite_expired"),
        ({"revoke": True}, "invite_revoked"),
        ({"max_uses": 1, "use_once": True}, "invite_used_up"),
    ],
)
async def test_unusable_invites_say_why(runtime, clock, setup, code) -> None:
    program = await _program(runtime)
    kwargs = {}
    if "expires_at_delta" in setup:
        kwargs["expires_at"] = clock() + setup["expires_at_delta"]
    if "max_uses" in setup:
        kwargs["max_uses"] = setup["max_uses"]
    invite = await _invite(runtime, program, **kwargs)
    if setup.get("revoke"):
        async with runtime.db() as db:
            await invites.revoke(db, invite.code, clock())
    if setup.get("use_once"):
        await _enrol(runtime, ELVIN, invite.code)
    if "advance" in setup:
        clock.now += setup["advance"]
    with pytest.raises(InviteError) as caught:
        async with runtime.db() as db:
            await enrolment.start(db, ANI, invite.code, clock())
    assert caught.value.code == code
    async with runtime.db() as db:
        assert (
            await db.scalar(
                select(func.count())
                .select_from(EnrolmentDraft)
                .where(EnrolmentDraft.person_id == ANI.id)
            )
            == 0
        )


async def test_last_use_cannot_be_taken_twice(runtime) -> None:
    """Two people half-way through with a one-use invite: the second Accept is refused."""
    program = await _program(runtime)
    invite = await _invite(runtime, program, max_uses=1)
    now = runtime.clock()
    for who in (ANI, ELVIN):
        async with runtime.db() as db:
            draft = (await enrolment.start(db, who, invite.code, now)).draft
        async with runtime.db() as db:
            draft = await enrolment.choose_language(db, who.id, "en", draft.nonce, now)
            draft = await enrolment.choose_role(db, who.id, "professional", draft.nonce)
            draft = await enrolment.choose_timezone(db, who.id, "Asia/Baku", draft.nonce, now)
    async with runtime.db() as db:
        await enrolment.accept(
            db,
            ANI.id,
            draft.nonce - 0 if False else (await enrolment.current_draft(db, ANI.id)).nonce,
            now,
        )
    with pytest.raises(InviteError) as caught:
        async with runtime.db() as db:
            await enrolment.accept(
                db, ELVIN.id, (await enrolment.current_draft(db, ELVIN.id)).nonce, now
            )
    assert caught.value.code == "invite_used_up"
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Enrolment)) == 1


async def test_a_button_from_an_earlier_step_is_stale(runtime) -> None:
    program = await _program(runtime)
    invite = await _invite(runtime, program)
    async with runtime.db() as db:
        first = (await enrolment.start(db, ANI, invite.code, runtime.clock())).draft
        await enrolment.choose_language(db, ANI.id, "hy", first.nonce, runtime.clock())
    with pytest.raises(EnrolmentError) as caught:
        async with runtime.db() as db:
            await enrolment.choose_language(db, ANI.id, "en", first.nonce, runtime.clock())
    assert caught.value.code == "stale_step"


async def test_invite_with_a_fixed_role_skips_the_role_step(runtime) -> None:
    program = await _program(runtime)
    invite = await _invite(runtime, program, role="professional")
    async with runtime.db() as db:
        draft = (await enrolment.start(db, ANI, invite.code, runtime.clock())).draft
        draft = await enrolment.choose_language(db, ANI.id, "en", draft.nonce, runtime.clock())
    assert draft.step == Step.TIMEZONE and draft.role == "professional"


async def test_declining_keeps_nothing_but_preferences(runtime) -> None:
    program = await _program(runtime)
    invite = await _invite(runtime, program)
    async with runtime.db() as db:
        draft = (await enrolment.start(db, ANI, invite.code, runtime.clock())).draft
        draft = await enrolment.choose_language(db, ANI.id, "hy", draft.nonce, runtime.clock())
        draft = await enrolment.choose_role(db, ANI.id, "student", draft.nonce)
        draft = await enrolment.choose_timezone(
            db, ANI.id, "Asia/Yerevan", draft.nonce, runtime.clock()
        )
        await enrolment.decline(db, ANI.id, draft.nonce)
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Enrolment)) == 0
        assert await db.scalar(select(func.count()).select_from(EnrolmentDraft)) == 0
        assert (await db.get(Invite, invite.id)).uses == 0


async def test_program_validation(runtime) -> None:
    with pytest.raises(InvalidInput) as caught:
        await _program(runtime, name="x" * 5000)
    assert caught.value.code == "name_too_long"
    with pytest.raises(InvalidInput) as caught:
        async with runtime.db() as db:
            await programs.create(
                db,
                ProgramDraft("P", ("OnlyOne",), ("en",), "UTC"),
                creator_id=None,
                now=runtime.clock(),
            )
    assert caught.value.code == "too_few_sides"
    await _program(runtime)
    with pytest.raises(InvalidInput) as caught:
        await _program(runtime, name="spring exchange")
    assert caught.value.code == "program_exists"


async def test_forget_erases_person_and_enrolment_and_logs_only_counts(runtime) -> None:
    program = await _program(runtime)
    await _enrol(runtime, ANI, (await _invite(runtime, program)).code)
    async with runtime.db() as db:
        erasure = await privacy.forget(db, ANI.id, runtime.clock())
    assert erasure.enrolments_removed == 1
    async with runtime.db() as db:
        assert await db.get(Person, ANI.id) is None
        assert await db.scalar(select(func.count()).select_from(Enrolment)) == 0
        record = (await db.scalars(select(ErasureRecord))).one()
        assert ANI.id not in {getattr(record, c.key) for c in ErasureRecord.__table__.columns}
