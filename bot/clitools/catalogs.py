"""The translation catalogs as translation tools take them: one ``.pot``, one ``.po`` per locale.

Format (what Weblate, Pontoon and Poedit read as they are; docs/TRANSLATING.md):

- every entry carries its source references (``#: bot/handlers/profile.py:84``), the comments the
  source gives translators (``# Translators: ...`` right above or on the line of the ``_()`` call,
  extracted by Babel's comment tags) and generated notes (``#.``): one per ``{placeholder}``
  saying what the bot puts there, and for short strings where they appear (a button, a command
  menu, a report);
- ``#, python-brace-format`` on every message with a placeholder (Weblate checks them);
- the review state: a translation is *drafted* until a reviewer marks it with the translator
  comment ``# reviewed: <fingerprint>`` (``bridgebot i18n review``); the fingerprint is that of the
  reviewed text, so a translation edited afterwards, in any tool, counts as drafted again. A
  bare ``# reviewed`` written by hand is pinned to the text on the next ``bridgebot i18n update``.
  ``#, fuzzy`` keeps its gettext meaning, "needs editing" in every tool: never shown to a reader;
- entries sorted by message, lines wrapped at 76 columns.

This module needs only Babel and the standard library, so the helper scripts outside the
repository (add_msgs.py, po_merge.py) load it by path and write the same format.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

DOMAIN = "bridgebot"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
COMMENT_TAGS = ("Translators:",)
WIDTH = 76
REVIEWED = "reviewed"
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
# A string this short (in words, placeholders aside) says little about where it appears.
SHORT_WORDS = 3

# What the bot puts in a placeholder, by name: the note translators read beside the message.
PLACEHOLDER_NOTES = {
    "n": "a number (written with the reader's digits and separators); the plural form follows it",
    "count": "a number",
    "total": "a number: the total",
    "k": "a number: the smallest group of answers ever shown (anonymity threshold)",
    "k_comments": "a number: the smallest set of comments ever shown",
    "group": "the name of a dialogue group, as its organizers wrote it (any script)",
    "groups": "names of dialogue groups, separated by commas",
    "program": "the name of a program, as its organizers wrote it (any script)",
    "name": "a person's name as Telegram gives it (any script), or a name given by organizers",
    "names": "names of people, separated by commas",
    "person": "a person's name as Telegram gives it (any script)",
    "moderator": "a moderator's name as Telegram gives it",
    "actor": "the name of the person who did it",
    "by": "the name of the person who did it",
    "username": "a Telegram @username",
    "title": "the title of a session, as a moderator wrote it",
    "session": "the title of a session",
    "language": "a language's name, in that language (e.g. Հայերեն)",
    "languages": "names of languages, separated by commas",
    "side": "the name of a side of the program (e.g. a country), as organizers wrote it",
    "sides": "names of sides, separated by commas",
    "zone": "a time zone's name in the reader's language, e.g. 'Armenia Time' or 'Eastern "
    "European Summer Time' (it may already contain the word 'time')",
    "when": "a date and time in the reader's language and zone, e.g. 'Tuesday, 3 March 2026, "
    "19:00 (Armenia Time)'",
    "date": "a date in the reader's language",
    "day": "a date in the reader's language",
    "time": "a time of day, or a date and time, in the reader's language and zone",
    "start": "a date or time: the start",
    "end": "a date or time: the end",
    "first": "a date and time: the first one",
    "last": "a date and time: the last one",
    "relative": "how far ahead, already worded, e.g. 'in 1 hour' / 'tomorrow'",
    "duration": "a length of time, already worded, e.g. '2 hours'",
    "length": "a length of time, already worded, e.g. '90 minutes'",
    "minutes": "a number of minutes, already worded, e.g. '10 min'",
    "seconds": "a number of seconds",
    "hours": "a number of hours",
    "limit": "a number: the most allowed",
    "maximum": "a number: the most allowed",
    "minimum": "a number: the fewest allowed",
    "min_size": "a number: the smallest group size",
    "max_size": "a number: the largest group size",
    "members": "a number of group members",
    "participants": "a number of participants",
    "answered": "a number of people who answered",
    "present": "a number of members present",
    "invited": "a number of people invited",
    "position": "a number: the place in a list",
    "index": "a number: the place in a list",
    "line": "a line number, or a line of text quoted from the input",
    "text": "text quoted from what the person typed (any language)",
    "quote": "text quoted from the removed message (any language)",
    "excerpt": "text quoted from a message (any language)",
    "reason": "a reason, already translated",
    "rule": "a conduct rule, already translated",
    "sanction": "a sanction, already worded, e.g. 'muted for 1 hour'",
    "command": "a bot command such as /warn (keep it as it is)",
    "code": "a code to type as it is (Latin letters and digits)",
    "id": "a number that identifies a record",
    "key": "the key of a survey item or setting (Latin letters, kept as it is)",
    "field": "the name of a setting in the program file (kept as it is)",
    "setting": "the name of a setting (kept as it is)",
    "value": "a value from the program file",
    "old": "the value before",
    "new": "the value after",
    "kind": "a kind of survey or item (a code word, kept as it is)",
    "role": "a role, already translated (e.g. Student)",
    "state": "on / off, already translated",
    "policy": "a link policy, already translated",
    "outcome": "what was decided, already translated",
    "error": "a description of an error",
    "detail": "a technical description of the error",
    "details": "a list of details, already translated",
    "mean": "a number: an average",
    "low": "a number: the lower end of the 95% confidence interval",
    "high": "a number: the upper end of the 95% confidence interval",
    "diff": "a number: the change (after minus before)",
    "d": "a number: Cohen's d (effect size)",
    "n_pre": "a number of answers before",
    "n_post": "a number of answers after",
    "construct": "the name of a measured scale, already translated",
    "share": "a percentage, already formatted",
    "words": "a number of words",
    "spoke": "a number of members who spoke",
    "here": "a number of members present",
    "label": "a label, already translated",
    "marker": "a symbol marking the current item (▶ or •)",
    "star": "a star symbol marking the best choice, or nothing",
    "place": "a number: the place in a ranking",
    "slots": "a number of proposed times",
    "rights": "administrator rights, already translated, separated by commas",
    "right": "an administrator right, already translated",
    "every": "how often it repeats, already worded (e.g. 'weekly')",
    "item": "the key of a survey item",
    "choices": "the possible values, separated by commas",
    "ref": "what the person typed to name a group",
    "who": "what the person typed to name someone (e.g. @user)",
    "what": "the title or description of a survey",
    "source": "the name of a dialogue group (from)",
    "target": "the name of a dialogue group (to)",
}


@dataclass
class Source:
    """One message as the source code has it."""

    id: str | tuple[str, str]
    locations: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    uses: set[str] = field(default_factory=set)
    fills: dict[str, str] = field(default_factory=dict)  # placeholder -> source expression
    places: list[str] = field(default_factory=list)  # "ACTION_LABELS['ban']", "settings_text()"

    def notes(self) -> list[str]:
        notes = list(dict.fromkeys(self.comments))
        text = " ".join(self.id) if isinstance(self.id, tuple) else self.id
        words = PLACEHOLDER.sub("", text).split()
        if len(words) <= SHORT_WORDS:
            for use in sorted(self.uses):
                notes.append(_USE_NOTES[use])
            if not self.comments and not self.uses and self.places:
                notes.append("Used in " + ", ".join(sorted(set(self.places))[:3]) + ".")
        for name in sorted(dict.fromkeys(placeholders(text))):
            label = "{" + name + "}"
            if not name:
                continue
            meaning = PLACEHOLDER_NOTES.get(name)
            if meaning is None:
                expression = self.fills.get(name)
                meaning = "a value the bot fills in" + (
                    f" (in the source: {expression})" if expression else ""
                )
            notes.append(f"{label}: {meaning}. Keep {label} as it is.")
        return notes


_USE_NOTES = {
    "button": "A button label: keep it short (a phone shows about 20 characters).",
    "menu": "A command's description in Telegram's command menu (after /command): a short "
    "phrase, lower case.",
    "report": "A label in the organizers' evaluation report (HTML, CSV or chart).",
    "error": "An error message shown in reply to something the person typed.",
}


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


# ---- extraction -----------------------------------------------------------------------------------


def extract(root: Path) -> dict[str, Source]:
    """Every translatable message under ``root/bot``, with locations, comments and uses."""
    found: dict[str, Source] = {}
    for filename, lineno, message, comments, _context in extract_from_dir(
        str(root / "bot"),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=False,
    ):
        message_id = message if isinstance(message, str) else tuple(message)
        entry = found.setdefault(_key(message_id), Source(message_id))
        entry.locations.append((f"bot/{Path(filename).as_posix()}", lineno))
        if comments:
            entry.comments.append(" ".join(c.strip() for c in comments))
    for path in sorted((root / "bot").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        text = path.read_text("utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        lines = text.splitlines()
        for message_id, uses, fills, place, statement in _call_sites(tree, relative):
            entry = found.get(message_id)
            if entry is not None:
                entry.uses |= uses
                if place:
                    entry.places.append(place)
                entry.comments.extend(_block_comment(lines, statement))
                for name, expression in fills.items():
                    entry.fills.setdefault(name, expression)
    return found


def _call_sites(
    tree: ast.AST, relative: str
) -> Iterator[tuple[str, set[str], dict[str, str], str | None, int]]:
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in KEYWORDS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            continue
        uses: set[str] = set()
        if relative.startswith("bot/reports/"):
            uses.add("report")
        place = _place(node, parents)
        up = parents.get(node)
        for _ in range(4):
            if up is None:
                break
            if isinstance(up, ast.Call):
                name = (
                    up.func.attr
                    if isinstance(up.func, ast.Attribute)
                    else getattr(up.func, "id", "")
                )
                if name in ("InlineKeyboardButton", "button") or name.endswith("_button"):
                    uses.add("button")
            if isinstance(up, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith("_COMMANDS") for t in up.targets
            ):
                uses.add("menu")
            if isinstance(up, ast.AnnAssign) and getattr(up.target, "id", "").endswith("_COMMANDS"):
                uses.add("menu")
            up = parents.get(up)
        fills = {kw.arg: ast.unparse(kw.value)[:60] for kw in node.keywords if kw.arg is not None}
        statement = node
        while parents.get(statement) is not None and not isinstance(statement, ast.stmt):
            statement = parents[statement]
        yield node.args[0].value, uses, fills, place, getattr(statement, "lineno", 0)


def _block_comment(lines: list[str], lineno: int) -> list[str]:
    """A ``# Translators:`` comment right above a statement (a table of labels) covers every
    message in it; Babel's own comment tags cover only the message right below the comment."""
    block: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        block.insert(0, lines[index].strip().lstrip("#").strip())
        index -= 1
    for start, line in enumerate(block):
        if line.startswith(COMMENT_TAGS):
            return [" ".join(block[start:])]
    return []


