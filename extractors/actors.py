"""Threat actors and how firmly each is tied to the incident (claimed / suspected / confirmed).

Names come from two places:

* the MISP galaxies (`data/threat_actors.jsonl`, every alias mapped to one canonical name),
  matched case-sensitively on their own unless marked `context_only`; a ransomware family
  counts as an actor only where the text speaks of its people ("the X gang", "X claimed");
* context rules for actors the galaxies do not know ("a hacking group called X", "the X gang",
  "hacking group X", "X claimed responsibility", "X, a threat actor", a person charged with a
  hacking crime). The name must look like one (capitalised, digits or `$`) and must not be a
  country, nationality, date or generic word, so "hackers" alone is no actor;
* descriptions by origin in a doer's place ("Iranian hackers broke in", "carried out by
  Moscow-backed hackers", "charged a Latvian man"), unless they only introduce a name
  ("a Russian group known as X"): often the only identification an article gives;
* states named as doers ("accused Iran of hacking", "backed by the Russian government").

Context-rule names are not read from headline lines, nor kept when the article introduces them
as a firm or outlet ("security firm X") or as a program ("a ransomware strain named X") without
speaking of its people.

Attribution is graded per mention from cues in the actor's own clause first, then in the
clauses that embed it ("researchers believe [X was behind it]"), so two actors in one sentence
keep their own grades. The record keeps the strongest grade over an actor's mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeGuard

from spacy.attrs import IS_ALPHA, IS_STOP, LENGTH
from spacy.lang.en import English
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from extractors._gazetteer import load_gazetteer, load_vocabulary
from extractors._registry import register
from extractors._spans import (
    doc_text,
    entity_of,
    lemmas,
    lowers,
    mention,
    poses,
    sentence_ents,
    sentence_index,
    sentence_of,
    sentences,
    texts,
)
from schemas.document import Article
from schemas.entities import Mention

__all__ = ["canonical_actor", "english_words", "extract_actors", "grade_attribution"]

NAME = "actors.v1"
GRADES = ("confirmed", "claimed", "suspected")
_TOKEN_TEXTS = "actors.token_texts"
_CUES = "actors.cue_matches"
CLAUSE_DEPS = frozenset(
    {"ROOT", "ccomp", "advcl", "relcl", "conj", "csubj", "acl", "xcomp", "parataxis", "pcomp"}
)
MAX_NAME_TOKENS = 5
CUE_GAP = 2
ORIGIN_TYPES = frozenset({"GPE", "NORP", "ORG", "LOC"})
DESCRIPTIVE_RULES = frozenset({"_described_by_origin", "_state_doers"})  # never galaxy aliases


@dataclass(frozen=True)
class Found:
    """A candidate actor: its token span, the token its clause is read from, and its kind."""

    span: Span
    anchor: Token
    kind: str
    known: bool
    rule: str = ""


@cache
def _cues() -> dict[str, Any]:
    return load_vocabulary("actor_cues")


@cache
def _words(key: str) -> frozenset[str]:
    return frozenset(_cues()[key])


@cache
def _entries_by_alias() -> dict[str, dict[str, Any]]:
    """lower-cased alias -> gazetteer entry (every alias, context-only ones too)."""
    out: dict[str, dict[str, Any]] = {}
    for entry in load_gazetteer("threat_actors"):
        out.setdefault(entry["pattern"].lower(), entry)
    return out


@cache
def _aliases_of() -> dict[str, tuple[str, ...]]:
    """canonical id -> its aliases that may be matched directly."""
    out: dict[str, list[str]] = {}
    for entry in load_gazetteer("threat_actors"):
        if not entry.get("context_only") and entry["pattern"] != entry["id"]:
            out.setdefault(entry["id"], []).append(entry["pattern"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def _tokenizer() -> Language:
    return English()


@cache
def _matcher(vocab: Vocab) -> PhraseMatcher:
    """Case-sensitive matcher over the aliases that may be matched on their own."""
    matcher = PhraseMatcher(vocab, attr="ORTH")
    patterns = [e["pattern"] for e in load_gazetteer("threat_actors") if not e.get("context_only")]
    matcher.add("THREAT_ACTOR", [_tokenizer().make_doc(p) for p in patterns])
    return matcher


@cache
def english_words(nlp: Language | None = None) -> frozenset[str]:
    """Lower-case English words: the lemmatizer's WordNet index plus spaCy's stop words."""
    if nlp is None:
        from pipeline.nlp import load_nlp

        nlp = load_nlp()
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)  # get_pipe is typed as any pipe callable
    index = lemmatizer.lookups.get_table("lemma_index")
    words = {word.lower() for pos in index for word in index[pos]}
    return frozenset(words | set(nlp.Defaults.stop_words))


@cache
def _display_names() -> dict[str, str]:
    """canonical id -> the name to show: the id, or an alias that is the id plus a symbol
    ("LAPSUS" -> "LAPSUS$"), since the symbol is part of how the group names itself."""
    out: dict[str, str] = {}
    for entry in load_gazetteer("threat_actors"):
        cid, alias = entry["id"], entry["pattern"]
        tail = alias[len(cid) :]
        if (
            alias.upper().startswith(cid.upper())
            and tail
            and not any(c.isalnum() or c.isspace() for c in tail)
        ):
            out[cid] = cid + tail
    return out


def canonical_actor(name: str) -> tuple[str, dict[str, Any] | None]:
    """The galaxy's canonical name and entry for `name` ("Fancy Bear" -> "APT28"), also without
    or with a trailing "group"; otherwise `name` itself and None."""
    table = _entries_by_alias()
    words = name.split()
    candidates = [name, f"{name} group"]
    if len(words) > 1 and words[-1].lower() in ("group", "team", "gang", "crew"):
        candidates.append(" ".join(words[:-1]))
    for candidate in candidates:
        entry = table.get(candidate.lower())
        if entry:
            return _display_names().get(entry["id"], entry["id"]), entry
    return name, None


def _is_name_token(tok: Token, first: bool) -> bool:
    text = tok.text
    if tok.lower_ in _words("name_stopwords") or (tok.is_punct and text != "$"):
        return False
    if not first and (tok.like_num or text in ("$", "-")):
        return True
    if not first and tok.tag_ == "POS" and tok.ent_iob_ == "I" and tok.ent_type_ == "ORG":
        return True  # "People's Liberation Army": a possessive inside an organisation's name
    return text[:1].isupper() or any(ch.isdigit() for ch in text) or "$" in text


def _name_right(doc: Doc, i: int, end: int) -> Span | None:
    """The name starting at token `i` (an opening quote is skipped), within `end`."""
    while i < end and (doc[i].is_quote or doc[i].is_space or doc[i].lower_ == "the"):
        i += 1
    j = i
    while j < end and j - i < MAX_NAME_TOKENS and _is_name_token(doc[j], j == i):
        if doc[j].text == "-" and (j + 1 >= end or doc[j - 1].whitespace_ or doc[j].whitespace_):
            break
        j += 1
    return _trim(doc[i:j]) if j > i else None


def _name_left(doc: Doc, j: int, start: int) -> Span | None:
    """The name ending just before token `j`, not before `start`."""
    while j > start and doc[j - 1].is_quote:
        j -= 1
    i = j
    while i > start and j - i < MAX_NAME_TOKENS and _is_name_token(doc[i - 1], False):
        i -= 1
    while i < j and not _is_name_token(doc[i], True):
        i += 1
    return _trim(doc[i:j]) if j > i else None


def _trim(span: Span) -> Span | None:
    """The span without leading nationality/place words when what is left is itself a name
    ("Chinese APT10" -> "APT10"); "Turkish Crime Family" stays whole."""
    skip = _words("non_actor_entity_types")
    doc = span.doc
    start = span.start
    while start < span.end and doc[start].ent_type_ in skip:
        start += 1
    if start == span.end:
        return span
    rest = doc[start : span.end]
    return rest if start == span.start or _distinctive(rest) or canonical_actor(rest.text)[1] else span


def _is_english(span: Span) -> bool:
    words = english_words()
    return all(t.lower_ in words or t.lemma_.lower() in words for t in span)


def _common_word(span: Span) -> bool:
    """An English word, or one the article also writes in lower case ("Malware" / "malware")."""
    lower = span.text.lower()
    return _is_english(span) or lower in _token_texts(span.doc)


def _token_texts(doc: Doc) -> frozenset[str]:
    """The Doc's token texts, as a set made once per Doc (scanning the Doc for every name asked
    about was quadratic in the length of the article)."""
    cached = doc.user_data.get(_TOKEN_TEXTS)
    if cached is None:
        cached = doc.user_data[_TOKEN_TEXTS] = frozenset(texts(doc))
    return cached


def _distinctive(span: Span) -> bool:
    """A digit, `$` or an inner capital after a small letter ("APT10", "LAPSUS$", "TheDarkOverlord")."""
    return any(re.search(r"[0-9$]|[a-z][A-Z]", t.text) for t in span)


def _valid(span: Span | None) -> TypeGuard[Span]:
    """A span that can be an actor's name (so, for the type checker, not None)."""
    if span is None or len(span.text) < 2:
        return False
    if span.text.lower() in _words("name_stopwords") or span[0].is_stop:
        return False
    return not all(t.ent_type_ in _words("non_actor_entity_types") for t in span)


