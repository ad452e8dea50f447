"""Cost of the whole conduct check per message: `.venv/bin/python bench/filters.py`.

Messages of 50, 500 and 4,096 characters, against 1,000 and 10,000 blocked terms spread over all
shipped languages (the starter lists plus generated words in each language's alphabet, a fifth of
them stems, a tenth of them phrases). Each message is in one language, words drawn Zipf-style from
a 3,000-word vocabulary per language, with punctuation, digits and the odd emoji; link policy is an
allowlist and flood state is live, so every part of the check runs. "cold" repeats the 500-character
case with words never seen before (the per-word folding cache misses on every word).
Times are CPU time of this process (``time.process_time``), best of three runs, so that other work
on a shared machine disturbs them less than wall-clock time would.
"""

from __future__ import annotations

import random
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


def bench(compiled, messages: list[str], rounds: int, repeats: int = 3) -> float:
    """Seconds per check, best of ``repeats`` runs of ``rounds`` checks over the messages."""
    state = FloodState()
    start_at = datetime(2026, 1, 1, tzinfo=UTC)
    best = float("inf")
    for _ in range(repeats):
        began = time.process_time()
        for i in range(rounds):
            text = messages[i % len(messages)]
            check_message(
                compiled,
                text,
                sender_id=i % 40,
                now=start_at + timedelta(milliseconds=250 * i),
                flood_state=state,
            )
        best = min(best, (time.process_time() - began) / rounds)
    return best


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
    cold_messages = [
        message(rng, vocabulary(rng, SHIPPED_LANGUAGES[i % 9], 200), 500) for i in range(2_000)
    ]  # half for each term count, so every word is new to the cache
    links = LinkPolicy(LinkMode.ALLOWLIST, ("example.org",))
    print(f"python {sys.version.split()[0]}, one core")
    print(f"{'terms':>7} {'keys':>7} {'chars':>6} {'checks/s':>10} {'µs/check':>9}")
    for run, total in enumerate(TERM_COUNTS):
        began = time.perf_counter()
        compiled = compile_rules(ConductRules(terms=term_lists(total, rng), links=links))
        compile_ms = (time.perf_counter() - began) * 1000
        for size in SIZES:
            rounds = {50: 30_000, 500: 10_000, 4096: 2_000}[size]
            per_check = bench(compiled, messages[size], rounds)
            print(
                f"{total:>7} {compiled.matcher.size:>7} {size:>6} "
                f"{1 / per_check:>10,.0f} {per_check * 1e6:>9.1f}"
            )
        cold = bench(compiled, cold_messages[run :: len(TERM_COUNTS)], 1_000, repeats=1)
        print(
            f"{total:>7} {compiled.matcher.size:>7} {'500c':>6} {1 / cold:>10,.0f} {cold * 1e6:>9.1f}"
        )
        print(f"        compile: {compile_ms:,.0f} ms")


if __name__ == "__main__":
    main()