def _place(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    """Where a message sits, for a translator: the dict entry, constant or function holding it."""
    key = found = None
    child, up = node, parents.get(node)
    while up is not None:
        if isinstance(up, ast.Dict) and key is None and child in up.values:
            k = up.keys[up.values.index(child)]
            if k is not None:
                key = ast.unparse(k)[:40]
        if isinstance(up, ast.Assign | ast.AnnAssign):
            targets = up.targets if isinstance(up, ast.Assign) else [up.target]
            names = [ast.unparse(t) for t in targets]
            if names and found is None:
                found = f"{names[0]}[{key}]" if key else names[0]
        if isinstance(up, ast.FunctionDef | ast.AsyncFunctionDef):
            return f"{found} in {up.name}()" if found else f"{up.name}()"
        child, up = up, parents.get(up)
    return found


# ---- reading and writing --------------------------------------------------------------------------


def load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, abort_invalid=False)


def dump(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, sort_output=True)
    return buffer.getvalue()


def save(path: Path, catalog: Catalog) -> bool:
    """Write ``catalog`` in the canonical format; True when the file changed."""
    data = dump(catalog)
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def template_path(locales: Path) -> Path:
    return locales / f"{DOMAIN}.pot"


def po_paths(locales: Path) -> list[Path]:
    return sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


