"""Folding a message into one comparable form, so a blocked term matches however it is disguised.

The pipeline (the same for messages and for blocked terms, which is what makes them comparable):

1. Per character: NFKC (full-width, mathematical and other compatibility letters), case folding,
   canonical decomposition, then every combining mark (Mn/Me: accents, Arabic harakat, Hebrew
   niqqud, "zalgo" stacks) and format character (Cf: zero-width space/joiner, soft hyphen, bidi
   marks) is dropped; apostrophes, Arabic tatweel, Hebrew geresh/gershayim and the Armenian marks
   written inside words are dropped too. Look-alike letters are folded to one script (Latin) with a
   table derived once from the Unicode confusables data, from the lower case and from the capitals
   (Cyrillic Т and Greek Τ look like T, so т and τ fold to t in either case: a Russian word typed
   with Latin capitals and a Latin word typed with Cyrillic ones both match); a few same-script
   spellings are unified
   (Arabic alef/ta marbuta/alef maqsura forms, Hebrew final letters, schwa -> e, Georgian
   Mtavruli capitals and the old Asomtavruli/Nuskhuri letters -> Mkhedruli). Other decimal
   digits become ASCII; anything that is not a letter, a digit, ``@`` or ``$`` becomes a blank.
   Language-independent on purpose: one automaton serves every language of a group, so the text
   must fold the same whoever wrote it; language knowledge lives in the affix rules.
2. Blanks are squeezed to single spaces.
3. Every run of the same letter is collapsed to one letter, and its length is kept: a term matches
   when each of its letters is repeated at least as often in the text ("sluuur" is "slur", "asss" is
   "ass") but never fewer times ("as" is not "ass", "Niger" is not the slur with two g's).
4. Leetspeak (0 o, 1 i, 3 e, 4 a, 5 s, 7 t, @ a, $ s) is read only inside tokens that contain a
   letter, so "2024" and "10:30" stay numbers; runs are collapsed again ("h00k"). ``1`` reads as
   ``i``; a text where a lettered token holds a ``1`` is also read with ``l`` (``normalize_variants``).
   In a token holding a Cyrillic letter ``3`` reads as ``з``.
5. Three or more single characters separated by single blanks ("s l u r", "s.l.u.r", "$ l u t")
   are joined into one token, which then gets steps 3 and 4; a letter written with two code points
   (Armenian ու, Greek ου, μπ ...) counts as one character here ("թ ու ր ք").
6. Remaining ``@``/``$`` (outside lettered tokens) become blanks; blanks are squeezed again.
7. Blanks between two Han characters are dropped: Chinese puts none between words, so 傻 逼 and
   傻.逼 are 傻逼. Before step 2, a blank was put wherever a Han character meets a non-blank
   character of another kind (你sb吧 holds the token sb, 2026年 keeps the number 2026).

Hangul is folded to precomposed syllables, each one letter: a syllable stays whole in step 1, and
conjoining jamo (NFD text; compatibility jamo become conjoining ones by NFKC) are composed into
syllables, so every spelling of a Korean word folds alike and runs collapse by syllable
(병병병신). Two or more single Hangul syllables separated by blanks are joined like letters in
step 5 (병 신), since most Korean words have two syllables.

Matching runs on plain ``str`` operations (``str.translate``, ``re``) for speed; the map from
folded characters back to the original text (to quote a hit) and the run lengths are computed only
when a caller asks for them, by a second, index-tracking walk that a property test keeps identical.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from confusable_homoglyphs.confusables import confusables_data

# Dropped outright: they sit inside words (or are invisible) and only break a word apart.
_DROPPED = frozenset(
    "'`´ʼʻʹ‘’‛′"  # apostrophes: Ukrainian п'ять, English don't, and s'l'u'r
    "\u0640"  # Arabic tatweel, a stretching stroke
    "\u05f3\u05f4"  # Hebrew geresh and gershayim (ג׳, צה״ל)
    "\u055b\u055c\u055e\u055f"  # Armenian emphasis/exclamation/question marks set inside words
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers: invisible "letters" used to split words
)

_SCRIPT_FOLDS: dict[str, str] = {
    # Arabic: hamza-carrying alefs lose their hamza by decomposition; these are whole letters.
    "\u0629": "\u0647",  # ta marbuta -> ha
    "\u0649": "\u064a",  # alef maqsura -> ya
    "\u06cc": "\u064a",  # Farsi ya -> ya
    "\u06a9": "\u0643",  # keheh -> kaf
    # Hebrew final forms: the same letter, so writing a final form mid-word is no disguise.
    "\u05da": "\u05db",
    "\u05dd": "\u05de",
    "\u05df": "\u05e0",
    "\u05e3": "\u05e4",
    "\u05e5": "\u05e6",
    # Azerbaijani schwa is commonly typed as e; Ukrainian ghe with upturn as ghe.
    "\u0259": "e",
    "\u04d9": "e",
    "\u0491": "\u0433",
    # Georgian: Mtavruli capitals case-fold to Mkhedruli already; the old scripts (Asomtavruli
    # capitals fold to Nuskhuri) are the same letters in the same order, so they fold on to
    # Mkhedruli and a word typed in the ecclesiastical script is no disguise.
    **{chr(0x2D00 + i): chr(0x10D0 + i) for i in range(0x26)},
    "\u2d27": "\u10f7",
    "\u2d2d": "\u10fd",
}

# Left out of the confusables fold: letters that would merge two letters of the same language
# (Greek sigma looks like o; Turkish dotless i is a different letter from i, as in sık vs sik).
_NOT_CONFUSABLE = frozenset("σı")
_FOLDED_SCRIPTS = ("CYRILLIC", "GREEK", "LATIN")

_LEET: dict[str, Mapping[int, int | str]] = {
    "i": str.maketrans("013457@$", "oieastas"),
    "l": str.maketrans("013457@$", "oleastas"),
}
# In a Cyrillic word 3 stands for з (3десь, 3дохни), not for e.
_CYRILLIC_LEET: dict[str, Mapping[int, int | str]] = {
    reading: {**table, ord("3"): "\u0437"} for reading, table in _LEET.items()
}
_CYRILLIC = re.compile("[\u0400-\u04ff]")

# Letters written with two code points (Armenian ու, Greek ου and the like): a person spacing a word
# out keeps them together ("թ ու ր ք"), so a spaced-out run may hold them as units.
_DIGRAPHS = ("ու", "ου", "ει", "οι", "αι", "μπ", "ντ", "γκ", "τσ", "τζ")
_LEET_TOKEN = re.compile(r"(?<![^ ])[^ ]*[013457@$][^ ]*")
_LEET_CHAR = re.compile(r"[013457@$]")
_LETTER = re.compile(r"[^\W\d_]")
_LETTER_RUN = re.compile(r"([^\W\d_])\1+")

# Hangul: a syllable is one letter. Syllables typed as conjoining jamo (NFD, as macOS and some
# keyboards send them) or as compatibility jamo (which NFKC turns into conjoining ones) are
# composed into the precomposed syllable, so every spelling of a Korean word folds alike.
_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")
_JAMO = re.compile("[\u1100-\u11ff]")
_JAMO_SYLLABLE = re.compile("[\u1100-\u1112][\u1161-\u1175][\u11a8-\u11c2]?")
# Han (Chinese characters): written without blanks between words, so a blank or punctuation
# between two Han characters says nothing (傻 逼, 傻.逼 are 傻逼), and a Han character next to a
# letter or digit of another script is a word edge (你sb吧 holds the token sb; 2026年 keeps 2026).
_HAN_CHARS = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003ffff"
)
_HAN = re.compile(f"[{_HAN_CHARS}]")
_HAN_EDGE = re.compile(
    f"(?<=[{_HAN_CHARS}])(?=[^ {_HAN_CHARS}])|(?<=[^ {_HAN_CHARS}])(?=[{_HAN_CHARS}])"
)
_HAN_GAP = re.compile(f"(?<=[{_HAN_CHARS}]) (?=[{_HAN_CHARS}])")


def is_han(char: str) -> bool:
    """Whether a folded character is a Han character (no word boundaries around it)."""
    return _HAN.match(char) is not None


def _compose_hangul(text: str) -> str:
    if _JAMO.search(text):
        return _JAMO_SYLLABLE.sub(lambda m: unicodedata.normalize("NFC", m.group()), text)
    return text


def _split_han(text: str) -> str:
    return _HAN_EDGE.sub(" ", text) if _HAN.search(text) else text


def _ascii_lookalike(char: str, *, capital: bool = False) -> str | None:
    """The one ASCII letter ``char`` looks like (lower-cased), or None; for a ``capital``, only
    an ASCII capital counts (Cyrillic Ь looks like a small b, which says nothing about ь)."""
    targets = {
        entry["c"].lower()
        for entry in confusables_data.get(char, ())
        if len(entry["c"]) == 1
        and entry["c"].isascii()
        and entry["c"].isalpha()
        and (entry["c"].isupper() or not capital)
    }
    return targets.pop() if len(targets) == 1 else None


def _folded_script(char: str) -> bool:
    return unicodedata.name(char, "").split(" ", 1)[0] in _FOLDED_SCRIPTS


def _build_confusable_folds() -> tuple[dict[str, str], dict[str, str]]:
    """Cyrillic/Greek/non-ASCII Latin letters that look like one ASCII letter.

    Returns (folds of lower-case letters, folds of capitals that differ from their lower case).
    A letter folds the same in both cases wherever it can: Cyrillic т looks like no Latin letter,
    but Т looks like T, so т folds to t too and "ТRАNNY" (Cyrillic capitals in a Latin word) and
    a Russian word typed with Latin T both match. Only where the two cases look like two
    different Latin letters (Greek Ν/ν: N and v, Υ/υ: Y and u) does the capital fold on its own;
    the matcher then also keys such terms in capitals.
    """
    lower: dict[str, str] = {}
    for char in confusables_data:
        if len(char) != 1 or char.isascii() or char in _NOT_CONFUSABLE:
            continue
        if char != char.casefold() or not char.isalpha() or not _folded_script(char):
            continue
        target = _ascii_lookalike(char)
        if target is not None:
            lower[char] = target
    capitals: dict[str, str] = {}
    for char in confusables_data:
        if len(char) != 1 or char.isascii() or char in _NOT_CONFUSABLE:
            continue
        small = char.casefold()
        if not char.isupper() or len(small) != 1 or small.isascii() or small in _NOT_CONFUSABLE:
            continue
        if not char.isalpha() or not _folded_script(char):
            continue
        target = _ascii_lookalike(char, capital=True)
        if target is None or target == lower.get(small):
            continue
        if target == "l" and small in ("ι", "і"):
            continue  # capital iota is read as I (which folds to i), like its lower case
        if small in lower:
            capitals[char] = target
        else:
            lower[small] = target
    return lower, capitals


_LOWER_FOLDS, _CAPITAL_FOLDS = _build_confusable_folds()
_LETTER_FOLDS = {**_LOWER_FOLDS, **_SCRIPT_FOLDS}


def _fold_char(char: str) -> str:
    compatible = unicodedata.normalize("NFKC", char)
    if _HANGUL_SYLLABLE.fullmatch(compatible):
        return compatible  # one letter, as a word is spelled; no case, no marks
    base = unicodedata.normalize("NFD", compatible)
    if base[:1] in _CAPITAL_FOLDS:  # Ύ is Υ plus an accent
        compatible = _CAPITAL_FOLDS[base[0]] + base[1:]
    decomposed = unicodedata.normalize("NFD", compatible.casefold())
    out: list[str] = []
    for piece in decomposed:
        if piece in _DROPPED or unicodedata.category(piece) in ("Mn", "Me", "Cf"):
            continue
        piece = _LETTER_FOLDS.get(piece, piece)
        if piece.isdecimal():
            piece = str(unicodedata.decimal(piece))
        elif not piece.isalpha() and piece not in "@$":
            piece = " "
        out.append(piece)
    return "".join(out)


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each code point.

    The cache is capped so a stream of rare code points cannot grow it without bound; past the cap
    characters are folded on every call, which is slower but still correct.
    """

    _LIMIT = 65_536

    def __missing__(self, codepoint: int) -> str:
        folded = _fold_char(chr(codepoint))
        if len(self) < self._LIMIT:
            self[codepoint] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def _folded_digraphs() -> str:
    folded = {
        "".join(_FOLD_TABLE[ord(char)] for char in spelling)
        for pair in _DIGRAPHS
        for spelling in (pair, pair.upper(), pair.capitalize())
    }
    return "|".join(re.escape(pair) for pair in sorted(folded) if len(pair) == 2)


