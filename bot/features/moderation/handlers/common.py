"""What the moderation handlers share here: callback codes, limits and the labels of rules,
sanctions and outcomes."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from bot.domain.conduct import Rule
from bot.features.moderation import ops
from bot.features.moderation import service as mod
from bot.features.moderation.common import SANCTION_LABELS
from bot.i18n import N_

log = logging.getLogger(__name__)

REPORT_CODES = {"d": "dismiss", "w": "warn", "m": "mute", "r": "remove"}
CACHE_TTL = 60.0
MAX_MESSAGE = 4096
QUOTE_LIMIT = 120
MODLOG_ROWS = 15
REPORT_MUTE = timedelta(hours=1)
_DURATION_LIKE = re.compile(r"^[-−–+]?\d")

RIGHT_LABELS = {ops.RIGHT_DELETE: N_("Delete messages"), ops.RIGHT_RESTRICT: N_("Ban users")}
# Translators: which conduct rule a removed message broke, after 'was removed:'
# (a noun phrase, lower case).
RULE_LABELS = {
    Rule.BLOCKED_TERM: N_("offensive or threatening words"),
    Rule.FLOOD: N_("flooding"),
    Rule.RAID: N_("a burst of messages"),
    Rule.LINK: N_("a link that is not allowed"),
    Rule.FORWARD: N_("a forwarded message"),
}
# Translators: what happened, as one line of the moderation log (/modlog) reads;
# short, lower case.
ACTION_LABELS = {
    **SANCTION_LABELS,
    mod.UNWARN: N_("warning withdrawn"),
    mod.UNMUTE: N_("unmuted"),
    mod.UNBAN: N_("unbanned"),
    mod.DELETE: N_("message deleted"),
    "report": N_("report"),
    "report_dismiss": N_("report dismissed"),
    "report_warn": N_("report: warned"),
    "report_mute": N_("report: muted"),
    "report_remove": N_("report: removed"),
    "appeal": N_("appeal"),
    "appeal_accepted": N_("appeal accepted"),
    "appeal_rejected": N_("appeal rejected"),
    "settings": N_("settings changed"),
}
# Translators: how a moderator decided on a report (past participle, lower case),
# after 'Already decided by {name}:'.
OUTCOME_LABELS = {
    "dismiss": N_("dismissed"),
    "warn": N_("warned"),
    "mute": N_("muted for 1 hour"),
    "remove": N_("removed from the group"),
}

# How an appeal ended, as the moderation log shows it.
APPEAL_OUTCOMES = {"accepted": N_("appeal accepted"), "rejected": N_("appeal rejected")}
APPEAL_PENDING = N_("appeal pending")
