"""`bridgebot rules`: an operator reads and edits a program's conduct rules from the command line.

The main flows run the real `bridgebot` process; the many bad-input cases call the same entry point
(`bot.cli.main`) in this process with the same environment, which checks the same one-line verdicts
without paying an interpreter start-up per case.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.conftest import bridgebot
from tests.e2e.test_cli import assert_one_line_failure

DEFAULT_SHOW = [
    "program: Spring Exchange (1)",
    "ladder: warn, warn, mute 1h, mute 1d, remove",
    "expiry: 30d",
    "flood: 5/10s",
    "raid: 20/10s",
    "links: allow",
    "domains: -",
    "forwards: yes",
    "filters: on",
    "own terms: none",
]


def _ok(result) -> list[str]:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


@pytest.fixture
def cli(bot_env, monkeypatch, capsys):
    """`bridgebot ARGS` in this process: returns a CompletedProcess like the subprocess helper."""
    for key in [k for k in os.environ if k.startswith(("TELEGRAM_", "BRIDGEBOT_", "DATABASE_URL"))]:
        monkeypatch.delenv(key)
    for key, value in bot_env.items():
        monkeypatch.setenv(key, value)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run


def _create_program(env: dict[str, str]) -> None:
    _ok(
        bridgebot(
            env,
            "program",
            "create",
            "--name",
            "Spring Exchange",
            "--side",
            "Armenia",
            "--side",
            "Azerbaijan",
            "--language",
            "en",
            "--language",
            "ru",
        )
    )


def _settings_log(env: dict[str, str]) -> list[tuple[str, object]]:
    path = env["DATABASE_URL"].split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT reason, actor_id FROM moderation_actions WHERE action = 'settings' ORDER BY id"
        ).fetchall()


def test_show_and_set_rules(bot_env, cli) -> None:
    _create_program(bot_env)
    assert _ok(bridgebot(bot_env, "rules", "show", "--program", "Spring Exchange")) == DEFAULT_SHOW
    out = _ok(
        bridgebot(
            bot_env,
            "rules",
            "set",
            "--program",
            "1",
            "--ladder",
            "warn, MUTE 2h, kick",
            "--expiry",
            "2w",
            "--flood",
            "3/20s",
            "--raid",
            "50/1m",
            "--links",
            "allowlist",
            "--domains",
            "Wikipedia.org, https://www.bbc.com/news",
            "--forwards",
            "no",
        )
    )
    assert out == [
        "updated: ladder, expiry, flood, raid, links, domains, forwards",
        "program: Spring Exchange (1)",
        "ladder: warn, mute 2h, remove",
        "expiry: 14d",
        "flood: 3/20s",
        "raid: 50/60s",
        "links: allowlist",
        "domains: wikipedia.org bbc.com",
        "forwards: no",
        "filters: on",
        "own terms: none",
    ]
    assert ("ladder=warn, mute 2h, remove", None) in _settings_log(bot_env)
    assert len(_settings_log(bot_env)) == 9
    # `show` prints values `set` reads back: applying them again changes (and logs) nothing
    values = dict(line.split(": ", 1) for line in out[2:9])
    again = cli(
        "rules",
        "set",
        "--program",
        "Spring Exchange",
        *(f"--{k}={v}" for k, v in values.items() if k in ("ladder", "expiry", "flood", "raid")),
        "--links",
        values["links"],
        "--domains",
        values["domains"],
        "--forwards",
        values["forwards"],
    )
    assert _ok(again)[1:] == out[1:]
    assert len(_settings_log(bot_env)) == 9


def test_bad_values_change_nothing(bot_env, cli) -> None:
    _create_program(bot_env)
    # the real process: one line on stderr, exit status 2
    assert_one_line_failure(
        bridgebot(bot_env, "rules", "set", "--program", "1", "--ladder", "warn, explode"),
        "The escalation ladder has a step I can't read: explode.",
    )
    cases = [
        (("--ladder", "warn, explode"), "The escalation ladder has a step I can't read: explode."),
        (("--flood", "five"), "I can't read the limit five. Write it as messages/seconds"),
        (("--expiry", "12h"), "Warnings count for whole days"),
        (("--expiry", "30x"), "I can't read the duration 30x."),
        (("--links", "sometimes"), "The link policy must be allow, deny or allowlist."),
        (("--domains", "a.org localhost"), "localhost is not a domain name."),
        (("--forwards", "maybe"), "Please answer yes or no."),
    ]
    for args, phrase in cases:
        result = cli("rules", "set", "--program", "1", "--flood", "2/10s", *args)
        assert_one_line_failure(result, phrase)
    assert_one_line_failure(cli("rules", "set", "--program", "1"), "nothing to change")
    assert_one_line_failure(cli("rules", "show", "--program", "Nope"), "There is no such program.")
    assert _ok(cli("rules", "show", "--program", "1")) == DEFAULT_SHOW
    assert _settings_log(bot_env) == []


def test_blocked_terms(bot_env, cli, tmp_path: Path) -> None:
    _create_program(bot_env)
    terms = ["rules", "terms"]
    out = _ok(
        bridgebot(
            bot_env, *terms, "add", "--program", "1", "--language", "ru", "плохослово", "гадость*"
        )
    )
    assert out == ["added 2: плохослово, гадость*", "ru: 2 own terms"]
    listing = tmp_path / "terms.txt"
    listing.write_text("# list\nbadword\nanother phrase\nbadword\n", encoding="utf-8")
    out = _ok(
        bridgebot(
            bot_env, *terms, "add", "--program", "1", "--language", "en", "--file", str(listing)
        )
    )
    assert out == ["added 2: badword, another phrase", "en: 2 own terms"]
    out = _ok(cli(*terms, "remove", "--program", "1", "--language", "ru", "гадость", "нет"))
    assert out == ["removed 1: гадость*", "not found 1: нет", "ru: 1 own terms"]
    assert _ok(bridgebot(bot_env, *terms, "list", "--program", "1")) == [
        "en\tbadword",
        "en\tanother phrase",
        "ru\tплохослово",
    ]
    assert _ok(cli("rules", "show", "--program", "1"))[-1] == "own terms: en=2 ru=1"
    # bad input: one clear line, nothing changed
    bad = tmp_path / "bad.txt"
    bad.write_bytes("слово".encode("cp1251"))
    short = tmp_path / "short.txt"
    short.write_text("fine\nx\n", encoding="utf-8")
    for args, phrase in [
        (("add", "--language", "xx", "word"), "There is no blocked-term list for the language xx."),
        (("add", "word"), "needs --language"),
        (("add", "--language", "en"), "needs the terms as arguments or --file"),
        (("add", "--language", "en", "--file", str(bad)), "plain-text .txt file in UTF-8"),
        (("add", "--language", "en", "--file", str(short)), "The blocked term x on line 2 (en)"),
        (("add", "--language", "en", "--file", str(tmp_path / "none.txt")), "no such file"),
    ]:
        verb, *rest = args
        assert_one_line_failure(cli(*terms, verb, "--program", "1", *rest), phrase)
    assert _ok(cli(*terms, "list", "--program", "1", "--language", "en")) == [
        "en\tbadword",
        "en\tanother phrase",
    ]
    assert [reason for reason, _actor in _settings_log(bot_env)] == [
        "blocked_terms.ru+2: плохослово, гадость*",
        "blocked_terms.en+2: badword, another phrase",
        "blocked_terms.ru-1: гадость*",
    ]
