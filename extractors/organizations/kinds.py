"""What an organisation is (company, government, organisation) and its industry, from the
gazetteer, its descriptors ("payroll vendor X") or the words of its name.
"""

from __future__ import annotations

import re
from collections import Counter

from extractors.organizations.cues import Cues, any_word_re
from extractors.organizations.evidence import Org

__all__ = ["descriptor_industry", "org_industry", "org_kind"]


def descriptor_industry(phrase: list[str], cues: Cues) -> str | None:
    """ "payroll data vendor" -> "payroll data services"; "Swedish logistics company" -> "Logistics"."""
    skip = cues.words["descriptor_skip"]
    head = phrase[-1].lower()
    modifiers = []
    for tok in phrase[:-1]:
        low = tok.lower()
        if low in skip or low in cues.words["org_heads"] or any(ch.isdigit() for ch in tok) or "$" in tok:
            continue
        if tok[0].isupper() and not tok.isupper():
            continue  # nationality or place ("Swedish", "Texas-based")
        modifiers.append(tok)
    if modifiers:
        text = " ".join(modifiers)
        if head in cues.service_heads and not text.lower().endswith(("services", "service")):
            text += " services"
        elif head in cues.head_sectors and head not in text.lower():
            text = f"{text} {head}"
        return text[0].upper() + text[1:]
    return cues.head_sectors.get(head)


def org_kind(org: Org, cues: Cues) -> str:
    if org.entry is not None:
        return str(org.entry.get("kind", "Company"))
    low = org.name.lower()
    company = bool(org.key) and org.key[-1] in cues.words["company_name_endings"]
    if org.key and org.key[-1] in cues.words["institution_name_endings"] and "of" not in org.key:
        return "Organization"
    if not company and any_word_re(cues.words["government_words"]).search(low):
        return "Government"
    if any_word_re(cues.words["organization_words"]).search(low):
        return "Organization"
    return "Company"


def org_industry(org: Org, cues: Cues) -> str:
    """From descriptors ("payroll vendor X"), else the gazetteer, else the name's own words
    ("Ashford Federal Bank": Banking)."""
    if org.industries:
        return Counter(org.industries).most_common(1)[0][0]
    if org.entry is not None:
        return str(org.entry.get("industry", "Unknown"))
    low = org.name.lower()
    for word, sector in cues.name_sectors:
        if re.search(rf"\b{re.escape(word)}\b", low):
            return sector
    return "Unknown"
