"""The context rules that name actors the galaxies do not know: "a hacking group called X",
"the X gang", "groups such as X", "X claimed responsibility", "X hacked", a person charged.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from extractors._spans import lemmas, lowers, poses, sentence_ents
from extractors.actors.cues import cue_words, naming_firsts, phrases_by_first
from extractors.actors.galaxy import canonical_actor
from extractors.actors.names import (
    Found,
    common_word,
    distinctive,
    is_english,
    name_left,
    name_right,
    quoted_right,
    valid,
)

__all__ = [
    "named_by_charge",
    "named_by_claim",
    "named_by_deed",
    "named_by_noun",
    "named_by_phrase",
    "named_in_list",
    "naming_end",
]


def _phrase_at(sent: Span, i: int, phrase: list[str]) -> bool:
    doc = sent.doc
    return i + len(phrase) <= sent.end and all(doc[i + k].lower_ == w for k, w in enumerate(phrase))


def naming_end(sent: Span, i: int) -> int | None:
    """Where the name starts when a naming phrase begins at token `i` ("known as X", "going
    by the handle of X", "who uses the alias X"); None when there is none."""
    doc = sent.doc
    first = doc[i].lower_
    handle_nouns = cue_words("handle_nouns")
    for phrase in phrases_by_first("naming_phrases").get(first, ()):
        if _phrase_at(sent, i, phrase):
            j = i + len(phrase)
            if (
                j < sent.end
                and doc[j].lower_ in ("the", "a")
                and j + 1 < sent.end
                and doc[j + 1].lower_ in handle_nouns
            ):
                j += 2
                if j < sent.end and doc[j].lower_ == "of":
                    j += 1
            return j
    for phrase in phrases_by_first("handle_phrases").get(first, ()):
        if _phrase_at(sent, i, phrase):
            j = i + len(phrase)
            while j < sent.end and (doc[j].lower_ in ("the", "a", "an") or doc[j].pos_ == "ADJ"):
                j += 1
            if j < sent.end and doc[j].lower_ in handle_nouns:
                j += 1
                return j + 1 if j < sent.end and doc[j].lower_ == "of" else j
    return None


def named_by_phrase(sent: Span) -> Iterator[Found]:
    """ "a hacking group called X", "a hacker going by X", "a group using the name X"."""
    doc = sent.doc
    actor_nouns, not_actor = cue_words("actor_nouns"), cue_words("non_actor_modifiers")
    low, firsts = lowers(doc), naming_firsts()
    for i in range(sent.start, sent.end):
        if low[i] not in firsts:
            continue
        j = naming_end(sent, i)
        if j is None:
            continue
        before = [t for t in doc[max(sent.start, i - 6) : i] if t.lower_ in actor_nouns] or [
            c  # "the blackmailer wrote to the company twice, using the name X": the doer of the naming verb
            for v in (doc[i], doc[i].head)
            for c in v.children
            if c.dep_ == "nsubj" and c.lower_ in actor_nouns and c.i < i
        ]
        reflexive = any(t.lower_ in ("itself", "themselves", "himself", "herself") for t in doc[i:j])
        if not before and not reflexive:
            continue
        if before and any(t.lower_ in not_actor for t in doc[before[-1].i - 2 : before[-1].i]):
            continue
        name = quoted_right(doc, j, sent.end)
        if name is None:
            name = name_right(doc, j, sent.end)
        elif name.text.lower() in cue_words("name_stopwords"):
            name = None
        if name is not None and (valid(name) or doc[name.start - 1].is_quote):
            anchor = before[-1] if before else doc[i]
            people = (
                "hacker",
                "person",
                "individual",
                "user",
                "vendor",
                "seller",
                "blackmailer",
                "himself",
                "herself",
            )
            kind = "individual" if anchor.lower_ in people else "group"
            yield Found(name, anchor, kind, canonical_actor(name.text)[1] is not None)


def named_by_noun(sent: Span) -> Iterator[Found]:
    """ "the X gang", "the X hacking group", "hacking group X", "ransomware gang X"."""
    doc = sent.doc
    group_nouns, criminal = cue_words("group_nouns"), cue_words("criminal_nouns")
    modifiers, apposition = cue_words("hacking_modifiers"), cue_words("apposition_nouns")
    incident = not cue_words("incident_words").isdisjoint(lemmas(doc)[sent.start : sent.end])
    low = lowers(doc)
    for k in range(sent.start, sent.end):
        noun = low[k]
        if noun not in group_nouns and noun not in apposition:
            continue
        n = doc[k]
        j = n.i
        while j > sent.start and doc[j - 1].lower_ in modifiers and n.i - j < 3:
            j -= 1
        modified = j < n.i
        if noun in cue_words("research_unit_nouns") and "threat" in low[j : n.i]:
            continue  # "Acme Threat Team", "Acme Threat Labs": a security firm's researchers
        left = name_left(doc, j, sent.start)
        if noun in group_nouns and valid(left) and left.end == j:
            if n.text[:1].isupper() and not modified:
                left = doc[left.start : n.i + 1]
            known = canonical_actor(left.text)[1] is not None
            people = noun in ("hackers", "actors", "operators", "affiliates", "hacktivists")
            if known or (modified and not people) or (noun in criminal and not people) or distinctive(left):
                yield Found(left, n, "group", known)
            elif noun in ("group", "team", "crew") and incident and not is_english(left):
                yield Found(left, n, "group", False)
        if modified or noun in apposition:
            right = name_right(doc, n.i + 1, sent.end)
            if valid(right) and (
                noun not in ("actor", "hacker") or distinctive(right) or right.root.ent_type_ == "PERSON"
            ):
                kind = "individual" if noun == "hacker" else "group"
                yield Found(right, n, kind, canonical_actor(right.text)[1] is not None)


_LIST_OPENERS = (("such", "as"), ("like",), ("including",))
_CLAIM_VERBS = frozenset({"claim", "take", "boast", "brag"})
_INSTRUMENT_VERBS = frozenset({"use", "employ", "leverage", "deploy", "design", "build", "make", "write"})


def named_in_list(sent: Span) -> Iterator[Found]:
    """ "hacking groups such as X, Y and Z", "ransomware gangs like X": the names a plural actor
    noun with a hacking modifier (or a criminal one: "gangs") lists."""
    doc = sent.doc
    nouns, modifiers = cue_words("list_nouns"), cue_words("hacking_modifiers")
    low = lowers(doc)
    for k in range(sent.start + 1, sent.end):
        if low[k] not in nouns or doc[k].tag_ != "NNS":
            continue
        if low[k - 1] not in modifiers and low[k] not in cue_words("criminal_list_nouns"):
            continue
        for name in _listed_names(doc, k + 1, sent.end):
            yield Found(name, doc[k], "group", canonical_actor(name.text)[1] is not None)


def _listed_names(doc: Doc, i: int, end: int) -> Iterator[Span]:
    """The names of the list after "such as", "like" or "including" at token `i` ("X, Y and Z")."""
    opener = next((o for o in _LIST_OPENERS if tuple(t.lower_ for t in doc[i : i + len(o)]) == o), None)
    if opener is None:
        return
    i += len(opener)
    while i < end:
        name = name_right(doc, i, end)
        if not valid(name) or name is None or not name.text[:1].isupper():
            return
        yield name
        i = name.end
        while i < end and (doc[i].text == "," or doc[i].lower_ in ("and", "or")):
            i += 1
        if i < end and not doc[i].text[:1].isupper():
            return


def _claims_deed(verb: Token) -> bool:
    """ "claimed responsibility/credit", "took credit", "claimed to have stolen", "claimed it hacked";
    not "claimed the crew rented a botnet", a claim about another actor's deed."""
    if any(c.dep_ == "dobj" and c.lower_ in cue_words("claim_objects") for c in verb.children):
        return True
    deeds = cue_words("claim_deeds")
    return verb.lemma_.lower() != "take" and any(
        c.dep_ in ("xcomp", "ccomp")
        and not any(
            s.dep_ == "nsubj" and (s.pos_ == "PROPN" or s.lower_ in cue_words("actor_nouns"))
            for s in c.children
        )
        and any(t.lemma_.lower() in deeds for t in c.subtree)
        for c in verb.children
    )


def named_by_claim(sent: Span) -> Iterator[Found]:
    """ "X claimed responsibility", "X took credit", "X claimed to have stolen", "X, a threat actor"."""
    doc = sent.doc
    modifiers, actor_nouns, not_actor = (
        cue_words("hacking_modifiers"),
        cue_words("actor_nouns"),
        cue_words("non_actor_modifiers"),
    )
    low, lem = lowers(doc), lemmas(doc)
    for k in range(sent.start, sent.end):
        if lem[k] not in _CLAIM_VERBS and low[k] not in actor_nouns:
            continue  # neither branch below can apply
        tok = doc[k]
        if tok.lemma_.lower() in _CLAIM_VERBS and tok.pos_ == "VERB" and _claims_deed(tok):
            for subj in (c for c in tok.children if c.dep_ == "nsubj"):
                name = name_left(doc, subj.i + 1, sent.start)
                if (
                    valid(name)
                    and name.end == subj.i + 1
                    and (subj.ent_type_ != "PERSON" or distinctive(name))
                ):
                    yield Found(name, subj, "group", canonical_actor(name.text)[1] is not None)
        if tok.dep_ == "appos" and tok.lower_ in actor_nouns:
            mods = {c.lower_ for c in tok.children}
            described = tok.lower_ in ("hacker", "hacktivist", "actor", "gang", "crew") or bool(
                mods & modifiers
            )
            if described and not mods & not_actor:
                name = name_left(doc, tok.head.i + 1, sent.start)
                if valid(name) and name.end == tok.head.i + 1:
                    yield Found(name, tok.head, "group", canonical_actor(name.text)[1] is not None)


def named_by_deed(sent: Span) -> Iterator[Found]:
    """The named doer of an attack: "X hacked ...", "... was stolen by X", "X was behind the attack"."""
    doc = sent.doc
    deeds = cue_words("deed_verbs")
    low, lem, pos = lowers(doc), lemmas(doc), poses(doc)
    for k in range(sent.start, sent.end):
        if not (lem[k] in deeds and pos[k] == "VERB") and low[k] != "behind":
            continue  # neither branch below can apply
        tok = doc[k]
        doers: list[Token] = []
        carried = tok.lemma_.lower() != "carry" or any(c.dep_ == "prt" for c in tok.children)
        if tok.lemma_.lower() in deeds and tok.pos_ == "VERB" and carried:
            doers += [c for c in tok.children if c.dep_ == "nsubj"]
            doers += [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if tok.dep_ == "xcomp" and tok.head.lemma_.lower() not in _INSTRUMENT_VERBS:
                # "X was caught hacking into ...", not "X was used to compromise ..." (a tool)
                doers += [c for c in tok.head.children if c.dep_ == "nsubjpass"]
        elif tok.lower_ == "behind" and tok.head.lemma_ == "be":
            doers += [c for c in tok.head.children if c.dep_ == "nsubj"]
        for doer in doers:
            if doer.pos_ != "PROPN" and not distinctive(doc[doer.i : doer.i + 1]):
                continue
            name = name_left(doc, doer.i + 1, sent.start)
            if not valid(name) or name.end != doer.i + 1:
                continue
            known = canonical_actor(name.text)[1] is not None
            if len(name) == 1 and not known and not distinctive(name) and common_word(name):
                continue  # "Malware targets banks": a capitalised common word, not a name
            kind = "individual" if doer.ent_type_ == "PERSON" else "group"
            yield Found(name, doer, kind, known)


def named_by_charge(sent: Span) -> Iterator[Found]:
    """A person charged, indicted, arrested, sentenced or accused ("X is accused of"), or named as
    a defendant or suspect, in a sentence about a hacking crime."""
    if cue_words("incident_words").isdisjoint(lemmas(sent.doc)[sent.start : sent.end]):
        return
    legal, roles = cue_words("legal_verbs"), cue_words("legal_role_nouns")
    for ent in sentence_ents(sent):
        if ent.label_ != "PERSON" or len(ent) < 2:
            continue
        root = ent.root
        while root.dep_ == "conj" and root.head.i != root.i:
            root = root.head
        head = root
        while head.head.i != head.i and head.pos_ not in ("VERB",):
            head = head.head
        lemma = head.lemma_.lower()
        if (
            (lemma in legal and root.dep_ in ("nsubj", "nsubjpass", "dobj", "appos"))
            or (lemma == "accuse" and root.dep_ == "nsubjpass")
            or (root.dep_ == "appos" and root.head.lower_ in roles)
        ):
            yield Found(ent, ent.root, "individual", False)
