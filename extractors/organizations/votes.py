"""Each occurrence's votes for its organisation's role (victim, vendor, customer, cited, attacker,
product, person) and industry, read from the grammar and the words around it.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from extractors._spans import doc_text, is_brief, sentence_of
from extractors.organizations.cues import CITED_HINTS, Cues, any_word_re
from extractors.organizations.evidence import Org, Others
from extractors.organizations.grammar import (
    acts_as_attacker,
    climb,
    discloses_breach,
    is_breachy,
    is_struck,
    is_victim_slot,
    paid_ransom,
    reports_incident,
    reports_loss,
    word_in,
)
from extractors.organizations.kinds import descriptor_industry
from extractors.organizations.lines import find_lead_end

__all__ = ["vote"]

_EXPOSURES = "organizations.exposures"


def vote(doc: Doc, org: Org, start: int, end: int, others: Others, cues: Cues) -> None:
    """Add the role and industry evidence of one occurrence to `org.votes` / `org.industries`."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return
    sent = sentence_of(span)
    before = doc_text(doc)[max(sent.start_char, start - 60) : start]
    after = doc_text(doc)[end : min(sent.end_char, end + 80)]
    words = cues.words
    if cues.product_cue_re.search(before) or cues.product_after_re.match(after):
        org.votes["product"] += 1
    # In an article a researcher reports incidents too; a brief's lead reports its own.
    brief = is_brief(doc)
    tells_own = brief and (
        reports_incident(span.root, words)
        or (start < find_lead_end(doc) and reports_loss(climb(span.root), words))
    )
    if cues.cited_before_re.search(before) or (cues.cited_after_re.match(after) and not tells_own):
        org.votes["cited"] += 1
    # "Following the breach, X encrypted its laptops": a response to the incident, not an attack
    responding = bool(cues.response_re.search(doc_text(doc), sent.start_char, start))
    if not responding and (cues.attacker_before_re.search(before) or cues.attacker_after_re.match(after)):
        org.votes["attacker"] += 1
    _vote_descriptors(doc, org, span, after, cues)
    if cues.malware_predicate_re.match(after):
        org.votes["product"] += 2
    if not responding and acts_as_attacker(climb(span.root), words):
        org.votes["attacker"] += 1
    if cues.vendor_predicate_re.match(after):
        org.votes["vendor"] += 1
    breachy = is_breachy(sent, words)
    if breachy:
        org.votes["linked"] += 1
    slot = (
        is_victim_slot(climb(span.root), words)
        or discloses_breach(span.root, words)
        or is_struck(span.root, words)
    )
    victim_cue = slot or cues.victim_after_re.match(after) or cues.victim_before_re.search(before)
    if _in_its_role(org, span.root, words):
        org.votes["cited"] += 1  # "the FBI is investigating": an investigator at work, not breached
    elif (breachy and victim_cue) or tells_own or paid_ransom(span.root, words):
        org.votes["victim"] += 1
        org.votes["background"] += bool(cues.background_re.search(doc_text(doc)[sent.start_char : start]))
    elif discloses_breach(span.root, words, own=False):
        org.votes["told"] += 1
    if breachy and re.match(r"^['’]s?\s+(?:\w+\s+)?(?:customers|clients)\b", after):
        org.votes["vendor"] += 1
    _vote_customer(doc, org, span, sent, others, cues, breachy)
    if re.search(r"['’]s\s+$", before):
        org.owners.update(others.owners(org, before))


def _in_its_role(org: Org, root: Token, words: dict[str, frozenset[str]]) -> bool:
    """An investigator, regulator, outlet or security firm (by its gazetteer hint) as the subject of
    what such bodies do: investigate, warn, fine, charge."""
    if (org.entry or {}).get("role_hint") not in CITED_HINTS or root.dep_ != "nsubj":
        return False
    return word_in(root.head, words["investigator_verbs"])


