"""How sessions read, in the reader's language and zone: shared by the session handlers and the
session jobs (which call these inside ``use_locale`` / ``render_blocks``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from babel.lists import format_list

from bot.domain.scheduling import Occurrence
from bot.domain.scheduling.zones import ZoneLocalTime
from bot.features.sessions.participation import Balance
from bot.features.sessions.service import SessionView
from bot.handlers.texts import group_label
from bot.i18n import (
    _,
    current_locale,
    format_date,
    format_datetime,
    format_number,
    format_time,
    format_zone,
    ngettext,
)
from bot.services.people import Recipient


def when(moment: datetime, zone: str | None) -> str:
    """Babel's long form in the reader's locale: "Tuesday, 3 March 2026, 19:00 (Yerevan Time)"."""
    return format_datetime(moment, zone or "UTC")


def duration_text(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _(
            "{hours} and {minutes}",
            hours=ngettext("{n} hour", "{n} hours", hours),
            minutes=ngettext("{n} minute", "{n} minutes", rest),
        )
    if hours:
        return ngettext("{n} hour", "{n} hours", hours)
    return ngettext("{n} minute", "{n} minutes", rest)


def agenda_lines(session: SessionView, *, mark: int | None = None) -> list[str]:
    lines = []
    for item in session.agenda:
        marker = (
            "▶"
            if mark is not None and item.position == mark
            else ("✓" if mark is not None and item.position < mark else "•")
        )
        lines.append(
            _(
                "{marker} {position}. {title} ({minutes})",
                marker=marker,
                position=item.position + 1,
                title=item.title,
                minutes=ngettext("{n} minute", "{n} minutes", item.minutes),
            )
        )
    return lines


def session_line(session: SessionView, zone: str | None, group_name: str | None = None) -> str:
    if group_name:
        return _(
            "• {when} — {title} ({group}, {length})",
            when=when(session.starts_at, zone),
            title=session.title,
            group=group_label(group_name),
            length=duration_text(session.duration),
        )
    return _(
        "• {when} — {title} ({length})",
        when=when(session.starts_at, zone),
        title=session.title,
        length=duration_text(session.duration),
    )


def local_times(times: Sequence[ZoneLocalTime]) -> list[str]:
    lines = []
    for item in times:
        places = ", ".join(format_zone(z) for z in item.zones)
        lines.append(
            _("{time} — {places}", time=format_time(item.local, item.zones[0]), places=places)
        )
    return lines


def relative(start: datetime, now: datetime) -> str:
    minutes = max(1, round((start - now).total_seconds() / 60))
    if minutes >= 120 and minutes % 60 in (0, 59, 1):
        return ngettext("in {n} hour", "in {n} hours", round(minutes / 60))
    if minutes >= 60 and minutes % 60 == 0:
        return ngettext("in {n} hour", "in {n} hours", minutes // 60)
    return ngettext("in {n} minute", "in {n} minutes", minutes)


def requested_time(local: datetime) -> str:
    """A wall-clock reading as typed (it may not exist in its zone, e.g. on a DST-gap night)."""
    return format_time(datetime.combine(local.date(), local.time(), tzinfo=UTC), "UTC")


def format_names(names: Sequence[str]) -> str:
    """ "Ani, Olga and Noa" in the reader's language (Babel's list pattern)."""
    return format_list(list(names), locale=current_locale())


def offsets_text(offsets: Sequence[timedelta]) -> str:
    """ "24 hours and 1 hour" in the reader's language (Babel's list pattern)."""
    return format_list([duration_text(o) for o in offsets], locale=current_locale())


def draft_summary(
    *,
    group_name: str,
    title: str,
    zone: str,
    occurrences: Sequence[Occurrence],
    requested: datetime,
    duration: timedelta,
    agenda: Sequence[tuple[str, int]],
    weeks: int,
) -> str:
    """What /newsession is about to create, in the creator's language and zone, before Confirm."""
    first = occurrences[0]
    lines = [
        _("Please check the new session for {group}:", group=group_label(group_name)),
        _("Title: {title}", title=title),
        _("Starts: {when}", when=when(first.start_utc, zone)),
        _("Length: {length}", length=duration_text(duration)),
    ]
    if agenda:
        lines.append(_("Agenda:"))
        lines += [
            _(
                "• {position}. {title} ({minutes})",
                position=i,
                title=item_title,
                minutes=ngettext("{n} minute", "{n} minutes", minutes),
            )
            for i, (item_title, minutes) in enumerate(agenda, start=1)
        ]
    else:
        lines.append(_("Agenda: none"))
    if weeks == 0:
        lines.append(_("Repeats: no, this is a single session."))
    else:
        every = (
            _("every week") if weeks == 1 else ngettext("every {n} week", "every {n} weeks", weeks)
        )
        lines.append(
            ngettext(
                "Repeats {every}: {n} session in all, the last on {last}.",
                "Repeats {every}: {n} sessions in all, the last on {last}.",
                len(occurrences),
                every=every,
                last=when(occurrences[-1].start_utc, zone),
            )
        )
    for moved in occurrences:
        if moved.adjusted:
            lines.append(
                _(
                    "Note: on {day} the clocks change and {time} does not exist there; that session "
                    "starts at {when}.",
                    day=format_date(moved.local_start.date()),
                    time=requested_time(requested),
                    when=when(moved.start_utc, zone),
                )
            )
    lines.append("")
    lines.append(_("Nothing is saved until you tap Confirm."))
    return "\n".join(lines)


