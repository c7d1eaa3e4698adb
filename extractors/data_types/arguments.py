"""The data arguments of breach cues in the parse: objects and passive subjects of breach verbs,
nouns a breach participle modifies, complements of breach nouns, "including" lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from spacy.tokens import Span, Token

from extractors._spans import lemmas, lowers
from extractors.data_types.categories import categorize
from extractors.data_types.phrases import ARG_DEPS, expand_items, phrase_span, surface_items
from extractors.data_types.status import (
    LEFT_VERBS,
    Status,
    clause_status,
    cue_sets,
    denied_before,
    has_breach_context,
    is_breach_verb,
    is_in,
    lower_lemma,
    negated_here,
    noun_status,
)

__all__ = ["find_arguments"]

_ERGATIVE = frozenset({"leak", "spill", "expose"})  # "data leaked": the subject is the data


def _verb_arguments(verb: Token, sent: Span, denial_only: bool) -> Iterator[tuple[Token, Status, str]]:
    """What a breach verb acts on: "stole names", "names were stolen", "access to files",
    "left the names exposed"; for a denial-only verb ("affect") only when it is denied."""
    lemma = lower_lemma(verb)
    clause = any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "dobj") for c in verb.children)
    if verb.dep_ in ("amod", "acl", "compound") and verb.head.pos_ in ("NOUN", "PROPN") and not clause:
        if verb.tag_ == "VBG":
            return  # "hacking tools", "stealing malware": a kind of thing, not an event
        status = noun_status(verb.head)
        if not denial_only or status is Status.DENIED:
            yield _owner_data(verb.head), status, lemma
        return
    status = clause_status(verb)
    if status is Status.ACTUAL and denied_before(sent, verb):
        status = Status.DENIED
    args = [c for c in verb.children if c.dep_ in ARG_DEPS or (c.dep_ == "nsubj" and lemma in _ERGATIVE)]
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("to", "of"):
            args.extend(g for g in child.children if g.dep_ == "pobj")
    if lower_lemma(verb.head) in cue_sets()["resultative_verbs"] and (
        (verb.dep_ in ("oprd", "xcomp", "ccomp", "acomp") and verb.tag_ == "VBN")
        or (verb.dep_ == "advcl" and lower_lemma(verb.head) in LEFT_VERBS)
    ):  # "left the names exposed", "had their card data stolen"; not "X broke the news that Y was exposed"
        args.extend(c for c in verb.head.children if c.dep_ in ("dobj", "nsubj") and c.i < verb.i)
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    if objects:  # "exposing the emails, home addresses, ...": a list hung on the verb or cut short
        args.extend(c for c in verb.children if c.dep_ == "conj" and c.pos_ == "NOUN")
        args.extend(surface_items(max((t for o in objects for t in (o, *o.conjuncts)), key=lambda t: t.i)))
    for arg in args:
        negated = status is Status.ACTUAL and negated_here(arg)  # "no user data was affected"
        if not denial_only or negated or status is Status.DENIED:
            yield arg, Status.DENIED if negated else status, lemma


def _owner_data(noun: Token) -> Token:
    """ "the names and addresses of 40,000 people exposed": the participle hangs on the people,
    what it describes is the data they own."""
    of = noun.head
    if (
        noun.dep_ == "pobj"
        and of.lower_ == "of"
        and of.head.pos_ == "NOUN"
        and is_in(noun, "count_people_nouns")
    ):
        return of.head
    return noun


def _list_arguments(verb: Token) -> Iterator[tuple[Token, Status, str]]:
    """Items of "the stolen data included X", "among the records stolen were X"."""
    if not _data_subject(verb):
        return
    lemma = lower_lemma(verb)
    status = clause_status(verb)
    auxes = [c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")]
    hedged = not auxes or all(a in ("may", "might") for a in auxes)  # "the files accessed may include"
    if status is Status.IRREALIS and hedged and any(_described_as_breached(s) for s in _subjects(verb)):
        status = Status.ACTUAL  # "records compromised usually included emails": this breach's data
    among = any(c.dep_ == "prep" and c.lower_ == "among" for c in verb.children)
    restricted = lemma in ("limit", "restrict", "confine")  # "the data accessed was limited to names"
    for child in verb.children:
        if child.dep_ in ARG_DEPS or (among and child.dep_ == "nsubj"):
            yield child, status, lemma
        if child.dep_ == "prep" and (child.lower_ in ("of", "from") or (child.lower_ == "to" and restricted)):
            yield from ((g, status, lemma) for g in child.children if g.dep_ == "pobj")


@cache
def _argument_lemmas() -> frozenset[str]:
    """The lemmas `find_arguments` acts on."""
    cues = cue_sets()
    return cues["breach_verbs"] | cues["denial_verbs"] | cues["complement_nouns"] | cues["list_verbs"]


@cache
def _argument_words() -> frozenset[str]:
    """The lower-cased words `find_arguments` acts on whatever their lemma."""
    return cue_sets()["breach_adjectives"] | {"including"}


def find_arguments(sent: Span) -> Iterator[tuple[Token, Status, str]]:
    """Head tokens of phrases said to be compromised (or denied), their status and cue word."""
    cues = cue_sets()
    context = has_breach_context(sent)
    doc = sent.doc
    low, lem = lowers(doc), lemmas(doc)
    for k in range(sent.start, sent.end):
        if lem[k] not in _argument_lemmas() and low[k] not in _argument_words():
            continue  # no branch below can apply
        token = doc[k]
        lemma = lower_lemma(token)
        verb = token.pos_ in ("VERB", "AUX")
        if verb and (lemma in cues["breach_verbs"] or lemma in cues["denial_verbs"]):
            found = _verb_arguments(token, sent, denial_only=lemma not in cues["breach_verbs"])
            if lemma in cues["weak_breach_verbs"] and not has_breach_context(sent, skip=token):
                found = (arg for arg in found if arg[1] is not Status.ACTUAL or _names_personal_data(arg[0]))
            yield from found
        elif token.pos_ == "NOUN" and lemma in cues["complement_nouns"]:
            if lower_lemma(token.head) in cues["access_blockers"]:
                continue  # "restore access to files", "lost access to": nothing was taken
            for child in token.children:
                if child.dep_ == "prep" and child.lower_ in ("of", "to", "on"):
                    yield from ((g, noun_status(token), lemma) for g in child.children if g.dep_ == "pobj")
                if child.dep_ == "compound" and lemma in cues["compound_nouns"]:
                    yield child, noun_status(token), lemma  # "a password leak"
        elif token.lower_ in cues["breach_adjectives"] and token.dep_ == "amod":
            yield token.head, noun_status(token.head), token.lower_
        elif context and token.lower_ == "including" and token.dep_ in ("prep", "advcl", "acl"):
            status = _including_status(token.head)
            items = [c for c in token.children if c.dep_ in ("pobj", "dobj")]
            if items:
                last = max((t for item in items for t in (item, *item.conjuncts)), key=lambda t: t.i)
                items += surface_items(last)
            yield from ((c, status, "including") for c in items)
        elif context and verb and lemma in cues["list_verbs"]:
            yield from _list_arguments(token)


def _names_personal_data(head: Token) -> bool:
    """ "took addresses and card numbers" is a theft, "posted a video" or "took backups" is not:
    a weak cue (post, publish, take, copy) alone counts only for data about people."""
    personal = cue_sets()["personal_categories"]
    for item in expand_items(head):
        bounds = phrase_span(item)
        if bounds is not None and categorize(item.doc[bounds[0] : bounds[1]].text) in personal:
            return True
    return False


def _including_status(head: Token) -> Status:
    """Status of an "including" list from what it hangs on: "no information was lost, including
    health records" is a denial."""
    if head.pos_ in ("NOUN", "PROPN"):
        return noun_status(head)
    if head.pos_ in ("VERB", "AUX"):
        if any(negated_here(s) for s in _subjects(head)):
            return Status.DENIED
        return clause_status(head)
    return Status.ACTUAL