def _vote_descriptors(doc: Doc, org: Org, span: Span, after: str, cues: Cues) -> None:
    """Pre-modifiers ("payroll vendor X") and appositives ("X, a data firm") say what X is."""
    words = cues.words
    phrases: list[list[str]] = []
    pre: list[str] = []
    i = span.start - 1
    first = sentence_of(span).start
    descriptor_pos = {"NOUN", "ADJ", "PROPN", "VERB"}
    while i >= first:
        if _skip_acronym(doc, i, first):
            i -= 3  # "incident response (IR) firm X": the bracketed acronym is part of the descriptor
            continue
        if not (doc[i].is_alpha or "-" in doc[i].text) or doc[i].pos_ not in descriptor_pos:
            break
        if doc[i].text in org.variants or (
            doc[i].ent_type_ == "ORG" and doc[i].lower_ not in words["non_org_words"]
        ):
            break
        pre.insert(0, doc[i].text)
        i -= 1
    if pre and pre[-1].lower() in words["org_heads"] | words["product_heads"]:
        phrases.append(pre)
    appos = re.match(
        r"^['’]?s?,\s+(?:a|an|the)\s+([^,.;()]{2,90}?)(?=\s*(?:[,.;(]|\bthat\b|\bwhich\b|\bwho\b|$))", after
    )
    if appos:
        tokens = appos.group(1).split()
        if tokens[-1].lower() in words["person_role_nouns"]:
            org.votes["person"] += 1  # "X, a site administrator, said": X is a person
        if any(t.lower() in words["malware_heads"] for t in tokens[:4]):
            org.votes["product"] += 2
        for n, tok in enumerate(tokens):
            if tok.lower() in words["org_heads"] | words["product_heads"]:
                if not any(t[:1].isupper() for t in tokens[n + 1 :]):
                    phrases.append(tokens[: n + 1])
                break
    provides = re.match(
        r"^['’]?s?,?\s+(?:which|that)\s+(?:provides|makes|offers|sells|develops|builds)\s+([\w\s-]{3,40}?)\b(?:[,.;]|\sto\s|\sfor\s|$)",
        after,
    )
    if provides:
        org.industries.append(provides.group(1).strip().capitalize())
    for phrase in phrases:
        low = " ".join(phrase).lower()
        head = phrase[-1].lower()
        if head in words["product_heads"]:
            org.votes["product"] += 1
            continue
        if any(cue in low for cue in words["cited_descriptors"]) or (
            head in words["org_heads"] and not words["cited_modifiers"].isdisjoint(w.lower() for w in phrase)
        ):
            org.votes["cited"] += 1
        if any_word_re(words["vendor_words"]).search(low):
            org.votes["vendor"] += 1
        if re.search(r"\b(?:hack|hacking|hacker|threat|ransomware|cybercrime|criminal|extortion)\b", low):
            org.votes["attacker"] += 1
        industry = descriptor_industry(phrase, cues)
        if industry:
            org.industries.append(industry)


def _skip_acronym(doc: Doc, i: int, first: int) -> bool:
    """Whether doc[i] closes a bracketed acronym ("(IR)") inside a descriptor."""
    return doc[i].text == ")" and i - 2 >= first and doc[i - 2].text == "(" and doc[i - 1].text.isupper()


def _vote_customer(
    doc: Doc, org: Org, span: Span, sent: Span, others: Others, cues: Cues, breachy: bool
) -> None:
    """ "X paused its work with Y (after a breach)": X is a customer, Y the breached one.

    Also "X is investigating whether its data..." (exposure through a vendor).
    """
    words = cues.words
    window = doc[span.end : min(sent.end, span.end + 8)]
    verb = next((t for t in window if t.lower_ in words["customer_verbs"]), None)
    negated = verb is not None and any(
        t.lower_ in {"not", "n't", "never", "no"} for t in doc[span.end : verb.i]
    )
    partner = others.first_between(org, span.end_char, sent.end_char) if verb is not None else None
    if verb is not None and partner is not None and not negated:
        rest = doc[verb.i + 1 : sent.end].text.lower()
        if re.search(r"\bwith\b|\bties\b|\bcontract|\bwork\b|\bcollaboration|\bpartnership", rest):
            org.votes["customer"] += 1
            org.partners.add(partner.name)
            if breachy:
                partner.votes["victim"] += 1
    if _last_exposure(doc, sent, cues) >= span.end_char and not org.votes["vendor"]:
        org.votes["exposure"] += 1


def _last_exposure(doc: Doc, sent: Span, cues: Cues) -> int:
    """Where the sentence's last exposure cue starts (-1: none), found once per sentence: a cue
    follows a name when it starts after it (the cues are plain phrases, so a cue inside the rest
    of the sentence is a cue found in the sentence)."""
    known: dict[int, int] = doc.user_data.setdefault(_EXPOSURES, {})
    if sent.start_char not in known:
        text, last = doc_text(doc), -1
        match = cues.exposure_re.search(text, sent.start_char, sent.end_char)
        while match is not None:
            last = match.start()
            match = cues.exposure_re.search(text, last + 1, sent.end_char)
        known[sent.start_char] = last
    return known[sent.start_char]
