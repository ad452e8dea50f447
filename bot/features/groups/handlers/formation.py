"""/formgroups: preview balanced groups, re-run with another seed, confirm."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BridgeContext
from bot.domain.grouping import FormationSpec, NoteCode, ProposedGroup, local_time_window
from bot.features.groups import service as groups
from bot.features.groups.handlers.common import (
    CHOOSE_PROGRAM,
    CONFIRM,
    MAX_PREVIEW_GROUPS,
    RERUN,
    SIZE_RANGE,
    _admin_ids,
    _clip,
)
from bot.features.groups.handlers.invitations import deliver_invitations
from bot.features.groups.service import Preview
from bot.features.programs import service as programs
from bot.handlers.callbacks import Payload, sign
from bot.handlers.common import reply
from bot.handlers.pickers import rows
from bot.handlers.texts import group_label, role_label
from bot.i18n import _, format_time, format_zone, language_name, ngettext
from bot.services import access

# ---- /formgroups -----------------------------------------------------------------------------------


def _parse_form_args(args: list[str]) -> tuple[str, FormationSpec]:
    """``[program] [min-max] [tracks|mixed]`` -> (program reference, spec). Raises bad_size_range."""
    low, high, tracks = 8, 12, False
    rest = []
    for arg in args:
        match = SIZE_RANGE.match(arg)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
        elif arg.lower() in ("tracks", "track"):
            tracks = True
        elif arg.lower() == "mixed":
            tracks = False
        else:
            rest.append(arg)
    return " ".join(rest), FormationSpec(min_size=low, max_size=high, separate_role_tracks=tracks)


async def formgroups(update: Update, context: BridgeContext) -> None:
    """/formgroups [program] [min-max] [tracks]: preview balanced groups."""
    user = update.effective_user
    assert user is not None
    ref, spec = _parse_form_args(list(context.args or []))
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context))
        if ref:
            program = await programs.find(db, ref)
            await access.require_organizer(db, user.id, _admin_ids(context), program.id)
            ids = [program.id]
        else:
            ids = await groups.organized_program_ids(db, user.id, _admin_ids(context))
        names = {pid: (await programs.get(db, pid)).name for pid in ids}
    if not ids:
        await reply(update, _("You have no programs yet. Create one with /newprogram."))
        return
    if len(ids) > 1:
        tracks = "t" if spec.separate_role_tracks else "m"
        buttons = [
            InlineKeyboardButton(
                names[pid][:60],
                callback_data=sign(
                    context.runtime.secret,
                    user.id,
                    CHOOSE_PROGRAM,
                    pid,
                    spec.min_size,
                    spec.max_size,
                    tracks,
                ),
            )
            for pid in ids
        ]
        await reply(
            update,
            _("Form groups for which program?"),
            reply_markup=InlineKeyboardMarkup(rows(buttons, 1)),
        )
        return
    await _show_preview(update, context, ids[0], spec, seed=1)


def _spec_from(payload: Payload, seed: int) -> FormationSpec:
    return FormationSpec(
        min_size=payload.number(1),
        max_size=payload.number(2),
        separate_role_tracks=payload.arg(3) == "t",
        seed=seed,
    )


async def _show_preview(
    update: Update, context: BridgeContext, program_id: int, spec: FormationSpec, seed: int
) -> None:
    user = update.effective_user
    assert user is not None
    spec = FormationSpec(spec.min_size, spec.max_size, spec.separate_role_tracks, seed)
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context), program_id)
        shown = await groups.preview(db, program_id, spec, context.clock())
    tracks = "t" if spec.separate_role_tracks else "m"
    secret = context.runtime.secret
    common = (program_id, spec.min_size, spec.max_size, tracks)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🔀 Re-run with another seed"),
                    callback_data=sign(secret, user.id, RERUN, *common, seed + 1),
                ),
                InlineKeyboardButton(
                    _("✅ Confirm"),
                    callback_data=sign(
                        secret, user.id, CONFIRM, *common, seed, shown.roster.fingerprint
                    ),
                ),
            ]
        ]
    )
    await reply(update, _clip(preview_text(shown, context.clock())), reply_markup=keyboard)


def _window_text(group: ProposedGroup, zone: str, now: datetime) -> str:
    window = local_time_window(m.utc_offset_minutes for m in group.members)
    if window is None:
        return _("No time of day when everyone is between 08:00 and 22:00 local time.")
    midnight = datetime.combine(now.date(), time(0), tzinfo=UTC)
    start = format_time(midnight + timedelta(minutes=window[0]), zone)
    end = format_time(midnight + timedelta(minutes=window[1]), zone)
    return _(
        "Everyone is between 08:00 and 22:00 local time from {start} to {end} ({zone}).",
        start=start,
        end=end,
        zone=format_zone(zone),
    )


def _languages_text(locales: tuple[str, ...] | list[str]) -> str:
    from bot.i18n import current_locale

    return ", ".join(language_name(loc, in_locale=current_locale()) for loc in locales)


def _group_preview(shown: Preview, index: int, group: ProposedGroup, now: datetime) -> str:
    roster = shown.roster
    sides = " · ".join(
        f"{roster.side_name(key)} {count}" for key, count in group.side_counts.items()
    )
    roles = " · ".join(f"{role_label(role)} {count}" for role, count in group.role_counts.items())
    lines = [
        ngettext(
            "{group}: {n} member", "{group}: {n} members", group.size, group=group_label(str(index))
        ),
        "  " + sides,
        "  " + roles,
    ]
    if group.shared_languages:
        lines.append(
            "  "
            + _("Shared languages: {languages}", languages=_languages_text(group.shared_languages))
        )
    else:
        lines.append("  " + _("No language is shared by every member."))
    lines.append("  " + _window_text(group, shown.program.timezone, now))
    return "\n".join(lines)


def _note_text(shown: Preview, code: str, params: dict) -> str:
    if code == NoteCode.SIZE_OUT_OF_RANGE:
        return _(
            "{participants} participants cannot all fit groups of {min_size} to {max_size}; the nearest "
            "possible sizes are {sizes}.",
            participants=params["participants"],
            min_size=params["min_size"],
            max_size=params["max_size"],
            sizes=", ".join(str(s) for s in params["sizes"]),
        )
    if code == NoteCode.NO_SHARED_LANGUAGE:
        return ngettext(
            "{group}: {n} member does not speak the group's main language.",
            "{group}: {n} members do not speak the group's main language.",
            len(params["members"]),
            group=group_label(str(int(params["group_index"]) + 1)),
        )
    return ngettext(
        "{n} participant speaks no language that anyone on another side speaks.",
        "{n} participants speak no language that anyone on another side speaks.",
        len(params["members"]),
    )


def preview_text(shown: Preview, now: datetime) -> str:
    formation, spec = shown.formation, shown.spec
    mode = (
        _("separate tracks for students and professionals")
        if spec.separate_role_tracks
        else _("roles mixed")
    )
    head = _(
        "Preview for {program}: {participants} participants in {groups} groups (sizes {min_size} to {max_size}, {mode}; seed {seed}).",
        program=shown.program.name,
        participants=len(shown.roster.members),
        groups=len(formation.groups),
        min_size=spec.min_size,
        max_size=spec.max_size,
        mode=mode,
        seed=spec.seed,
    )
    parts = [head]
    for index, group in enumerate(formation.groups[:MAX_PREVIEW_GROUPS], start=1):
        parts.append(_group_preview(shown, index, group, now))
    hidden = len(formation.groups) - MAX_PREVIEW_GROUPS
    if hidden > 0:
        parts.append(ngettext("…and {n} more group.", "…and {n} more groups.", hidden))
    if formation.notes:
        parts.append(
            "\n".join(
                "⚠️ " + _note_text(shown, note.code, dict(note.params)) for note in formation.notes
            )
        )
    parts.append(
        _("Confirm to create these groups, or re-run for another equally balanced arrangement.")
    )
    return "\n\n".join(parts)


async def on_choose_program(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=None)
    await _show_preview(update, context, payload.number(0), _spec_from(payload, 1), seed=1)


async def on_rerun(update: Update, context: BridgeContext, payload: Payload) -> None:
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=None)
    seed = payload.number(4)
    await _show_preview(update, context, payload.number(0), _spec_from(payload, seed), seed=seed)


async def on_confirm(update: Update, context: BridgeContext, payload: Payload) -> None:
    user = update.effective_user
    query = update.callback_query
    assert user is not None and query is not None
    program_id, seed, fingerprint = payload.number(0), payload.number(4), payload.arg(5)
    async with context.db() as db:
        await access.require_organizer(db, user.id, _admin_ids(context), program_id)
        created = await groups.confirm(
            db, program_id, _spec_from(payload, seed), fingerprint, context.clock()
        )
        program = await programs.get(db, program_id)
    await query.edit_message_reply_markup(reply_markup=None)
    lines = [
        ngettext(
            "Created {n} dialogue group for {program}.",
            "Created {n} dialogue groups for {program}.",
            len(created),
            program=program.name,
        ),
        _(
            "For each group: create a Telegram group, add me as an administrator (delete messages, restrict "
            "and ban members, invite users, pin messages) and send /link CODE there."
        ),
    ]
    lines += [
        _("{group}: code {code}", group=group_label(g.name), code=g.link_code) for g in created
    ]
    await reply(update, _clip("\n".join(lines)))
    for group in created:
        await deliver_invitations(context.application, group.id)
