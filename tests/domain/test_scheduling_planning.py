"""plan_sessions: one call that checks a whole series before the service stores anything."""

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.scheduling import (
    AgendaItem,
    Recurrence,
    SchedulingError,
    SchedulingErrorCode,
    SessionDraft,
    ensure_end_after_start,
    plan_sessions,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def draft(**changes: object) -> SessionDraft:
    fields: dict[str, object] = {
        "title": "Spring dialogue",
        "start_local": datetime(2026, 3, 17, 2, 30),
        "zone": "europe/berlin",
        "duration": H,
        "agenda": (AgendaItem("Welcome", 10), AgendaItem("Topic", 50)),
        "recurrence": Recurrence(count=4),
    }
    fields.update(changes)
    return SessionDraft(**fields)  # type: ignore[arg-type]


def test_a_valid_series_is_planned_with_its_dst_adjustment() -> None:
    plan = plan_sessions(draft(), existing=[], now=NOW)
    assert plan.zone == "Europe/Berlin"
    assert [o.local_start.strftime("%d.%m %H:%M") for o in plan.occurrences] == [
        "17.03 02:30",
        "24.03 02:30",
        "31.03 02:30",
        "07.04 02:30",
    ]
    assert plan.adjusted == ()


def test_the_transition_night_occurrence_is_reported_as_adjusted() -> None:
    plan = plan_sessions(draft(start_local=datetime(2026, 3, 15, 2, 30)), existing=[], now=NOW)
    assert [o.local_start.strftime("%d.%m %H:%M") for o in plan.adjusted] == ["29.03 03:30"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"zone": "Europe/Atlantis"}, SchedulingErrorCode.UNKNOWN_ZONE),
        ({"title": "   "}, SchedulingErrorCode.BAD_TITLE),
        ({"title": "x" * 201}, SchedulingErrorCode.BAD_TITLE),
        ({"duration": timedelta(0)}, SchedulingErrorCode.BAD_DURATION),
        ({"duration": 13 * H}, SchedulingErrorCode.BAD_DURATION),
        ({"agenda": (AgendaItem("Long", 61),)}, SchedulingErrorCode.AGENDA_TOO_LONG),
        ({"agenda": (AgendaItem("Zero", 0),)}, SchedulingErrorCode.BAD_AGENDA_MINUTES),
        ({"start_local": datetime(2026, 3, 1, 12, 0)}, SchedulingErrorCode.IN_PAST),
        (
            {"recurrence": Recurrence(until_local_date=date(2026, 3, 1))},
            SchedulingErrorCode.END_BEFORE_START,
        ),
        ({"recurrence": Recurrence(count=105)}, SchedulingErrorCode.TOO_MANY_OCCURRENCES),
    ],
)
def test_bad_drafts_are_refused_with_a_code(
    changes: dict[str, object], code: SchedulingErrorCode
) -> None:
    with pytest.raises(SchedulingError) as caught:
        plan_sessions(draft(**changes), existing=[], now=NOW)
    assert caught.value.code is code


def test_overlap_with_another_session_of_the_group_is_refused() -> None:
    # the third occurrence is 31 Mar 02:30 CEST = 00:30 UTC
    existing = [(datetime(2026, 3, 31, 0, 0, tzinfo=UTC), datetime(2026, 3, 31, 1, 0, tzinfo=UTC))]
    with pytest.raises(SchedulingError) as caught:
        plan_sessions(draft(), existing=existing, now=NOW)
    assert caught.value.code is SchedulingErrorCode.OVERLAP
    assert caught.value.params["new_index"] == 2
    assert caught.value.params["new_start_utc"] == datetime(2026, 3, 31, 0, 30, tzinfo=UTC)


def test_back_to_back_with_another_session_is_fine() -> None:
    existing = [(datetime(2026, 3, 31, 1, 30, tzinfo=UTC), datetime(2026, 3, 31, 3, 0, tzinfo=UTC))]
    assert len(plan_sessions(draft(), existing=existing, now=NOW).occurrences) == 4


def test_a_one_off_session() -> None:
    plan = plan_sessions(draft(recurrence=None, zone="Asia/Yerevan"), existing=[], now=NOW)
    assert [o.span for o in plan.occurrences] == [
        (datetime(2026, 3, 16, 22, 30, tzinfo=UTC), datetime(2026, 3, 16, 23, 30, tzinfo=UTC))
    ]


def test_end_before_start() -> None:
    start = datetime(2026, 3, 17, 18, tzinfo=UTC)
    assert ensure_end_after_start(start, start + 90 * timedelta(minutes=1)) == 90 * timedelta(
        minutes=1
    )
    for end in (start, start - H):
        with pytest.raises(SchedulingError) as caught:
            ensure_end_after_start(start, end)
        assert caught.value.code is SchedulingErrorCode.END_BEFORE_START
