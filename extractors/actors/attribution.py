"""How firmly an actor is tied to the incident (confirmed / claimed / suspected), from the cues
of its own clause first, then of the clauses that embed it.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span, Token

from extractors._spans import lemmas, lowers, sentence_of
from extractors.actors.cues import actor_cues

__all__ = ["CLAUSE_DEPS", "CUE_GAP", "GRADES", "grade_attribution"]

GRADES = ("confirmed", "claimed", "suspected")
_CUES = "actors.cue_matches"
CLAUSE_DEPS = frozenset(
    {"ROOT", "ccomp", "advcl", "relcl", "conj", "csubj", "acl", "xcomp", "parataxis", "pcomp"}
)
CUE_GAP = 2


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
        for cue in actor_cues()["attribution"][grade]:
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
