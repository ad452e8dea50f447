"""Cost of the whole conduct check per message: `.venv/bin/python bench/filters.py`.

Messages of 50, 500 and 4,096 characters, against 1,000 and 10,000 blocked terms spread over all
shipped languages (the starter lists plus generated words in each language's alphabet, a fifth of
them stems, a tenth of them phrases). Each message is in one language, words drawn Zipf-style from
a 3,000-word vocabulary per language, with punctuation, digits and the odd emoji; link policy is an
allowlist and flood state is live, so every part of the check runs. "cold" repeats the 500-character
case with words never seen before (the per-word folding cache misses on every word).
"unseen" is the adversarial case: every word of every message is new (random letters), so the
folding cache never hits. Times are CPU time of this process (``time.process_time``), so that
other work on a shared machine disturbs them less than wall-clock time would; each figure is the
median of RUNS runs with the spread (min-max), and the runs at 1,000 and 10,000 terms are
interleaved so that both see the same machine. The baseline beside the 10,000-term figure is the
1,000-term figure of the same run (goal: cost ratio at most 1.2x; unseen words at least 10,000
checks/s at 500 characters).
"""

from __future__ import annotations

import os
import random
import statistics
import string
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.conduct import (
    SHIPPED_LANGUAGES,
    ConductRules,
    FloodState,
    LinkMode,
    LinkPolicy,
    check_message,
    compile_rules,
)
from bot.domain.conduct.terms import all_starter_terms

ALPHABETS = {
    "en": string.ascii_lowercase,
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوية",
    "he": "אבגדהוזחטיכלמנסעפצקרשתךםןףץ",
    "tr": "abcçdefgğhıijklmnoöprsştuüvyz",
    "el": "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώ",
    "hy": "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
    "az": "abcçdeəfgğhxıijkqlmnoöprsştuüvyz",
    "ka": "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш",
    "sq": "abcçdeëfghijklmnopqrstuvxyz",
    "es": "abcdefghijklmnñopqrstuvwxyzáéíóúü",
    "fr": "abcdefghijklmnopqrstuvwxyzàâçéèêëîïôùûüœ",
    "de": "abcdefghijklmnopqrstuvwxyzäöüß",
    # Korean and Chinese: common syllables / characters (a "letter" there is one of these).
    "ko": "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추기니디리미비시이지치"
    "한국말사람생각우리학교친구시간오늘내일정말좋은있는없는하고해서",
    "zh_Hans": "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去过家学对"
    "可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手用主行方又如前所本见经头面公同",
    "zh_Hant": "的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去過家學對"
    "可她裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手用主行方又如前所本見經頭面公同",
}
SIZES = (50, 500, 4096)
TERM_COUNTS = (1_000, 10_000)
PUNCTUATION = [",", ".", "!", "?", " —", ":", ""]


def word(rng: random.Random, alphabet: str, low: int = 2, high: int = 9) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def term_lists(total: int, rng: random.Random) -> dict[str, str]:
    """Program lists that bring the term count (with the starter lists) to ``total``."""
    per_language = (total - len(all_starter_terms())) // len(SHIPPED_LANGUAGES)
    lists: dict[str, str] = {}
    for language in SHIPPED_LANGUAGES:
        alphabet = ALPHABETS[language]
        lines = set()
        while len(lines) < per_language:
            roll = rng.random()
            if roll < 0.1:
                lines.add(f"{word(rng, alphabet, 3, 7)} {word(rng, alphabet, 3, 7)}")
            elif roll < 0.3:
                lines.add(word(rng, alphabet, 5, 9) + "*")
            else:
                lines.add(word(rng, alphabet, 5, 10))
        lists[language] = "\n".join(sorted(lines))
    return lists


def vocabulary(rng: random.Random, language: str, size: int = 3_000) -> list[str]:
    alphabet = ALPHABETS[language]
    return [word(rng, alphabet) for _ in range(size)]


def message(rng: random.Random, words: list[str], length: int) -> str:
    parts: list[str] = []
    total = 0
    while total < length:
        index = min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)
        piece = words[index]
        roll = rng.random()
        if roll < 0.15:
            piece = piece.capitalize() + rng.choice(PUNCTUATION)
        elif roll < 0.18:
            piece = str(rng.randint(1, 2030))
        elif roll < 0.19:
            piece = "🙂"
        parts.append(piece)
        total += len(piece) + 1
    return " ".join(parts)[:length]


