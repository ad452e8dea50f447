"""Reminder plans, late/stale decisions after downtime, delivery keys, agenda cues, session phases."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.scheduling import (
    AgendaItem,
    DueStatus,
    SchedulingError,
    SchedulingErrorCode,
    SessionPhase,
    agenda_timeline,
    classify_due,
    decide_reminders,
    delivery_key,
    ensure_cancellable,
    ensure_editable,
    half_time,
    reminder_kind,
    reminder_plan,
    session_phase,
    validate_agenda,
    validate_reminder_offsets,
)

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
END = START + timedelta(minutes=90)
CREATED = START - timedelta(days=7)
H = timedelta(hours=1)


def test_default_plan_is_24h_and_1h_before() -> None:
    plan = reminder_plan(START, CREATED)
    assert [(r.kind, r.due_utc) for r in plan] == [
        ("remind_24h", START - 24 * H),
        ("remind_1h", START - H),
    ]


def test_custom_offsets_are_deduplicated_and_named() -> None:
    plan = reminder_plan(
        START, CREATED, [timedelta(minutes=90), timedelta(days=2), timedelta(hours=48)]
    )
    assert [r.kind for r in plan] == ["remind_48h", "remind_90m"]
    assert reminder_kind(timedelta(minutes=15)) == "remind_15m"


@pytest.mark.parametrize("offset", [timedelta(0), -H, timedelta(seconds=90), timedelta(days=15)])
def test_bad_reminder_offsets(offset: timedelta) -> None:
    with pytest.raises(SchedulingError) as caught:
        validate_reminder_offsets([H, offset])
    assert caught.value.code is SchedulingErrorCode.BAD_REMINDER_OFFSET


def test_reminders_due_before_the_session_was_planned_are_not_owed() -> None:
    # created 3 hours ahead: the 24-hour reminder's moment had already passed
    assert [r.kind for r in reminder_plan(START, START - 3 * H)] == ["remind_1h"]
    assert reminder_plan(START, START - timedelta(minutes=30)) == []


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (START - 25 * H, DueStatus.NOT_DUE),
        (START - 24 * H, DueStatus.SEND),
        (START - 24 * H + timedelta(minutes=4), DueStatus.SEND),
        (START - 24 * H + timedelta(minutes=5), DueStatus.LATE_SEND),
        (START - timedelta(seconds=1), DueStatus.LATE_SEND),  # still useful before the start
        (START, DueStatus.STALE),
        (START + 2 * H, DueStatus.STALE),
    ],
)
def test_classify_due(now: datetime, status: DueStatus) -> None:
    assert classify_due(START - 24 * H, START, now) is status


def test_after_downtime_only_the_latest_due_reminder_goes_out_late() -> None:
    pending = reminder_plan(START, CREATED)
    # the bot was down from two days before until 30 minutes before the start
    decisions = decide_reminders(pending, START, START - timedelta(minutes=30))
    assert [(d.reminder.kind, d.status, d.superseded_by) for d in decisions] == [
        ("remind_24h", DueStatus.STALE, "remind_1h"),
        ("remind_1h", DueStatus.LATE_SEND, None),
    ]


def test_after_downtime_a_still_useful_reminder_goes_out_and_the_next_waits() -> None:
    decisions = decide_reminders(reminder_plan(START, CREATED), START, START - 20 * H)
    assert [d.status for d in decisions] == [DueStatus.LATE_SEND, DueStatus.NOT_DUE]


def test_after_the_start_everything_is_stale() -> None:
    decisions = decide_reminders(reminder_plan(START, CREATED), START, START + timedelta(minutes=1))
    assert [(d.status, d.superseded_by) for d in decisions] == [
        (DueStatus.STALE, None),
        (DueStatus.STALE, None),
    ]


def test_delivery_keys_are_unique_per_session_person_and_kind() -> None:
    keys = {
        delivery_key(kind, session, person)
        for kind in ("remind_24h", "remind_1h")
        for session in (1, 2, 12)
        for person in (1, 21, None)
    }
    assert len(keys) == 2 * 3 * 3
    assert delivery_key("remind_24h", 7, 42) == "session:7:person:42:remind_24h"
    assert delivery_key("half_time", 7, None) == "session:7:group:half_time"
    assert delivery_key("remind_1h", 1, 21) != delivery_key("remind_1h", 12, 1)


@pytest.mark.parametrize("kind", ["", "Remind", "a:b", "remind 1h"])
def test_delivery_kind_must_be_a_plain_token(kind: str) -> None:
    with pytest.raises(ValueError):
        delivery_key(kind, 1, 1)


AGENDA = (AgendaItem("Introductions", 15), AgendaItem("Topic", 45), AgendaItem("Wrap-up", 10))


def test_agenda_timeline_posts_each_item_at_its_time() -> None:
    cues = agenda_timeline(START, AGENDA)
    assert [(c.index, c.title, c.at_utc, c.kind) for c in cues] == [
        (0, "Introductions", START, "agenda_0"),
        (1, "Topic", START + timedelta(minutes=15), "agenda_1"),
        (2, "Wrap-up", START + timedelta(minutes=60), "agenda_2"),
    ]


def test_agenda_must_fit_the_session() -> None:
    validate_agenda(AGENDA, timedelta(minutes=70))
    with pytest.raises(SchedulingError) as caught:
        validate_agenda(AGENDA, timedelta(minutes=69))
    assert caught.value.code is SchedulingErrorCode.AGENDA_TOO_LONG
    assert caught.value.params == {"total_minutes": 70, "duration_minutes": 69}


@pytest.mark.parametrize("minutes", [0, -5, 2.5, True])
def test_agenda_item_minutes_must_be_positive_whole(minutes: object) -> None:
    with pytest.raises(SchedulingError) as caught:
        validate_agenda([AgendaItem("a", 5), AgendaItem("b", minutes)], H)  # type: ignore[arg-type]
    assert caught.value.code is SchedulingErrorCode.BAD_AGENDA_MINUTES
    assert caught.value.params["index"] == 1


def test_half_time() -> None:
    assert half_time(START, END) == START + timedelta(minutes=45)
    with pytest.raises(SchedulingError) as caught:
        half_time(END, START)
    assert caught.value.code is SchedulingErrorCode.END_BEFORE_START


@pytest.mark.parametrize(
    ("now", "cancelled", "phase"),
    [
        (START - H, False, SessionPhase.UPCOMING),
        (START, False, SessionPhase.RUNNING),
        (END - timedelta(seconds=1), False, SessionPhase.RUNNING),
        (END, False, SessionPhase.ENDED),
        (START - H, True, SessionPhase.CANCELLED),
    ],
)
def test_session_phase(now: datetime, cancelled: bool, phase: SessionPhase) -> None:
    assert session_phase(START, END, now, cancelled) is phase


def test_editing_an_ended_session_is_refused() -> None:
    ensure_editable(START, END, START - H)
    ensure_editable(START, END, START + H)  # running: may still be extended
    with pytest.raises(SchedulingError) as caught:
        ensure_editable(START, END, END)
    assert caught.value.code is SchedulingErrorCode.SESSION_ENDED
    with pytest.raises(SchedulingError) as caught:
        ensure_editable(START, END, START - H, cancelled=True)
    assert caught.value.code is SchedulingErrorCode.SESSION_CANCELLED


@pytest.mark.parametrize(
    ("now", "cancelled", "code"),
    [
        (START + H, False, SchedulingErrorCode.SESSION_RUNNING),
        (END + H, False, SchedulingErrorCode.SESSION_ENDED),
        (START - H, True, SchedulingErrorCode.SESSION_CANCELLED),
    ],
)
def test_only_an_upcoming_session_can_be_cancelled(
    now: datetime, cancelled: bool, code: SchedulingErrorCode
) -> None:
    ensure_cancellable(START, END, START - H)
    with pytest.raises(SchedulingError) as caught:
        ensure_cancellable(START, END, now, cancelled)
    assert caught.value.code is code