def _gazetteer_matches(doc: Doc) -> Iterator[Found]:
    table = _entries_by_alias()
    group_nouns = _words("group_nouns")
    for _, start, end in _matcher(doc.vocab)(doc):
        span = doc[start:end]
        entry = table.get(span.text.lower())
        if entry is None:
            continue
        if entry["kind"] == "ransomware" and not _speaks_of_people(span, group_nouns):
            continue
        yield Found(span, span.root, entry["kind"], True)


def _speaks_of_people(span: Span, group_nouns: frozenset[str]) -> bool:
    """A ransomware family named as its gang: "the X gang", "X ransomware operators", "X claimed"."""
    doc = span.doc
    after = [t.lower_ for t in doc[span.end : span.end + 2]]
    if after and (
        after[0] in group_nouns or (after[0] == "ransomware" and after[1:] and after[1] in group_nouns)
    ):
        return True
    root = span.root
    return root.dep_ == "nsubj" and root.head.lemma_.lower() in _words("people_verbs")


def _phrase_at(sent: Span, i: int, phrase: list[str]) -> bool:
    doc = sent.doc
    return i + len(phrase) <= sent.end and all(doc[i + k].lower_ == w for k, w in enumerate(phrase))


@cache
def _phrases_by_first(key: str) -> dict[str, tuple[list[str], ...]]:
    """The cue phrases of `key` grouped by their first word, so each token is checked only
    against the phrases that can start there."""
    out: dict[str, list[list[str]]] = {}
    for phrase in _cues()[key]:
        out.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(phrases) for first, phrases in out.items()}


