"""Actors described by origin ("Iranian hackers", "Moscow-backed hackers") and states named as
doers ("accused Iran of hacking"): often the only identification an article gives.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from extractors._spans import entity_of, lemmas, lowers, poses, sentence_of
from extractors.actors.cues import cue_words, origin_endings
from extractors.actors.names import Found

__all__ = ["ORIGIN_TYPES", "described_by_origin", "state_doers"]

ORIGIN_TYPES = frozenset({"GPE", "NORP", "ORG", "LOC"})


def _origin_start(doc: Doc, j: int, start: int) -> int | None:
    """Where a place of origin ends at token `j - 1` and starts: "Iranian", "North Korean",
    "Beijing-based", "Moscow-backed"; None when there is none."""
    if j - 1 < start:
        return None
    tok = doc[j - 1]
    if tok.lower_ in cue_words("origin_suffixes") and j - 2 > start and doc[j - 2].text == "-":
        i = j - 2
        while i > start and doc[i - 1].text[:1].isupper() and doc[i - 1].ent_type_ in ORIGIN_TYPES:
            i -= 1
        return i if i < j - 2 else None
    if not tok.text[:1].isupper() or tok.lower_ in cue_words("name_stopwords"):
        return None
    if tok.ent_type_ not in ("NORP", "GPE") and not tok.lower_.endswith(origin_endings()):
        return None
    i = j - 1
    while i > start and doc[i].ent_iob_ == "I" and doc[i - 1].ent_type_ == tok.ent_type_:
        i -= 1
    return i


def described_by_origin(sent: Span) -> Iterator[Found]:
    """An actor described by where it comes from: "Iranian hackers", "a Beijing-based hacking crew",
    "Moscow-backed hackers", and, in a sentence about charges, "a Latvian man". The article
    names no one else, so this description is what identifies the actor."""
    doc = sent.doc
    heads, modifiers = cue_words("described_actor_nouns"), cue_words("hacking_modifiers")
    people = cue_words("described_people_nouns")
    legal = not cue_words("legal_verbs").isdisjoint(lemmas(doc)[sent.start : sent.end])
    low, pos = lowers(doc), poses(doc)
    for k in range(sent.start, sent.end):
        if pos[k] not in ("NOUN", "PROPN") or not (low[k] in heads or (legal and low[k] in people)):
            continue
        n = doc[k]
        if n.i + 1 < sent.end and doc[n.i + 1].lower_ in heads:
            continue
        j = n.i
        while j > sent.start and doc[j - 1].lower_ in modifiers | heads and n.i - j < 3:
            j -= 1
        i = _origin_start(doc, j, sent.start)
        if i is None or (j == n.i and n.lower_ in cue_words("organization_heads")):
            continue
        if (
            _names_another(n)
            or not _doer_role(n)
            or {c.lower_ for c in n.children} & cue_words("class_words")
        ):
            continue
        yield Found(doc[i : n.i + 1], n, "individual" if n.lower_ in people else "group", False)


def _names_another(n: Token) -> bool:
    """The description introduces a name ("a Russian group known as X", "the
    Iran-linked crew X", "X, a Chinese hacking group"): the name is the actor then."""
    doc = n.doc
    k = n.i + 1
    while k < len(doc) and doc[k].text in (",", "(", "-", "–", "—"):
        k += 1
    if k < len(doc) and (doc[k].lower_ in ("called", "named", "dubbed", "known", "aka", "nicknamed")):
        return True
    if k < len(doc) and doc[k].text[:1].isupper() and doc[k].pos_ == "PROPN":
        return True
    return (n.dep_ == "appos" and n.head.pos_ == "PROPN") or any(
        c.dep_ == "appos" and c.pos_ == "PROPN" for c in n.children
    )


def _doer_role(n: Token) -> bool:
    """The noun stands where a doer stands: subject, "by X" of a deed, "to X" of an attribution,
    the object of blame or charge, a predicate ("the attackers were X"), "X's attack"."""
    while n.dep_ == "conj" and n.head.i != n.i:
        n = n.head
    dep, head = n.dep_, n.head
    if dep in ("nsubj", "nsubjpass", "attr", "appos", "ROOT"):
        return True
    if dep == "poss":
        return head.lower_ in cue_words("deed_nouns")
    if dep == "dobj":
        return head.lemma_.lower() in cue_words("blame_verbs") | cue_words("legal_verbs")
    if dep == "pobj" and head.lower_ in ("by", "from", "to"):
        verb = head.head
        if head.lower_ == "to":
            return verb.lemma_.lower() in cue_words("blame_verbs") | {"link", "tie", "trace", "connect"}
        return verb.pos_ in ("NOUN", "PROPN") or verb.lemma_.lower() in cue_words("deed_verbs") | cue_words(
            "agency_verbs"
        )
    return False


def _state_name(tok: Token) -> Span | None:
    """The state a token names: a country ("North Korea"), a nationality with a state noun
    ("the Russian government") or a state body ("People's Liberation Army")."""
    doc = tok.doc
    if tok.ent_type_ == "GPE":
        ent = entity_of(tok)
        if ent is None:
            return None
        start = ent.start + (doc[ent.start].lower_ == "the")
        return doc[start : ent.end]
    if tok.lower_ in cue_words("state_nouns"):
        i = _origin_start(doc, tok.i, sentence_of(tok).start)
        return doc[i : tok.i + 1] if i is not None else None
    if tok.ent_type_ == "ORG" and any(t.lower_ in cue_words("state_nouns") for t in tok.subtree):
        ent = entity_of(tok)
        if ent is not None:
            start = ent.start + (doc[ent.start].lower_ == "the")
            return doc[start : ent.end] if start < ent.end else None
    return None


def state_doers(sent: Span) -> Iterator[Found]:
    """A state named as the doer: "accused Iran of hacking", "blamed North Korea for the
    attack", "backed by the Russian government", "X was caught hacking", "X was behind it"."""
    deeds, incident = cue_words("deed_verbs"), cue_words("incident_words")
    blame, agency = cue_words("blame_verbs"), cue_words("agency_verbs")
    doc = sent.doc
    low, pos = lowers(doc), poses(doc)
    for k in range(sent.start, sent.end):
        if pos[k] != "VERB" and low[k] != "behind":
            continue  # every branch below needs a verb or "behind"
        tok = doc[k]
        lemma = tok.lemma_.lower()
        doers: list[Token] = []
        if lemma in blame and tok.pos_ == "VERB":
            about = [c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("for", "of")]
            if any(t.lemma_.lower() in incident for c in about for t in c.subtree):
                doers += [c for c in tok.children if c.dep_ == "dobj"]
        if tok.pos_ == "VERB" and (lemma in deeds or lemma in agency):
            doers += [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if tok.pos_ == "VERB" and (
            lemma in deeds or any(c.dep_ == "xcomp" and c.lemma_.lower() in deeds for c in tok.children)
        ):
            passive = lemma not in deeds  # "X was caught hacking", not "X was hacked"
            doers += [c for c in tok.children if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and passive)]
        if tok.lower_ == "behind" and tok.head.lemma_ == "be":
            doers += [c for c in tok.head.children if c.dep_ == "nsubj"]
        for doer in doers:
            name = _state_name(doer)
            if name is not None and len(name) and name.text.lower() not in cue_words("name_stopwords"):
                yield Found(name, doer, "state", False)