_UNIT = f"(?:{_folded_digraphs()}|[^ ])"
_UNIT_CJK = f"(?:{_folded_digraphs()}|[^ {_HAN_CHARS}])"  # Han is joined by _HAN_GAP instead
# Three or more single letters, or two or more single Hangul syllables (a Korean word of two
# syllables spaced out, 병 신, is as common a disguise as s l u r).
_SPACED_PLAIN = re.compile(f"(?<![^ ]){_UNIT}(?: {_UNIT}){{2,}}(?![^ ])")
# The same for a text holding Hangul or Han (the same result on any other text, only slower).
_SPACED_LETTERS = re.compile(
    f"(?<![^ ])(?:{_UNIT_CJK}(?: {_UNIT_CJK}){{2,}}|[\uac00-\ud7a3](?: [\uac00-\ud7a3])+)(?![^ ])"
)


def _leet_table(token: str, reading: str) -> Mapping[int, int | str]:
    return (_CYRILLIC_LEET if _CYRILLIC.search(token) else _LEET)[reading]


# The replacement as a C-level callable: a "\1" template is expanded in Python for every match,
# which made collapsing runs the largest cost of folding a word never seen before.
_FIRST_GROUP = operator.methodcaller("group", 1)


def _collapse_runs(token: str) -> str:
    return _LETTER_RUN.sub(_FIRST_GROUP, token)