@cache
def _naming_firsts() -> frozenset[str]:
    """The words a naming or handle phrase can start with: `_naming_end` is None at any other."""
    return frozenset(_phrases_by_first("naming_phrases")) | frozenset(_phrases_by_first("handle_phrases"))


def _naming_end(sent: Span, i: int) -> int | None:
    """Where the name starts when a naming phrase begins at token `i` ("known as X", "going
    by the handle of X", "who uses the alias X"); None when there is none."""
    doc = sent.doc
    first = doc[i].lower_
    handle_nouns = _words("handle_nouns")
    for phrase in _phrases_by_first("naming_phrases").get(first, ()):
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
    for phrase in _phrases_by_first("handle_phrases").get(first, ()):
        if _phrase_at(sent, i, phrase):
            j = i + len(phrase)
            while j < sent.end and (doc[j].lower_ in ("the", "a", "an") or doc[j].pos_ == "ADJ"):
                j += 1
            if j < sent.end and doc[j].lower_ in handle_nouns:
                j += 1
                return j + 1 if j < sent.end and doc[j].lower_ == "of" else j
    return None


def _quoted_right(doc: Doc, i: int, end: int) -> Span | None:
    """The quoted name at token `i` ("Grey Lantern Crew", in quotes after "the pseudonym"): a name
    the text gives explicitly, whatever its words or its entity type."""
    if i >= end or not doc[i].is_quote:
        return None
    j = i + 1
    while j < end and j - i <= MAX_NAME_TOKENS and not doc[j].is_quote:
        j += 1
    last = j
    while last > i + 1 and doc[last - 1].is_punct:
        last -= 1
    if j >= end or last == i + 1 or j - i > MAX_NAME_TOKENS or not doc[i + 1].text[:1].isupper():
        return None
    return doc[i + 1 : last]


