"""Phone numbers and e-mail addresses spelled out in words, as people type them to dodge filters.

"four one five, five five five, double two three four", "плюс семь девятьсот шестнадцать ...",
"john dot smith at gmail dot com", "иван собака мэйл точка ру": the digit or address string is
rebuilt from number words, "at" words and "dot" words of en, ru, uk, tr, az, ar, he, el and hy
(mixed freely with digits and with each other), and then judged like a typed one.

Phones: a run of number words and digits (spaces, hyphens, commas, dots and brackets between
them), optionally behind a "plus" word, is a phone when it holds at least one number word (or
five digits typed one by one, "0 7 7 1 2 ...") and
its digits are either a valid number for one of the given regions (phonenumbers), a valid
international number after "plus", or at least ``LONG_RUN_DIGITS`` long. Number words combine
as they are spoken: "twenty one" is 21, "девятьсот двенадцать" 912, "beş yüz otuz iki" 532,
"double five" 55. Seven number words in a row are rare outside phone numbers; sentences like
"I gave it five out of ten" or "we met at seven" have far fewer digits than any phone.

E-mails: an "at" word between a local part and a domain, where the domain has at least one dot
(a "dot" word or a literal ".") and ends in a known top-level domain, typed ("com") or spoken
("ком", "ру", "كوم"). "I met him at school" has no dot and top-level domain, so it stays.

Limits: numbers spoken as thousands ("two thousand") or written as Arabic "one and twenty" in
reverse order beyond two words are not rebuilt; "oh" for zero counts only inside a run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import phonenumbers

from bot.domain.anonymity.romanize import fold

LONG_RUN_DIGITS = 9
MIN_PHONE_DIGITS = 7
SINGLE_DIGITS_RUN = 5


def _words(spec: str) -> list[str]:
    return [fold(word) for word in spec.split()]


# Units 0-9, by value; several forms per language (gender, case, colloquial spellings).
_UNITS = {
    0: "zero oh nought ноль нуль sıfır صفر אפס μηδέν μηδεν զրո",
    1: "one один одна одно одного один одна bir واحد واحدة אחת אחד ένα ενα μία μια մեկ",
    2: "two два две дві двох iki اثنان اثنين اتنين ثنين שתיים שניים שתים שנים δύο δυο երկու",
    3: "three три трьох üç üc ثلاثة ثلاث تلاتة تلات שלוש שלושה τρία τρια τρεις երեք",
    4: "four четыре чотири dört dörd أربعة اربعة أربع اربع ארבע ארבעה τέσσερα τεσσερα "
    "τέσσερις չորս",
    5: "five пять п'ять beş خمسة خمس חמש חמישה πέντε πεντε հինգ",
    6: "six шесть шість altı ستة ست سته שש שישה έξι εξι վեց",
    7: "seven семь сім yedi yeddi سبعة سبع שבע שבעה επτά εφτά επτα εφτα յոթ յոթը",
    8: "eight восемь вісім sekiz səkkiz ثمانية ثمان تمانية تمنية שמונה οκτώ οχτώ οκτω οχτω ութ",
    9: "nine девять дев'ять dokuz doqquz تسعة تسع תשע תשעה εννέα εννιά εννεα εννια ինը ինն",
}
_TEENS = {
    10: "ten десять десять on عشرة عشر עשר עשרה δέκα δεκα տասը տաս",
    11: "eleven одиннадцать одинадцять έντεκα εντεκα տասնմեկ",
    12: "twelve двенадцать дванадцять δώδεκα δωδεκα տասներկու",
    13: "thirteen тринадцать тринадцять տասներեք",
    14: "fourteen четырнадцать чотирнадцять տասնչորս",
    15: "fifteen пятнадцать п'ятнадцять տասնհինգ",
    16: "sixteen шестнадцать шістнадцять տասնվեց",
    17: "seventeen семнадцать сімнадцять տասնյոթ",
    18: "eighteen восемнадцать вісімнадцять տասնութ",
    19: "nineteen девятнадцать дев'ятнадцять տասնինը",
}
_TENS = {
    20: "twenty двадцать двадцять yirmi iyirmi عشرون عشرين עשרים είκοσι εικοσι քսան",
    30: "thirty тридцать тридцять otuz ثلاثون ثلاثين تلاتين שלושים τριάντα τριαντα երեսուն",
    40: "forty сорок сорок kırk qırx أربعون اربعين أربعين ארבעים σαράντα σαραντα քառասուն",
    50: "fifty пятьдесят п'ятдесят elli əlli خمسون خمسين חמישים πενήντα πενηντα հիսուն",
    60: "sixty шестьдесят шістдесят altmış ستون ستين שישים εξήντα εξηντα վաթսուն",
    70: "seventy семьдесят сімдесят yetmiş سبعون سبعين שבעים εβδομήντα εβδομηντα յոթանասուն",
    80: "eighty восемьдесят вісімдесят seksen səksən ثمانون ثمانين تمانين שמונים ογδόντα "
    "ογδοντα ութսուն",
    90: "ninety девяносто дев'яносто doksan doxsan تسعون تسعين תשעים ενενήντα ενενηντα իննսուն",
}
_HUNDREDS = {
    100: "сто مائة مئة مية מאה εκατό εκατο",
    200: "двести двісті مئتان مئتين ميتين מאתיים διακόσια διακοσια",
    300: "триста триста τριακόσια τριακοσια",
    400: "четыреста чотириста τετρακόσια τετρακοσια",
    500: "пятьсот п'ятсот πεντακόσια πεντακοσια",
    600: "шестьсот шістсот εξακόσια εξακοσια",
    700: "семьсот сімсот επτακόσια εφτακόσια επτακοσια εφτακοσια",
    800: "восемьсот вісімсот οκτακόσια οκτακοσια",
    900: "девятьсот дев'ятсот εννιακόσια εννιακοσια",
}
# "five hundred", "beş yüz", "հինգ հարյուր": a multiplier after a unit (alone it is 100).
_HUNDRED_WORDS = frozenset(_words("hundred yüz yuz հարյուր"))
# "double five" is 55 in English dictation.
_REPEATS = {fold("double"): 2, fold("triple"): 3}
_PLUS_WORDS = frozenset(_words("plus плюс artı üstəgəl زائد פלוס συν պլյուս"))
# Words that are number words in one language but common words in another ("on" is Turkish ten,
# "oh" English zero): they join a run but never start or end one.
_AMBIGUOUS = frozenset(_words("on oh"))

_AT_WORDS = frozenset(
    _words("at собака собачка собаку эт ат равлик et ات آت ايت שטרודל את παπάκι παπακι շնիկ շուն")
)
_DOT_WORDS = frozenset(
    _words("dot точка точку крапка nokta nöqtə noqte نقطة دوت נקודה דוט τελεία κουκκίδα կետ")
)
# "at"/"et"/"את" are everyday words: with them, a typed domain ("see more at example.com") is a
# link, not an address, unless the domain is a mail provider or the local part looks like a handle.
_AMBIGUOUS_AT = frozenset(_words("at et את"))
_MAIL_PROVIDERS = frozenset(
    "gmail googlemail yahoo ymail hotmail outlook live msn icloud me mac aol gmx mail yandex ya "
    "rambler bk list inbox proton protonmail pm ukr i meta tutanota zoho mynet".split()
)
_HANDLE_LIKE = re.compile(r".*[\d._+].*")
_SPOKEN_TLDS = {
    fold(spoken): tld
    for spoken, tld in (
        ("ком", "com"), ("ру", "ru"), ("рф", "рф"), ("нет", "net"), ("орг", "org"),
        ("уа", "ua"), ("юа", "ua"), ("укр", "укр"), ("كوم", "com"), ("نت", "net"),
        ("קום", "com"), ("נט", "net"), ("κομ", "com"), ("քոմ", "com"),
    )
}  # fmt: skip

_NUMBER_TABLES = (_UNITS, _TEENS, _TENS, _HUNDREDS)
_VALUE_OF = {fold(word): value for table in _NUMBER_TABLES for value, spec in table.items() for word in spec.split()}  # fmt: skip
# Arabic و and Hebrew ו mean "and" when glued to a number word ("وعشرين", "ושלוש").
_CONJUNCTION_PREFIXES = ("و", "ו")

# For phones: a word (inner apostrophes as in "п'ять"), a run of digits, or "+".
_PHONE_TOKEN = re.compile(r"[^\W\d_](?:[\w'’ʼ]*[^\W_])?|\d+|\+")
# For e-mails: a word with the dots, hyphens and pluses of addresses ("j.smith"), or "@".
_EMAIL_TOKEN = re.compile(r"[^\W_](?:[\w'’ʼ.+-]*[^\W_])?|@")
_PHONE_GAP = re.compile(r"[\s\-–—,.()/]{0,4}")
_EMAIL_GAP = re.compile(r"[\s\[\](){}<>\"']{0,4}")
_LOCAL_PART = re.compile(r"[\w+-]+(?:\.[\w+-]+)*")
_DOMAIN_LABELS = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*")


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    raw: str
    folded: str


def _tokens(text: str, pattern: re.Pattern[str]) -> tuple[_Token, ...]:
    return tuple(
        _Token(match.start(), match.end(), match.group(), _fold_token(match.group()))
        for match in pattern.finditer(text)
    )


def _fold_token(raw: str) -> str:
    if raw.isascii():
        return raw.lower()  # what fold() gives for ASCII, at a fraction of the cost
    return fold(raw).replace("’", "'").replace("ʼ", "'")


def _number_value(folded: str) -> int | None:
    value = _VALUE_OF.get(folded)
    if value is None and folded[:1] in _CONJUNCTION_PREFIXES:
        value = _VALUE_OF.get(folded[1:])
    return value


# --- phones -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    phones: list[tuple[int, int]]
    emails: list[tuple[int, int]]


def find(text: str, regions: Iterable[str], tlds: frozenset[str]) -> Found:
    """Phones and e-mails written (partly) in words in ``text``, as (start, end) offsets.

    ``regions`` are the ISO 3166 regions whose numbers are recognised, ``tlds`` the top-level
    domains (lowercase) an address may end in.
    """
    return Found(
        phones=list(_phone_spans(text, _tokens(text, _PHONE_TOKEN), tuple(regions))),
        emails=list(_email_spans(text, _tokens(text, _EMAIL_TOKEN), tlds)),
    )


def _phone_spans(
    text: str, tokens: tuple[_Token, ...], regions: tuple[str, ...]
) -> Iterator[tuple[int, int]]:
    index = 0
    while index < len(tokens):
        run_end = _phone_run(text, tokens, index)
        if run_end == index:
            index += 1
            continue
        run = list(tokens[index:run_end])
        while run and run[-1].folded in _AMBIGUOUS:
            run.pop()
        if run and _is_phone(run, regions):
            yield run[0].start, run[-1].end
        index = run_end


def _is_phone_token(token: _Token) -> bool:
    return (
        _number_value(token.folded) is not None
        or token.folded in _HUNDRED_WORDS
        or token.folded in _REPEATS
        or token.raw.isdigit()
    )


def _phone_run(text: str, tokens: tuple[_Token, ...], start: int) -> int:
    """The end (exclusive) of the run of phone tokens starting at ``start``; ``start`` if none."""
    first = tokens[start]
    position = start
    if first.folded in _PLUS_WORDS or first.raw == "+":
        position += 1
    elif first.folded in _AMBIGUOUS or not _is_phone_token(first):
        return start
    while position < len(tokens):
        token = tokens[position]
        if not _is_phone_token(token):
            break
        if position > start and not _PHONE_GAP.fullmatch(
            text, tokens[position - 1].end, token.start
        ):
            break
        position += 1
    return position


def _is_phone(run: list[_Token], regions: tuple[str, ...]) -> bool:
    plus = run[0].folded in _PLUS_WORDS or run[0].raw == "+"
    spoken = any(
        (_number_value(t.folded) is not None and t.folded not in _AMBIGUOUS) or t.folded in _REPEATS
        for t in run
    )
    # Digits typed one by one ("0 7 7 1 2 ...") are spelling out too; other digit-only runs are
    # the typed-phone matcher's to judge.
    one_by_one = sum(len(t.raw) == 1 and t.raw.isdigit() for t in run) >= SINGLE_DIGITS_RUN
    if not (spoken or one_by_one):
        return False
    digits = _digits_of(run)
    if len(digits) < MIN_PHONE_DIGITS:
        return False
    if len(digits) >= LONG_RUN_DIGITS:
        return True
    if plus:
        return _valid(f"+{digits}", None)
    return any(_valid(digits, region) for region in regions)


def _valid(number: str, region: str | None) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


def _digits_of(run: list[_Token]) -> str:
    """The digits a run of number words and digits spells, combined as they are spoken."""
    out: list[str] = []
    repeat = 1
    group: list[int] = []  # hundreds, tens, units of the number being spoken

    def flush() -> None:
        if group:
            out.append(str(sum(group)))
            group.clear()

    for token in run:
        word = token.folded
        if token.raw == "+" or word in _PLUS_WORDS:
            continue
        if word in _REPEATS:
            flush()
            repeat = _REPEATS[word]
            continue
        if word in _HUNDRED_WORDS:
            multiplier = group.pop() if group and 0 < group[-1] < 10 and len(group) == 1 else 1
            flush()
            group.append(multiplier * 100)
            continue
        value = _number_value(word)
        if value is None:
            flush()
            digits = "".join(ch for ch in token.raw if ch.isdigit())
            out.append(digits * repeat if len(digits) == 1 else digits)
            repeat = 1
            continue
        if repeat > 1:
            flush()
            out.append(str(value) * repeat)
            repeat = 1
            continue
        # Arabic says the unit first: "خمسة وعشرين" is 25.
        unit_then_tens = (
            len(group) == 1 and 0 < group[0] < 10 and value in _TENS and _has_conjunction(word)
        )
        if not (unit_then_tens or _joins(group, value)):
            flush()
        group.append(value)
    flush()
    return "".join(out)


def _has_conjunction(folded: str) -> bool:
    return folded[:1] in _CONJUNCTION_PREFIXES and folded not in _VALUE_OF


def _joins(group: list[int], value: int) -> bool:
    """Whether ``value`` continues the number in ``group`` ("twenty" + "one", "сто" + "пять")."""
    if not group:
        return True
    last = group[-1]
    if last >= 100 and last % 100 == 0:
        return 0 < value < 100
    if last >= 10 and last % 10 == 0 and (len(group) == 1 or group[0] >= 100):
        return 0 < value < 10
    return False


# --- e-mails ------------------------------------------------------------------------------------


def _email_spans(
    text: str, tokens: tuple[_Token, ...], tlds: frozenset[str]
) -> Iterator[tuple[int, int]]:
    for index, token in enumerate(tokens):
        if token.folded not in _AT_WORDS and token.raw != "@":
            continue
        if index == 0 or index + 1 >= len(tokens):
            continue
        left = _local_part_start(text, tokens, index)
        right = _domain_end(text, tokens, index, tlds)
        if left is None or right is None:
            continue
        if (
            token.folded in _AMBIGUOUS_AT
            and right == index + 1
            and not (_HANDLE_LIKE.fullmatch(tokens[left].raw) or left < index - 1)
        ):
            if fold(tokens[right].raw.split(".")[0]) not in _MAIL_PROVIDERS:
                continue
        if not _continues_as_link(text, tokens[right]):
            # "@" typed with both sides typed is the typed-e-mail matcher's job, but a union is
            # harmless and catches "ivan@mail точка ru".
            yield tokens[left].start, tokens[right].end


def _local_part_start(text: str, tokens: tuple[_Token, ...], at: int) -> int | None:
    position = at - 1
    if not _joined(text, tokens[position], tokens[at]) or not _LOCAL_PART.fullmatch(
        tokens[position].raw
    ):
        return None
    while position >= 2 and tokens[position - 1].folded in _DOT_WORDS:
        before = tokens[position - 2]
        if not _LOCAL_PART.fullmatch(before.raw) or not _joined(text, before, tokens[position - 1]):
            break
        position -= 2
    return position


def _domain_end(text: str, tokens: tuple[_Token, ...], at: int, tlds: frozenset[str]) -> int | None:
    position = at + 1
    first = tokens[position]
    if not _joined(text, tokens[at], first) or not _DOMAIN_LABELS.fullmatch(first.raw):
        return None
    labels = first.raw.split(".")
    last_good = position if len(labels) > 1 and _is_tld(labels[-1], tlds) else None
    while position + 2 < len(tokens) and tokens[position + 1].folded in _DOT_WORDS:
        label = tokens[position + 2]
        if not _joined(text, tokens[position], tokens[position + 1]) or not _joined(
            text, tokens[position + 1], label
        ):
            break
        if not _DOMAIN_LABELS.fullmatch(label.raw):
            break
        position += 2
        if _is_tld(label.raw.split(".")[-1], tlds):
            last_good = position
    return last_good


def _continues_as_link(text: str, domain: _Token) -> bool:
    return text[domain.end : domain.end + 1] in {"/", ":"}


def _is_tld(label: str, tlds: frozenset[str]) -> bool:
    folded = fold(label)
    return folded in tlds or folded in _SPOKEN_TLDS


def _joined(text: str, left: _Token, right: _Token) -> bool:
    return bool(_EMAIL_GAP.fullmatch(text, left.end, right.start))


def spoken_digits(text: str) -> list[str]:
    """The digit strings of every run of number words in ``text`` ("+" kept), as rebuilt for the
    phone check: what a reader of the comment would dial."""
    tokens = _tokens(text, _PHONE_TOKEN)
    found: list[str] = []
    index = 0
    while index < len(tokens):
        end = _phone_run(text, tokens, index)
        if end == index:
            index += 1
            continue
        run = list(tokens[index:end])
        plus = run[0].folded in _PLUS_WORDS or run[0].raw == "+"
        found.append(("+" if plus else "") + _digits_of(run))
        index = end
    return found
