"""The daily UTC window in which everyone in a group is awake: local time 08:00-22:00 for all.

A window is ``(start, end)`` in UTC minutes of the day (0..1439): it begins at ``start`` and runs
forward to ``end``, passing midnight UTC when ``end <= start`` (``(1320, 120)`` is 22:00-02:00
UTC). Each member allows a 14-hour arc of the 24-hour circle, so the intersection can fall apart
into two arcs (offsets 11-14 hours apart); all arcs are returned, and ``local_time_window`` picks
the longest. Windows are closed at both ends; arcs that shrink to a single minute are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

MINUTES_PER_DAY = 24 * 60
EARLIEST_LOCAL_MINUTE = 8 * 60
LATEST_LOCAL_MINUTE = 22 * 60

_Piece = tuple[int, int]  # [start, end] within one UTC day, start < end


def local_time_windows(offsets_minutes: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Every UTC window (see module docstring) in which all offsets read 08:00-22:00 local,
    sorted by start; empty when there is none or no offset is given."""
    distinct = sorted(set(offsets_minutes))
    if not distinct:
        return ()
    pieces = _awake_pieces(distinct[0])
    for offset in distinct[1:]:
        pieces = _intersect(pieces, _awake_pieces(offset))
        if not pieces:
            return ()
    return tuple(sorted(_join_across_midnight(pieces)))


def local_time_window(offsets_minutes: Iterable[int]) -> tuple[int, int] | None:
    """The longest window of ``local_time_windows`` (ties: the earlier start), or None."""
    windows = local_time_windows(offsets_minutes)
    if not windows:
        return None
    return max(windows, key=lambda window: (window_length(window), -window[0]))


def window_length(window: tuple[int, int]) -> int:
    start, end = window
    return (end - start) % MINUTES_PER_DAY


def _awake_pieces(offset: int) -> list[_Piece]:
    start = (EARLIEST_LOCAL_MINUTE - offset) % MINUTES_PER_DAY
    end = start + LATEST_LOCAL_MINUTE - EARLIEST_LOCAL_MINUTE
    if end <= MINUTES_PER_DAY:
        return [(start, end)]
    return [(start, MINUTES_PER_DAY), (0, end - MINUTES_PER_DAY)]


def _intersect(first: list[_Piece], second: list[_Piece]) -> list[_Piece]:
    overlaps = []
    for start_a, end_a in first:
        for start_b, end_b in second:
            start, end = max(start_a, start_b), min(end_a, end_b)
            if start < end:
                overlaps.append((start, end))
    return overlaps


def _join_across_midnight(pieces: list[_Piece]) -> list[tuple[int, int]]:
    """Turn day-bounded pieces into windows, gluing a piece ending at 24:00 to one starting at
    00:00 (they are one arc across midnight)."""
    before_midnight = next((p for p in pieces if p[1] == MINUTES_PER_DAY), None)
    after_midnight = next((p for p in pieces if p[0] == 0), None)
    windows = []
    for piece in pieces:
        if before_midnight and after_midnight and piece in (before_midnight, after_midnight):
            continue
        windows.append((piece[0], piece[1] % MINUTES_PER_DAY))
    if before_midnight and after_midnight:
        windows.append((before_midnight[0], after_midnight[1]))
    return windows
