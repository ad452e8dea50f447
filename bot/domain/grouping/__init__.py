"""Balanced dialogue groups: formation, late joiners and moves (pure domain code).

Entry points: ``form_groups`` proposes a ``Formation`` the organizer previews, re-runs with
another ``FormationSpec.seed`` and confirms; ``place_late_joiner`` and ``move_member`` judge
changes to confirmed groups. Invariants, definitions and priorities are documented in
formation.py (priorities, time zones), fairness.py (fair share), languages.py (working
languages) and windows.py (meeting windows). Bad input raises ``GroupingError`` with a
``GroupingErrorCode``; deviations are ``Note``s with a ``NoteCode``; both carry params only.
"""

from bot.domain.grouping.changes import move_member, place_late_joiner
from bot.domain.grouping.errors import GroupingError, GroupingErrorCode
from bot.domain.grouping.fairness import fair_share_range, plan_group_sizes, side_quotas
from bot.domain.grouping.formation import describe_group, form_groups
from bot.domain.grouping.model import (
    Breach,
    Formation,
    FormationSpec,
    Invariant,
    Member,
    MoveCheck,
    Note,
    NoteCode,
    Placement,
    ProposedGroup,
)
from bot.domain.grouping.windows import local_time_window, local_time_windows, window_length

__all__ = [
    "Breach",
    "Formation",
    "FormationSpec",
    "GroupingError",
    "GroupingErrorCode",
    "Invariant",
    "Member",
    "MoveCheck",
    "Note",
    "NoteCode",
    "Placement",
    "ProposedGroup",
    "describe_group",
    "fair_share_range",
    "form_groups",
    "local_time_window",
    "local_time_windows",
    "move_member",
    "place_late_joiner",
    "plan_group_sizes",
    "side_quotas",
    "window_length",
]