def _named_by_phrase(sent: Span) -> Iterator[Found]:
    """ "a hacking group called X", "a hacker going by X", "a group using the name X"."""
    doc = sent.doc
    actor_nouns, not_actor = _words("actor_nouns"), _words("non_actor_modifiers")
    low, firsts = lowers(doc), _naming_firsts()
    for i in range(sent.start, sent.end):
        if low[i] not in firsts:
            continue
        j = _naming_end(sent, i)
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
        name = _quoted_right(doc, j, sent.end)
        if name is None:
            name = _name_right(doc, j, sent.end)
        elif name.text.lower() in _words("name_stopwords"):
            name = None
        if name is not None and (_valid(name) or doc[name.start - 1].is_quote):
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


def _named_by_noun(sent: Span) -> Iterator[Found]:
    """ "the X gang", "the X hacking group", "hacking group X", "ransomware gang X"."""
    doc = sent.doc
    group_nouns, criminal = _words("group_nouns"), _words("criminal_nouns")
    modifiers, apposition = _words("hacking_modifiers"), _words("apposition_nouns")
    incident = not _words("incident_words").isdisjoint(lemmas(doc)[sent.start : sent.end])
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
        if noun in _words("research_unit_nouns") and "threat" in low[j : n.i]:
            continue  # "Acme Threat Team", "Acme Threat Labs": a security firm's researchers
        left = _name_left(doc, j, sent.start)
        if noun in group_nouns and _valid(left) and left.end == j:
            if n.text[:1].isupper() and not modified:
                left = doc[left.start : n.i + 1]
            known = canonical_actor(left.text)[1] is not None
            people = noun in ("hackers", "actors", "operators", "affiliates", "hacktivists")
            if known or (modified and not people) or (noun in criminal and not people) or _distinctive(left):
                yield Found(left, n, "group", known)
            elif noun in ("group", "team", "crew") and incident and not _is_english(left):
                yield Found(left, n, "group", False)
        if modified or noun in apposition:
            right = _name_right(doc, n.i + 1, sent.end)
            if _valid(right) and (
                noun not in ("actor", "hacker") or _distinctive(right) or right.root.ent_type_ == "PERSON"
            ):
                kind = "individual" if noun == "hacker" else "group"
                yield Found(right, n, kind, canonical_actor(right.text)[1] is not None)


_LIST_OPENERS = (("such", "as"), ("like",), ("including",))
_CLAIM_VERBS = frozenset({"claim", "take", "boast", "brag"})
_INSTRUMENT_VERBS = frozenset({"use", "employ", "leverage", "deploy", "design", "build", "make", "write"})


