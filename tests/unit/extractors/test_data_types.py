"""data_types.v1: data phrases said to be compromised, denials kept apart, categories."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from extractors.data_types import categorize, extract_data_types, rate_sensitivity
from schemas.entities import Mention


def _run(parse: Callable, text: str) -> list[Mention]:
    doc, article = parse(text)
    return extract_data_types(doc, article)


def _values(mentions: list[Mention], label: str) -> list[str]:
    return [m.value for m in mentions if m.label == label]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hackers stole names, email addresses and dates of birth from Pellworth Bank.",
            {
                "names": "personal data",
                "email addresses": "contact details",
                "dates of birth": "personal data",
            },
        ),
        (
            "The stolen data included Social Security numbers, credit card numbers and passwords.",
            {
                "Social Security numbers": "government IDs",
                "credit card numbers": "financial data",
                "passwords": "credentials",
            },
        ),
        (
            "Exposed information includes proprietary design methodologies and vendor selection criteria.",
            {
                "proprietary design methodologies": "intellectual property",
                "vendor selection criteria": "intellectual property",
            },
        ),
        (
            "The intruders accessed customers' medical records, including diagnoses and prescriptions.",
            {"medical records": "health data", "diagnoses": "health data", "prescriptions": "health data"},
        ),
        (
            "Attackers exfiltrated the company's source code and internal documents.",
            {"source code": "source code", "internal documents": "documents"},
        ),
    ],
)
def test_data_types_list_items_with_categories(parse: Callable, text: str, expected: dict[str, str]) -> None:
    found = {m.value: m.attrs["category"] for m in _run(parse, text) if m.label == "data"}
    assert found == expected


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("Payment card data was not affected.", "payment card data"),
        ("The break-in in no way affected Corvane user data.", "Corvane user data"),
        ("There is no evidence that passwords were taken.", "passwords"),
        ("No customer data was accessed during the intrusion.", "customer data"),
    ],
)
def test_data_types_denial_is_not_exposure(parse: Callable, text: str, denied: str) -> None:
    mentions = _run(parse, text)
    assert _values(mentions, "data") == []
    assert _values(mentions, "data_not_compromised") == [denied]


def test_data_types_denial_and_exposure_in_one_sentence(parse: Callable) -> None:
    mentions = _run(parse, "No payment data was affected, but the attackers stole source code.")
    assert _values(mentions, "data") == ["source code"]
    assert _values(mentions, "data_not_compromised") == ["payment data"]


@pytest.mark.parametrize(
    "text",
    [
        "Hackers often steal passwords from poorly protected websites.",
        "The flaw could allow attackers to steal email addresses.",
        "Such malware can be used to exfiltrate credit card numbers.",
        "If passwords are stolen, users should change them at once.",
        "The company stores names and email addresses of its customers.",
        "Researchers disclosed vulnerabilities in several routers.",
        "Files stolen in such attacks could include passwords.",
    ],
)
def test_data_types_generic_or_hypothetical_yields_nothing(parse: Callable, text: str) -> None:
    assert _run(parse, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Attackers accessed the servers and stole customer records.", ["customer records"]),
        ("The attackers compromised the email accounts of employees.", ["email accounts"]),
        ("The firm left the names and addresses of customers exposed on a server.", ["names", "addresses"]),
        ("The gang claims it has stolen unreleased films.", ["unreleased films"]),
        ("Among the records stolen were names and phone numbers.", ["names", "phone numbers"]),
        ("Hackers stole millions of usernames.", ["usernames"]),
    ],
)
def test_data_types_clean_phrases_not_systems_or_people(
    parse: Callable, text: str, expected: list[str]
) -> None:
    assert _values(_run(parse, text), "data") == expected


def test_data_types_mentions_carry_spans_and_sentence(parse: Callable) -> None:
    text = "Quorin Ltd said on Monday that intruders stole its source code. Staff were told."
    doc, article = parse(text)
    (found,) = extract_data_types(doc, article)
    assert text[found.start : found.end] == "source code"
    assert found.sentence == "Quorin Ltd said on Monday that intruders stole its source code."
    assert found.extractor == "data_types.v1"


@pytest.mark.parametrize(
    ("phrase", "category"),
    [
        ("customer payment card data", "financial data"),
        ("password hashes", "credentials"),
        ("model weights", "AI training data"),
        ("Slack messages", "communications"),
        ("driver's license numbers", "government IDs"),
        ("weather charts", "other"),
    ],
)
def test_data_types_categorize_longest_cue(phrase: str, category: str) -> None:
    assert categorize(phrase) == category


@pytest.mark.parametrize(
    ("categories", "rating"),
    [
        (["contact details", "government IDs"], "High"),
        (["contact details", "customer data"], "Medium"),
        (["other"], "Low"),
        ([], "Unknown"),
    ],
)
def test_data_types_rate_sensitivity_highest_wins(categories: list[str], rating: str) -> None:
    assert rate_sensitivity(categories) == rating


def test_list_items_the_parser_split_off_are_kept(parse: Callable) -> None:
    text = (
        "The attackers stole sensitive files including payroll records, scheduling templates, "
        "and pricing strategies."
    )
    doc, article = parse(text)
    values = {m.value for m in extract_data_types(doc, article) if m.label == "data"}
    assert {"payroll records", "pricing strategies"} <= values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Intruders broke into Norvale's network, stealing data and posting customer photos online.",
            ["customer photos"],
        ),
        (
            "Blue Finch broke the news on Friday that a Tarrow database was exposed for months.",
            ["Tarrow database"],
        ),
        ("Hackers leaked a massive 40GB database belonging to Kelbrook.", ["database"]),
        (
            "The attack compromised the contents of patient chats at Dovecote Clinic.",
            ["patient chats"],
        ),
        (
            "The breach gave attackers access to names and phone numbers of Quillford members.",
            ["names", "phone numbers"],
        ),
        ("Hackers took addresses and card numbers from Pellmark shoppers.", ["addresses", "card numbers"]),
        ("The hackers posted the stolen passwords online.", ["passwords"]),
        (
            "Investigators tracked a trader selling over 3 million Kestrel and Yarrow accounts "
            "on a dark web market.",
            ["Kestrel and Yarrow accounts"],
        ),
    ],
)
def test_data_types_phrase_is_the_data_not_a_verb_name_or_size(
    parse: Callable, text: str, expected: list[str]
) -> None:
    assert _values(_run(parse, text), "data") == expected


@pytest.mark.parametrize(
    "text",
    [
        "The ransomware blocked access to the town's files until officials restored access to their records.",
        "Criminals gained access to Hollin Bank accounts last week.",
        "The researcher posted a video explaining the flaw.",
        "Thieves took backups of all shared drives at Pellmark.",
        "The apps risked exposing login tokens.",
        "The firewall prevented the attackers from stealing customer records.",
        "The gang tried to steal payroll files from Brenwick.",
        "The attackers posted a ransom note and sent a malicious message to Brenwick staff.",
    ],
)
def test_data_types_blocked_attempted_or_attacker_made_is_not_compromised(parse: Callable, text: str) -> None:
    assert _values(_run(parse, text), "data") == []


def test_data_types_list_hung_on_the_verb_is_kept(parse: Callable) -> None:
    text = (
        "Hackers broke into the Dorran database, exposing the emails, home addresses, phone numbers and "
        "dates of birth of 5,000 customers."
    )
    values = _values(_run(parse, text), "data")
    assert {"emails", "home addresses", "phone numbers", "dates of birth"} <= set(values)


def test_data_types_list_verb_without_parsed_subject(parse: Callable) -> None:
    text = (
        "Ardent told customers in a letter that accessed data includes emails, passport numbers and "
        "travel history."
    )
    assert _values(_run(parse, text), "data") == ["emails", "passport numbers", "travel history"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A Dunmore lender left the names, addresses and credit scores of 80,000 people exposed "
            "on a public server.",
            ["names", "addresses", "credit scores"],
        ),
        (
            "Nearly 4 million Zorba accounts were hijacked, exposing home addresses, easily cracked "
            "PINs, phone numbers, and usernames.",
            ["home addresses", "PINs", "phone numbers", "usernames"],
        ),
        (
            "The stolen record batch includes usernames, passwords and birthdays.",
            ["usernames", "passwords", "birthdays"],
        ),
        ("The group released the stolen payroll files of Harlow staff online.", ["payroll files"]),
        ("The company released a patch for the flaw.", []),
    ],
)
def test_data_types_items_the_parse_hangs_elsewhere(parse: Callable, text: str, expected: list[str]) -> None:
    assert _values(_run(parse, text), "data") == expected


@pytest.mark.parametrize(
    ("phrase", "category"),
    [
        ("email accounts", "customer data"),
        ("SMS contacts", "contact details"),
        ("full names", "personal data"),
        ("employee W-2 forms", "financial data"),
        ("verification code", "other"),
        ("fingerprints", "biometric data"),
    ],
)
def test_data_types_category_follows_the_head_noun(phrase: str, category: str) -> None:
    assert categorize(phrase) == category


def test_data_types_including_list_under_a_denied_clause_is_denied(parse: Callable) -> None:
    mentions = _run(parse, "No sensitive information was lost, including protected health information.")
    assert _values(mentions, "data") == []
    assert _values(mentions, "data_not_compromised") == ["health information"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The firm determined the information taken was limited to member names and email addresses.",
            ["member names", "email addresses"],
        ),
        (
            "Backup drives were stolen from the Harlow office, containing payroll records.",
            ["payroll records"],
        ),
        (
            "The hackers leaked unfinished film scripts from Brightwater Studios.",
            ["unfinished film scripts"],
        ),
    ],
)
def test_data_types_restricted_to_contained_in_stolen_devices_and_media(
    parse: Callable, text: str, expected: list[str]
) -> None:
    assert _values(_run(parse, text), "data") == expected


def test_data_types_hedged_list_of_the_breached_files_is_exposure(parse: Callable) -> None:
    text = "Some 600 files accessed by the intruders may include payroll records of Pellam Energy staff."
    assert _values(_run(parse, text), "data") == ["payroll records"]
