"""A button that changes something acts once: pressing it again (now, at the same moment, or after a
restart) gets "This was already done." and changes nothing; a press whose change failed can be
pressed again. Every routed kind is covered: one-shot kinds by the parametrized tests below, the
others (routing.REPEATABLE) by their own state, each with its reason."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from telegram import Update

from bot.app import build_application
from bot.db.models import ButtonPress, ErasureRecord, Invite
from bot.handlers import routing
from bot.handlers.callbacks import sign
from bot.handlers.common import reply
from bot.i18n import translate_in
from tests.handlers.enrol_fixtures import make_program
from tests.handlers.test_enrolment import enrol_by_buttons
from tests.helpers.driver import TgDriver
from tests.helpers.fake_request import FakeRequest

ONE_SHOT = sorted(set(routing.BUTTONS) - set(routing.REPEATABLE))
ALREADY = "This was already done."


def test_every_kind_is_one_shot_or_says_why_it_may_act_again() -> None:
    assert set(routing.REPEATABLE) <= set(routing.BUTTONS)
    assert all(len(reason) > 20 for reason in routing.REPEATABLE.values())
    # The kinds the issue found acting twice are one-shot now.
    from bot.handlers import (
        feedback,
        groups,
        moderation,
        moderation_rules,
        organizer,
        profile,
        sessions,
    )

    for action in (
        profile.FORGET_YES,
        organizer.INVITE,
        groups.PLACE,
        groups.CONFIRM,
        groups.MOVE,
        sessions.REM_KEEP,
        sessions.REM_DEFAULT,
        feedback.REPORT,
        feedback.EXPORT,
        moderation_rules.EDIT,
        moderation.REPORT,
        moderation.APPEAL_ACCEPT,
        moderation.APPEAL_REJECT,
    ):
        assert action in ONE_SHOT


async def _rows(runtime, marker: str) -> int:
    async with runtime.db() as db:
        return await db.scalar(
            select(func.count()).select_from(ErasureRecord).where(ErasureRecord.reason == marker)
        )


def _recording_handler(marker: str, *, fail: list[bool] | None = None, pause: float = 0.0):
    """A stand-in for the kind's handler that writes one row per call (and fails when asked)."""

    async def handler(update: Update, context, payload) -> None:
        await asyncio.sleep(pause)
        async with context.db() as db:
            db.add(ErasureRecord(day=date(2026, 3, 2), reason=marker))
            await db.flush()
            if fail:
                fail.pop()
                raise OperationalError("INSERT", {}, Exception("database is locked"))
        await reply(update, f"acted {marker}")

    return handler


async def _restarted(app, runtime, fake) -> TgDriver:
    """A second Application on the same database: nothing of the first one's memory survives."""
    settings = replace(runtime.settings)
    second = build_application(
        settings,
        runtime,
        request=FakeRequest(fake),
        get_updates_request=FakeRequest(fake),
        rate_limit=False,
    )
    await second.initialize()
    return TgDriver(fake, second)


@pytest.mark.parametrize("action", ONE_SHOT)
async def test_a_one_shot_button_acts_once_even_after_a_restart(
    action, tg, fake, app, runtime, monkeypatch
) -> None:
    monkeypatch.setitem(routing.BUTTONS, action, _recording_handler(action))
    olga = fake.user("Olga", language_code="ru")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    message = tg.last_message(fake.private(olga))
    data = sign(runtime.secret, olga.id, action, "1", "2", "3")

    await tg.press_raw(olga, message, data)
    assert tg.last_text(fake.private(olga)) == f"acted {action}"
    update = await tg.press_raw(olga, message, data)
    assert tg.callback_answer(update)["text"] == translate_in("ru", ALREADY)
    assert await _rows(runtime, action) == 1

    again = await _restarted(app, runtime, fake)
    try:
        update = await again.press_raw(olga, message, data)
        assert again.callback_answer(update)["text"] == translate_in("ru", ALREADY)
    finally:
        await again.application.shutdown()
    assert await _rows(runtime, action) == 1
    # The same kind of button on another message is another button.
    await app.bot.send_message(olga.id, "choose again")
    await tg.press_raw(olga, tg.last_message(fake.private(olga)), data)
    assert await _rows(runtime, action) == 2


async def test_a_press_whose_change_failed_can_be_pressed_again(
    tg, fake, app, runtime, monkeypatch
) -> None:
    action = ONE_SHOT[0]
    monkeypatch.setitem(routing.BUTTONS, action, _recording_handler("fails", fail=[True]))
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    message = tg.last_message(fake.private(olga))
    data = sign(runtime.secret, olga.id, action, "1")
    update = await tg.press_raw(olga, message, data)
    assert tg.callback_answer(update)["text"] == (
        "Something went wrong on our side and nothing was saved. Please try again in a moment."
    )
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(ButtonPress)) == 0
    await tg.press_raw(olga, message, data)
    assert tg.last_text(fake.private(olga)) == "acted fails"
    assert await _rows(runtime, "fails") == 1