RUNS = 5


def run_once(compiled, messages: list[str], rounds: int) -> float:
    """Seconds per check over ``rounds`` checks cycling through the messages."""
    state = FloodState()
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    began = time.process_time()
    for i in range(rounds):
        check_message(
            compiled,
            messages[i % len(messages)],
            sender_id=i % 40,
            now=start_at + timedelta(milliseconds=250 * i),
            flood_state=state,
        )
    return (time.process_time() - began) / rounds


def unseen_message(rng: random.Random, language: str, length: int) -> str:
    """Words nobody wrote before: random letters, capitals and punctuation now and then."""
    alphabet = ALPHABETS[language]
    parts: list[str] = []
    total = 0
    while total < length:
        piece = word(rng, alphabet)
        if rng.random() < 0.15:
            piece = piece.capitalize() + rng.choice(PUNCTUATION)
        parts.append(piece)
        total += len(piece) + 1
    return " ".join(parts)[:length]


def row(label: str, size: str, per_run: dict[int, list[float]]) -> None:
    """One figure per term count (median checks/s, spread), and the cost ratio 10k / 1k."""
    cells = []
    for total in TERM_COUNTS:
        rates = [1 / t for t in per_run[total]]
        cells.append(f"{statistics.median(rates):>8,.0f}/s ({min(rates):,.0f}-{max(rates):,.0f})")
    ratio = statistics.median(per_run[TERM_COUNTS[1]]) / statistics.median(per_run[TERM_COUNTS[0]])
    print(f"{label:<8} {size:>6} {cells[0]:>28} {cells[1]:>28} {ratio:>7.2f}x")


def main() -> None:
    rng = random.Random(20260301)
    vocabularies = {language: vocabulary(rng, language) for language in SHIPPED_LANGUAGES}
    messages = {
        size: [
            message(rng, vocabularies[SHIPPED_LANGUAGES[i % len(SHIPPED_LANGUAGES)]], size)
            for i in range(900)
        ]
        for size in SIZES
    }
    # Fresh messages for every run and term count, so that every word is new to the cache.
    cold_messages = {
        (run, total): [
            message(rng, vocabulary(rng, SHIPPED_LANGUAGES[i % 9], 200), 500) for i in range(1_000)
        ]
        for run in range(RUNS)
        for total in TERM_COUNTS
    }
    unseen_messages = {
        (run, total): [unseen_message(rng, SHIPPED_LANGUAGES[i % 9], 500) for i in range(1_000)]
        for run in range(RUNS)
        for total in TERM_COUNTS
    }
    links = LinkPolicy(LinkMode.ALLOWLIST, ("example.org",))
    print(
        f"python {sys.version.split()[0]}, checks on one core; machine has {os.cpu_count()} cores"
        f" (load {os.getloadavg()[0]:.2f}); {RUNS} runs per figure, median (min-max)"
    )
    compiled = {}
    for total in TERM_COUNTS:
        began = time.perf_counter()
        compiled[total] = compile_rules(ConductRules(terms=term_lists(total, rng), links=links))
        print(
            f"{total:>6} terms: {compiled[total].matcher.size:,} keys, compiled in "
            f"{(time.perf_counter() - began) * 1000:,.0f} ms"
        )
    print(
        f"{'case':<8} {'chars':>6} {'1,000 terms (baseline)':>28} {'10,000 terms':>28} {'cost':>8}"
    )
    for size in SIZES:
        rounds = {50: 30_000, 500: 10_000, 4096: 2_000}[size]
        per_run: dict[int, list[float]] = {total: [] for total in TERM_COUNTS}
        for _ in range(RUNS):
            for total in TERM_COUNTS:
                per_run[total].append(run_once(compiled[total], messages[size], rounds))
        row("warm", str(size), per_run)
    for label, sets in (("cold", cold_messages), ("unseen", unseen_messages)):
        per_run = {total: [] for total in TERM_COUNTS}
        for run in range(RUNS):
            for total in TERM_COUNTS:
                per_run[total].append(run_once(compiled[total], sets[(run, total)], 1_000))
        row(label, "500", per_run)


if __name__ == "__main__":
    main()