def _subjects(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]


def _described_as_breached(noun: Token) -> bool:
    """ "the stolen data", "data compromised in the attack": the noun is the breach's own data."""
    return any(
        (c.dep_ == "amod" and c.lower_ in cue_sets()["breach_adjectives"])
        or (c.dep_ in ("acl", "amod") and c.tag_ == "VBN" and is_in(c, "breach_verbs"))
        for c in noun.children
    )


def _data_subject(verb: Token) -> bool:
    """ "The stolen data included ...", "the breach involved ...": the subject is data or the breach."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects and verb.i > 0 and verb.doc[verb.i - 1].pos_ == "NOUN":
        subjects.append(verb.doc[verb.i - 1])  # "said that accessed data includes": parsed without subject
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ == "NOUN":
        subjects.append(verb.head)  # "records that contained", "data consisting of"
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and is_breach_verb(verb.head):
        return True  # "a laptop was stolen, containing payroll records"
    for child in verb.children:  # "among the records stolen were ..."
        if child.dep_ == "prep" and child.lower_ == "among":
            subjects.extend(g for g in child.children if g.dep_ == "pobj")
    subjects += [c for s in subjects for c in s.children if c.dep_ == "compound"]  # "a record batch includes"
    return any(is_in(s, "data_nouns") or is_in(s, "breach_nouns") for s in subjects)