async def test_two_presses_at_the_same_moment_act_once(tg, fake, app, runtime, monkeypatch) -> None:
    action = ONE_SHOT[0]
    monkeypatch.setitem(routing.BUTTONS, action, _recording_handler("twice", pause=0.05))
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    message = tg.last_message(fake.private(olga))
    data = sign(runtime.secret, olga.id, action, "1")
    fake.user_callback(olga, message, data)
    fake.user_callback(olga, message, data)
    updates = [Update.de_json(u, app.bot) for u in fake.take_updates()]
    await asyncio.gather(*(app.process_update(u) for u in updates))
    assert await _rows(runtime, "twice") == 1
    answers = [fake.callback_answer(u.callback_query.id)["text"] for u in updates]
    assert sorted(answers, key=str) == sorted([None, ALREADY], key=str)


async def test_a_handler_bug_is_reported_not_called_an_expired_button(
    tg, fake, app, runtime, monkeypatch
) -> None:
    async def buggy(update, context, payload) -> None:
        raise ValueError("a bug in the handler")

    monkeypatch.setitem(routing.BUTTONS, ONE_SHOT[0], buggy)
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    update = await tg.press_raw(
        olga, tg.last_message(fake.private(olga)), sign(runtime.secret, olga.id, ONE_SHOT[0])
    )
    assert tg.callback_answer(update)["text"] == (
        "Sorry, something went wrong. Please try again; if it keeps happening, tell the organizers."
    )
    errors = app.bot_data.pop("unexpected_errors")
    assert [str(e) for e in errors] == ["a bug in the handler"]


async def test_unreadable_signed_data_is_an_expired_button(tg, fake, app, runtime) -> None:
    from bot.handlers import groups

    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    update = await tg.press_raw(
        olga,
        tg.last_message(fake.private(olga)),
        sign(runtime.secret, olga.id, groups.PLACE, "not-a-number", "x"),
    )
    assert tg.callback_answer(update)["text"] == (
        "This button has expired. Please use the latest message."
    )


# ---- the kinds the issue found acting twice, through their real handlers -----------------------------


async def test_erase_everything_erases_once(tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani", language_code="en")
    chat = await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    await tg.click(ani, tg.last_message(chat), "I accept")
    await tg.say(ani, chat, "/forgetme")
    confirm = tg.last_message(chat)
    data = confirm.inline_keyboard[0][0]["callback_data"]
    await tg.click(ani, confirm, "Yes, erase everything")
    assert tg.last_text(chat).startswith("Done. Everything that named you has been erased.")
    sent = len(tg.texts(chat))
    update = await tg.press_raw(ani, confirm, data)
    assert tg.callback_answer(update)["text"] == ALREADY
    assert len(tg.texts(chat)) == sent
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(ErasureRecord)) == 1


async def test_either_role_makes_one_link_and_revoke_announces_once(
    tg, fake, runtime, admin
) -> None:
    from bot.services import programs

    spring = await make_program(runtime)
    async with runtime.db() as db:
        await programs.grant_organizer(
            db, spring.program.id, admin.id, granted_by=None, now=runtime.clock()
        )
    chat = fake.private(admin)
    await tg.say(admin, chat, "/invite")
    await tg.click(admin, tg.last_message(chat), "Spring Exchange")
    await tg.click(admin, tg.last_message(chat), "Armenia")
    roles = tg.last_message(chat)
    either = next(b for b in roles.inline_keyboard[0] if b["text"] == "Either role")
    async with runtime.db() as db:
        before = await db.scalar(select(func.count()).select_from(Invite))
    await tg.press_raw(admin, roles, either["callback_data"])
    update = await tg.press_raw(admin, roles, either["callback_data"])
    assert tg.callback_answer(update)["text"] == ALREADY
    async with runtime.db() as db:
        assert await db.scalar(select(func.count()).select_from(Invite)) == before + 1

    link = tg.last_message(chat)
    revoke = link.inline_keyboard[0][0]["callback_data"]
    await tg.click(admin, link, "Revoke this link")
    revoked = "The invite link was revoked; nobody can join with it any more."
    assert tg.texts(chat).count(revoked) == 1
    update = await tg.press_raw(admin, link, revoke)
    assert tg.callback_answer(update)["text"] == ALREADY
    assert tg.texts(chat).count(revoked) == 1