# ---- review state ---------------------------------------------------------------------------------


def fingerprint(string: str | tuple[str, ...] | list[str]) -> str:
    forms = (string,) if isinstance(string, str) else tuple(string)
    return hashlib.sha256("\x00".join(forms).encode()).hexdigest()[:8]


def is_translated(message: Message) -> bool:
    string = message.string
    forms = string if isinstance(string, tuple | list) else (string,)
    return bool(forms) and all(forms)


def _review_marks(message: Message) -> list[str]:
    return [c for c in message.user_comments if c.strip().split(":")[0].strip() == REVIEWED]


def state(message: Message | None) -> str:
    """``missing``, ``needs editing`` (fuzzy), ``drafted`` or ``reviewed``."""
    if message is None or not is_translated(message):
        return "missing"
    if message.fuzzy:
        return "needs editing"
    expected = fingerprint(message.string)
    for mark in _review_marks(message):
        _, _, pinned = mark.partition(":")
        if pinned.strip() in ("", expected):
            return "reviewed"
    return "drafted"


def mark_reviewed(message: Message) -> None:
    keep = [c for c in message.user_comments if c not in _review_marks(message)]
    message.user_comments = [*keep, f"{REVIEWED}: {fingerprint(message.string)}"]


def pin_reviews(catalog: Catalog) -> None:
    """A bare ``# reviewed`` (written by hand) is pinned to the text it was written beside."""
    for message in catalog:
        if message.id and any(m.strip() == REVIEWED for m in _review_marks(message)):
            if is_translated(message) and not message.fuzzy:
                mark_reviewed(message)