def _read_leet(folded: str, reading: str) -> tuple[str, bool]:
    """Step 4 over blank-separated ``folded``, and whether a lettered token held a ``1``.

    Found from the leet characters outward (a fast scan) instead of matching every token.
    """
    pieces: list[str] = []
    done = 0  # folded[:done] is already in pieces
    has_one = False
    for match in _LEET_CHAR.finditer(folded):
        if match.start() < done:
            continue
        start = folded.rfind(" ", 0, match.start()) + 1
        end = folded.find(" ", match.start())
        end = len(folded) if end < 0 else end
        token = folded[start:end]
        if _LETTER.search(token):
            has_one = has_one or "1" in token
            leet = _leet_table(token, reading)
            pieces += [folded[done:start], _collapse_runs(token.translate(leet))]
        else:
            pieces.append(folded[done:end])
        done = end
    pieces.append(folded[done:])
    return "".join(pieces), has_one


_CHUNK_LIMIT = 64  # longer chunks (URLs, pasted blobs) are rare repeats and not worth caching
_CACHE_LIMIT = 50_000  # per cache; a few MB at most
# Chunks whose lettered tokens hold a "1": a text containing one gets an "l" reading too.
_CHUNKS_WITH_ONE: set[str] = set()
# Chunks that fold to Hangul or Han: only a text containing one needs their steps.
_CHUNKS_WITH_CJK: set[str] = set()
_CHUNKS_MARKED: set[str] = set()  # the union of the two
_CJK = re.compile("[\u1100-\U0010ffff]")  # no match: no jamo, no Han (skips both regexes)