def _named_in_list(sent: Span) -> Iterator[Found]:
    """ "hacking groups such as X, Y and Z", "ransomware gangs like X": the names a plural actor
    noun with a hacking modifier (or a criminal one: "gangs") lists."""
    doc = sent.doc
    nouns, modifiers = _words("list_nouns"), _words("hacking_modifiers")
    low = lowers(doc)
    for k in range(sent.start + 1, sent.end):
        if low[k] not in nouns or doc[k].tag_ != "NNS":
            continue
        if low[k - 1] not in modifiers and low[k] not in _words("criminal_list_nouns"):
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
        name = _name_right(doc, i, end)
        if not _valid(name) or name is None or not name.text[:1].isupper():
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
    if any(c.dep_ == "dobj" and c.lower_ in _words("claim_objects") for c in verb.children):
        return True
    deeds = _words("claim_deeds")
    return verb.lemma_.lower() != "take" and any(
        c.dep_ in ("xcomp", "ccomp")
        and not any(
            s.dep_ == "nsubj" and (s.pos_ == "PROPN" or s.lower_ in _words("actor_nouns")) for s in c.children
        )
        and any(t.lemma_.lower() in deeds for t in c.subtree)
        for c in verb.children
    )


def _named_by_claim(sent: Span) -> Iterator[Found]:
    """ "X claimed responsibility", "X took credit", "X claimed to have stolen", "X, a threat actor"."""
    doc = sent.doc
    modifiers, actor_nouns, not_actor = (
        _words("hacking_modifiers"),
        _words("actor_nouns"),
        _words("non_actor_modifiers"),
    )
    low, lem = lowers(doc), lemmas(doc)
    for k in range(sent.start, sent.end):
        if lem[k] not in _CLAIM_VERBS and low[k] not in actor_nouns:
            continue  # neither branch below can apply
        tok = doc[k]
        if tok.lemma_.lower() in _CLAIM_VERBS and tok.pos_ == "VERB" and _claims_deed(tok):
            for subj in (c for c in tok.children if c.dep_ == "nsubj"):
                name = _name_left(doc, subj.i + 1, sent.start)
                if (
                    _valid(name)
                    and name.end == subj.i + 1
                    and (subj.ent_type_ != "PERSON" or _distinctive(name))
                ):
                    yield Found(name, subj, "group", canonical_actor(name.text)[1] is not None)
        if tok.dep_ == "appos" and tok.lower_ in actor_nouns:
            mods = {c.lower_ for c in tok.children}
            described = tok.lower_ in ("hacker", "hacktivist", "actor", "gang", "crew") or bool(
                mods & modifiers
            )
            if described and not mods & not_actor:
                name = _name_left(doc, tok.head.i + 1, sent.start)
                if _valid(name) and name.end == tok.head.i + 1:
                    yield Found(name, tok.head, "group", canonical_actor(name.text)[1] is not None)


def _named_by_deed(sent: Span) -> Iterator[Found]:
    """The named doer of an attack: "X hacked ...", "... was stolen by X", "X was behind the attack"."""
    doc = sent.doc
    deeds = _words("deed_verbs")
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
            if doer.pos_ != "PROPN" and not _distinctive(doc[doer.i : doer.i + 1]):
                continue
            name = _name_left(doc, doer.i + 1, sent.start)
            if not _valid(name) or name.end != doer.i + 1:
                continue
            known = canonical_actor(name.text)[1] is not None
            if len(name) == 1 and not known and not _distinctive(name) and _common_word(name):
                continue  # "Malware targets banks": a capitalised common word, not a name
            kind = "individual" if doer.ent_type_ == "PERSON" else "group"
            yield Found(name, doer, kind, known)


def _named_by_charge(sent: Span) -> Iterator[Found]:
    """A person charged, indicted, arrested, sentenced or accused ("X is accused of"), or named as
    a defendant or suspect, in a sentence about a hacking crime."""
    if _words("incident_words").isdisjoint(lemmas(sent.doc)[sent.start : sent.end]):
        return
    legal, roles = _words("legal_verbs"), _words("legal_role_nouns")
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


