"""Compromised data: the article's own phrases for what was stolen, exposed or left alone.

A data phrase is an argument of a breach cue in the dependency parse: the object or passive
subject of a breach verb ("hackers stole names"), the noun a breach participle modifies
("the stolen passwords"), the complement of a breach noun ("theft of card data"), or an
item of an "including"/"such as" list or an "included"/"contained" clause in a sentence
about a breach. Coordinated lists are split into items, determiners and possessives are
dropped, meaningful modifiers kept ("unreleased product designs").

A cue under negation or denial ("no card data was accessed", "in no way affected customer
data", "no evidence that passwords were taken") yields `data_not_compromised`, never
`data`. A cue that is hypothetical or generic ("could steal", "hackers often steal",
"designed to steal") yields nothing: the incident, not breaches in general, is the subject.

Each `data` mention carries `attrs["category"]`, a term of `data_categories.json`;
`rate_sensitivity` turns a record's categories into High/Medium/Low/Unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum
from functools import cache
from typing import Any

from spacy.tokens import Doc, Span, Token

from extractors._gazetteer import load_vocabulary
from extractors._registry import register
from extractors._spans import doc_text, lemmas, lowers, mention_chars, poses, sentences
from schemas.document import Article
from schemas.entities import AttrValue, Mention, MentionLabel

__all__ = ["EXTRACTOR", "OTHER_CATEGORY", "categorize", "extract_data_types", "rate_sensitivity"]

EXTRACTOR = "data_types.v1"
OTHER_CATEGORY = "other"
_SENSITIVITY_RANK = {"Unknown": 0, "Low": 1, "Medium": 2, "High": 3}

_ARG_DEPS = frozenset({"dobj", "nsubjpass", "obj", "attr", "oprd"})
_KEEP_LEFT = frozenset({"compound", "amod", "nmod", "advmod", "punct"})
_DROP_LEADING_POS = frozenset({"DET", "PRON", "NUM", "PUNCT", "CCONJ", "ADP", "PART", "SYM", "X", "ADV"})
_PARTITIVES = frozenset(
    {
        "million", "billion", "thousand", "hundred", "millions", "billions", "thousands", "hundreds",
        "dozens", "some", "all", "part", "portion", "batch", "set", "collection", "trove", "cache",
        "lot", "number", "amount", "kind", "type", "variety", "range", "sort", "piece", "bunch",
        "handful", "form", "many", "most", "much", "none", "any", "each", "one", "copy", "copies", "list",
        "database", "archive", "dump", "file", "files", "store", "wealth", "host", "slew", "series",
    }
)  # fmt: skip
_COUNTERFACTUAL = frozenset({"could", "would", "should"})  # "could have stolen" did not happen
_GOVERNING_DEPS = frozenset({"xcomp", "advcl", "pcomp", "pobj", "prep", "dobj", "ccomp", "dative"})
_DROP_LEADING_WORDS = frozenset(
    {"other", "more", "certain", "additional", "various", "such", "same", "own", "many", "much", "few",
     "several", "numerous", "all", "some", "any", "both", "each", "most", "alleged", "purported", "only"}
)  # fmt: skip
_LEFT_VERBS = frozenset({"leave", "keep"})  # "left X exposed", "had X stolen"
_QUANTITIES = frozenset(
    {"number", "amount", "form", "kind", "type", "types", "variety", "range", "sort", "piece", "part"}
)
_NAME_ENTITIES = frozenset({"ORG", "PERSON", "GPE", "LOC", "FAC", "NORP", "EVENT"})
_ERGATIVE = frozenset({"leak", "spill", "expose"})  # "data leaked": the subject is the data


class _Status(Enum):
    ACTUAL = "actual"
    DENIED = "denied"
    IRREALIS = "irrealis"


@cache
def _cues() -> dict[str, frozenset[str]]:
    raw: dict[str, Any] = load_vocabulary("data_cues")
    return {key: frozenset(value) for key, value in raw.items() if isinstance(value, list)}


@cache
def _category_cues() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(cue words, category), longest cue first so "payment card" beats "card"."""
    raw: dict[str, list[str]] = load_vocabulary("data_categories")["categories"]
    order = {cat: n for n, cat in enumerate(raw)}
    pairs = [(tuple(cue.split()), cat) for cat, cues in raw.items() for cue in cues]
    pairs.sort(key=lambda pair: (-len(pair[0]), order[pair[1]]))
    return tuple(pairs)


