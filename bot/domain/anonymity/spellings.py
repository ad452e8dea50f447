"""The other common spellings of a known name, so a comment cannot hide it by writing it otherwise.

A Cyrillic name is also known by its Latin forms under the schemes people actually meet, taken
from the iuliia library: passports (ICAO Doc 9303 since 2013, MVD 310 and 782 before), ISO 9 /
GOST 7.79 with and without diacritics, BGN/PCGN, ALA-LC, UNGEGN, the scientific system,
Wikipedia, Yandex and Telegram's. A Cyrillic г may be a Ukrainian h (Олег, Oleh) and a Latin h a
Ukrainian г (Olha, Ольга; Hanna, Ганна). romanize.name_key already folds most differences
between these schemes (y/i/j, kh/h, ts/c, shch/sch ...); what it cannot fold (Ûliâ, Xabarov,
Jukov) is added here as extra keys of the known name.

All the cost is paid once per name when KnownNames is built (and cached across builds); each
word of a comment is still keyed once.
"""

from __future__ import annotations

import re
from functools import lru_cache

import iuliia

from bot.domain.anonymity.romanize import fold, name_key, script_of

SCHEMES = (
    iuliia.ICAO_DOC_9303,
    iuliia.MVD_310,
    iuliia.MVD_310_FR,
    iuliia.MVD_782,
    iuliia.GOST_779,
    iuliia.GOST_779_ALT,
    iuliia.GOST_7034,
    iuliia.GOST_16876_ALT,
    iuliia.GOST_52290,
    iuliia.BGN_PCGN,
    iuliia.ALA_LC_ALT,
    iuliia.UNGEGN_1987,
    iuliia.SCIENTIFIC,
    iuliia.WIKIPEDIA,
    iuliia.YANDEX_MAPS,
    iuliia.TELEGRAM,
)
# A Latin h that is not the second letter of a digraph (sh, ch, zh, kh, th, ph, gh).
_LONE_H = re.compile(r"(?<![sczktpg])h")


@lru_cache(maxsize=16384)
def spelling_keys(part: str) -> frozenset[str]:
    """name_key of every common spelling of a folded name part (the part's own key included)."""
    keys = {name_key(part)}
    script = script_of(part[0]) if part else ""
    if script == "CYRILLIC":
        keys.update(name_key(fold(scheme.translate(part))) for scheme in SCHEMES)
        keys.add(name_key(part.replace("г", "h")))
    elif script == "LATIN" and _LONE_H.search(part):
        keys.add(name_key(_LONE_H.sub("g", part)))
    keys.discard("")
    return frozenset(keys)
