"""Derive the Serbian Latin catalog (``sr_Latn``) from the Serbian Cyrillic one (``sr``).

Serbian has one text in two scripts, letter for letter (bot/domain/serbian.py), so ``sr_Latn`` is
never translated by hand: translators edit ``locales/sr/LC_MESSAGES/bridgebot.po`` and this script
rewrites ``locales/sr_Latn/LC_MESSAGES/bridgebot.po`` from it, keeping the header's Language and
Plural-Forms of ``sr_Latn``, and the source references, notes, flags and translator comments of
each entry; a message reviewed in ``sr`` is reviewed in ``sr_Latn`` (its mark pinned to the Latin
text), in the catalog format of bot/clitools/catalogs.py.
tests/test_serbian_script.py fails when the shipped ``sr_Latn`` file differs from the derivation.

    python -m bot.clitools.sr_latn [LOCALES_DIR]      # default: the repository's locales/
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.clitools import catalogs
from bot.domain.serbian import to_latin

LOCALES = Path(__file__).resolve().parent.parent.parent / "locales"
SOURCE, TARGET = "sr", "sr_Latn"


def _po_path(locales: Path, locale: str) -> Path:
    return locales / locale / "LC_MESSAGES" / "bridgebot.po"


def derive(locales: Path = LOCALES) -> bytes:
    """The ``sr_Latn`` catalog, as file bytes, derived from ``sr``."""
    with _po_path(locales, SOURCE).open("rb") as fh:
        source = read_po(fh, locale=SOURCE)
    target = Catalog(
        locale=TARGET,
        domain="bridgebot",
        project=source.project,
        version=source.version,
        creation_date=source.creation_date,
        revision_date=source.revision_date,
        fuzzy=False,
        header_comment="# Serbian (Latin script) translations for Bridgebot: derived from sr by "
        "bot/clitools/sr_latn.py.\n# Do not edit: edit locales/sr and run "
        "`python -m bot.clitools.sr_latn`.",
    )
    for message in source:
        if not message.id:
            continue
        string = message.string
        if isinstance(string, tuple | list):
            string = tuple(to_latin(form) for form in string)
        else:
            string = to_latin(string or "")
        target.add(
            message.id,
            string,
            locations=message.locations,
            flags=message.flags,
            auto_comments=message.auto_comments,
            context=message.context,
        )
        catalogs.carry_review(message, target.get(message.id, context=message.context))
    return catalogs.dump(target)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    locales = Path(args[0]) if args else LOCALES
    path = _po_path(locales, TARGET)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(derive(locales))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
