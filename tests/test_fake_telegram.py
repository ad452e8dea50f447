"""The fake Bot API and the driver, exercised through a bare python-telegram-bot Application."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatJoinRequestHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InvalidCallbackData,
    MessageHandler,
    filters,
)

from tests.helpers import FakeBotApiServer, FakeRequest, FakeTelegram, HandlerError, TgDriver
from tests.helpers.fake_telegram import MAX_TEXT_LENGTH, UploadedFile, parse_html

Context = ContextTypes.DEFAULT_TYPE


def build_app(fake: FakeTelegram, *, arbitrary_callback_data: bool = False) -> Application:
    builder = (
        ApplicationBuilder()
        .token(fake.token)
        .request(FakeRequest(fake))
        .get_updates_request(FakeRequest(fake))
    )
    if arbitrary_callback_data:
        builder = builder.arbitrary_callback_data(True)
    return builder.build()


async def echo(update: Update, context: Context) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"echo: {update.message.text}")


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application]:
    application = build_app(fake)
    await application.initialize()
    yield application
    await application.shutdown()


@pytest.fixture
def tg(fake: FakeTelegram, app: Application) -> TgDriver:
    return TgDriver(fake, app)


# -- messages and commands ---------------------------------------------------------------------


async def test_echo_handler_replies_in_private_chat(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    alice = fake.user("Alice", language_code="hy")

    sent = await tg.say(alice, tg.private(alice), "hello")

    assert tg.last_text(tg.private(alice)) == "echo: hello"
    assert alice.id > 2**32
    reply = fake.sent_messages(tg.private(alice))[-1]
    assert reply.message_id == sent.message_id + 1  # one history per chat, users' and the bot's
    assert reply.reply_to_message_id is None  # PTB quotes only in groups by default
    assert [c.method for c in tg.calls()] == ["getMe", "sendMessage"]
    assert tg.calls("sendMessage")[0].params["chat_id"] == alice.id


async def test_echo_in_a_group_quotes_the_user_message(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    alice = fake.user("Alice")
    group = fake.group("Yerevan–Tbilisi", members=[alice])

    sent = await tg.say(alice, group, "hi all")

    assert group.id < -1_000_000_000_000
    assert tg.last_message(group).text == "echo: hi all"
    assert tg.last_message(group).reply_to_message_id == sent.message_id


async def test_command_handler_receives_arguments_and_only_its_bot_mention(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    async def hello(update: Update, context: Context) -> None:
        await update.effective_message.reply_text("args=" + ",".join(context.args or []))

    app.add_handler(CommandHandler("hello", hello))
    bob = fake.user("Bob", username="bob_b")
    group = fake.group("Group", members=[bob])

    await tg.say(bob, group, f"/hello@{fake.bot.username} big world")
    await tg.say(bob, group, "/hello@some_other_bot ignored")

    assert tg.texts(group) == ["args=big,world"]
    command = fake.messages(group)[0]
    mention_length = len(f"/hello@{fake.bot.username}")
    assert command.entities == [{"type": "bot_command", "offset": 0, "length": mention_length}]


async def test_a_failing_handler_fails_the_action(fake: FakeTelegram, app: Application) -> None:
    async def broken(update: Update, context: Context) -> None:
        raise RuntimeError("boom")

    app.add_handler(CommandHandler("boom", broken))
    tg = TgDriver(fake, app)
    carol = fake.user("Carol")

    with pytest.raises(HandlerError, match="boom"):
        await tg.say(carol, tg.private(carol), "/boom")


# -- buttons -----------------------------------------------------------------------------------


def _vote_app(app: Application, yes: Any, no: Any) -> None:
    async def ask(update: Update, context: Context) -> None:
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("👍 Yes", callback_data=yes)],
                [InlineKeyboardButton("👎 No", callback_data=no)],
            ]
        )
        await update.effective_message.reply_text("Vote?", reply_markup=keyboard)

    async def chosen(update: Update, context: Context) -> None:
        query = update.callback_query
        await query.answer(f"got {query.data!r}")
        await query.edit_message_text(f"You chose {query.data!r}")

    async def expired(update: Update, context: Context) -> None:
        await update.callback_query.answer("This button has expired", show_alert=True)

    app.add_handler(CommandHandler("vote", ask))
    app.add_handler(CallbackQueryHandler(expired, pattern=InvalidCallbackData))
    app.add_handler(CallbackQueryHandler(chosen))


async def test_click_sends_the_buttons_callback_data_and_the_edit_drops_the_keyboard(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    _vote_app(app, "vote:yes", "vote:no")
    dana = fake.user("Dana")
    await tg.say(dana, tg.private(dana), "/vote")
    question = tg.last_message(tg.private(dana))
    assert tg.buttons(question) == ["👍 Yes", "👎 No"]

    update = await tg.click(dana, question, "Yes")

    assert update["callback_query"]["data"] == "vote:yes"
    assert tg.callback_answer(update)["text"] == "got 'vote:yes'"
    assert question.text == "You chose 'vote:yes'"
    assert question.edits[0]["text"] == "Vote?"
    assert tg.buttons(question) == []  # editMessageText without reply_markup removes it
    assert "reply_markup" not in question.data
    with pytest.raises(AssertionError, match="no button"):
        await tg.click(dana, question, "Yes")


async def test_click_with_arbitrary_callback_data_resolves_the_original_object(
    fake: FakeTelegram,
) -> None:
    app = build_app(fake, arbitrary_callback_data=True)
    _vote_app(app, ("vote", 1), ("vote", 0))
    tg = TgDriver(fake, app)
    erin = fake.user("Erin")
    async with app:
        await tg.say(erin, tg.private(erin), "/vote")
        question = tg.last_message(tg.private(erin))
        wire_data = question.inline_keyboard[0][0]["callback_data"]

        update = await tg.click(erin, question, "👎 No")

    assert len(wire_data) == 64  # PTB's uuid pair, exactly as sent over the wire
    assert update["callback_query"]["data"] != "('vote', 0)"
    assert question.text == "You chose ('vote', 0)"


async def test_forged_callback_data_is_reported_as_invalid(fake: FakeTelegram) -> None:
    app = build_app(fake, arbitrary_callback_data=True)
    _vote_app(app, ("vote", 1), ("vote", 0))
    tg = TgDriver(fake, app)
    finn = fake.user("Finn")
    async with app:
        await tg.say(finn, tg.private(finn), "/vote")
        question = tg.last_message(tg.private(finn))

        update = await tg.press_raw(finn, question, "forged-data")

    answer = tg.callback_answer(update)
    assert answer == {
        "text": "This button has expired",
        "show_alert": True,
        "url": None,
        "cache_time": None,
    }
    assert question.text == "Vote?"  # no action was taken


async def test_callback_query_can_be_answered_only_once(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    _vote_app(app, "y", "n")
    gus = fake.user("Gus")
    await tg.say(gus, tg.private(gus), "/vote")
    update = await tg.click(gus, tg.last_message(tg.private(gus)), "Yes")

    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query(update["callback_query"]["id"])


# -- errors the bot must handle ----------------------------------------------------------------


async def test_blocked_and_never_started_users_raise_forbidden(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    hana, ivan = fake.user("Hana"), fake.user("Ivan")
    await tg.say(hana, tg.private(hana), "hi")
    await app.bot.send_message(hana.id, "welcome")

    block = await tg.block(hana)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(hana.id, "still there?")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await app.bot.send_message(ivan.id, "hello stranger")
    assert block["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert tg.calls("sendMessage")[-1].error_code == 403
    await tg.say(hana, tg.private(hana), "/start")  # writing to the bot again unblocks it
    await app.bot.send_message(hana.id, "welcome back")
    assert fake.texts(hana.id) == ["welcome", "welcome back"]


async def test_retry_after_from_an_injected_429_then_success(
    fake: FakeTelegram, app: Application
) -> None:
    jon = fake.user("Jon")
    fake.mark_started(jon)
    fake.fail_next("sendMessage", code=429, retry_after=1)

    with pytest.raises(RetryAfter) as caught:
        await app.bot.send_message(jon.id, "first")
    message = await app.bot.send_message(jon.id, "second")

    assert caught.value.retry_after in (1, dt.timedelta(seconds=1))
    assert message.text == "second"
    assert fake.texts(jon.id) == ["second"]


async def test_flood_limit_per_group_answers_429(fake: FakeTelegram, app: Application) -> None:
    group = fake.group("Busy")
    fake.rate_limit(per_second=30, per_chat_per_minute=2)
    await app.bot.send_message(group.id, "one")
    await app.bot.send_message(group.id, "two")

    with pytest.raises(RetryAfter):
        await app.bot.send_message(group.id, "three")
    assert fake.texts(group) == ["one", "two"]


async def test_restrict_needs_rights_and_spares_administrators(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    events: list[tuple[str, str]] = []

    async def track(update: Update, context: Context) -> None:
        change = update.chat_member
        events.append((change.old_chat_member.status, change.new_chat_member.status))

    app.add_handler(ChatMemberHandler(track, ChatMemberHandler.CHAT_MEMBER))
    kim, mod = fake.user("Kim"), fake.user("Mod")
    group = fake.group("G", members=[kim], admins=[mod])
    mute = ChatPermissions(can_send_messages=False)

    with pytest.raises(BadRequest) as no_rights:
        await app.bot.restrict_chat_member(group.id, kim.id, mute)
    assert fake.calls("restrictChatMember")[-1].error == (
        "Bad Request: not enough rights to restrict/unrestrict chat member"
    )
    assert no_rights.value.message == "Not enough rights to restrict/unrestrict chat member"

    fake.set_bot_admin(group)
    await app.bot.restrict_chat_member(group.id, kim.id, mute)
    with pytest.raises(BadRequest, match="User is an administrator of the chat"):
        await app.bot.restrict_chat_member(group.id, mod.id, mute)
    assert fake.member(group, kim).status == "restricted"
    await tg.flush()  # Telegram echoes the bot's own change as a chat_member update
    assert events == [("member", "restricted")]

    await app.bot.restrict_chat_member(group.id, kim.id, ChatPermissions.all_permissions())
    assert fake.member(group, kim).status == "member"


async def test_unban_of_a_current_member_removes_them_as_telegram_documents(
    fake: FakeTelegram, app: Application
) -> None:
    lea = fake.user("Lea")
    group = fake.group("G", members=[lea])
    fake.set_bot_admin(group)

    await app.bot.unban_chat_member(group.id, lea.id, only_if_banned=True)
    assert fake.member(group, lea).status == "member"
    await app.bot.unban_chat_member(group.id, lea.id)
    assert fake.member(group, lea).status == "left"


async def test_send_document_records_name_and_bytes_and_can_be_downloaded(
    fake: FakeTelegram, app: Application
) -> None:
    org = fake.user("Org")
    fake.mark_started(org)

    message = await app.bot.send_document(
        org.id,
        document=b"side,count\nA,5\n",
        filename="report.csv",
        caption="<b>Report</b>",
        parse_mode=ParseMode.HTML,
    )

    sent = fake.last_message(org.id)
    assert sent.file.filename == "report.csv"
    assert sent.file.content == b"side,count\nA,5\n"
    assert sent.caption == "Report"
    assert sent.entities == [{"type": "bold", "offset": 0, "length": 6}]
    upload = fake.calls("sendDocument")[0].params["document"]
    assert upload == UploadedFile("report.csv", b"side,count\nA,5\n", "text/csv")
    file = await app.bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"side,count\nA,5\n"


async def test_text_limits_and_parse_errors_use_telegrams_texts(
    fake: FakeTelegram, app: Application
) -> None:
    pat = fake.user("Pat")
    fake.mark_started(pat)

    await app.bot.send_message(pat.id, "x" * MAX_TEXT_LENGTH)
    await app.bot.send_message(pat.id, "<b>" + "y" * MAX_TEXT_LENGTH + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(pat.id, "x" * (MAX_TEXT_LENGTH + 1))
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await app.bot.send_message(pat.id, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"character '\.' is reserved"):
        await app.bot.send_message(pat.id, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="z" * 65)]])
        await app.bot.send_message(pat.id, "too much data", reply_markup=markup)
    assert len(fake.texts(pat.id)) == 2


async def test_delete_rules_for_own_and_others_messages(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    quinn = fake.user("Quinn")
    group = fake.group("G", members=[quinn])
    spam = await tg.say(quinn, group, "buy now www.spam.example.com")
    own = await app.bot.send_message(group.id, "notice")

    with pytest.raises(BadRequest, match="Message can't be deleted"):
        await app.bot.delete_message(group.id, spam.message_id)
    await app.bot.delete_message(group.id, own.message_id)
    fake.set_bot_admin(group)
    await app.bot.delete_message(group.id, spam.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await app.bot.delete_message(group.id, spam.message_id)

    assert spam.deleted and fake.sent_messages(group)[0].deleted
    assert tg.last_text(group) is None


async def test_join_request_approval_makes_a_member_and_tells_the_bot(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    seen: list[str] = []

    async def on_request(update: Update, context: Context) -> None:
        seen.append("request")
        await update.chat_join_request.approve()

    async def on_member(update: Update, context: Context) -> None:
        seen.append(update.chat_member.new_chat_member.status)

    async def on_joined(update: Update, context: Context) -> None:
        seen.append("service:" + update.message.new_chat_members[0].first_name)

    app.add_handler(ChatJoinRequestHandler(on_request))
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, on_joined))
    rosa = fake.user("Rosa")
    group = fake.group("G")
    fake.set_bot_admin(group)
    link = await app.bot.create_chat_invite_link(group.id, creates_join_request=True, name="S26")

    await tg.join_request(rosa, group, link.invite_link)

    assert link.invite_link.startswith("https://t.me/+")
    assert seen == ["request", "member", "service:Rosa"]
    assert fake.member(group, rosa).status == "member"
    # A requester may be written to for a while although they never started the bot.
    await app.bot.send_message(rosa.id, "Welcome!")
    with pytest.raises(BadRequest, match="Hide_requester_missing"):
        await app.bot.approve_chat_join_request(group.id, rosa.id)


async def test_sending_to_a_migrated_group_raises_chat_migrated(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    owner = fake.user("Owner")
    group = fake.group("Old", creator=owner, supergroup=False)

    supergroup = await tg.migrate(group)

    with pytest.raises(ChatMigrated) as caught:
        await app.bot.send_message(group.id, "hello?")
    assert caught.value.new_chat_id == supergroup.id
    assert fake.messages(supergroup)[0].data["migrate_from_chat_id"] == group.id


async def test_command_menus_by_scope_and_language(fake: FakeTelegram, app: Application) -> None:
    from telegram import BotCommand, BotCommandScopeAllPrivateChats

    ru_user, en_user = fake.user("Ru", language_code="ru"), fake.user("En", language_code="en")
    scope = BotCommandScopeAllPrivateChats()
    await app.bot.set_my_commands([BotCommand("start", "Start")], scope=scope)
    await app.bot.set_my_commands([BotCommand("start", "Начать")], scope=scope, language_code="ru")
    with pytest.raises(BadRequest, match="Invalid language code"):
        await app.bot.set_my_commands([BotCommand("start", "Início")], language_code="pt_BR")
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Start", "Bad")])

    assert fake.visible_commands(ru_user, fake.private(ru_user))[0]["description"] == "Начать"
    assert fake.visible_commands(en_user, fake.private(en_user))[0]["description"] == "Start"
    assert [c.command for c in await app.bot.get_my_commands(scope=scope)] == ["start"]


def test_get_updates_honours_offset_and_default_allowed_updates(fake: FakeTelegram) -> None:
    sam = fake.user("Sam")
    group = fake.group("G", members=[sam])
    fake.set_bot_admin(group)
    first = fake.push_update({"message": {"message_id": 1}})
    fake.change_member(group, sam, "restricted", permissions={})

    status, body = fake.handle("getUpdates", {"offset": 0})
    assert status == 200
    assert [u["update_id"] for u in body["result"]] == [first["update_id"]]
    assert update_types(fake.dropped_updates) == ["chat_member"]  # not asked for by default

    fake.push_update({"message": {"message_id": 2}})
    status, body = fake.handle("getUpdates", {"offset": first["update_id"] + 1})
    assert [u["message"]["message_id"] for u in body["result"]] == [2]
    assert fake.handle("noSuchMethod", {})[0] == 404


async def test_member_and_reaction_updates_reach_only_an_admin_bot(
    fake: FakeTelegram, app: Application
) -> None:
    seen: list[str] = []

    async def on_member(update: Update, context: Context) -> None:
        seen.append(update.chat_member.new_chat_member.status)

    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.CHAT_MEMBER))
    tg = TgDriver(fake, app)
    tess, mod = fake.user("Tess"), fake.user("Mod")
    group = fake.group("G", members=[tess], admins=[mod])
    said = await tg.say(tess, group, "hi")

    assert await tg.member_update(group, tess, "restricted", by=mod) is None
    assert await tg.react(mod, said, "👍") is None
    fake.set_bot_admin(group)
    update = await tg.member_update(group, tess, "member", by=mod)
    reaction = await tg.react(mod, said, "🔥")

    assert update["chat_member"]["old_chat_member"]["status"] == "restricted"
    assert seen == ["member"]
    assert reaction["message_reaction"]["old_reaction"] == [{"type": "emoji", "emoji": "👍"}]
    filtered = TgDriver(fake, app, allowed_updates=["message"])
    await filtered.member_update(group, tess, "kicked", by=mod)
    assert seen == ["member"] and update_types(fake.dropped_updates) == ["chat_member"]


async def test_edits_and_privacy_mode(fake: FakeTelegram, app: Application) -> None:
    seen: list[str] = []

    async def on_any(update: Update, context: Context) -> None:
        seen.append(("edited:" if update.edited_message else "") + update.effective_message.text)

    app.add_handler(MessageHandler(filters.ALL, on_any))
    tg = TgDriver(fake, app)
    uri = fake.user("Uri")
    group = fake.group("G", members=[uri])
    said = await tg.say(uri, group, "helo")
    await tg.edit(uri, said, "hello")
    fake.privacy_mode = True
    await tg.say(uri, group, "chatter the bot must not see")
    await tg.say(uri, group, "/rules")

    assert seen == ["helo", "edited:hello", "/rules"]
    assert said.edits[0]["text"] == "helo"


def test_html_offsets_are_counted_in_utf16_units() -> None:
    text, entities = parse_html("😀 <b>hi</b> &amp; <i>ünï</i>")

    assert text == "😀 hi & ünï"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "italic", "offset": 8, "length": 3},
    ]


async def test_http_server_accepts_json_form_and_query_requests(fake: FakeTelegram) -> None:
    wes = fake.user("Wes")
    fake.mark_started(wes)
    with FakeBotApiServer(fake) as server:
        api = f"{server.base_url}{fake.token}"
        async with httpx.AsyncClient() as client:
            as_json = await client.post(f"{api}/sendMessage", json={"chat_id": wes.id, "text": "a"})
            as_form = await client.post(f"{api}/sendmessage", data={"chat_id": wes.id, "text": "b"})
            as_query = await client.get(f"{api}/getMe")
            wrong_token = await client.get(f"{server.base_url}1:nope/getMe")
            unknown = await client.post(f"{api}/sendTelepathy", json={})

    assert as_json.json()["result"]["text"] == "a"
    assert as_form.json()["result"]["text"] == "b"
    assert as_query.json()["result"]["username"] == "bridgebot_test_bot"
    assert (wrong_token.status_code, wrong_token.json()["description"]) == (401, "Unauthorized")
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
    assert fake.texts(wes.id) == ["a", "b"]


async def test_remaining_methods_return_objects_ptb_can_parse(
    fake: FakeTelegram, app: Application, tg: TgDriver
) -> None:
    owner, xena, yuri = fake.user("Owner"), fake.user("Xena"), fake.user("Yuri")
    group = fake.group("G", creator=owner, members=[xena, yuri])
    fake.set_bot_admin(group, can_promote_members=True)
    bot = app.bot
    fake.mark_started(xena)

    admins = await bot.get_chat_administrators(group.id)
    assert {a.status for a in admins} == {"creator", "administrator"}
    assert await bot.get_chat_member_count(group.id) == 4
    assert (await bot.get_chat_member(group.id, yuri.id)).status == "member"
    assert await bot.promote_chat_member(group.id, yuri.id, can_delete_messages=True)
    promoted = await bot.get_chat_member(group.id, yuri.id)
    assert promoted.status == "administrator" and promoted.can_be_edited
    with pytest.raises(BadRequest, match="Can't remove chat owner"):
        await bot.ban_chat_member(group.id, owner.id)

    notice = await bot.send_message(group.id, "<i>pinned</i>", parse_mode=ParseMode.HTML)
    assert await bot.pin_chat_message(group.id, notice.message_id)
    chat = await bot.get_chat(group.id)
    assert chat.pinned_message.text == "pinned" and chat.permissions.can_send_messages
    assert await bot.unpin_chat_message(group.id)
    assert await bot.set_message_reaction(group.id, notice.message_id, "👍")
    with pytest.raises(BadRequest, match="Reaction_invalid"):
        await bot.set_message_reaction(group.id, notice.message_id, "🦖")
    assert await bot.send_chat_action(group.id, "typing")
    copied = await bot.copy_message(xena.id, group.id, notice.message_id)
    forwarded = await bot.forward_message(xena.id, group.id, notice.message_id)
    assert forwarded.forward_origin.sender_user.id == fake.bot.id
    assert fake.message(xena.id, copied.message_id).text == "pinned"
    assert await bot.delete_messages(group.id, [notice.message_id, 999])

    link = await bot.create_chat_invite_link(group.id, member_limit=3)
    edited = await bot.edit_chat_invite_link(group.id, link.invite_link, name="spring")
    revoked = await bot.revoke_chat_invite_link(group.id, link.invite_link)
    assert (edited.name, edited.member_limit, revoked.is_revoked) == ("spring", 3, True)
    primary = await bot.export_chat_invite_link(group.id)
    assert primary.startswith("https://t.me/+") and primary != link.invite_link

    chart = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") * 2
    photo = await bot.send_photo(xena.id, chart, caption="Chart")
    assert photo.photo[-1].width == 640
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(xena.id, b"not an image")
    captioned = await bot.edit_message_caption(xena.id, photo.message_id, caption="Chart v2")
    assert captioned.caption == "Chart v2"

    await bot.set_my_description("Dialogue bot", language_code="en")
    assert (await bot.get_my_description("en")).description == "Dialogue bot"
    await bot.set_chat_menu_button(xena.id)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.leave_chat(group.id)
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(group.id, "still here?")
    await tg.bot_status(group, "administrator", old_status="left", by=owner)
    assert fake.member(group, fake.bot).status == "administrator"


def update_types(updates: list[dict[str, Any]]) -> list[str]:
    return [next(k for k in u if k != "update_id") for u in updates]


# -- over HTTP ---------------------------------------------------------------------------------


async def test_polling_over_http_end_to_end(fake: FakeTelegram) -> None:
    with FakeBotApiServer(fake) as server:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        tg = TgDriver(fake, mode="queue")
        uma = fake.user("Uma")
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await tg.say(uma, tg.private(uma), "over the wire")
            await tg.wait_for(lambda: tg.last_text(tg.private(uma)) == "echo: over the wire", 5)
            document = await app.bot.send_document(uma.id, b"\x00\x01bytes", filename="x.bin")
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()

    assert fake.last_message(uma.id).file.content == b"\x00\x01bytes"
    assert document.document.file_name == "x.bin"
    assert fake.calls("deleteWebhook")  # PTB's polling bootstrap went through the fake


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_delivery_carries_the_secret_token(fake: FakeTelegram) -> None:
    app = build_app(fake)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    port = _free_port()
    vic = fake.user("Vic")
    tg = TgDriver(fake, mode="webhook")
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret_token",
        )
        try:
            await tg.say(vic, tg.private(vic), "via webhook")
            await tg.wait_for(lambda: tg.last_text(tg.private(vic)) == "echo: via webhook", 5)
        finally:
            await app.updater.stop()
            await app.stop()

    assert fake.webhook["secret_token"] == "s3cret_token"
    status, body = fake.handle("getUpdates", {})
    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
