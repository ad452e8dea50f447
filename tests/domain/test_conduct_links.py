import pytest

from bot.domain.conduct.errors import ConductError, ConductErrorCode
from bot.domain.conduct.links import LinkMode, LinkPolicy, find_links, host_of, link_violations
from bot.domain.conduct.violation import Rule


@pytest.mark.parametrize(
    ("text", "url", "host"),
    [
        ("see https://example.com/x?y=1.", "https://example.com/x?y=1", "example.com"),
        ("go to example.com/x now", "example.com/x", "example.com"),
        ("join t.me/joinchat/AAAAB", "t.me/joinchat/AAAAB", "t.me"),
        ("tg://resolve?domain=spam", "tg://resolve?domain=spam", "t.me"),
        ("(www.test.org)", "www.test.org", "test.org"),
        ("EXAMPLE.COM!", "EXAMPLE.COM", "example.com"),
        ("news.bbc.co.uk/story", "news.bbc.co.uk/story", "news.bbc.co.uk"),
        ("пример.рф", "пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("example。com", "example。com", "example.com"),  # ideographic full stop
        ("HTTP://Example.com:8080/a", "HTTP://Example.com:8080/a", "example.com"),
    ],
)
def test_links_are_found(text: str, url: str, host: str) -> None:
    links = find_links(text)
    assert [(link.url, link.host) for link in links] == [(url, host)]
    start, end = links[0].span
    assert text[start:end] == url


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this, i.e. that",
        "open file.txt or image.png",
        "pi is 3.14",
        "I agree.It is fine",  # a missing blank after a full stop
        "write to bob@example.com",  # an e-mail address is not a link
        "the end. Next sentence",
        "",
    ],
)
def test_things_that_are_not_links(text: str) -> None:
    assert find_links(text) == []


def test_several_links_in_order() -> None:
    text = "a example.com, and https://foo.org/a, ok"
    assert [link.host for link in find_links(text)] == ["example.com", "foo.org"]


def test_host_of() -> None:
    assert host_of("https://user:pw@Sub.Example.com:443/p") == "sub.example.com"
    assert host_of("www.example.com") == "example.com"
    assert host_of("http://") is None


def test_allowlist_matches_subdomains_only() -> None:
    policy = LinkPolicy(LinkMode.ALLOWLIST, ("https://www.Example.com/", "*.wikipedia.org"))
    assert policy.domains == ("example.com", "wikipedia.org")
    assert policy.allows("example.com")
    assert policy.allows("docs.example.com")
    assert policy.allows("en.wikipedia.org")
    assert not policy.allows("notexample.com")
    assert not policy.allows("example.com.evil.net")


@pytest.mark.parametrize("domain", ["", "not a domain", "localhost", "http://"])
def test_bad_allowlist_entries_are_refused(domain: str) -> None:
    with pytest.raises(ConductError) as caught:
        LinkPolicy(LinkMode.ALLOWLIST, (domain,))
    assert caught.value.code is ConductErrorCode.BAD_DOMAIN
    assert caught.value.params == {"domain": domain}


def test_policies() -> None:
    text = "see example.com and evil.net"
    assert link_violations(LinkPolicy(LinkMode.ALLOW), text) == []
    denied = link_violations(LinkPolicy(LinkMode.DENY), text)
    assert [(v.rule, v.match, v.span) for v in denied] == [
        (Rule.LINK, "example.com", (4, 15)),
        (Rule.LINK, "evil.net", (20, 28)),
    ]
    listed = link_violations(LinkPolicy(LinkMode.ALLOWLIST, ("example.com",)), text)
    assert [v.match for v in listed] == ["evil.net"]


def test_hidden_entity_urls_are_checked_without_a_span() -> None:
    policy = LinkPolicy(LinkMode.ALLOWLIST, ("example.com",))
    violations = link_violations(
        policy, "click here", ["https://example.com/ok", "https://evil.net/x"]
    )
    assert [(v.match, v.span) for v in violations] == [("evil.net", None)]


def test_long_text_without_links_is_cheap_and_clean() -> None:
    assert find_links("a." * 2048) == []
    assert find_links("word " * 800) == []