class _ChunkCache(dict[str, str]):
    """Steps 1 to 4 for one blank-separated chunk of the source, memoised.

    Words repeat (Zipf), so most chunks of a message were folded before: a dict hit costs far less
    than translating a non-Latin word character by character.
    """

    def __init__(self, reading: str) -> None:
        super().__init__()
        self.reading = reading

    def __missing__(self, chunk: str) -> str:
        folded = chunk.translate(_FOLD_TABLE)
        if _CJK.search(folded):
            folded = _split_han(_compose_hangul(folded))
            _CHUNKS_WITH_CJK.add(chunk)
            _CHUNKS_MARKED.add(chunk)
        folded = " ".join(_collapse_runs(folded).split())
        if _LEET_CHAR.search(folded):
            folded, has_one = _read_leet(folded, self.reading)
            if has_one:
                _CHUNKS_WITH_ONE.add(chunk)
                _CHUNKS_MARKED.add(chunk)
        if len(chunk) <= _CHUNK_LIMIT:
            self[chunk] = folded
        return folded

    def fold_many(self, chunks: list[str]) -> None:
        """``__missing__`` for many new chunks at once, with the same results: each chunk is
        translated on its own, then the chunks are joined by NUL (which no folded text holds,
        folding turns NUL into a blank) so that collapsing runs and the Hangul/Han and leet
        tests run once over the message instead of once per word. Runs do not cross a NUL, which
        is no letter; a text with Hangul, Han or a leet character takes the per-chunk path for
        the chunks that need it."""
        if not chunks:
            return
        folded = [chunk.translate(_FOLD_TABLE) for chunk in chunks]
        joined = "\0".join(folded)
        if _CJK.search(joined):
            for chunk in chunks:
                self.__missing__(chunk)
            return
        # Blanks squeezed over the whole text, then none left beside a NUL: each piece is then
        # what " ".join(piece.split()) gives.
        squeezed = " ".join(_collapse_runs(joined).split())
        pieces = squeezed.replace(" \0", "\0").replace("\0 ", "\0").split("\0")
        if _LEET_CHAR.search(squeezed):
            for index, piece in enumerate(pieces):
                if _LEET_CHAR.search(piece):
                    pieces[index], has_one = _read_leet(piece, self.reading)
                    if has_one:
                        _CHUNKS_WITH_ONE.add(chunks[index])
                        _CHUNKS_MARKED.add(chunks[index])
        self.update(zip(chunks, pieces, strict=True))


