"""The conduct rule set as the organizer reads it (inside the reader's locale): callback codes,
the panel, prompts and lines."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import BridgeContext
from bot.domain.conduct import Ladder
from bot.features.moderation import rules as rules_service
from bot.features.moderation.common import step_text
from bot.handlers.callbacks import sign, version_tag
from bot.i18n import N_, _, current_locale, language_name, ngettext

# Callback actions (signed for the organizer / moderator; prefix "Mc" = moderation conduct).
PICK, EDIT, CYCLE, GROUP_DOMAINS = "Mcp", "Mce", "Mcc", "Mcd"
AWAIT = "moderation.conduct"
EDIT_KEYS = ("ladder", "expiry", "flood", "raid", "domains", "terms")
CYCLE_KEYS = ("links", "forwards")
CYCLE_SETTINGS = {"links": "link_policy", "forwards": "forwards_allowed"}
MAX_FILE_BYTES = rules_service.MAX_TERMS_FILE_BYTES
MAX_MESSAGE = 4096
EXAMPLE_LADDER = "warn, warn, mute 1h, mute 24h, remove"

LINK_LABELS = {
    "allow": N_("allowed"),
    "deny": N_("not allowed"),
    "allowlist": N_("only allowed sites"),
}


# ---- rendering (inside the reader's locale) ---------------------------------------------------------


def ladder_text(ladder: Ladder) -> str:
    return " → ".join(step_text(step) for step in ladder.steps)


def links_line(settings: Any) -> str:
    policy = settings["link_policy"]
    return _("Links: {policy}", policy=_(LINK_LABELS[policy]) if policy in LINK_LABELS else policy)


def domains_line(settings: Any) -> str:
    return _(
        "Allowed sites: {domains}",
        domains=", ".join(settings["allowed_domains"] or ()) or _("none yet"),
    )


def forwards_line(settings: Any) -> str:
    return _(
        "Forwards: {state}",
        state=_("allowed") if settings["forwards_allowed"] else _("not allowed"),
    )


def _counts_text(counts: dict[str, int]) -> str:
    here = current_locale()
    return ", ".join(
        _("{language}: {count}", language=language_name(loc, in_locale=here), count=n)
        for loc, n in counts.items()
    )


def terms_line(counts: dict[str, int]) -> str:
    if not counts:
        return _("Own blocked terms: none (the shipped lists apply)")
    return _("Own blocked terms: {counts}", counts=_counts_text(counts))


def panel_text(name: str, view: rules_service.ProgramRules) -> str:
    s = view.settings
    lines = [
        _("Conduct rules of {program}", program=name),
        _("Escalation ladder: {steps}", steps=ladder_text(view.ladder)),
        ngettext(
            "Warnings count for {n} day",
            "Warnings count for {n} days",
            view.expiry_days,
        ),
        _(
            "Flood limit: {count} messages in {seconds} s",
            count=s["flood_messages"],
            seconds=s["flood_seconds"],
        ),
        _(
            "Raid limit: {count} messages in {seconds} s",
            count=s["raid_messages"],
            seconds=s["raid_seconds"],
        ),
        links_line(s),
    ]
    if s["link_policy"] == "allowlist":
        lines.append(domains_line(s))
    lines += [forwards_line(s), terms_line(dict(view.term_counts))]
    if view.overrides:
        lines.append(
            ngettext(
                "{n} group has changed some of these for itself in /settings: {groups}",
                "{n} groups have changed some of these for themselves in /settings: {groups}",
                len(view.overrides),
                groups=", ".join(o.name for o in view.overrides),
            )
        )
    lines += [
        "",
        _("Press a button to change a rule. Every change is recorded in the moderation log."),
    ]
    return "\n".join(lines)


def panel_keyboard(
    context: BridgeContext, user_id: int, program_id: int, view: rules_service.ProgramRules
) -> InlineKeyboardMarkup:
    secret = context.runtime.secret

    def button(label: str, action: str, key: str) -> list[InlineKeyboardButton]:
        # A cycling button carries the value it was drawn with (see callbacks.version_tag).
        tag = (version_tag(view.settings[CYCLE_SETTINGS[key]]),) if action == CYCLE else ()
        return [
            InlineKeyboardButton(
                label, callback_data=sign(secret, user_id, action, program_id, key, *tag)
            )
        ]

    rows = [
        button(_("Change the escalation ladder"), EDIT, "ladder"),
        button(_("Change how long warnings count"), EDIT, "expiry"),
        button(_("Change the flood limit"), EDIT, "flood"),
        button(_("Change the raid limit"), EDIT, "raid"),
        button(links_line(view.settings), CYCLE, "links"),
    ]
    if view.settings["link_policy"] == "allowlist":
        rows.append(button(_("Edit the allowed sites"), EDIT, "domains"))
    rows += [
        button(forwards_line(view.settings), CYCLE, "forwards"),
        button(_("Blocked terms"), EDIT, "terms"),
    ]
    return InlineKeyboardMarkup(rows)


def prompt(key: str, name: str, view: rules_service.ProgramRules) -> str:
    s = view.settings
    if key == "ladder":
        return _(
            "Send the new escalation ladder for {program}: the steps separated by commas, in order. "
            "Steps: warn, mute with a duration (mute 1h), remove, ban (ban 7d, or ban alone for "
            "good). A person's next offence gets the step after their active warnings and "
            "sanctions.\nFor example: {example}\nNow: {current}",
            program=name,
            example=EXAMPLE_LADDER,
            current=view.ladder.spec(),
        )
    if key == "expiry":
        return _(
            "How long should a warning or sanction count on the ladder? Send days, such as 30d, or "
            "weeks, such as 4w (at most 366 days).\nNow: {current}",
            current=f"{view.expiry_days}d",
        )
    if key == "flood":
        return _(
            "Send the flood limit for one person as messages/seconds: 5/10s means more than 5 "
            "messages within 10 seconds is flooding.\nNow: {current}",
            current=f"{s['flood_messages']}/{s['flood_seconds']}s",
        )
    if key == "raid":
        return _(
            "Send the raid limit for a whole group as messages/seconds: 20/10s means more than 20 "
            "messages within 10 seconds from everyone together is a raid.\nNow: {current}",
            current=f"{s['raid_messages']}/{s['raid_seconds']}s",
        )
    if key == "domains":
        return _(
            "Send the allowed sites separated by spaces or commas, for example: wikipedia.org, "
            "bbc.com (their subdomains are allowed too). Send - to empty the list.\nNow: {current}",
            current=" ".join(s["allowed_domains"] or ()) or "-",
        )
    return _(
        "The program's own blocked terms, added to the lists shipped for every language.\n{counts}\n\n"
        "To add: add ru term1, term2\nTo remove: remove ru term1\nTo see them: list ru\n"
        "Or send a .txt file with one term per line and the language code as its caption "
        "(remove ru in the caption removes them). A term ending in * also matches its inflected "
        "forms. Language codes: {codes}",
        counts=terms_line(dict(view.term_counts)),
        codes=", ".join(rules_service.SHIPPED_LANGUAGES),
    )
