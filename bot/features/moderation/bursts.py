"""Moderators hear privately about every flood or raid the filters handled: once per burst.

The group sees a notice and a flooder a DM as it happens; the moderators, who may not be watching
the chat, get one summary per burst after it ended (a limit window without removals): what was
removed, from whom, under which rule and when, in each moderator's language and time zone.
Bursts are tracked by the pure policy (bot/domain/conduct/policy.py); a job collects the finished
ones every few seconds. At shutdown bursts still open are not reported (memory only, like the
flood counters).
"""

from __future__ import annotations

import functools
import logging

from telegram.ext import Application

from bot.context import BridgeContext, runtime_of
from bot.domain.conduct import Rule
from bot.domain.conduct.policy import Burst
from bot.features.groups.lookup import GroupView
from bot.features.moderation import handlers as moderation
from bot.features.moderation import reports
from bot.i18n import _, format_datetime, ngettext
from bot.services import people

log = logging.getLogger(__name__)

JOB_NAME = "moderation:bursts"
EVERY_SECONDS = 5.0
_LISTED = 10  # senders named in a raid summary; the rest are counted


def summary(group: GroupView, burst: Burst, zone: str | None) -> str:
    """The moderator's notice, in the current locale; times in ``zone``."""
    rule = _(moderation.RULE_LABELS[burst.rule])
    start = format_datetime(burst.started, zone, width="short")
    end = format_datetime(burst.last, zone, width="short")
    lines = [
        ngettext(
            "🛡 In {group}, {rule}: I removed {count} message between {start} and {end}.",
            "🛡 In {group}, {rule}: I removed {count} messages between {start} and {end}.",
            burst.count,
            group=group.name,
            rule=rule,
            count=burst.count,
            start=start,
            end=end,
        )
    ]
    ranked = sorted(burst.removed.items(), key=lambda item: (-item[1], burst.names[item[0]]))
    named = ", ".join(f"{burst.names[sender]} ({count})" for sender, count in ranked[:_LISTED])
    rest = len(ranked) - _LISTED
    if rest > 0:
        named += " " + ngettext("and {count} other", "and {count} others", rest, count=rest)
    lines.append(_("Sent by: {people}", people=named))
    if burst.rule == Rule.FLOOD and burst.sanctioned is not None:
        lines.append(
            _(
                "It counts as one offence for {name}; the other messages were only removed.",
                name=burst.names[burst.sanctioned],
            )
        )
    else:
        lines.append(_("Nobody was sanctioned for it."))
    return "\n".join(lines)


async def _tell(context: BridgeContext, group: GroupView, burst: Burst) -> None:
    async with context.db() as db:
        recipients = await reports.recipients_for(db, group, exclude=set())
        zones = {}
        for recipient in recipients:
            person = await people.get(db, recipient.person_id)
            zones[recipient.person_id] = person.timezone if person else None
    for recipient in recipients:
        zone = zones[recipient.person_id] or "UTC"
        await moderation._dm(
            context,
            recipient.person_id,
            recipient.locale or group.languages[0],
            functools.partial(lambda z: (summary(group, burst, z), None), zone),
        )


async def report_bursts(application: Application) -> int:
    """Tell the moderators about every burst that ended by now; returns how many."""
    context = BridgeContext(application)
    now = runtime_of(application).clock()
    cache = application.bot_data.get(moderation.CACHE_KEY, {})
    told = 0
    for _loaded, conduct in list(cache.values()):
        if conduct is None:
            continue
        for burst in conduct.policy.finished_bursts(now):
            try:
                await _tell(context, conduct.group, burst)
            except Exception:  # one group's failure must not stop the others' summaries
                log.exception("could not tell the moderators of group %s", conduct.group.id)
            told += 1
    return told


async def _job(context: BridgeContext) -> None:
    await report_bursts(context.application)


def start(application: Application) -> None:
    queue = application.job_queue
    if queue is not None and not queue.get_jobs_by_name(JOB_NAME):
        queue.run_repeating(_job, interval=EVERY_SECONDS, first=EVERY_SECONDS, name=JOB_NAME)