def carry_review(source: Message, target: Message) -> None:
    """``target`` (derived from ``source``, e.g. sr_Latn from sr) is reviewed when ``source`` is."""
    keep = [c for c in source.user_comments if c not in _review_marks(source)]
    target.user_comments = keep
    if state(source) == "reviewed" and is_translated(target):
        mark_reviewed(target)


# ---- keeping catalogs in step with the source ----------------------------------------------------


def _flags(message_id: str | tuple[str, ...]) -> set[str]:
    texts = (message_id,) if isinstance(message_id, str) else message_id
    return {"python-brace-format"} if any("{" in t for t in texts) else set()


def sync(
    catalog: Catalog,
    sources: dict[str, Source],
    *,
    add_missing: bool,
    prune: bool,
    template: bool = False,
) -> None:
    """Give every entry of ``catalog`` the references, notes and format flag the source has.

    Translations, translator comments (review marks) and ``fuzzy`` are kept. ``add_missing`` adds
    an empty entry for each source message the catalog lacks; ``prune`` drops entries the source
    no longer has (their translations are lost: git keeps them)."""
    for key, source in sources.items():
        message = catalog.get(key)
        if message is None:
            if not add_missing:
                continue
            plural = isinstance(source.id, tuple)
            empty: str | tuple[str, ...] = (
                ("",) * (2 if template else catalog.num_plurals) if plural else ""
            )
            catalog.add(source.id, empty)
            message = catalog.get(key)
        message.locations = sorted(dict.fromkeys(source.locations))
        message.auto_comments = source.notes()
        fuzzy = {"fuzzy"} if message.fuzzy else set()
        other = {f for f in message.flags if f not in ("fuzzy", "python-brace-format")}
        message.flags = _flags(message.id) | fuzzy | other
    if prune:
        for message in list(catalog):
            if message.id and _key(message.id) not in sources:
                catalog.delete(message.id, context=message.context)


def update(root: Path, *, prune: bool = True, add_missing: bool = True) -> list[Path]:
    """Re-extract the template and bring every catalog in step; returns the files changed."""
    locales = root / "locales"
    sources = extract(root)
    changed = []
    pot_path = template_path(locales)
    pot = load(pot_path) if pot_path.exists() else Catalog(project="Bridgebot", domain=DOMAIN)
    sync(pot, sources, add_missing=True, prune=prune, template=True)
    if save(pot_path, pot):
        changed.append(pot_path)
    for path in po_paths(locales):
        catalog = load(path, path.parent.parent.name)
        sync(catalog, sources, add_missing=add_missing, prune=prune)
        pin_reviews(catalog)
        if save(path, catalog):
            changed.append(path)
    return changed


# ---- status ---------------------------------------------------------------------------------------

STATES = ("reviewed", "drafted", "needs editing", "missing")
SOURCE_LOCALE = "en"  # the messages are written in English: its catalog only carries plural forms


def status(locales: Path) -> dict[str, dict[str, int]]:
    """Per locale: how many of the template's messages are in each state."""
    pot = load(template_path(locales))
    ids = [m.id for m in pot if m.id]
    result = {}
    for path in po_paths(locales):
        if path.parent.parent.name == SOURCE_LOCALE:
            continue
        catalog = load(path, path.parent.parent.name)
        counts = dict.fromkeys(STATES, 0)
        for message_id in ids:
            counts[state(catalog.get(_key(message_id)))] += 1
        result[path.parent.parent.name] = counts
    return result


def status_table(rows: dict[str, dict[str, int]]) -> Iterable[str]:
    header = ("locale", "messages", "translated", "reviewed", "drafted", "needs editing", "missing")
    yield "  ".join(f"{h:>13}" if i else f"{h:<8}" for i, h in enumerate(header))
    for locale, counts in rows.items():
        total = sum(counts.values())
        translated = counts["reviewed"] + counts["drafted"]
        cells = (total, translated, counts["reviewed"], counts["drafted"])
        cells += (counts["needs editing"], counts["missing"])
        yield f"{locale:<8}  " + "  ".join(f"{c:>13}" for c in cells)
