"""software.v1: compromised software with versions and CVEs, and the attack vector."""

from __future__ import annotations

import pytest

import extractors.software
from extractors.software import extract_software, find_versions, pick_vector


def _software(parse, text: str) -> dict[str, dict]:
    return {m.value: m.attrs for m in extract_software(*parse(text)) if m.label == "software"}


def _vector(parse, text: str) -> str | None:
    picked = pick_vector(extract_software(*parse(text)))
    return picked.value if picked else None


def test_software_module_registers_versioned_name() -> None:
    assert extractors.software.NAME in extractors.EXTRACTORS


def test_software_cve_product_and_versions(parse) -> None:
    found = _software(
        parse, "Attackers exploited CVE-2026-12345, a vulnerability in Quillbase versions 2.4.1 and 2.4.2."
    )
    assert found == {"Quillbase": {"versions": ["2.4.1", "2.4.2"], "cves": ["CVE-2026-12345"]}}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The attackers shipped compromised updates of the open-source package fastparse-x.", "fastparse-x"),
        ("Malicious versions of Lumenkit were downloaded 20,000 times.", "Lumenkit"),
        ("Developers installed a poisoned Brightlog package from the registry.", "Brightlog"),
        ("The intruders got in through a flaw in Corvane Gateway.", "Corvane Gateway"),
        ("Tarnwell, an open-source library for parsing logs, was backdoored.", "Tarnwell"),
        (
            "Investigators traced the breach to tampered updates of a build tool known as Quillmesh.",
            "Quillmesh",
        ),
        ("The gang shipped malicious versions of a logging library called Brenlog-js.", "Brenlog-js"),
    ],
)
def test_software_route_of_attack_named(parse, text: str, name: str) -> None:
    assert name in _software(parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "The company said its software was not affected.",
        "A vulnerability in the software let attackers in.",
        "The incident exposed vulnerabilities in the retail supply chain.",
        "The attackers pushed compromised updates of an API gateway to its users.",
        "Medtrion ships a firmware fix for flaws in 80,000 infusion pumps",
    ],
)
def test_software_generic_words_are_not_products(parse, text: str) -> None:
    assert _software(parse, text) == {}


def test_software_lone_cve_is_its_own_mention(parse) -> None:
    assert _software(parse, "The attackers used CVE-2025-0042 to get in.") == {
        "CVE-2025-0042": {"versions": [], "cves": ["CVE-2025-0042"]}
    }


def test_software_versions_skip_counts_and_cves() -> None:
    text = "Quillbase version 3.1 and 3.2.0 leaked 1.5 million records via CVE-2024-1111"
    assert find_versions(text, "Quillbase") == ["3.1", "3.2.0"]


@pytest.mark.parametrize(
    ("text", "vector"),
    [
        (
            "Attackers pushed compromised updates of the open-source package fastparse-x to developers.",
            "supply chain",
        ),
        ("Employees of Zentrix received phishing emails that stole their passwords.", "phishing"),
        (
            "The intruders exploited an unpatched flaw in the file-transfer server.",
            "vulnerability exploitation",
        ),
        (
            "The records sat in a misconfigured Elasticsearch database that was left exposed.",
            "misconfiguration/exposed database",
        ),
    ],
)
def test_software_attack_vector(parse, text: str, vector: str) -> None:
    assert _vector(parse, text) == vector


def test_software_generic_or_negated_vector_not_picked(parse) -> None:
    text = (
        "There is no evidence of phishing, Zentrix said. The intruders exploited an unpatched flaw in "
        "its VPN gateway. Experts say companies should watch out for ransomware."
    )
    assert _vector(parse, text) == "vulnerability exploitation"
    assert _vector(parse, "Security experts say companies should watch out for phishing.") is None


def test_software_encrypted_connection_is_no_ransomware(parse) -> None:
    text = "Pellam Energy exposed customer data last week, although its website uses encrypted connections."
    assert _vector(parse, text) != "ransomware"
    hit = "Attackers hit Pellam Energy last week; servers at the company's head office had been encrypted."
    assert _vector(parse, hit) == "ransomware"


def test_software_encryption_of_the_victims_files_is_ransomware(parse) -> None:
    text = 'The mayor said the attack had "completely encrypted" Brambleford\'s computer files last week.'
    assert _vector(parse, text) == "ransomware"