@cache
def _cue_table() -> dict[tuple[str, ...], tuple[int, str]]:
    """cue words -> (rank in `_category_cues`, category) of its first entry there."""
    table: dict[tuple[str, ...], tuple[int, str]] = {}
    for rank, (cue, category) in enumerate(_category_cues()):
        table.setdefault(cue, (rank, category))
    return table


@cache
def _cue_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(cue) for cue, _ in _category_cues()}))


@cache
def _data_category_cues() -> frozenset[tuple[str, ...]]:
    """The cues with an entry whose category is not `OTHER_CATEGORY`."""
    return frozenset(cue for cue, category in _category_cues() if category != OTHER_CATEGORY)


def _cue_hits(words: tuple[str, ...]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The cues whose first occurrence in `words` ends them (the phrase's head), and the cues
    that occur anywhere: the word n-grams of `words` looked up in `_cue_table`, instead of
    searching `words` for every cue."""
    table = _cue_table()
    at_head: list[tuple[str, ...]] = []
    anywhere: list[tuple[str, ...]] = []
    size = len(words)
    for n in _cue_lengths():
        first: dict[tuple[str, ...], int] = {}
        for i in range(size - n + 1):
            first.setdefault(words[i : i + n], i)
        for gram, i in first.items():
            if gram in table:
                anywhere.append(gram)
                if i + n == size:
                    at_head.append(gram)
    return at_head, anywhere


def _words(text: str) -> tuple[str, ...]:
    text = re.sub(r"\be\s*-\s*mail", "email", text.lower())
    return tuple(re.findall(r"[a-z0-9][a-z0-9'\-]*", text))


def categorize(phrase: str, lemmas: str = "") -> str:
    """The category of a data phrase: the longest cue that ends the phrase (its head names the
    data: "email accounts" are accounts, "SMS contacts" contacts), else the longest cue anywhere
    ("credit card numbers"); surface words or lemmas."""
    variants = [_words(phrase)] + ([_words(lemmas)] if lemmas else [])
    hits = [_cue_hits(words) for words in variants]
    table = _cue_table()
    for at_head in (True, False):
        ranked = [table[cue] for found in hits for cue in found[0 if at_head else 1]]
        if ranked:
            return min(ranked)[1]
    return OTHER_CATEGORY


def rate_sensitivity(categories: list[str]) -> str:
    """Highest sensitivity of `categories` by the rubric in data_categories.json; "Unknown" if none."""
    rubric: dict[str, str] = load_vocabulary("data_categories")["sensitivity"]
    best = "Unknown"
    for category in categories:
        rating = rubric.get(category, rubric.get(OTHER_CATEGORY, "Unknown"))
        if _SENSITIVITY_RANK.get(rating, 0) > _SENSITIVITY_RANK[best]:
            best = rating
    return best


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _is_in(token: Token, key: str) -> bool:
    """`token`'s lemma or its lower-cased text is in vocabulary `key` (the lemmatizer maps
    "data" to "datum")."""
    words = _cues()[key]
    return token.lower_ in words or _lemma(token) in words


def _is_breach_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and _lemma(token) in _cues()["breach_verbs"]


def _has_breach_context(sent: Span, skip: Token | None = None) -> bool:
    """A breach cue in `sent`; with `skip` (a weak cue such as "posted") only a cue other than
    it, and neither another weak verb nor a word as loose as "attack" or "incident"."""
    cues = _cues()
    doc = sent.doc
    low, lem, pos = lowers(doc), lemmas(doc), poses(doc)
    for k in range(sent.start, sent.end):
        if skip is not None and k == skip.i:
            continue
        lemma, lower = lem[k], low[k]
        loose = lemma in cues["weak_breach_verbs"] or lemma in cues["generic_incident_nouns"]
        if skip is not None and loose:
            continue
        if pos[k] in ("VERB", "AUX") and lemma in cues["breach_verbs"]:
            return True
        if lower in cues["breach_adjectives"]:
            return True
        if pos[k] in ("NOUN", "PROPN") and lemma in cues["breach_nouns"]:
            return True
    return False


def _is_no(token: Token) -> bool:
    return token.lower_ in ("no", "none", "nothing", "neither", "nor", "never", "without")


def _negated_here(token: Token) -> bool:
    """`token` carries a negation itself: "not", "no X", "in no way", "none of"."""
    for child in token.children:
        if child.dep_ == "neg" or (child.dep_ in ("advmod", "det", "preconj") and _is_no(child)):
            return True
        if child.dep_ in ("nsubj", "nsubjpass") and _is_no(child):
            return True
        if child.dep_ == "prep" and any(
            grand.dep_ == "pobj" and any(_is_no(det) for det in grand.children) for grand in child.children
        ):
            return True
    return False


def _has_modal(verb: Token) -> bool:
    """ "could steal", "would have allowed" (a counterfactual); not "may have stolen" (a hedge)."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    perfect = any(_lemma(a) == "have" for a in auxes)
    modals = [_lemma(a) for a in auxes if _lemma(a) in _cues()["modal_auxiliaries"]]
    return bool(modals) and (not perfect or any(m in _COUNTERFACTUAL for m in modals))


def _modal_status(verb: Token) -> _Status | None:
    """IRREALIS for "could steal", "to steal", "if ... stolen", "often steal"; None otherwise."""
    cues = _cues()
    auxes = [child for child in verb.children if child.dep_ in ("aux", "auxpass")]
    modal = any(_lemma(a) in cues["modal_auxiliaries"] for a in auxes)
    perfect = any(_lemma(a) == "have" for a in auxes)
    if _has_modal(verb) or (modal and not perfect):
        return _Status.IRREALIS
    if any(a.tag_ == "TO" for a in auxes) and not perfect:
        head = verb.head
        if _lemma(head) in cues["irrealis_heads"]:
            return _Status.IRREALIS  # "was designed to steal", "tried to steal"
        if verb.dep_ in ("xcomp", "advcl") and head != verb and _is_past(head):
            return _modal_status(head)  # "managed to steal", "used the trojan to collect"
        return _Status.IRREALIS
    for child in verb.children:
        if child.dep_ == "mark" and child.lower_ in cues["hypothetical_marks"]:
            return _Status.IRREALIS
        if child.dep_ == "advmod" and child.lower_ in cues["generic_adverbs"]:
            return _Status.IRREALIS
    if verb.tag_ in ("VBP", "VBZ") and not auxes and _lemma(verb) not in cues["list_verbs"]:
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if subjects and all(
            s.tag_ == "NNS" and not any(c.dep_ in ("det", "poss") for c in s.children) for s in subjects
        ):
            return _Status.IRREALIS  # "hackers steal passwords": a habit, not an event
    if verb.tag_ == "VBG" and verb.dep_ == "pcomp" and verb.head.lower_ in ("of", "for", "at"):
        return _Status.IRREALIS  # "capable of stealing"
    if verb.tag_ == "VB" and not auxes:
        return _Status.IRREALIS
    return None


def _is_past(token: Token) -> bool:
    """A past event: "stole", "was designed", "were able" (an adjective under a past copula)."""
    if token.tag_ in ("VBD", "VBN") or any(
        c.tag_ in ("VBD", "VBN") for c in token.children if c.dep_ in ("aux", "auxpass")
    ):
        return True
    return token.pos_ == "ADJ" and token.head.tag_ == "VBD"


def _clause_status(verb: Token) -> _Status:
    """Whether the event of `verb` happened, was denied, or is hypothetical/generic."""
    cues = _cues()
    anchor = verb
    while anchor.dep_ == "conj" and anchor.head.pos_ in ("VERB", "AUX") and anchor.head != anchor:
        if not any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass", "neg") for c in anchor.children):
            anchor = anchor.head
        else:
            break
    if _negated_here(verb) or _negated_here(anchor):
        return _Status.DENIED
    modal = _modal_status(anchor)
    if modal is not None:
        return modal
    node = anchor
    for _ in range(6):
        if node.head == node:
            break
        parent = node.head
        if node.dep_ in ("ccomp", "acl", "advcl", "xcomp", "relcl", "pcomp", "pobj", "prep", "attr", "conj"):
            if _lemma(parent) in cues["denial_heads"] and _negated_here(parent):
                return _Status.DENIED
            if (
                node.dep_ in ("ccomp", "xcomp")
                and _negated_here(parent)
                and parent.pos_ in ("VERB", "AUX", "ADJ")
            ):
                if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") for c in node.children):
                    return _Status.IRREALIS  # "would not say whether files were taken"
                return _Status.DENIED  # "does not believe passwords were taken"
            if parent.lower_ in ("whether", "if"):
                return _Status.IRREALIS
        if node.dep_ in _GOVERNING_DEPS and parent.pos_ in ("VERB", "AUX") and _has_modal(parent):
            return _Status.IRREALIS  # "could allow attackers to steal data"
        if node.dep_ in ("xcomp", "pcomp", "prep", "advcl") and _lemma(parent) in cues["irrealis_heads"]:
            return _Status.IRREALIS  # "risked exposing tokens", "prevented them from stealing"
        node = parent
    return _Status.ACTUAL


def _noun_status(noun: Token) -> _Status:
    """Status of a data noun reached through a participle or breach noun ("no stolen data")."""
    if _negated_here(noun) or any(
        c.dep_ == "compound" and _is_in(c, "denial_heads") and _negated_here(c) for c in noun.children
    ):
        return _Status.DENIED  # "no indication customer data ..." parsed as one compound
    node = noun
    for _ in range(6):
        if node.head == node:
            return _Status.ACTUAL
        child, node = node, node.head
        if node.pos_ in ("VERB", "AUX"):
            if child.dep_ == "dobj" and _lemma(node) in _cues()["irrealis_heads"]:
                return _Status.IRREALIS  # "prevented the theft of card data"
            return _clause_status(node)
    return _Status.ACTUAL


def _verb_arguments(verb: Token, sent: Span, denial_only: bool) -> Iterator[tuple[Token, _Status, str]]:
    """What a breach verb acts on: "stole names", "names were stolen", "access to files",
    "left the names exposed"; for a denial-only verb ("affect") only when it is denied."""
    lemma = _lemma(verb)
    clause = any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "dobj") for c in verb.children)
    if verb.dep_ in ("amod", "acl", "compound") and verb.head.pos_ in ("NOUN", "PROPN") and not clause:
        if verb.tag_ == "VBG":
            return  # "hacking tools", "stealing malware": a kind of thing, not an event
        status = _noun_status(verb.head)
        if not denial_only or status is _Status.DENIED:
            yield _owner_data(verb.head), status, lemma
        return
    status = _clause_status(verb)
    if status is _Status.ACTUAL and _denied_before(sent, verb):
        status = _Status.DENIED
    args = [c for c in verb.children if c.dep_ in _ARG_DEPS or (c.dep_ == "nsubj" and lemma in _ERGATIVE)]
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("to", "of"):
            args.extend(g for g in child.children if g.dep_ == "pobj")
    if _lemma(verb.head) in _cues()["resultative_verbs"] and (
        (verb.dep_ in ("oprd", "xcomp", "ccomp", "acomp") and verb.tag_ == "VBN")
        or (verb.dep_ == "advcl" and _lemma(verb.head) in _LEFT_VERBS)
    ):  # "left the names exposed", "had their card data stolen"; not "X broke the news that Y was exposed"
        args.extend(c for c in verb.head.children if c.dep_ in ("dobj", "nsubj") and c.i < verb.i)
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    if objects:  # "exposing the emails, home addresses, ...": a list hung on the verb or cut short
        args.extend(c for c in verb.children if c.dep_ == "conj" and c.pos_ == "NOUN")
        args.extend(_surface_items(max((t for o in objects for t in (o, *o.conjuncts)), key=lambda t: t.i)))
    for arg in args:
        negated = status is _Status.ACTUAL and _negated_here(arg)  # "no user data was affected"
        if not denial_only or negated or status is _Status.DENIED:
            yield arg, _Status.DENIED if negated else status, lemma


