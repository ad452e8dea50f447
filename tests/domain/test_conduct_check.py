from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.conduct import (
    ConductError,
    ConductErrorCode,
    ConductRules,
    FloodState,
    LinkMode,
    LinkPolicy,
    RateLimit,
    Rule,
    check_message,
    compile_rules,
    program_terms,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DEFAULT = compile_rules(ConductRules())
STRICT = compile_rules(
    ConductRules(
        terms={"en": "pineapple pizza\nheretic*", "de": "Ketzer"},
        links=LinkPolicy(LinkMode.ALLOWLIST, ("example.org",)),
        forwards_allowed=False,
        person_limit=RateLimit(3, timedelta(seconds=10)),
        group_limit=RateLimit(5, timedelta(seconds=10)),
    )
)


def check(compiled, text: str, *, sender: int = 1, at: datetime = T0, state=None, **flags):
    return check_message(
        compiled,
        text,
        sender_id=sender,
        now=at,
        flood_state=state if state is not None else FloodState(),
        **flags,
    )


def test_a_clean_message_breaks_nothing() -> None:
    assert check(DEFAULT, "Hello everyone, see you at the session on Tuesday!") == []


def test_a_blocked_term_is_reported_with_its_quote() -> None:
    text = "Honestly... I'LL K1LL YOU"
    [violation] = check(DEFAULT, text)
    assert violation.rule is Rule.BLOCKED_TERM
    assert (violation.match, violation.language) == ("i'll kill you", "en")
    assert text[slice(*violation.span)] == "I'LL K1LL YOU"


def test_program_terms_add_to_the_starter_lists() -> None:
    assert [v.match for v in check(STRICT, "pineapple  pizza, heretics, Ketzer")] == [
        "pineapple pizza",
        "heretic",
        "Ketzer",
    ]
    assert check(DEFAULT, "pineapple pizza") == []
    assert "вы тараканы" in [v.match for v in check(STRICT, "вы тараканы")]


def test_starter_lists_can_be_switched_off() -> None:
    rules = ConductRules(terms={"en": "heretic"}, use_starter_lists=False)
    assert [t.text for t in program_terms(rules)] == ["heretic"]
    assert check(compile_rules(rules), "i will kill you") == []


def test_a_bad_program_term_is_refused_when_compiling() -> None:
    with pytest.raises(ConductError) as caught:
        compile_rules(ConductRules(terms={"en": "ok term\n!!!"}))
    assert caught.value.code is ConductErrorCode.EMPTY_TERM
    assert caught.value.params["line"] == 2


def test_forwards() -> None:
    assert [v.rule for v in check(STRICT, "hi", is_forward=True)] == [Rule.FORWARD]
    assert check(DEFAULT, "hi", is_forward=True) == []


def test_links_from_text_and_entities() -> None:
    violations = check(
        STRICT, "docs at example.org, spam at evil.com", extra_urls=["https://hidden.net/x"]
    )
    assert [(v.rule, v.match, v.span) for v in violations] == [
        (Rule.LINK, "evil.com", (29, 37)),
        (Rule.LINK, "hidden.net", None),
    ]
    assert check(DEFAULT, "spam at evil.com") == []


def test_flood_counts_each_person_and_edits_do_not_count() -> None:
    state = FloodState()
    rules: list[list[Rule]] = []
    for i in range(4):
        at = T0 + timedelta(seconds=i)
        check(STRICT, "typo", at=at, state=state, is_edit=True)
        rules.append([v.rule for v in check(STRICT, "msg", at=at, state=state)])
    assert rules == [[], [], [], [Rule.FLOOD]]
    [flood] = check(STRICT, "msg", at=T0 + timedelta(seconds=4), state=state)
    assert (flood.count, flood.window) == (5, timedelta(seconds=10))


def test_a_burst_from_many_accounts_is_a_raid() -> None:
    state = FloodState()
    seen = [
        [v.rule for v in check(STRICT, "join us", sender=i, at=T0, state=state)] for i in range(7)
    ]
    assert seen == [[], [], [], [], [], [Rule.RAID], [Rule.RAID]]


def test_an_edited_message_is_still_filtered() -> None:
    [violation] = check(DEFAULT, "you vermin", is_edit=True)
    assert violation.rule is Rule.BLOCKED_TERM


@pytest.mark.parametrize(
    "text",
    [
        "🙂" * 4096,
        "\u0301" * 4096,
        "👨‍👩‍👧‍👦" * 500,
        "a" * 4096,
        ("peace мир שלום سلام խաղաղություն barış ειρήνη sülh " * 100)[:4096],
        "x" + "\u200b" * 4095,
        "",
    ],
)
def test_long_and_odd_messages_are_handled_without_hits(text: str) -> None:
    assert check(DEFAULT, text) == []


def test_a_long_message_with_a_hit_at_the_end_quotes_it() -> None:
    text = ("all good here " * 300)[: 4096 - 16] + " you cockroaches"
    assert len(text) == 4096
    [violation] = check(DEFAULT, text)
    assert text[slice(*violation.span)] == "you cockroaches"