def _origin_start(doc: Doc, j: int, start: int) -> int | None:
    """Where a place of origin ends at token `j - 1` and starts: "Iranian", "North Korean",
    "Beijing-based", "Moscow-backed"; None when there is none."""
    if j - 1 < start:
        return None
    tok = doc[j - 1]
    if tok.lower_ in _words("origin_suffixes") and j - 2 > start and doc[j - 2].text == "-":
        i = j - 2
        while i > start and doc[i - 1].text[:1].isupper() and doc[i - 1].ent_type_ in ORIGIN_TYPES:
            i -= 1
        return i if i < j - 2 else None
    if not tok.text[:1].isupper() or tok.lower_ in _words("name_stopwords"):
        return None
    if tok.ent_type_ not in ("NORP", "GPE") and not tok.lower_.endswith(_origin_endings()):
        return None
    i = j - 1
    while i > start and doc[i].ent_iob_ == "I" and doc[i - 1].ent_type_ == tok.ent_type_:
        i -= 1
    return i


@cache
def _origin_endings() -> tuple[str, ...]:
    return tuple(_cues()["demonym_endings"])


def _described_by_origin(sent: Span) -> Iterator[Found]:
    """An actor described by where it comes from: "Iranian hackers", "a Beijing-based hacking crew",
    "Moscow-backed hackers", and, in a sentence about charges, "a Latvian man". The article
    names no one else, so this description is what identifies the actor."""
    doc = sent.doc
    heads, modifiers = _words("described_actor_nouns"), _words("hacking_modifiers")
    people = _words("described_people_nouns")
    legal = not _words("legal_verbs").isdisjoint(lemmas(doc)[sent.start : sent.end])
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
        if i is None or (j == n.i and n.lower_ in _words("organization_heads")):
            continue
        if _names_another(n) or not _doer_role(n) or {c.lower_ for c in n.children} & _words("class_words"):
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
        return head.lower_ in _words("deed_nouns")
    if dep == "dobj":
        return head.lemma_.lower() in _words("blame_verbs") | _words("legal_verbs")
    if dep == "pobj" and head.lower_ in ("by", "from", "to"):
        verb = head.head
        if head.lower_ == "to":
            return verb.lemma_.lower() in _words("blame_verbs") | {"link", "tie", "trace", "connect"}
        return verb.pos_ in ("NOUN", "PROPN") or verb.lemma_.lower() in _words("deed_verbs") | _words(
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
    if tok.lower_ in _words("state_nouns"):
        i = _origin_start(doc, tok.i, sentence_of(tok).start)
        return doc[i : tok.i + 1] if i is not None else None
    if tok.ent_type_ == "ORG" and any(t.lower_ in _words("state_nouns") for t in tok.subtree):
        ent = entity_of(tok)
        if ent is not None:
            start = ent.start + (doc[ent.start].lower_ == "the")
            return doc[start : ent.end] if start < ent.end else None
    return None


def _state_doers(sent: Span) -> Iterator[Found]:
    """A state named as the doer: "accused Iran of hacking", "blamed North Korea for the
    attack", "backed by the Russian government", "X was caught hacking", "X was behind it"."""
    deeds, incident = _words("deed_verbs"), _words("incident_words")
    blame, agency = _words("blame_verbs"), _words("agency_verbs")
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
            if name is not None and len(name) and name.text.lower() not in _words("name_stopwords"):
                yield Found(name, doer, "state", False)


def _clause_head(tok: Token) -> Token:
    while tok.head.i != tok.i and not (tok.pos_ in ("VERB", "AUX") and tok.dep_ in CLAUSE_DEPS):
        tok = tok.head
    return tok


def _cue_matches(sent: Span) -> list[tuple[str, Token, str]]:
    """(grade, first token, cue text) for every attribution cue in the sentence, negated ones dropped;
    found once per sentence (every actor in a long sentence looked them all up again)."""
    known: dict[tuple[int, int], list[tuple[str, Token, str]]] = sent.doc.user_data.setdefault(_CUES, {})
    if (sent.start, sent.end) not in known:
        known[(sent.start, sent.end)] = _find_cues(sent)
    return known[(sent.start, sent.end)]


def _find_cues(sent: Span) -> list[tuple[str, Token, str]]:
    doc = sent.doc
    sent_lemmas = lemmas(doc)[sent.start : sent.end]
    sent_lowers = lowers(doc)[sent.start : sent.end]
    out = []
    for grade in GRADES:
        for cue in _cues()["attribution"][grade]:
            for i in range(len(sent_lemmas)):
                if cue[0] not in (sent_lemmas[i], sent_lowers[i]):
                    continue
                pos, ok = i, True
                for word in cue[1:]:
                    nxt = next(
                        (
                            k
                            for k in range(pos + 1, min(len(sent_lemmas), pos + 2 + CUE_GAP))
                            if word in (sent_lemmas[k], sent_lowers[k])
                        ),
                        None,
                    )
                    if nxt is None:
                        ok = False
                        break
                    pos = nxt
                tok = doc[sent.start + i]
                negated = any(c.dep_ == "neg" for c in (tok, tok.head) for c in c.children)
                if ok and not negated:
                    out.append((grade, tok, doc[sent.start + i : sent.start + pos + 1].text))
    return out


def grade_attribution(anchor: Token, others: Iterable[Token] = ()) -> tuple[str, str | None]:
    """The grade and cue for an actor read from `anchor`: its own clause first, then the
    clauses embedding it; a cue elsewhere in the sentence counts only when no other actor
    (`others`) is in it. Claims count only in the actor's own clause (the actor said so)."""
    sent = sentence_of(anchor)
    own = _clause_head(anchor)
    chain = [own]
    while chain[-1].head.i != chain[-1].i and len(chain) < 6:
        chain.append(_clause_head(chain[-1].head))
    alone = not any(sentence_of(o) == sent for o in others)
    best: tuple[int, int, int] | None = None
    result: tuple[str, str | None] = ("suspected", None)
    for grade, tok, text in _cue_matches(sent):
        head = _clause_head(tok)
        in_relcl = head.dep_ in ("relcl", "acl") and head.head == anchor
        level = 0 if head == own or in_relcl else (chain.index(head) if head in chain else 99)
        if level == 99 and (not alone or abs(tok.i - anchor.i) > 12):
            continue
        if (
            grade == "claimed"
            and level not in (0,)
            and not (level == 99 and alone and abs(tok.i - anchor.i) <= 6)
        ):
            continue
        key = (level, abs(tok.i - anchor.i), GRADES.index(grade))
        if best is None or key < best:
            best, result = key, (grade, text)
    return result


def _headline_tokens(doc: Doc, title: str | None) -> frozenset[int]:
    """Tokens of headline lines: the title line the cleaner puts first and any Title Case line.
    Headlines capitalise every word and drop "was" ("Acme Hacked; 200k Messages Leaked"), so
    the context rules would read names and doers into them."""
    out: set[int] = set()
    start = 0
    flags = doc.to_array([IS_ALPHA, IS_STOP, LENGTH]).tolist()
    words_of = texts(doc)
    for line in doc_text(doc).split("\n"):
        end = start + len(line)
        span = doc.char_span(start, end, alignment_mode="expand") if line.strip() else None
        if span is not None:
            words = [
                words_of[k]
                for k in range(span.start, span.end)
                if flags[k][0] and not flags[k][1] and flags[k][2] > 3
            ]
            capitals = sum(w[:1].isupper() for w in words)
            is_title = bool(title and start == 0 and line.strip() == title.strip())
            if is_title or (len(words) >= 3 and capitals >= 0.75 * len(words)):
                out.update(range(span.start, span.end))
        start = end + 1
    return frozenset(out)


def _firm_names(doc: Doc, found: list[Found]) -> set[str]:
    """Names the article introduces as a company or outlet ("security firm Quellwise")."""
    nouns = _words("organization_descriptors")
    low = lowers(doc)
    return {
        f.span.text
        for f in found
        if any(w in nouns for w in low[max(sentence_of(f.span).start, f.span.start - 2) : f.span.start])
    }


def _program_names(doc: Doc, found: list[Found]) -> set[str]:
    """Names the article introduces as software: "a ransomware strain named X", "the X malware"."""
    nouns = _words("software_nouns")
    out = {f.span.text for f in found if f.span.end < len(doc) and doc[f.span.end].lower_ in nouns}
    low, firsts = lowers(doc), _naming_firsts()
    for sent in sentences(doc):
        for i in range(sent.start, sent.end):
            if low[i] not in firsts:
                continue
            j = _naming_end(sent, i)
            if j is None or not any(t.lower_ in nouns for t in doc[max(sent.start, i - 4) : i]):
                continue
            name = _name_right(doc, j, sent.end)
            if name is not None:
                out.add(name.text)
    return out


def _candidates(doc: Doc, title: str | None = None) -> list[Found]:
    found = list(_gazetteer_matches(doc))
    headline = _headline_tokens(doc, title)
    for sent in sentences(doc):
        for rule in (
            _named_by_phrase,
            _named_by_noun,
            _named_in_list,
            _named_by_claim,
            _named_by_deed,
            _named_by_charge,
            _described_by_origin,
            _state_doers,
        ):
            found.extend(
                Found(f.span, f.anchor, f.kind, f.known, rule.__name__)
                for f in rule(sent)
                if f.known or not any(i in headline for i in range(f.span.start, f.span.end))
            )
    firms = _firm_names(doc, [f for f in found if not f.known])
    programs = _program_names(doc, found)
    as_people = {f.span.text for f in found if f.rule in ("_named_by_noun", "_named_by_claim")}
    found = [
        f
        for f in found
        if f.known or (f.span.text not in firms and (f.span.text not in programs or f.span.text in as_people))
    ]
    names = {f.span.text for f in found if not f.known}
    if names:
        matcher = PhraseMatcher(doc.vocab, attr="ORTH")
        matcher.add("NAMES", [_tokenizer().make_doc(n) for n in names])
        first = {f.span.text: f for f in reversed(found)}
        for _, start, end in matcher(doc):
            span, origin = doc[start:end], first[doc[start:end].text]
            found.append(Found(span, span.root, origin.kind, False, origin.rule))
    chosen: dict[tuple[int, int], Found] = {}
    taken: set[int] = set()
    for f in sorted(found, key=lambda f: (not f.known, -len(f.span), f.span.start)):
        if any(i in taken for i in range(f.span.start, f.span.end)):
            continue
        taken.update(range(f.span.start, f.span.end))
        chosen[(f.span.start, f.span.end)] = f
    return [chosen[k] for k in sorted(chosen)]


def _balanced(span: Span) -> Span:
    """The span with its closing parenthesis: the tokenizer splits "NoName057(16)" before ")"."""
    doc = span.doc
    if span.text.count("(") > span.text.count(")") and span.end < len(doc) and doc[span.end].text == ")":
        return doc[span.start : span.end + 1]
    return span


@register(NAME)
def extract_actors(doc: Doc, article: Article) -> list[Mention]:
    """Named threat actors, each mention graded by the attribution cues of its own clause."""
    found = _candidates(doc, article.title)
    by_sentence: dict[int, list[tuple[str, Token]]] = {}  # the others that matter share the sentence
    for g in found:
        by_sentence.setdefault(sentence_index(doc, g.anchor.i), []).append(
            (canonical_actor(g.span.text)[0], g.anchor)
        )
    out: list[Mention] = []
    for f in found:
        span = _balanced(f.span)
        text = span.text.strip("\"'“”")
        value, entry = (text, None) if f.rule in DESCRIPTIVE_RULES else canonical_actor(text)
        kind = entry["kind"] if entry else f.kind
        others = [anchor for name, anchor in by_sentence[sentence_index(doc, f.anchor.i)] if name != value]
        grade, cue = grade_attribution(f.anchor, others)
        attrs = {
            "attribution": grade,
            "cue": cue,
            "kind": kind,
            "aliases": list(_aliases_of().get(value, ())),
        }
        out.append(mention("threat_actor", value, span, NAME, attrs=attrs))
    return out