def _owner_data(noun: Token) -> Token:
    """ "the names and addresses of 40,000 people exposed": the participle hangs on the people,
    what it describes is the data they own."""
    of = noun.head
    if (
        noun.dep_ == "pobj"
        and of.lower_ == "of"
        and of.head.pos_ == "NOUN"
        and _is_in(noun, "count_people_nouns")
    ):
        return of.head
    return noun


def _list_arguments(verb: Token) -> Iterator[tuple[Token, _Status, str]]:
    """Items of "the stolen data included X", "among the records stolen were X"."""
    if not _data_subject(verb):
        return
    lemma = _lemma(verb)
    status = _clause_status(verb)
    auxes = [c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")]
    hedged = not auxes or all(a in ("may", "might") for a in auxes)  # "the files accessed may include"
    if status is _Status.IRREALIS and hedged and any(_described_as_breached(s) for s in _subjects(verb)):
        status = _Status.ACTUAL  # "records compromised usually included emails": this breach's data
    among = any(c.dep_ == "prep" and c.lower_ == "among" for c in verb.children)
    restricted = lemma in ("limit", "restrict", "confine")  # "the data accessed was limited to names"
    for child in verb.children:
        if child.dep_ in _ARG_DEPS or (among and child.dep_ == "nsubj"):
            yield child, status, lemma
        if child.dep_ == "prep" and (child.lower_ in ("of", "from") or (child.lower_ == "to" and restricted)):
            yield from ((g, status, lemma) for g in child.children if g.dep_ == "pobj")


@cache
def _argument_lemmas() -> frozenset[str]:
    """The lemmas `_find_arguments` acts on."""
    cues = _cues()
    return cues["breach_verbs"] | cues["denial_verbs"] | cues["complement_nouns"] | cues["list_verbs"]


@cache
def _argument_words() -> frozenset[str]:
    """The lower-cased words `_find_arguments` acts on whatever their lemma."""
    return _cues()["breach_adjectives"] | {"including"}


def _find_arguments(sent: Span) -> Iterator[tuple[Token, _Status, str]]:
    """Head tokens of phrases said to be compromised (or denied), their status and cue word."""
    cues = _cues()
    context = _has_breach_context(sent)
    doc = sent.doc
    low, lem = lowers(doc), lemmas(doc)
    for k in range(sent.start, sent.end):
        if lem[k] not in _argument_lemmas() and low[k] not in _argument_words():
            continue  # no branch below can apply
        token = doc[k]
        lemma = _lemma(token)
        verb = token.pos_ in ("VERB", "AUX")
        if verb and (lemma in cues["breach_verbs"] or lemma in cues["denial_verbs"]):
            found = _verb_arguments(token, sent, denial_only=lemma not in cues["breach_verbs"])
            if lemma in cues["weak_breach_verbs"] and not _has_breach_context(sent, skip=token):
                found = (arg for arg in found if arg[1] is not _Status.ACTUAL or _names_personal_data(arg[0]))
            yield from found
        elif token.pos_ == "NOUN" and lemma in cues["complement_nouns"]:
            if _lemma(token.head) in cues["access_blockers"]:
                continue  # "restore access to files", "lost access to": nothing was taken
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ in ("of", "to", "on"):
                    yield from ((g, _noun_status(token), lemma) for g in child.children if g.dep_ == "pobj")
                if child.dep_ == "compound" and lemma in cues["compound_nouns"]:
                    yield child, _noun_status(token), lemma  # "a password leak"
        elif token.lower_ in cues["breach_adjectives"] and token.dep_ == "amod":
            yield token.head, _noun_status(token.head), token.lower_
        elif context and token.lower_ == "including" and token.dep_ in ("prep", "advcl", "acl"):
            status = _including_status(token.head)
            items = [c for c in token.children if c.dep_ in ("pobj", "dobj")]
            if items:
                last = max((t for item in items for t in (item, *item.conjuncts)), key=lambda t: t.i)
                items += _surface_items(last)
            yield from ((c, status, "including") for c in items)
        elif context and verb and lemma in cues["list_verbs"]:
            yield from _list_arguments(token)


def _names_personal_data(head: Token) -> bool:
    """ "took addresses and card numbers" is a theft, "posted a video" or "took backups" is not:
    a weak cue (post, publish, take, copy) alone counts only for data about people."""
    personal = _cues()["personal_categories"]
    for item in _expand_items(head):
        bounds = _phrase_span(item)
        if bounds is not None and categorize(item.doc[bounds[0] : bounds[1]].text) in personal:
            return True
    return False


def _including_status(head: Token) -> _Status:
    """Status of an "including" list from what it hangs on: "no information was lost, including
    health records" is a denial."""
    if head.pos_ in ("NOUN", "PROPN"):
        return _noun_status(head)
    if head.pos_ in ("VERB", "AUX"):
        if any(_negated_here(s) for s in _subjects(head)):
            return _Status.DENIED
        return _clause_status(head)
    return _Status.ACTUAL


def _subjects(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]


def _described_as_breached(noun: Token) -> bool:
    """ "the stolen data", "data compromised in the attack": the noun is the breach's own data."""
    return any(
        (c.dep_ == "amod" and c.lower_ in _cues()["breach_adjectives"])
        or (c.dep_ in ("acl", "amod") and c.tag_ == "VBN" and _is_in(c, "breach_verbs"))
        for c in noun.children
    )


def _data_subject(verb: Token) -> bool:
    """ "The stolen data included ...", "the breach involved ...": the subject is data or the breach."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects and verb.i > 0 and verb.doc[verb.i - 1].pos_ == "NOUN":
        subjects.append(verb.doc[verb.i - 1])  # "said that accessed data includes": parsed without subject
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ == "NOUN":
        subjects.append(verb.head)  # "records that contained", "data consisting of"
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and _is_breach_verb(verb.head):
        return True  # "a laptop was stolen, containing payroll records"
    for child in verb.children:  # "among the records stolen were ..."
        if child.dep_ == "prep" and child.lower_ == "among":
            subjects.extend(g for g in child.children if g.dep_ == "pobj")
    subjects += [c for s in subjects for c in s.children if c.dep_ == "compound"]  # "a record batch includes"
    return any(_is_in(s, "data_nouns") or _is_in(s, "breach_nouns") for s in subjects)


def _list_children(token: Token) -> Iterator[Token]:
    """Items hung on `token` by "such as", "including", "like" or apposition."""
    for child in token.children:
        lower = child.lower_
        marker = lower in ("including", "like", "include", "namely") or (
            lower == "as" and any(c.lower_ == "such" for c in child.children)
        )
        if lower == "as" and child.i > 0 and child.doc[child.i - 1].lower_ == "such":
            marker = True
        if marker:
            items = [c for c in child.children if c.dep_ in ("pobj", "dobj")]
            yield from items
            if items:
                last = max((t for item in items for t in (item, *item.conjuncts)), key=lambda t: t.i)
                yield from _surface_items(last)
        elif child.dep_ == "appos":
            yield child


def _surface_items(last: Token) -> Iterator[Token]:
    """List items the parser split off after `last`: in "including X, routing tables, and
    pricing models" it reads "routing" as a verb and loses the rest of the list."""
    doc = last.doc
    j = last.i + 1
    while j < len(doc) and doc[j].lower_ in (",", "and", "or"):
        k = j
        while k < len(doc) and doc[k].lower_ in (",", "and", "or"):
            k += 1
        if k < len(doc) and doc[k].tag_ in ("DT", "PRP$"):
            k += 1
        m = k
        while m < len(doc) and m - k < 5 and doc[m].tag_ in ("VBG", "VBN", "VBD", "RB", "JJ", "NN", "NNS"):
            m += 1
        nouns = [t for t in doc[k:m] if t.pos_ == "NOUN"]
        if not nouns:
            return
        yield nouns[-1]
        j = m


def _expand_items(head: Token) -> list[Token]:
    """`head`, its conjuncts, partitive complements and list items, in text order."""
    out: list[Token] = []
    todo = [head]
    while todo and len(out) < 40:
        token = todo.pop()
        if token in out:
            continue
        out.append(token)
        todo.extend(token.conjuncts)
        todo.extend(_list_children(token))
        if not _is_in(token, "data_nouns") and not _is_partitive(token):
            for child in token.children:  # "the contents of messages": the data is the complement
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo.extend(g for g in child.children if g.dep_ == "pobj" and g.pos_ == "NOUN")
        if _is_partitive(token):
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo.extend(g for g in child.children if g.dep_ in ("pobj", "pcomp"))
        elif _is_in(token, "data_nouns"):  # "dates of birth, bank details": the list went on
            for child in token.children:  # from the complement
                if child.dep_ == "prep" and child.lower_ == "of":
                    todo.extend(
                        c for g in child.children if g.dep_ == "pobj" for c in g.conjuncts if c.i > g.i
                    )
        if token.lower_ in _PARTITIVES or _lemma(token) in _PARTITIVES:
            for child in token.children:
                if child.dep_ == "acl" and _lemma(child) in ("contain", "include", "hold"):
                    todo.extend(g for g in child.children if g.dep_ == "dobj")
    return sorted(out, key=lambda t: t.i)


def _left_edge(token: Token) -> int:
    """First index of the modifiers that stay with `token` ("credit card" in "credit card
    numbers"), contiguous and through compound/adjective links only."""
    start = token.i
    for child in sorted((c for c in token.children if c.i < token.i), key=lambda c: -c.i):
        if child.dep_ not in _KEEP_LEFT or child.right_edge.i != start - 1:
            break
        if child.dep_ == "punct" and child.text != "-":
            break
        start = _left_edge(child)
        if start != child.left_edge.i:
            break  # "no indication customer data": what lies further left is not ours
    return start


def _is_partitive(token: Token) -> bool:
    """ "millions of records", "a list of emails": the data is the complement."""
    if token.lower_ not in _PARTITIVES and _lemma(token) not in _PARTITIVES:
        return False
    has_of = any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children)
    return has_of and (
        not any(c.dep_ == "compound" for c in token.children) or token.lower_ in ("copies", "copy")
    )


