"""indicators.v1: indicators of compromise, re-fanged, only where the text presents them as such."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.language import Language

import extractors
from extractors.indicators import NAME, extract_indicators, fang_with_offsets, registered_domain
from schemas.document import Article

OWN = "https://www.wirebeacon.example.org/2026/05/story"


@pytest.fixture(scope="module")
def found(nlp: Language) -> Callable[..., dict[str, str]]:
    """`found(text, url=...)` -> {value: type} of the indicators extracted."""

    def run(text: str, url: str | None = OWN, publisher: str | None = None) -> dict[str, str]:
        article = Article(id="t", origin="t", text=text, url=url, publisher=publisher)
        return {m.value: str(m.attrs["type"]) for m in extract_indicators(nlp(text), article)}

    return run


def test_indicators_module_registers_versioned_name() -> None:
    assert extractors.EXTRACTORS[NAME] is extract_indicators


def test_fang_maps_every_character_back_to_the_written_form() -> None:
    text = "see hxxps://cdn[.]example[.]com/x and ops(at)example(dot)net"
    fanged, starts, ends = fang_with_offsets(text)
    assert "https://cdn.example.com/x" in fanged and "ops@example.net" in fanged
    at = fanged.index("https://")
    end = at + len("https://cdn.example.com/x")
    assert text[starts[at] : ends[end - 1]] == "hxxps://cdn[.]example[.]com/x"
    at = fanged.index("ops@")
    assert text[starts[at] : ends[at + len("ops@example.net") - 1]] == "ops(at)example(dot)net"


def test_indicator_mentions_span_the_defanged_text(nlp: Language) -> None:
    text = "The phishing page lived at hxxp://pay-check[.]example[.]com/in and the C2 at 203.0.113[.]9."
    article = Article(id="t", origin="t", text=text)
    mentions = extract_indicators(nlp(text), article)
    assert [(m.value, m.text, m.attrs) for m in mentions] == [
        (
            "http://pay-check.example.com/in",
            "hxxp://pay-check[.]example[.]com/in",
            {"type": "url", "defanged": True},
        ),
        ("203.0.113.9", "203.0.113[.]9", {"type": "ipv4", "defanged": True}),
    ]
    assert all(text[m.start : m.end] == m.text and m.text in m.sentence for m in mentions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # written de-fanged: presented as an indicator, even a private address
        ("Staff saw traffic to files-sync[.]example[.]net.", {"files-sync.example.net": "domain"}),
        ("The backdoor talked to 10.8.0[.]14 inside the network.", {"10.8.0.14": "ipv4"}),
        # plain, with an indicator cue in the sentence
        (
            "The malicious domain relay-node.example.com served the payload.",
            {"relay-node.example.com": "domain"},
        ),
        ("Mails were sent from the spoofed address payroll@example.net.", {"payroll@example.net": "email"}),
        ("The attackers' server at 198.18.7.1 is unreachable.", {}),  # reserved, not presented
        ("Its C2 server at 185.220.101.4 went dark.", {"185.220.101.4": "ipv4"}),
        (  # the address is; the hosting company named beside it is not
            "Attacks came from 109.71.40.2, an IP address hosted by hostvault.net, a hosting company.",
            {"109.71.40.2": "ipv4"},
        ),
        (
            "A Tor site at http://k5tvqwzmt7y3aoh4.onion/ lists the files.",
            {"http://k5tvqwzmt7y3aoh4.onion/": "url"},
        ),
        # plain, and nothing says it is an indicator
        ("The company's website relay-node.example.com has a status page.", {}),
        # hashes and CVE ids always are
        ("Quarterly results mention CVE-2026-10001.", {"CVE-2026-10001": "cve"}),
        ("The file's MD5 is 5d41402abc4b2a76b9719d911017c592.", {"5d41402abc4b2a76b9719d911017c592": "md5"}),
    ],
)
def test_indicators_presented_as_such(
    found: Callable[..., dict[str, str]], text: str, expected: dict
) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A Brindlemoor.com spokesperson said the phishing mails did not come from its servers.",
        "Brindlemoor warned of phishing mails; its real site is brindlemoor.com, the company said.",
        "The phishing mails linked to a Google Docs page, not to gmail.com.",
        "Admins should move to release 7.4.0.212 or later, since attackers exploit the flaw.",
        "Attackers exploit versions 4.1.12 or 4.2.8.3 of the gateway.",
        "Please forward suspicious mails to abuse@example.net, the bank said.",
        "The attackers' mailbox, shown as j***@example.net, was closed.",
        "For example, a lookalike name like paypa1-help.com costs a few dollars.",
        "The attacker dropped a file called Invoice.zip on the server.",
    ],
)
def test_no_indicator_for_names_versions_contacts_and_examples(
    found: Callable[..., dict[str, str]], text: str
) -> None:
    assert found(text) == {}


def test_a_lookalike_of_a_named_company_under_another_tld_is_kept(
    found: Callable[..., dict[str, str]],
) -> None:
    text = (
        "Brindlemoor said the phishing mails came from brindlemoor.work, a lookalike of its brindlemoor.com."
    )
    assert found(text) == {"brindlemoor.work": "domain"}


def test_a_common_word_at_a_sentence_start_is_no_company_name(found: Callable[..., dict[str, str]]) -> None:
    text = "Example records were copied. The phishing domain login-check.example.net collected passwords."
    assert found(text) == {"login-check.example.net": "domain"}


def test_the_publishers_own_links_are_no_indicators(found: Callable[..., dict[str, str]]) -> None:
    text = "We covered the phishing kit before: https://www.wirebeacon.example.org/2026/04/kit."
    assert found(text) == {}
    assert found(text, url="https://other.example.net/story") == {
        "https://www.wirebeacon.example.org/2026/04/kit": "url"
    }
    assert (
        found(
            "The phishing kit was described at https://wirebeacon.net/kits.", url=None, publisher="WireBeacon"
        )
        == {}
    )


def test_an_indicators_list_is_read_line_by_line(found: Callable[..., dict[str, str]]) -> None:
    text = "The gang used two servers.\nIndicators of compromise:\nupdates.example.net\n192.0.2.44\n"
    assert found(text) == {"updates.example.net": "domain", "192.0.2.44": "ipv4"}
    listed = "The domains involved are the following:\nstatus-page.example.com\n"
    assert found(listed) == {"status-page.example.com": "domain"}


def test_each_indicator_once(found: Callable[..., dict[str, str]]) -> None:
    text = "The C2 at 203.0.113[.]5 was seen again.\nIOCs:\n203.0.113[.]5\n203.0.113.5\n"
    assert found(text) == {"203.0.113.5": "ipv4"}


@pytest.mark.parametrize(
    ("host", "registered"),
    [
        ("mail.example.co.uk", "example.co.uk"),
        ("a.b.example.com", "example.com"),
        ("example.org", "example.org"),
    ],
)
def test_registered_domain(host: str, registered: str) -> None:
    assert registered_domain(host) == registered