# ---- to one person -------------------------------------------------------------------------------------


def reminder(session: SessionView, recipient: Recipient, group_name: str, now: datetime) -> str:
    zone = recipient.zone or session.zone
    return _(
        "⏰ Reminder: {title} with {group} starts {relative}, on {when}.",
        title=session.title,
        group=group_label(group_name),
        relative=relative(session.starts_at, now),
        when=when(session.starts_at, zone),
    )


def announced(sessions: Sequence[SessionView], recipient: Recipient, group_name: str) -> str:
    first = sessions[0]
    zone = recipient.zone or first.zone
    text = _(
        "📅 New session for {group}: {title}, {when} ({length}).",
        group=group_label(group_name),
        title=first.title,
        when=when(first.starts_at, zone),
        length=duration_text(first.duration),
    )
    if len(sessions) > 1:
        text += "\n" + ngettext(
            "It repeats: {n} sessions in all, the last on {last}.",
            "It repeats: {n} sessions in all, the last on {last}.",
            len(sessions),
            last=when(sessions[-1].starts_at, zone),
        )
    return text + "\n" + _("/schedule lists your sessions; /calendar gives you a calendar file.")


def announced_group(sessions: Sequence[SessionView]) -> str:
    first = sessions[0]
    text = _(
        "📅 New session: {title}, {when}.",
        title=first.title,
        when=when(first.starts_at, first.zone),
    )
    if len(sessions) > 1:
        text += " " + ngettext("{n} session in all.", "{n} sessions in all.", len(sessions))
    return text + " " + _("/session shows the local times.")


def rescheduled(
    before: SessionView, after: SessionView, recipient: Recipient, group_name: str
) -> str:
    zone = recipient.zone or after.zone
    return _(
        "🔁 {title} ({group}) has moved: it was {old}, it is now {new}.",
        title=after.title,
        group=group_label(group_name),
        old=when(before.starts_at, zone),
        new=when(after.starts_at, zone),
    )


def edited(before: SessionView, after: SessionView, recipient: Recipient, group_name: str) -> str:
    zone = recipient.zone or after.zone
    return _(
        "✏️ A session of {group} was changed: {title}, {when}, {length}.",
        group=group_label(group_name),
        title=after.title,
        when=when(after.starts_at, zone),
        length=duration_text(after.duration),
    )


def cancelled(session: SessionView, recipient: Recipient, group_name: str) -> str:
    zone = recipient.zone or session.zone
    return _(
        "❌ {title} ({group}) on {when} is cancelled.",
        title=session.title,
        group=group_label(group_name),
        when=when(session.starts_at, zone),
    )