def _phrase_span(head: Token, depth: int = 0) -> tuple[int, int] | None:
    """Token range [start, end) of the clean noun phrase headed by `head`."""
    doc = head.doc
    start = _left_edge(head)
    end = head.i + 1
    if depth == 0:
        for child in (c for c in head.children if c.i > head.i):
            if child.dep_ == "prep" and child.lower_ == "of" and child.i == end:
                pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if pobj is None or not _short_complement(pobj):
                    break
                inner = _phrase_span(pobj, depth + 1)
                if inner is None:
                    break
                end = inner[1]
            break
    cues = _cues()
    while start < end - 1 and (
        doc[start].pos_ in _DROP_LEADING_POS
        or doc[start].pos_ == "VERB"
        or doc[start].lower_ in cues["breach_adjectives"]
        or doc[start].lower_ in _DROP_LEADING_WORDS
        or doc[start].lower_ in cues["empty_modifiers"]
        or doc[start].dep_ == "case"
        or doc[start].tag_ == "POS"
    ):
        start += 1
    while end - 1 > start and doc[end - 1].pos_ == "PUNCT":
        end -= 1
    gerund = doc[start - 1] if start > 1 else None
    if (  # "routing tables" in a list: a gerund the parser made the head of its noun
        gerund is not None
        and gerund.tag_ == "VBG"
        and head.head == gerund
        and head.dep_ == "dobj"
        and doc[start - 2].lower_ in (",", "and", "or")
        and not _is_in(gerund, "breach_verbs")  # "..., stealing data": the verb, not a list item
        and not _is_in(gerund, "list_verbs")  # "..., containing payroll records"
    ):
        start -= 1
    return (start, end) if head.i >= start else None


