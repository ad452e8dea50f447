"""Answering a survey: the questions one by one, skipping, the comment, done."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest

from bot.context import BridgeContext
from bot.db.outage import is_storage_failure
from bot.domain.anonymity import MAX_FREE_TEXT_LENGTH, ScrubError
from bot.domain.anonymity.sealing import SealBroken
from bot.features.feedback import messages as msgs
from bot.features.feedback import service as feedback
from bot.features.feedback import store as feedback_store
from bot.features.feedback.handlers.common import STATE_KEY, InProgress, _clear, _state, log
from bot.features.feedback.surveys import TEXT
from bot.features.feedback.texts import TEXT_TOO_LONG
from bot.handlers.callbacks import Payload
from bot.handlers.common import button_expired, is_private, reply
from bot.i18n import _
from bot.ops.logs import keep_out as keep_out_of_logs

# ---- answering ---------------------------------------------------------------------------------------


async def _show(
    update: Update, context: BridgeContext, state: InProgress, *, edit: bool = True
) -> None:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    item = state.current
    total = len(state.items)
    if item is None:
        await _submit(update, context, state)
        return
    if item.kind == TEXT:
        state.awaiting_text = True
        text = msgs.comment_text(item, state.index + 1, total, MAX_FREE_TEXT_LENGTH)
        markup = msgs.done_keyboard(secret, user.id, state.instance_id)
    else:
        state.awaiting_text = False
        text = msgs.question_text(item, state.index + 1, total)
        markup = msgs.question_keyboard(secret, user.id, state.instance_id, item)
    query = update.callback_query
    if edit and query is not None:
        await query.answer()
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest:
            log.info("could not edit the survey message; sending a new one")
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, reply_markup=markup)


async def on_start(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    assert user is not None
    instance_id = payload.number(0)
    async with context.db() as db:
        form = await feedback.form_for(
            db, context.runtime.secret, user.id, instance_id, context.clock()
        )
    state = InProgress(instance_id=instance_id, items=form.items)
    context.person_data[STATE_KEY] = state
    await _show(update, context, state)


async def _resume(
    update: Update, context: BridgeContext, instance_id: int, item_id: int
) -> InProgress | None:
    """The answers in progress for this button, or None after telling the person what to do."""
    user = update.effective_user
    assert user is not None
    state = _state(context)
    if state is not None and state.instance_id == instance_id:
        current = state.current
        if item_id == 0 and (current is None or current.kind == TEXT):
            return state  # finishing (or retrying after a failed save)
        if current is not None and current.id == item_id:
            return state
        # A button of a question already answered (or of a finished survey).
        await button_expired(update)
        return None
    # Nothing in memory for this survey: explain why (closed, answered, not invited) or restart it.
    async with context.db() as db:
        await feedback.form_for(db, context.runtime.secret, user.id, instance_id, context.clock())
    await reply(
        update,
        _("Your earlier answers to this survey were not kept, so please start it again."),
        reply_markup=msgs.start_keyboard(context.runtime.secret, user.id, instance_id),
    )
    return None


async def on_answer(update: Update, context: BridgeContext, payload: Payload) -> None:
    instance_id, item_id, value = payload.number(0), payload.number(1), payload.number(2)
    state = await _resume(update, context, instance_id, item_id)
    if state is None:
        return
    state.values[item_id] = value
    state.index += 1
    await _show(update, context, state)


async def on_skip(update: Update, context: BridgeContext, payload: Payload) -> None:
    instance_id, item_id = payload.number(0), payload.number(1)
    state = await _resume(update, context, instance_id, item_id)
    if state is None or state.current is None or not state.current.optional:
        return
    state.index += 1
    await _show(update, context, state)


async def on_done(update: Update, context: BridgeContext, payload: Payload) -> None:
    instance_id = payload.number(0)
    state = await _resume(update, context, instance_id, 0)
    if state is None:
        return
    current = state.current
    if current is not None and current.kind != TEXT:
        await button_expired(update)
        return
    await _submit(update, context, state)


async def on_private_text(update: Update, context: BridgeContext) -> bool:
    """The optional free-text answer, when the survey is waiting for one."""
    state = _state(context)
    message = update.effective_message
    if state is None or not state.awaiting_text or message is None or not is_private(update):
        return False
    try:
        keep_out_of_logs(message.text)  # a comment is never written to any log line
        state.comment = feedback.check_free_text(message.text or "")
    except ScrubError as error:
        await reply(update, _(TEXT_TOO_LONG, **error.params))
        return True
    await _submit(update, context, state)
    return True


async def _submit(update: Update, context: BridgeContext, state: InProgress) -> None:
    user = update.effective_user
    assert user is not None
    secret = context.runtime.secret
    try:
        async with context.db() as db:
            accepted = await feedback.submit(
                db, secret, user.id, state.instance_id, state.values, state.comment, context.clock()
            )
    except Exception as error:
        if not (is_storage_failure(error) or isinstance(error, SealBroken)):
            raise
        # Rolled back as a whole: no response, no answers, no receipt. The answers stay in memory.
        # (SealBroken: the waiting answers were sealed under another secret; see the log.)
        log.exception("could not store a survey answer")
        text = _(
            "Your answers could not be saved because of a problem on our side, and nothing was stored. "
            "Please try again."
        )
        markup = msgs.done_keyboard(secret, user.id, state.instance_id, retry=True)
        state.awaiting_text = False
        state.index = len(state.items)
        if update.callback_query is not None:
            await update.callback_query.answer()
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(text, reply_markup=markup)
        return
    # Committed: durable. Old versions of the bundle (and of the responses) leave the files first.
    await feedback_store.settle(context.runtime.engine, written=bool(accepted and accepted.written))
    _clear(context)
    query = update.callback_query
    text = _("Thank you! Your answers were saved anonymously.")
    if query is not None:
        await query.answer()
        try:
            await query.edit_message_text(text)
            return
        except BadRequest:
            pass
    await reply(update, text)
