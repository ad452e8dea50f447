"""Indexed dispatch picks the same handler as python-telegram-bot's handler-by-handler loop."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Chat, Message, MessageEntity, Update, User
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.dispatch_index import PARTICIPANT_MESSAGE, CommandIndex, command_name, index_commands

BOT = User(id=1, first_name="Bridgebot", is_bot=True, username="bridge_bot")
ALICE = User(id=7, first_name="Alice", is_bot=False)
GROUP = Chat(id=-100, type=Chat.SUPERGROUP, title="Dialogue")
PRIVATE = Chat(id=7, type=Chat.PRIVATE)


def message_update(text: str | None, chat: Chat = GROUP, **extra: Any) -> Update:
    entities = []
    if text and text.startswith("/"):
        length = len(text.split()[0])
        entities = [MessageEntity(MessageEntity.BOT_COMMAND, 0, length)]
    message = Message(
        message_id=1, date=None, chat=chat, from_user=ALICE, text=text, entities=entities, **extra
    )
    message.set_bot(_FakeBot())
    update = Update(update_id=1, message=message)
    return update


class _FakeBot:
    username = "bridge_bot"


async def noop(update: object, context: object) -> None:
    return None


def handlers_in_order() -> list[Any]:
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    return [
        CommandHandler("warn", noop, filters=groups),
        CommandHandler(["help", "start"], noop, filters=private),
        CommandHandler("help", noop, filters=groups),
        CommandHandler("ban", noop, has_args=True),
        CommandHandler("ban", noop),
        MessageHandler(filters.TEXT & ~filters.COMMAND, noop),
        CommandHandler("late", noop),
        MessageHandler(private & filters.COMMAND, noop),
    ]


def winner(handlers: list[Any], update: Update) -> Any:
    """python-telegram-bot's rule: the first handler whose check is neither None nor False."""
    for handler in handlers:
        check = handler.check_update(update)
        if check is not None and check is not False:
            return handler.handlers if isinstance(handler, CommandIndex) else handler, check
    return None


@pytest.mark.parametrize(
    ("text", "chat"),
    [
        ("/warn spam", GROUP),
        ("/help", PRIVATE),
        ("/help", GROUP),
        ("/HELP@bridge_bot", GROUP),
        ("/help@other_bot", GROUP),
        ("/start", PRIVATE),
        ("/ban 42", GROUP),
        ("/ban", GROUP),
        ("/late", GROUP),
        ("/unknown", PRIVATE),
        ("/unknown", GROUP),
        ("plain words", GROUP),
        ("plain words", PRIVATE),
    ],
)
def test_the_index_picks_the_handler_the_loop_picks(text: str, chat: Chat) -> None:
    original = handlers_in_order()
    application = Application.builder().token("1:" + "a" * 35).build()
    application.add_handlers(original)
    assert index_commands(application) == 5  # warn, help/start, help, ban, ban; "late" stands alone
    indexed = application.handlers[0]
    assert [type(h).__name__ for h in indexed] == [
        "CommandIndex",
        "MessageHandler",
        "CommandHandler",
        "MessageHandler",
    ]
    update = message_update(text, chat)
    expected = winner(original, update)
    got = winner(indexed, update)
    if expected is None:
        assert got is None
        return
    handler, check = got
    if isinstance(handler, tuple):  # the index: it names the inner handler that matched
        handler, check = check
    assert handler is expected[0]
    assert check == expected[1]


def test_command_names_are_parsed_as_ptb_parses_them() -> None:
    assert command_name(message_update("/Warn@Bridge_Bot x")) == "warn"
    assert command_name(message_update("hello /warn")) is None
    assert command_name(message_update(None, photo=())) is None


@pytest.mark.parametrize(
    ("extra", "chat", "expected"),
    [
        ({"text": "hi"}, GROUP, True),
        ({"caption": "a photo"}, GROUP, True),
        ({"text": "hi"}, PRIVATE, False),
        ({"new_chat_members": (ALICE,)}, GROUP, False),
        ({"left_chat_member": ALICE}, GROUP, False),
        ({"new_chat_title": "New"}, GROUP, False),
        ({"sticker": None, "dice": None}, GROUP, True),
    ],
)
def test_participant_message_filter_agrees_with_the_composed_filter(
    extra: dict[str, Any], chat: Chat, expected: bool
) -> None:
    composed = (
        filters.ChatType.GROUPS
        & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
        & ~filters.StatusUpdate.ALL
    )
    message = Message(message_id=1, date=None, chat=chat, from_user=ALICE, **extra)
    for update in (Update(1, message=message), Update(1, edited_message=message)):
        assert bool(PARTICIPANT_MESSAGE.check_update(update)) is expected
        assert bool(composed.check_update(update)) is expected
