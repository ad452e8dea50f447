"""Everything the pairs feature says, in the reader's language (``_()`` at render time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.i18n import N_, _, current_locale, language_name

PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("pairs", N_("weekly talks with someone from another side")),
    ("endpair", N_("end this week's conversation")),
)
ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = ()
GROUP_COMMANDS: tuple[tuple[str, str], ...] = ()
MODERATOR_COMMANDS: tuple[tuple[str, str], ...] = ()

# The shipped suggested questions (a program file may give its own list, translated).
QUESTIONS = (
    N_("What is a place in your country you would like your partner to see, and why?"),
    N_(
        "What is something about your everyday life that people on the other side might not expect?"
    ),
    N_("What made you join this program?"),
    N_("Which food, song or book from home would you share with your partner?"),
    N_("What do you hope people on both sides will understand about each other in ten years?"),
)

ERROR_MESSAGES: dict[str, str] = {
    "pairs_not_enrolled": N_(
        "Weekly pairs are for participants of a program: open your invite link first."
    ),
    "pairs_one_side": N_(
        "{program} has only one side, so there is nobody from another side to pair you with."
    ),
    "pairs_disabled": N_("{program} does not run weekly pairs."),
    "pairs_pair_over": N_("This conversation is over."),
    "pairs_not_in": N_("You are not in the weekly pairs. /pairs on joins them."),
    "pairs_bad_waking_hours": N_(
        "I can't read the waking hours {text}. Write them like 08:00-22:00."
    ),
    "pairs_bad_interval": N_("Pairs can be formed every {minimum} to {maximum} days."),
    "pairs_bad_question": N_("A question can be at most {limit} characters long."),
}

SHARE_BUTTON = N_("🙋 Share my name")
END_BUTTON = N_("End conversation")
JOIN_BUTTON = N_("🤝 Weekly partner from another side")
LEAVE_BUTTON = N_("Leave the weekly pairs")
YES_BUTTON = N_("Yes, we talked")
NO_BUTTON = N_("No")


def question_text(question: Mapping[str, str] | int, default_locale: str | None = None) -> str:
    if isinstance(question, int):
        return _(QUESTIONS[question % len(QUESTIONS)])
    locale = current_locale()
    return (
        question.get(locale)
        or (question.get(default_locale) if default_locale else None)
        or next(iter(question.values()), "")
    )


def languages_text(locales: Sequence[str]) -> str:
    return ", ".join(language_name(locale) for locale in locales)


def intro(side: str, languages: Sequence[str], question: str, replaced: bool) -> str:
    text = _(
        "🤝 This week you are paired with someone from {side}. You can both talk in {languages}.\n\n"
        "A question to start with: {question}\n\n"
        "Write here and I will pass your text messages on. Your names stay hidden unless you both "
        "press «Share my name».",
        side=side,
        languages=languages_text(languages),
        question=question,
    )
    if replaced:
        text = _("Last week's conversation has ended.") + "\n\n" + text
    return text


def sat_out(no_match: bool) -> str:
    if no_match:
        return _(
            "No partner for you this week: nobody from another side who shares a language with you "
            "and is awake at the same hours has joined yet. /pairs lets you add languages you can "
            "talk in."
        )
    return _(
        "No partner for you this week: everyone who could talk with you is already paired. You "
        "will be among the first next week."
    )


def relayed(text: str) -> str:
    return _("💬 Your partner: {text}", text=text)


def status(
    program: str,
    opted_in: bool,
    languages: Sequence[str],
    partner_side: str | None,
) -> str:
    if not opted_in:
        return _(
            "Each week I can introduce you to someone from another side of {program} for a "
            "one-to-one conversation in private. Your name stays hidden unless you both agree.",
            program=program,
        )
    lines = [
        _(
            "You take part in the weekly cross-border pairs of {program}. Languages you can talk "
            "in: {languages}.",
            program=program,
            languages=languages_text(languages),
        )
    ]
    if partner_side:
        lines.append(
            _("This week's partner is from {side}; write here to talk to them.", side=partner_side)
        )
    lines.append(_("Press a language to add or remove it."))
    return "\n\n".join(lines)


def refused_content() -> str:
    return _("I can pass on only text messages to your partner; this one was not sent.")


def blocked_by_rules(rule: str) -> str:
    return _(
        "Your message was not passed on because it breaks the program's rules ({rule}). Please "
        "rephrase it.",
        rule=rule,
    )


def partner_unreachable() -> str:
    return _(
        "Your partner can no longer be reached, so this conversation has ended and your last "
        "message was not delivered. You will get a new partner in the next round."
    )


def partner_stopped() -> str:
    return _(
        "Your partner can no longer be reached, so this conversation has ended. You will get a "
        "new partner in the next round."
    )


def ended_by_me() -> str:
    return _("This conversation has ended; I will pass nothing more on.")


def ended_by_partner() -> str:
    return _(
        "Your partner has ended the conversation. Thank you for talking! You will get a new "
        "partner in the next round."
    )


def partner_left() -> str:
    return _(
        "Your partner has left the program, so this conversation has ended. You will get a new "
        "partner in the next round."
    )


def share_pending() -> str:
    return _("Noted. I will share your names as soon as your partner agrees too.")


def partner_wants_to_share() -> str:
    return _("Your partner would like to exchange names. Press «Share my name» if you agree.")


def shared(name: str, username: str | None) -> str:
    if username:
        return _(
            "You both agreed to share names. Your partner is {name} ({username}).",
            name=name,
            username=f"@{username}",
        )
    return _(
        "You both agreed to share names. Your partner is {name}; they have no Telegram username, "
        "so keep writing here.",
        name=name,
    )


def check_in(side: str) -> str:
    return _("A week ago you were paired with someone from {side}. Did you talk?", side=side)


def counted() -> str:
    return _("Thank you! Your answer was counted anonymously.")


def joined() -> str:
    return _("Done! You will get a partner from another side at the next pairing.")


def left() -> str:
    return _("You have left the weekly pairs. /pairs on brings you back.")


def usage() -> str:
    return _("Use /pairs on, /pairs off or /pairs status.")


def nothing_to_end() -> str:
    return _("You have no conversation to end.")
