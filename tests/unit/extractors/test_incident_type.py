"""incident_type.v1: one verdict per article, from cues in sentences that report an event."""

from __future__ import annotations

import pytest

from extractors._gazetteer import load_vocabulary
from extractors.incident_type import NOT_INCIDENT, extract_incident_type


def _verdict(parse, text: str, title: str | None = None):
    doc, article = parse(text, title=title)
    found = extract_incident_type(doc, article)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        (
            "Acme Corp was hit by ransomware last week. The attackers encrypted its files and "
            "demanded a ransom of $2 million in bitcoin.",
            "Ransomware",
        ),
        (
            "Hackers breached Globex and stole the personal data of 40,000 customers. "
            "Globex confirmed the breach on Monday.",
            "Data Breach",
        ),
        (
            "Initech employees received phishing emails that impersonated the IT desk. "
            "Several staff entered their passwords on the fake login page.",
            "Phishing",
        ),
        (
            "Researchers at Umbrella Labs discovered a critical vulnerability in the Contoso Router. "
            "Contoso released a patch for the flaw, tracked as CVE-2026-12345, on Tuesday.",
            "Vulnerability",
        ),
        (
            "Attackers compromised a software update of Fabrikam Sync, a library used by thousands "
            "of firms. The malicious update was installed at Northwind, which confirmed the breach.",
            "Supply Chain Compromise",
        ),
    ],
)
def test_incident_type_of_events(parse, text: str, term: str) -> None:
    verdict = _verdict(parse, text)
    assert verdict.value == term
    assert verdict.attrs["is_incident"] is True
    assert article_span_ok(parse, text, verdict)


def article_span_ok(parse, text: str, verdict) -> bool:
    return text[verdict.start : verdict.end] == verdict.text and verdict.text in verdict.sentence


@pytest.mark.parametrize(
    "text",
    [
        "Ransomware attacks are rising. Experts say companies should back up their data and "
        "train staff, because phishing remains the most common way in.",
        "Here are five tips to avoid phishing scams: check the sender, do not click links, and "
        "use a password manager.",
    ],
)
def test_incident_type_general_talk_is_not_an_incident(parse, text: str) -> None:
    verdict = _verdict(parse, text)
    assert verdict.value == NOT_INCIDENT
    assert verdict.attrs["is_incident"] is False
    assert verdict.attrs["reason"]


def test_incident_type_product_news_is_not_an_incident(parse) -> None:
    verdict = _verdict(parse, "Contoso launched a new firewall appliance for small businesses on Monday.")
    assert verdict.value == NOT_INCIDENT
    assert verdict.attrs["reason"].startswith("no cyber-security context")


def test_incident_type_title_counts_when_not_in_text(parse) -> None:
    text = "Northwind said the attackers demanded payment to unlock its servers. Northwind refused."
    verdict = _verdict(parse, text, title="Northwind hit by ransomware")
    assert verdict.value == "Ransomware"


def test_incident_type_vocabulary_documents_scorer_classes() -> None:
    vocab = load_vocabulary("incident_types")
    terms = {t["term"]: t for t in vocab["types"]}
    assert {"Data Breach", "Ransomware", "Phishing", "Vulnerability", "Supply Chain Compromise"} <= set(terms)
    assert all(t["casie_class"] and t["cues"] and t["description"] for t in terms.values())
    assert vocab["not_incident"]["term"] == NOT_INCIDENT


def test_incident_type_headline_names_the_main_event(parse) -> None:
    text = (
        "Harrowgate Council hit by ransomware attack\n"
        "Hackers breached the council's network on Sunday and stole files, the council said. "
        "Services were restored from backups."
    )
    assert _verdict(parse, text).value == "Ransomware"


@pytest.mark.parametrize(
    "text",
    [
        "Senator Maren Dalby attacked her rival over the budget, calling his plan a breach of trust. "
        "The rival hit back on Tuesday and said the attack was unfair.",
        "Thieves stole a bicycle from a shed in Corley on Monday night. Police said the break-in was the "
        "third this month, and a record-breaking number of bikes went missing this year.",
    ],
)
def test_ordinary_news_without_cyber_context_is_not_an_incident(parse, text: str) -> None:
    verdict = _verdict(parse, text)
    assert verdict.value == NOT_INCIDENT
    assert verdict.attrs["reason"].startswith("no cyber-security context")


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Quillon Freight suffers a ransomware attack that shuts down its depots.", "Ransomware"),
        (
            "Harlow Dental notifies 4,000 patients of a data breach after an unauthorized third party "
            "accesses an employee email account.",
            "Data Breach",
        ),
    ],
)
def test_a_present_tense_brief_reports_an_incident(parse, text: str, term: str) -> None:
    verdict = _verdict(parse, text)
    assert verdict.attrs["is_incident"] is True
    assert verdict.value == term


def test_an_incident_word_tagged_as_a_name_names_no_victim(parse) -> None:
    verdict = _verdict(parse, "Ransomware attacks are rising. Phishing remains common.")
    assert verdict.value == NOT_INCIDENT


@pytest.mark.parametrize(
    ("text", "term"),
    [
        (
            "Ransomware struck the depots of Larkspur Freight over the weekend. Larkspur said the attackers "
            "stole staff data and leaked the stolen files.",
            "Ransomware",
        ),
        (
            "Hackers breached Larkspur Freight and stole, leaked and exposed the records of 9,000 "
            "clients; the stolen data was sold and the breach was confirmed. Larkspur said the "
            "theft was unlike a ransomware attack in that nothing was locked.",
            "Data Breach",
        ),
    ],
)
def test_ransomware_outranks_the_breach_it_caused_unless_mentioned_in_passing(
    parse, text: str, term: str
) -> None:
    verdict = _verdict(parse, text)
    assert verdict.value == term
    assert ("outranking" in str(verdict.attrs["reason"])) == (term == "Ransomware")


def test_a_brief_verb_tagged_as_a_noun_still_reports_the_event(parse) -> None:
    text = (
        "Brenholt Reciprocal Exchange notifies 12,400 consumers of a breach involving its quote platform. "
        "Someone abused its lookup form to pull the driver's license numbers and dates of birth of others."
    )
    verdict = _verdict(parse, text)
    assert verdict.attrs["is_incident"] is True
    assert verdict.value == "Data Breach"


def test_current_and_former_employees_are_victims_not_insiders(parse) -> None:
    text = (
        "Hackers breached Palliser Bank and stole the tax forms of current and former employees. "
        "Palliser Bank confirmed the breach on Friday."
    )
    verdict = _verdict(parse, text)
    assert verdict.value == "Data Breach"
    assert "Insider Threat" not in verdict.attrs["scores"]


@pytest.mark.parametrize(
    "text",
    [
        "The Corrin Valley Water Board said a cyber attack knocked out its billing servers. "
        "The board noticed the problem on Friday and took its customer portal offline.",
        "Ostler Dental Group mailed 7,300 appointment letters to the wrong patients in March. "
        "The letters listed dates of birth and other health information of the patients.",
        "Two laptops holding patient records of Brackenfield Clinic came up missing from a van. "
        "The clinic said the drives held names, dates of birth and insurance numbers.",
    ],
)
def test_unintended_disclosure_loss_and_a_spaced_cyber_attack_are_breaches(parse, text: str) -> None:
    verdict = _verdict(parse, text)
    assert verdict.attrs["is_incident"] is True
    assert verdict.value == "Data Breach"
