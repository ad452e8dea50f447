"""Every model module is imported here so that ``Base.metadata`` is complete for Alembic and tests."""

from bot.db.models.enrolment import Enrolment, EnrolmentDraft, Invite
from bot.db.models.people import Person
from bot.db.models.privacy import ErasureRecord
from bot.db.models.programs import ConductText, OrganizerGrant, Program, ProgramLanguage, Side

__all__ = [
    "ConductText",
    "Enrolment",
    "EnrolmentDraft",
    "ErasureRecord",
    "Invite",
    "OrganizerGrant",
    "Person",
    "Program",
    "ProgramLanguage",
    "Side",
]