_CHUNKS = {reading: _ChunkCache(reading) for reading in _LEET}
# Fewer new chunks than this are folded one by one (the batch has a fixed cost).
_BATCH_FROM = 4
_MAYBE_SPACED = re.compile(f" {_UNIT} {_UNIT} ")
_MAYBE_SPACED_CJK = re.compile(f" {_UNIT_CJK} {_UNIT_CJK} ")


def _bound_caches() -> None:
    """Clear everything when full: simpler than LRU, costs one cold message, and clearing between
    messages keeps a chunk's "has a 1" mark in step with its cached fold."""
    if (
        len(_CHUNKS_WITH_ONE) >= _CACHE_LIMIT
        or len(_CHUNKS_WITH_CJK) >= _CACHE_LIMIT
        or any(len(cache) >= _CACHE_LIMIT for cache in _CHUNKS.values())
    ):
        _CHUNKS_WITH_ONE.clear()
        _CHUNKS_WITH_CJK.clear()
        _CHUNKS_MARKED.clear()
        for cache in _CHUNKS.values():
            cache.clear()


def _fast_fold(text: str, one_reads_as: str) -> tuple[str, bool, bool]:
    """The folded text, whether a lettered token holds a ``1`` (worth an ``l`` reading), and
    whether it holds Hangul or Han."""
    _bound_caches()
    chunks = text.split()
    cache = _CHUNKS[one_reads_as]
    # Counting the cached words is one C loop (dict.__contains__ never calls __missing__); only
    # a message with several new words builds their list. (set(chunks).difference(cache) would
    # iterate the whole cache: the difference of a set and a dict subclass walks the other side.)
    if len(chunks) - sum(map(cache.__contains__, chunks)) >= _BATCH_FROM:
        cache.fold_many(
            list({c: None for c in chunks if c not in cache and len(c) <= _CHUNK_LIMIT})
        )
    folded = " ".join(filter(None, map(cache.__getitem__, chunks)))
    has_one = cjk = False
    if not _CHUNKS_MARKED.isdisjoint(chunks):  # one pass for the common text that has neither
        has_one = not _CHUNKS_WITH_ONE.isdisjoint(chunks)
        cjk = not _CHUNKS_WITH_CJK.isdisjoint(chunks)
    maybe_spaced, spaced = (
        (_MAYBE_SPACED_CJK, _SPACED_LETTERS) if cjk else (_MAYBE_SPACED, _SPACED_PLAIN)
    )
    if maybe_spaced.search(f" {folded} "):
        joined_with_one = False

        def join(match: re.Match[str]) -> str:
            nonlocal joined_with_one
            token = match.group().replace(" ", "")
            if not _LETTER.search(token):
                return token
            joined_with_one = joined_with_one or "1" in token
            leet = _leet_table(token, one_reads_as)
            return _collapse_runs(_collapse_runs(token).translate(leet))

        folded = spaced.sub(join, folded)
        has_one = has_one or joined_with_one
    if "@" in folded or "$" in folded:
        folded = " ".join(folded.replace("@", " ").replace("$", " ").split())
    if cjk and " " in folded:
        folded = _HAN_GAP.sub("", folded)
    return folded, has_one, cjk


