"""The catalogs as translation tools take them (docs/TRANSLATING.md): references, notes for every
placeholder and every short string, review marks, and `bridgebot i18n status / update / review`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.clitools import catalogs

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
LOCATION = re.compile(r"^bot/[\w/]+\.py$")


@pytest.fixture(scope="module")
def sources() -> dict[str, catalogs.Source]:
    return catalogs.extract(ROOT)


@pytest.fixture(scope="module")
def template():
    return catalogs.load(catalogs.template_path(LOCALES))


def test_the_template_has_every_source_message_with_its_references(sources, template) -> None:
    problems = []
    for key in sources:
        message = template.get(key)
        if message is None:
            problems.append(f"not in the .pot: {key[:60]!r} (run bridgebot i18n update)")
        elif not message.locations or not all(
            LOCATION.match(file) and line > 0 for file, line in message.locations
        ):
            problems.append(f"no source reference: {key[:60]!r}")
    assert problems == []


def test_every_placeholder_and_every_short_message_has_a_note(sources, template) -> None:
    problems = []
    for key in sources:
        message = template.get(key)
        if message is None:
            continue
        text = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        notes = " ".join(message.auto_comments)
        for name in set(catalogs.placeholders(text)) - {""}:
            if not re.search(r"(^|\s)\{" + name + r"\}: ", notes):
                problems.append(f"no note for {{{name}}} in {key[:50]!r}")
        if len(catalogs.PLACEHOLDER.sub("", text).split()) <= catalogs.SHORT_WORDS and not notes:
            problems.append(f"short message without a note on where it appears: {key!r}")
        if "{" in text and "python-brace-format" not in message.flags:
            problems.append(f"no python-brace-format flag: {key[:50]!r}")
    assert problems == []


def test_source_comments_for_translators_reach_the_template(template) -> None:
    # On the line above a call (Babel's comment tags) and above a table of labels (every entry).
    assert any(c.startswith("Translators: a setting's state") for c in template["on"].auto_comments)
    for label in ("Strongly disagree", "Agree", "Strongly agree"):
        assert any("agreement scale" in c for c in template[label].auto_comments), label
    assert any("Used in" in c for c in template["Move"].auto_comments)
    assert any(c.startswith("A button label") for c in template["Warn"].auto_comments)


@pytest.mark.parametrize("path", catalogs.po_paths(LOCALES), ids=lambda p: p.parent.parent.name)
def test_every_catalog_carries_the_templates_references_and_notes(path: Path, template) -> None:
    """Weblate and Pontoon show each translation file's own references and notes."""
    catalog = catalogs.load(path)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        expected = template.get(message.id)
        if expected is None:
            continue
        if message.auto_comments != expected.auto_comments:
            problems.append(f"notes differ from the .pot: {str(message.id)[:50]!r}")
        if not message.locations and expected.locations:
            problems.append(f"no source reference: {str(message.id)[:50]!r}")
    assert problems == [], "run: bridgebot i18n update"


def _toy_checkout(tmp_path: Path) -> Path:
    """A repository with two messages and a catalog 'xx' (Russian plural rules)."""
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "hello.py").write_text(
        "from bot.i18n import _, ngettext\n\n\n"
        "def hello(name, n):\n"
        "    # Translators: the first thing a newcomer reads.\n"
        '    first = _("Hello, {name}!", name=name)\n'
        '    return first + ngettext("{n} apple", "{n} apples", n)\n'
    )
    locales = tmp_path / "locales"
    (locales / "xx" / "LC_MESSAGES").mkdir(parents=True)
    (locales / "bridgebot.pot").write_bytes(catalogs.dump(catalogs.Catalog(project="Bridgebot")))
    shutil.copy(
        LOCALES / "ru" / "LC_MESSAGES" / "bridgebot.po",
        locales / "xx" / "LC_MESSAGES" / "bridgebot.po",
    )
    return tmp_path


