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
RETRY = "Something went wrong on our side and nothing was saved. Please try again in a moment."


def test_every_kind_is_one_shot_or_says_why_it_may_act_again() -> None:
    assert set(routing.REPEATABLE) <= set(routing.BUTTONS)
    assert all(len(reason) > 20 for reason in routing.REPEATABLE.values())
    # The kinds the issue found acting twice are one-shot now.
    from bot.features.feedback import handlers as feedback
    from bot.features.groups import handlers as groups
    from bot.features.moderation import handlers as moderation
    from bot.features.moderation import rules_handlers as moderation_rules
    from bot.features.profile import handlers as profile
    from bot.features.programs import handlers as organizer
    from bot.features.sessions import handlers as sessions

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


def _writes_then_send_fails(marker: str):
    """A handler that saves something, then cannot send its answer (Telegram refused)."""
    from telegram.error import NetworkError

    calls = {"n": 0}

    async def handler(update: Update, context, payload) -> None:
        calls["n"] += 1
        async with context.db() as db:
            db.add(ErasureRecord(day=date(2026, 3, 2), reason=marker))
        if calls["n"] == 1:
            raise NetworkError("Bad Gateway")
        await reply(update, f"sent {marker}")

    return handler


async def test_a_saved_change_whose_answer_was_lost_is_done_not_nothing_saved(
    tg, fake, app, runtime, monkeypatch
) -> None:
    action = next(a for a in ONE_SHOT if a not in routing.USED_AFTER_SENDING)
    monkeypatch.setitem(routing.BUTTONS, action, _writes_then_send_fails("saved"))
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    message = tg.last_message(fake.private(olga))
    data = sign(runtime.secret, olga.id, action, "1")
    update = await tg.press_raw(olga, message, data)
    assert RETRY not in tg.texts(fake.private(olga))
    assert (tg.callback_answer(update) or {}).get("text") != RETRY
    update = await tg.press_raw(olga, message, data)
    assert tg.callback_answer(update)["text"] == ALREADY
    assert await _rows(runtime, "saved") == 1


@pytest.mark.parametrize("action", sorted(routing.USED_AFTER_SENDING))
async def test_a_report_or_list_whose_sending_failed_can_be_pressed_again(
    action, tg, fake, app, runtime, monkeypatch
) -> None:
    monkeypatch.setitem(routing.BUTTONS, action, _writes_then_send_fails(action))
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    message = tg.last_message(fake.private(olga))
    data = sign(runtime.secret, olga.id, action, "1")
    await tg.press_raw(olga, message, data)
    await tg.press_raw(olga, message, data)
    assert tg.last_text(fake.private(olga)) == f"sent {action}"
    update = await tg.press_raw(olga, message, data)
    assert tg.callback_answer(update)["text"] == ALREADY


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


async def test_an_index_error_in_a_repeatable_button_is_reported_not_called_expired(
    tg, fake, app, runtime, monkeypatch
) -> None:
    """Repeatable kinds run without the one-shot bookkeeping; an IndexError there (a list read past
    its end) is still a bug: the person gets the apology, never "this button has expired"."""
    action = sorted(routing.REPEATABLE)[0]

    async def buggy(update, context, payload) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setitem(routing.BUTTONS, action, buggy)
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    update = await tg.press_raw(
        olga, tg.last_message(fake.private(olga)), sign(runtime.secret, olga.id, action, "1")
    )
    assert tg.callback_answer(update)["text"] == (
        "Sorry, something went wrong. Please try again; if it keeps happening, tell the organizers."
    )
    errors = app.bot_data.pop("unexpected_errors")
    assert [type(e) for e in errors] == [IndexError]


async def test_unreadable_signed_data_is_an_expired_button(tg, fake, app, runtime) -> None:
    from bot.features.groups import handlers as groups

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
    from bot.features.programs import service as programs

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


# ---- every kind the bot signs is accounted for ----------------------------------------------------


def _signed_actions() -> set[str]:
    """The action of every ``sign(...)`` call in bot/handlers, bot/jobs and the feature folders,
    read from the source."""
    import ast
    import importlib
    from pathlib import Path

    found: set[str] = set()
    for package in ("handlers", "jobs", "features"):
        for path in sorted(Path("bot", package).rglob("*.py")):
            dotted = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
            module = importlib.import_module(dotted)
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "sign"):
                    continue
                action = node.args[2]
                if isinstance(action, ast.Constant):
                    found.add(action.value)
                elif isinstance(action, ast.Name) and hasattr(module, action.id):
                    found.add(getattr(module, action.id))
                # else: a parameter (pickers.py), signed with the caller's routed action
    return found


def test_every_button_the_bot_signs_is_routed_or_belongs_to_a_conversation() -> None:
    from bot.features.sessions import handlers as sessions

    # Steps of /newprogram and /newsession: the conversation's state accepts a step's button only
    # while that step is current; afterwards the press reaches routing and has expired.
    conversation = {
        "np",
        sessions.NEW_GROUP,
        sessions.NEW_AGENDA_NONE,
        sessions.NEW_REPEAT,
    }
    signed = _signed_actions()
    assert len(signed) > 30
    assert signed - set(routing.BUTTONS) - conversation == set()
    assert conversation.isdisjoint(routing.BUTTONS)


async def test_conversation_buttons_pressed_after_their_step_have_expired(
    tg, fake, runtime, admin
) -> None:
    from bot.db.models import Program

    chat = fake.private(admin)
    await tg.say(admin, chat, "/timezone")
    await tg.say(admin, chat, "Yerevan")
    await tg.say(admin, chat, "/newprogram")
    await tg.say(admin, chat, "Spring Exchange 2026")
    await tg.say(admin, chat, "Armenia, Azerbaijan")
    languages = tg.last_message(chat)
    armenian = tg._find_button(languages, "Հայերեն")["callback_data"]
    await tg.press_raw(admin, languages, armenian)
    # A double tap on the language drawn unticked does not untick it again.
    update = await tg.press_raw(admin, languages, armenian)
    assert tg.callback_answer(update)["text"] == ALREADY
    assert "✓ Հայերեն" in tg.buttons(languages)
    done = tg._find_button(languages, "Done")["callback_data"]
    await tg.press_raw(admin, languages, done)
    zone = tg.last_message(chat)
    use_zone = tg._find_button(zone, "Use Armenia Time")["callback_data"]
    # The languages step is over: its buttons have expired, at the zone step and after.
    for stale in (armenian, done):
        update = await tg.press_raw(admin, languages, stale)
        assert tg.callback_answer(update)["text"] == (
            "This button has expired. Please use the latest message."
        )
    await tg.press_raw(admin, zone, use_zone)
    for _ in range(2):
        await tg.click(admin, tg.last_message(chat), "Use the standard code of conduct")
    goals = tg.last_message(chat)
    light = tg._find_button(goals, "Light goals")["callback_data"]
    await tg.press_raw(admin, goals, light)
    assert tg.last_text(chat).startswith("Program Spring Exchange 2026 is ready")
    update = await tg.press_raw(admin, goals, light)  # a double tap creates nothing twice
    assert tg.callback_answer(update)["text"] != ""
    update = await tg.press_raw(admin, zone, use_zone)
    assert tg.callback_answer(update)["text"] == (
        "This button has expired. Please use the latest message."
    )
    async with runtime.db() as db:
        program = (await db.scalars(select(Program))).one()
    assert program.name == "Spring Exchange 2026"