@dataclass(frozen=True)
class _Tracked:
    text: str
    starts: list[int]  # per folded character: first source index it came from
    ends: list[int]  # per folded character: one past the last source index
    runs: list[int]  # per folded character: how many identical letters it stands for


class _TrackedChars:
    """Folded characters with their source spans and run lengths, edited in step."""

    def __init__(self, text: str) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        for index, char in enumerate(text):
            for piece in _FOLD_TABLE[ord(char)]:
                self.chars.append(piece)
                self.starts.append(index)
                self.ends.append(index + 1)
        self.runs = [1] * len(self.chars)

    def text(self) -> str:
        return "".join(self.chars)

    def compose_hangul(self) -> None:
        """Conjoining jamo into syllables, as ``_compose_hangul`` does to the string."""
        matches = list(_JAMO_SYLLABLE.finditer(self.text()))
        if not matches:
            return
        dropped: set[int] = set()
        for match in matches:
            first, last = match.start(), match.end() - 1
            self.chars[first] = unicodedata.normalize("NFC", match.group())
            self.ends[first] = self.ends[last]
            dropped.update(range(first + 1, last + 1))
        self.keep([i for i in range(len(self.chars)) if i not in dropped])

    def split_han(self) -> None:
        """A blank at every edge between a Han character and another non-blank character."""
        edges = [match.start() for match in _HAN_EDGE.finditer(self.text())]
        for index in reversed(edges):  # the blank sits before chars[index], spans the one before
            self.chars.insert(index, " ")
            self.starts.insert(index, self.starts[index - 1])
            self.ends.insert(index, self.ends[index - 1])
            self.runs.insert(index, 1)

    def join_han(self) -> None:
        """Drop every blank between two Han characters."""
        gaps = {match.start() for match in _HAN_GAP.finditer(self.text())}
        if gaps:
            self.keep([i for i in range(len(self.chars)) if i not in gaps])

    def keep(self, kept: list[int]) -> None:
        self.chars = [self.chars[i] for i in kept]
        self.starts = [self.starts[i] for i in kept]
        self.ends = [self.ends[i] for i in kept]
        self.runs = [self.runs[i] for i in kept]

    def squeeze(self) -> None:
        """What ``" ".join(s.split())`` does to the string."""
        chars = self.chars
        kept = [
            i
            for i, char in enumerate(chars)
            if char != " " or (i > 0 and chars[i - 1] != " " and i + 1 < len(chars))
        ]
        while kept and chars[kept[-1]] == " ":  # a blank followed only by blanks is trailing
            kept.pop()
        self.keep(kept)

    def read_leet(self, tokens: re.Pattern[str], reading: str) -> None:
        for match in tokens.finditer(self.text()):
            if _LETTER.search(match.group()):
                leet = _leet_table(match.group(), reading)
                for i in range(match.start(), match.end()):
                    self.chars[i] = self.chars[i].translate(leet)

    def collapse_runs(self) -> None:
        dropped: set[int] = set()
        for match in _LETTER_RUN.finditer(self.text()):
            first, last = match.start(), match.end() - 1
            self.runs[first] = sum(self.runs[first : last + 1])
            self.ends[first] = self.ends[last]
            dropped.update(range(first + 1, last + 1))
        if dropped:
            self.keep([i for i in range(len(self.chars)) if i not in dropped])


