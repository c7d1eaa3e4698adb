"""response.v1: status, containment, operational impact and reference mentions."""

from __future__ import annotations

import pytest

from extractors.response import extract_response


def _values(parse, text: str, label: str) -> list[str]:
    doc, article = parse(text)
    return [m.value for m in extract_response(doc, article) if m.label == label]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Acme Corp said it is still investigating the incident.", "Ongoing"),
        ("The partnership is paused pending an internal investigation.", "Ongoing"),
        ("Acme Corp continues its investigation with outside experts.", "Ongoing"),
        ("Acme Corp said the incident has been contained.", "Contained"),
        ("Engineers isolated the affected servers within hours.", "Contained"),
        ("Acme Corp said the issue has been resolved and services are fully restored.", "Resolved"),
    ],
)
def test_response_status(parse, text: str, status: str) -> None:
    assert status in _values(parse, text, "status")


@pytest.mark.parametrize(
    "text",
    [
        "The archive contained invoices and contracts.",
        "The outage has not been resolved yet.",
    ],
)
def test_response_status_ignores_other_senses(parse, text: str) -> None:
    assert _values(parse, text, "status") == []


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "Globex has suspended its contract with Initech following the breach.",
            "suspended its contract with Initech",
        ),
        ("Acme Corp took its payment servers offline on Monday.", "took its payment servers offline"),
        ("Acme Corp notified law enforcement and regulators.", "notified law enforcement and regulators"),
        ("Acme Corp hired a forensic firm to investigate.", "hired a forensic firm"),
        ("The company rotated all API keys after the intrusion.", "rotated all API keys"),
    ],
)
def test_response_containment_phrase(parse, text: str, phrase: str) -> None:
    assert phrase in _values(parse, text, "containment")


@pytest.mark.parametrize(
    "text",
    [
        "Customers should reset their passwords.",
        "Globex has not suspended its contract with Initech.",
        "The attackers took the payment servers offline.",
    ],
)
def test_response_containment_not_advice_negation_or_attacker(parse, text: str) -> None:
    assert _values(parse, text, "containment") == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Staff at the clinic are unable to file claims until systems return.", "unable to file claims"),
        ("The hospital postponed surgeries after the attack.", "postponed surgeries"),
        ("The patient portal was offline for two days.", "The patient portal was offline"),
    ],
)
def test_response_operational_impact(parse, text: str, fragment: str) -> None:
    assert any(fragment in v for v in _values(parse, text, "operational_impact"))


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("The breach, first reported by The Daily Ledger, hit Acme Corp.", "The Daily Ledger"),
        ("According to a report from Tech Chronicle, Acme Corp was hit.", "Tech Chronicle"),
        ("An Acme Corp spokesperson told Reuters that data was taken.", "Reuters"),
    ],
)
def test_response_reference(parse, text: str, outlet: str) -> None:
    assert outlet in _values(parse, text, "reference")


def test_response_reference_not_a_bare_according_to(parse) -> None:
    assert _values(parse, "According to Acme Corp, no customer data was taken.", "reference") == []


def test_response_containment_value_is_a_clause_not_the_sentence(parse) -> None:
    text = "Globex has suspended its contract with Initech, a payroll vendor that was breached last month."
    doc, article = parse(text)
    (m,) = [m for m in extract_response(doc, article) if m.label == "containment"]
    assert m.value == article.text[m.start : m.end] and len(m.value) < len(m.sentence)


def test_response_containment_keeps_a_bracket_it_opened(parse) -> None:
    text = "After spotting the problem, Orchard Press revoked access for the suspended vendor(s)."
    assert "revoked access for the suspended vendor(s)" in _values(parse, text, "containment")