def _short_complement(pobj: Token) -> bool:
    """ "dates of birth" keeps its "of"; "records of 2 million customers" does not."""
    if pobj.pos_ == "PROPN" or pobj.ent_type_ in ("ORG", "PERSON", "GPE", "NORP"):
        return False
    if _is_in(pobj, "count_people_nouns") or pobj.pos_ == "PRON":
        return False
    if pobj.like_num or pobj.pos_ == "NUM" or pobj.lower_ in _PARTITIVES:
        return False
    return not any(c.dep_ in ("nummod", "det", "poss") for c in pobj.children) and pobj.n_lefts <= 2


def _looks_like_data(head: Token, phrase: str) -> bool:
    """The head noun names data, not systems or people ("servers", "customers")."""
    cues = _cues()
    # "selling 2 million X accounts": a plural noun the tagger read as a verb
    mistagged = head.pos_ == "VERB" and head.tag_ == "VBZ" and head.dep_ in _ARG_DEPS
    if (head.pos_ not in ("NOUN", "PROPN", "X") and not mistagged) or head.like_num:
        return False
    lemma, lower = _lemma(head), head.lower_
    if lemma in cues["count_people_nouns"] or lower in cues["count_people_nouns"]:
        return False
    if lemma in cues["data_nouns"] or lower in cues["data_nouns"]:
        return True
    if head.pos_ == "PROPN" and head.ent_type_ in _NAME_ENTITIES:
        return False  # "Kestrel Health": an organisation's name, whatever words it contains
    data_cues = _data_category_cues()
    return any(cue in data_cues for cue in _cue_hits(_words(phrase))[0])


