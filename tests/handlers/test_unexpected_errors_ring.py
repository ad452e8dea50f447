"""Unexpected failures are kept in a bounded ring (the last ones only) and counted as a metric, so
a bug met for months neither grows memory nor goes unseen."""

from __future__ import annotations

from bot.handlers import errors, routing
from bot.handlers.callbacks import sign
from tests.handlers.test_button_replays import ONE_SHOT

SORRY = "Sorry, something went wrong. Please try again; if it keeps happening, tell the organizers."


async def test_unexpected_errors_keep_only_the_last_ones_and_count_all(
    tg, fake, app, runtime, monkeypatch
) -> None:
    monkeypatch.setattr(errors, "UNEXPECTED_ERRORS_KEPT", 3)
    calls = 0

    async def buggy(update, context, payload) -> None:
        nonlocal calls
        calls += 1
        raise ValueError(f"bug number {calls}")

    monkeypatch.setitem(routing.BUTTONS, ONE_SHOT[0], buggy)
    olga = fake.user("Olga")
    fake.mark_started(olga)
    await app.bot.send_message(olga.id, "choose")
    for _ in range(5):
        update = await tg.press_raw(
            olga, tg.last_message(fake.private(olga)), sign(runtime.secret, olga.id, ONE_SHOT[0])
        )
        assert tg.callback_answer(update)["text"] == SORRY
    ring = app.bot_data.pop(errors.UNEXPECTED_ERRORS_KEY)
    assert [str(e) for e in ring] == ["bug number 3", "bug number 4", "bug number 5"]
    exposition = runtime.metrics.exposition().decode()
    assert 'bridgebot_errors_total{kind="unexpected"} 5.0' in exposition
    assert 'bridgebot_updates_total{kind="callback_query"} 5.0' in exposition


def test_an_old_list_in_bot_data_becomes_a_ring() -> None:
    bot_data = {errors.UNEXPECTED_ERRORS_KEY: [ValueError(str(n)) for n in range(150)]}
    ring = errors.unexpected_errors(bot_data)
    assert len(ring) == errors.UNEXPECTED_ERRORS_KEPT == 100
    assert str(ring[0]) == "50" and bot_data[errors.UNEXPECTED_ERRORS_KEY] is ring