def _tracked_fold(text: str, reading: str) -> _Tracked:
    """The same result as ``_fast_fold``, keeping each folded character's source span.

    Steps in the documented order over the whole text; the fast path reaches the same text by
    caching per chunk, which a property test checks.
    """
    tracked = _TrackedChars(text)
    tracked.compose_hangul()
    tracked.split_han()
    tracked.squeeze()
    tracked.collapse_runs()
    tracked.read_leet(_LEET_TOKEN, reading)
    tracked.collapse_runs()
    joined_blanks: set[int] = set()
    text = tracked.text()
    for match in _SPACED_LETTERS.finditer(text):
        joined_blanks.update(i for i in range(match.start(), match.end()) if text[i] == " ")
    if joined_blanks:
        tracked.keep([i for i in range(len(tracked.chars)) if i not in joined_blanks])
        # Only the joined tokens can still hold leet characters next to letters.
        tracked.read_leet(_LEET_TOKEN, reading)
        tracked.collapse_runs()
    if "@" in tracked.chars or "$" in tracked.chars:
        tracked.chars = [" " if char in "@$" else char for char in tracked.chars]
        tracked.squeeze()
    tracked.join_han()
    return _Tracked(tracked.text(), tracked.starts, tracked.ends, tracked.runs)


@dataclass(frozen=True)
class NormalizedText:
    """A folded text; ``text`` holds letters, digits and single blanks, no blank at either end."""

    source: str
    text: str
    one_reads_as: str = "i"  # how a ``1`` inside a lettered token was read: "i" or "l"
    cjk: bool | None = None  # whether it holds Hangul or Han (None: not known, look)

    @cached_property
    def _tracked(self) -> _Tracked:
        tracked = _tracked_fold(self.source, self.one_reads_as)
        if tracked.text != self.text:  # pragma: no cover - the property test guards this
            raise AssertionError("tracked and fast folding disagree")
        return tracked

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Where folded ``text[start:end]`` (non-empty) came from in ``source``: [begin, end)."""
        tracked = self._tracked
        return tracked.starts[start], tracked.ends[end - 1]

    def run_length(self, index: int) -> int:
        """How many identical letters folded ``text[index]`` stands for (1 if not repeated)."""
        return self._tracked.runs[index]


def normalize(text: str) -> NormalizedText:
    """The folded form of ``text`` (``1`` read as ``i``)."""
    folded, _, cjk = _fast_fold(text, "i")
    return NormalizedText(source=text, text=folded, cjk=cjk)


def normalize_variants(text: str) -> tuple[NormalizedText, ...]:
    """Every reading of ``text`` worth matching: ``1`` as ``i``, and as ``l`` where it matters."""
    folded, has_one, cjk = _fast_fold(text, "i")
    primary = NormalizedText(source=text, text=folded, cjk=cjk)
    if not has_one:
        return (primary,)
    other = _fast_fold(text, "l")[0]
    return primary, NormalizedText(source=text, text=other, one_reads_as="l", cjk=cjk)