def half_time_nudge(session: SessionView) -> str:
    return _(
        "Hello! We are halfway through {title}. Your view matters to this group: whenever you are ready, "
        "even one sentence is welcome. You can also type /hand in the group to ask for the floor.",
        title=session.title,
    )


def balance_summary(session: SessionView, numbers: Balance) -> str:
    lines = [_("Half time in {title}: how the sides are heard so far.", title=session.title)]
    for side in numbers.sides:
        lines.append(
            _(
                "• {side}: {words} of the words, {present} of the members present ({here} of {members})",
                side=side.side_name,
                words=format_percent(side.word_share),
                present=format_percent(side.present_share),
                here=side.present,
                members=side.members,
            )
        )
    if numbers.quietest:
        lines.append(_("Quietest so far: {names}", names=", ".join(numbers.quietest)))
    if numbers.silent:
        lines.append(
            ngettext(
                "{n} member has not written yet and got a gentle private nudge.",
                "{n} members have not written yet and got a gentle private nudge.",
                len(numbers.silent),
            )
        )
    return "\n".join(lines)


def not_reached(session: SessionView, names: Sequence[tuple[str, str | None]]) -> str:
    """To moderators: who no reminder reached, each with the reason Telegram gave."""
    lines = [
        _(
            "{title}: my reminders did not reach these members. Please let them know another way.",
            title=session.title,
        )
    ]
    lines += [
        _("• {name}: {reason}", name=name, reason=delivery_reason(reason)) for name, reason in names
    ]
    return "\n".join(lines)


def delivery_reason(reason: str | None) -> str:
    """A failed delivery's reason (bot.domain.delivery.Reason) as a moderator reads it."""
    if reason == "blocked":
        return _("blocked the bot")
    if reason == "not_started":
        return _("has not started a chat with the bot")
    if reason == "deactivated":
        return _("deleted their Telegram account")
    if reason == "chat_gone":
        return _("the chat is no longer available")
    return _("Telegram refused the message")


def format_percent(share: float) -> str:
    return _("{value}%", value=format_number(round(share * 100)))


# ---- to the group (called once per group language) -----------------------------------------------------


def opening(session: SessionView) -> str:
    lines = [_("🟢 {title} is open. Welcome, everyone!", title=session.title)]
    if session.agenda:
        lines.append(_("Agenda:"))
        lines += agenda_lines(session, mark=0)
    lines.append(
        _(
            "Reminder: speak for yourself, listen to understand, and respect everyone. /rules has the full code."
        )
    )
    lines.append(_("Type /hand to ask for the floor."))
    return "\n".join(lines)


def agenda_item(session: SessionView, position: int) -> str:
    item = session.agenda[position]
    return _(
        "➡️ Next on the agenda ({position} of {total}): {title} ({minutes})",
        position=position + 1,
        total=len(session.agenda),
        title=item.title,
        minutes=ngettext("{n} minute", "{n} minutes", item.minutes),
    )


def closing(session: SessionView, attendees: int) -> str:
    return "\n".join(
        [
            _("🔴 {title} is closed. Thank you all for taking part!", title=session.title),
            ngettext("{n} person took part.", "{n} people took part.", attendees),
        ]
    )


def group_changed(before: SessionView, after: SessionView, kind: str) -> str:
    if kind == "cancelled":
        return _(
            "❌ {title} on {when} is cancelled.",
            title=before.title,
            when=when(before.starts_at, before.zone),
        )
    if kind == "rescheduled":
        return _(
            "🔁 {title} has moved to {when}. Each of you got the new time in your own time zone.",
            title=after.title,
            when=when(after.starts_at, after.zone),
        )
    return _(
        "✏️ Session changed: {title}, {when}, {length}.",
        title=after.title,
        when=when(after.starts_at, after.zone),
        length=duration_text(after.duration),
    )


def next_session(session: SessionView, times: Sequence[ZoneLocalTime]) -> str:
    lines = [
        _(
            "Next session: {title} ({length})",
            title=session.title,
            length=duration_text(session.duration),
        )
        if session.status != "open"
        else _("Now: {title} is open.", title=session.title),
        when(session.starts_at, session.zone),
        _("Local times:"),
        *local_times(times),
    ]
    return "\n".join(lines)