def _is_vague(words: tuple[str, ...]) -> bool:
    """ "data", "the information": nothing a reader could act on."""
    vague = _cues()["vague_nouns"]
    return all(word in vague for word in words)


@cache
def _denial_pattern() -> re.Pattern[str]:
    heads = "|".join(sorted(_cues()["denial_heads"]))
    return re.compile(
        rf"\b(?:no|not any|not find any|not see any|nothing)\s+(?:\w+\s+)?(?:{heads})\b|\bin no way\b", re.I
    )


def _denied_before(sent: Span, head: Token) -> bool:
    """ "no indication (that) customer data was accessed": a denial the parse did not link,
    earlier in the same clause (no "but" or ";" in between)."""
    before = doc_text(sent.doc)[sent.start_char : head.idx]
    clause = re.split(r";|\bbut\b|\bhowever\b|\balthough\b", before)[-1]
    return bool(_denial_pattern().search(clause))


@register(EXTRACTOR)
def extract_data_types(doc: Doc, article: Article) -> list[Mention]:
    """`data` / `data_not_compromised` mentions for every compromised-data phrase in `doc`."""
    mentions: list[Mention] = []
    seen: set[tuple[int, int]] = set()
    covered: set[int] = set()  # tokens inside a phrase already taken ("birth" of "dates of birth")
    for sent in sentences(doc):
        for head, status, cue in _find_arguments(sent):
            if status is _Status.IRREALIS:
                continue
            if status is _Status.ACTUAL and _denied_before(sent, head):
                status = _Status.DENIED
            label: MentionLabel = "data" if status is _Status.ACTUAL else "data_not_compromised"
            for item in _expand_items(head):
                bounds = _phrase_span(item)
                if (
                    bounds is None
                    or bounds in seen
                    or item.i in covered
                    or (
                        _is_partitive(item) and (not _is_in(item, "data_nouns") or item.lower_ in _QUANTITIES)
                    )
                ):
                    continue
                span = doc[bounds[0] : bounds[1]]
                value = _clean_value(span)
                up_to_head = doc[bounds[0] : item.i + 1].text
                if not value or not _looks_like_data(item, up_to_head) or _is_vague(_words(value)):
                    continue
                if any(word in _cues()["attacker_made_modifiers"] for word in _words(value)):
                    continue  # "a malicious message", "the ransom demand": made by the attacker, not taken
                if cue == "access" and _is_in(item, "access_only_nouns"):
                    continue  # "gained access to Gmail accounts": an account taken over, no data named
                seen.add(bounds)
                covered.update(range(*bounds))
                lemmas = " ".join(t.lemma_ for t in span)
                category = categorize(value, lemmas)
                attrs: dict[str, AttrValue] = {"category": category, "cue": cue}
                mentions.append(
                    mention_chars(label, value, doc, span.start_char, span.end_char, EXTRACTOR, attrs)
                )
    return mentions


def _clean_value(span: Span) -> str:
    """Whitespace collapsed, "e - mail" joined, a sentence-initial capital lowered."""
    text = re.sub(r"\s+", " ", span.text).strip()
    text = re.sub(r"\s*-\s*", "-", text)
    first = span[0]
    if first.is_sent_start and first.pos_ != "PROPN" and not first.is_upper and text:
        text = text[0].lower() + text[1:]
    return text
