"""Every model module is imported here so that ``Base.metadata`` is complete for Alembic and tests."""

from bot.db.models.conduct import (
    Appeal,
    AppealNotice,
    BlockedTerm,
    Excerpt,
    ModerationAction,
    Report,
    ReportNotice,
    ReportReporter,
    RuleSet,
)
from bot.db.models.enrolment import Enrolment, EnrolmentDraft, Invite
from bot.db.models.feedback import (
    Answer,
    FeedbackSettings,
    Receipt,
    ReleasedFigures,
    Response,
    Survey,
    SurveyInstance,
    SurveyInvitation,
    SurveyItem,
    SurveyItemText,
)
from bot.db.models.groups import DialogueGroup, GroupLanguage, GroupMember, GroupModerator
from bot.db.models.people import Person
from bot.db.models.presses import ButtonPress
from bot.db.models.privacy import ErasureRecord
from bot.db.models.programs import ConductText, OrganizerGrant, Program, ProgramLanguage, Side
from bot.db.models.sessions import (
    AgendaItem,
    Delivery,
    DialogueSession,
    FindTimeAnswer,
    FindTimePoll,
    RaisedHand,
    SessionParticipation,
    SessionSeries,
    SessionSideStats,
)

__all__ = [
    "AgendaItem",
    "Answer",
    "Appeal",
    "AppealNotice",
    "BlockedTerm",
    "ButtonPress",
    "ConductText",
    "Delivery",
    "DialogueGroup",
    "DialogueSession",
    "Enrolment",
    "EnrolmentDraft",
    "ErasureRecord",
    "Excerpt",
    "FeedbackSettings",
    "FindTimeAnswer",
    "FindTimePoll",
    "GroupLanguage",
    "GroupMember",
    "GroupModerator",
    "Invite",
    "ModerationAction",
    "OrganizerGrant",
    "Person",
    "Program",
    "ProgramLanguage",
    "RaisedHand",
    "Receipt",
    "ReleasedFigures",
    "Report",
    "ReportNotice",
    "ReportReporter",
    "Response",
    "RuleSet",
    "SessionParticipation",
    "SessionSeries",
    "SessionSideStats",
    "Side",
    "Survey",
    "SurveyInstance",
    "SurveyInvitation",
    "SurveyItem",
    "SurveyItemText",
]