def _status(root: Path, capsys) -> dict[str, list[int]]:
    assert main(["i18n", "--root", str(root), "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["locale", "messages", "translated", "reviewed"]
    return {line.split()[0]: [int(x) for x in line.split()[1:]] for line in lines[1:]}


def test_update_review_and_status_on_a_checkout(tmp_path: Path, capsys) -> None:
    root = _toy_checkout(tmp_path)
    po = root / "locales" / "xx" / "LC_MESSAGES" / "bridgebot.po"
    assert main(["i18n", "--root", str(root), "update", "--check"]) == 1
    capsys.readouterr()
    assert main(["i18n", "--root", str(root), "update"]) == 0
    capsys.readouterr()
    pot = catalogs.load(root / "locales" / "bridgebot.pot")
    assert [m.id for m in pot if m.id] == ["Hello, {name}!", ("{n} apple", "{n} apples")]
    hello = pot["Hello, {name}!"]
    assert hello.locations == [("bot/hello.py", 6)]
    assert hello.auto_comments[0] == "Translators: the first thing a newcomer reads."
    assert any(c.startswith("{name}: a person's name") for c in hello.auto_comments)
    # Obsolete entries are dropped, the new ones added empty: both missing.
    assert _status(root, capsys) == {"xx": [2, 0, 0, 0, 0, 2]}

    catalog = catalogs.load(po, "xx")
    catalog["Hello, {name}!"].string = "Привет, {name}!"
    catalog[("{n} apple", "{n} apples")].string = ("{n} яблоко", "{n} яблока", "{n} яблок")
    catalogs.save(po, catalog)
    assert _status(root, capsys) == {"xx": [2, 2, 0, 2, 0, 0]}

    assert main(["i18n", "--root", str(root), "review", "xx", "Hello, {name}!"]) == 0
    capsys.readouterr()
    assert _status(root, capsys) == {"xx": [2, 2, 1, 1, 0, 0]}
    text = po.read_text()
    mark = f"# reviewed: {catalogs.fingerprint('Привет, {name}!')}\n"
    assert mark + "#. Translators: the first thing a newcomer reads.\n" in text
    assert '#: bot/hello.py:6\n#, python-brace-format\nmsgid "Hello, {name}!"' in text

    # Edited afterwards (in any tool): drafted again. Marked fuzzy: needs editing.
    po.write_text(text.replace('msgstr "Привет, {name}!"', 'msgstr "Здравствуйте, {name}!"'))
    assert _status(root, capsys) == {"xx": [2, 2, 0, 2, 0, 0]}
    catalog = catalogs.load(po, "xx")
    catalog[("{n} apple", "{n} apples")].flags.add("fuzzy")
    catalogs.save(po, catalog)
    assert _status(root, capsys) == {"xx": [2, 1, 0, 1, 1, 0]}

    # A bare '# reviewed' written by hand (Poedit, a text editor) is pinned by the next update.
    po.write_text(po.read_text().replace(mark, "# reviewed\n"))
    assert _status(root, capsys) == {"xx": [2, 1, 1, 0, 1, 0]}
    assert main(["i18n", "--root", str(root), "update"]) == 0
    capsys.readouterr()
    assert f"# reviewed: {catalogs.fingerprint('Здравствуйте, {name}!')}\n" in po.read_text()
    assert _status(root, capsys) == {"xx": [2, 1, 1, 0, 1, 0]}
    # The translations survived every update; a second update changes nothing.
    assert catalogs.load(po, "xx")["Hello, {name}!"].string == "Здравствуйте, {name}!"
    assert main(["i18n", "--root", str(root), "update", "--check"]) == 0


def test_review_refuses_what_it_cannot_mark(tmp_path: Path, capsys) -> None:
    root = _toy_checkout(tmp_path)
    main(["i18n", "--root", str(root), "update"])
    capsys.readouterr()
    assert main(["i18n", "--root", str(root), "review", "xx", "Hello, {name}!", "Nope"]) == 1
    out = capsys.readouterr().out
    assert "not marked (missing): 'Hello, {name}!'" in out and "no such message: 'Nope'" in out
    assert main(["i18n", "--root", str(root), "review", "xx"]) == 2
    assert main(["i18n", "--root", str(root), "review", "sr_Latn", "--all"]) == 2


def test_a_review_in_serbian_carries_to_the_derived_latin_catalog() -> None:
    source = catalogs.Catalog(locale="sr")
    source.add("Yes", "Да", user_comments=["a note"])
    catalogs.mark_reviewed(source["Yes"])
    target = catalogs.Catalog(locale="sr_Latn")
    target.add("Yes", "Da")
    catalogs.carry_review(source["Yes"], target["Yes"])
    assert catalogs.state(target["Yes"]) == "reviewed"
    assert target["Yes"].user_comments == ["a note", f"reviewed: {catalogs.fingerprint('Da')}"]


def test_the_shipped_catalogs_report_their_state(capsys) -> None:
    rows = _status(ROOT, capsys)
    assert "en" not in rows  # the source language
    for locale in ("ru", "ar", "ka", "sr", "sr_Latn", "ko", "zh_Hant"):
        total, translated, reviewed, drafted, fuzzy, missing = rows[locale]
        assert translated == total and missing == 0 and fuzzy == 0, locale
        assert reviewed + drafted == translated
