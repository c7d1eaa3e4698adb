"""The dependency-parse tests the votes and the struck parties share: victim slots ("X suffered",
"a breach at X"), disclosures, attacker subjects, ransom payments, and whether a clause tells of
an actual event (no modal, condition or negation).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from extractors._spans import doc_lemmas, sentence_words

__all__ = [
    "acts_as_attacker",
    "climb",
    "discloses_breach",
    "hypothetical",
    "is_breachy",
    "is_struck",
    "is_victim_slot",
    "modal_or_negated",
    "paid_ransom",
    "reports_incident",
    "reports_loss",
    "word_in",
]

_INCIDENT_NOUNS = {"breach", "breaches", "hack", "leak", "incident", "intrusion", "compromise", "outage"}


def hypothetical(doc: Doc, start: int, words: dict[str, frozenset[str]]) -> bool:
    """The clause of the word at `start` tells of what could or may happen, or did not."""
    token = doc.char_span(start, start + 1, alignment_mode="expand")
    node = token.root if token is not None else doc[0]
    for _ in range(6):
        if node.pos_ in {"VERB", "AUX"}:
            return modal_or_negated(node, words)
        if node.head is node:
            break
        node = node.head
    return False


def paid_ransom(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X paid $9,500", "X agreed to pay the ransom", "forced X to pay 3 bitcoin": in a story that tells
    of a ransom, whoever paid one (or refused to) is a victim, though the sentence names no attack."""
    if doc_lemmas(root.doc).isdisjoint(words["ransom_words"]):
        return False
    node = climb(root)
    head = node.head
    if node.dep_ == "nsubj":
        verbs = [head, *(c for c in head.children if c.dep_ in {"xcomp", "advcl"})]
        verbs += [g for c in head.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pcomp"]
    elif node.dep_ == "dobj":
        verbs = [c for c in head.children if c.dep_ == "xcomp"]
    else:
        return False
    for verb in verbs:
        if verb.lemma_.lower() != "pay" or any(c.lower_ in words["modal_words"] for c in verb.children):
            continue
        paid = [c for c in verb.children if c.dep_ in {"dobj", "dative"}]
        if any(c.ent_type_ == "MONEY" or c.lemma_.lower() in words["payment_nouns"] for c in paid):
            return True
    return False


def acts_as_attacker(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X encrypts files", "X targeted banks": the active subject of an attack verb is the attacker or
    its tool."""
    head = root.head
    return (
        root.dep_ == "nsubj"
        and head.lemma_.lower() in words["attacker_active_verbs"]
        and not any(c.dep_ in {"auxpass", "neg"} for c in head.children)
    )


def discloses_breach(root: Token, words: dict[str, frozenset[str]], *, own: bool = True) -> bool:
    """ "X said (that) hackers stole its ...": the subject of a disclosure verb whose reported clause
    tells of a breach of its own is the breached party. Without `own` any breach will do: a
    commentator speaks so too ("Acme Labs said the attackers stole ..."), so that is weaker evidence."""
    head = root.head
    if root.dep_ != "nsubj" or head.lemma_.lower() not in words["disclosure_verbs"]:
        return False
    clauses = [c for c in head.children if c.dep_ in ("ccomp", "xcomp", "dobj")]
    told = [t for c in clauses for t in c.subtree]
    if not any(word_in(t, words["breach_words"]) for t in told):
        return False
    return not own or any(
        t.lower_ in words["self_words"]
        and (t.dep_ != "nsubj" or t.head.lemma_.lower() in words["struck_nsubj_verbs"])
        for t in told
    )


def reports_incident(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X reports a data breach", "X discloses a ransomware attack", "X suffers a cyberattack": the
    subject of a disclosure verb whose object is an incident with no other target ("an attack on
    banks" is someone else's) tells of its own, in any tense (briefs are written in the present)."""
    head = root.head
    if root.dep_ != "nsubj" or not word_in(head, words["disclosure_verbs"] | words["victim_verbs"]):
        return False
    if modal_or_negated(head, words):
        return False
    objects = [c for c in head.children if c.dep_ == "dobj"]
    # "X reports a breach affecting 4,000 patients": the parser may make the object a clause's subject
    objects += [g for c in head.children if c.dep_ == "ccomp" for g in c.children if g.dep_ == "nsubj"]
    objects += [g for o in objects for g in o.conjuncts]
    return any(
        word_in(o, words["incident_nouns"])
        and not any(c.dep_ == "prep" and c.lower_ in words["struck_prepositions"] for c in o.children)
        and not any(c.dep_ in {"poss", "compound"} and c.ent_type_ for c in o.children)
        for o in objects
    )


def reports_loss(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X reported that a laptop holding patient files was stolen", "X lost two laptops": told in a
    brief's lead, the party that reports a loss or theft (or says what it lost) is the one that
    suffered it, though the sentence names no attack. A commentator does not open a brief."""
    head = root.head
    if root.dep_ != "nsubj" or modal_or_negated(head, words):
        return False
    lemma = head.lemma_.lower()
    if lemma == "lose":
        return any(c.dep_ == "dobj" for c in head.children)
    if lemma not in words["loss_report_verbs"]:
        return False
    told = [t for c in head.children if c.dep_ in ("ccomp", "xcomp", "dobj") for t in c.subtree]
    return any(word_in(t, words["breach_words"] | words["loss_words"]) for t in told)


def modal_or_negated(verb: Token, words: dict[str, frozenset[str]]) -> bool:
    return any(c.lower_ in words["modal_words"] or c.dep_ == "neg" for c in verb.children)


def climb(root: Token) -> Token:
    """From a listed name to the slot of its list ("attacks on A, B and C", "firms including A")."""
    node = root
    for _ in range(4):
        if node.dep_ in {"conj", "appos"} and node.head is not node:
            node = node.head
        elif (
            node.dep_ == "pobj"
            and node.head.lower_ in {"including", "like", "as"}
            and node.head.head.pos_
            in {
                "NOUN",
                "PROPN",
            }
        ):
            node = node.head.head
        else:
            break
    return node


def is_victim_slot(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """The grammatical places of a breached party ("X suffered", "X's systems", "a breach at X")."""
    head = root.head
    lemma = head.lemma_.lower()
    if root.dep_ == "nsubjpass" or (root.dep_ == "nsubj" and any(c.dep_ == "auxpass" for c in head.children)):
        return lemma in words["victim_passive_verbs"] or lemma in words["breach_words"]
    if root.dep_ == "nsubj":
        return lemma in words["victim_verbs"] or _attr_is_victim(head, words)
    if root.dep_ == "poss":  # "X's servers", "leaked X's draft designs": what is taken is X's
        return (
            head.lower_ in words["victim_possessions"]
            or head.lower_ in words["breach_words"]
            or _is_taken(head, words)
        )
    if root.dep_ in {"compound", "nmod", "amod"}:
        node = head
        for _ in range(3):
            if (
                node.lower_ in _INCIDENT_NOUNS
                or node.lower_ in words["client_words"]
                or node.lower_ in words["group_people_heads"]
            ):
                return True  # "the Acme breach", "Acme customers", "Acme staff worked on paper for a week"
            if node.head is node or node.dep_ not in {"compound", "nmod", "amod"}:
                break
            node = node.head
        return node.lower_ in _INCIDENT_NOUNS
    if root.dep_ == "pobj" and head.lower_ in words["victim_prepositions"]:
        target = head.head
        if word_in(target, words["breach_words"]):
            return True
        if target.lower_ in words["campaign_nouns"] or _incident_happened(target, words):
            return True  # "a hacking spree on X", "the breach occurred at X"
        return target.lower_ in words["victim_possessions"] and _is_taken(target, words)
    if root.dep_ == "dobj":
        if lemma == "include" and any(
            c.dep_ == "nsubj" and c.lemma_.lower() in {"victim", "target"} for c in head.children
        ):
            return True  # "victims of the attacks have included X"
        return lemma in words["victim_passive_verbs"] and lemma not in {"access", "leak", "dump", "steal"}
    return False


def _incident_happened(verb: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "the breach occurred", "the attack happened": a verb of happening with an incident as subject."""
    return verb.lemma_.lower() in {"occur", "happen"} and any(
        c.dep_ == "nsubj" and (c.lemma_.lower() in words["breach_words"] or c.lower_ in _INCIDENT_NOUNS)
        for c in verb.children
    )


def _is_taken(thing: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "broke into the networks of X", "stole the records of X", "the servers of X were hacked":
    the possession is the object of a breaking-in or taking verb (directly or through into/from)."""
    verb = thing.head
    if thing.dep_ == "pobj" and verb.lower_ in {"into", "from", "inside"}:
        verb = verb.head
    elif thing.dep_ not in {"dobj", "nsubjpass"}:
        return False
    lemma = verb.lemma_.lower()
    if any(c.lower_ in words["modal_words"] for c in verb.children):
        return False
    return lemma in words["victim_passive_verbs"] or lemma in words["taking_verbs"] or lemma == "break"


def _attr_is_victim(copula: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X is a victim", "X is the latest firm to suffer a breach", "X became the latest to be hit"."""
    if copula.lemma_ in {"appear", "seem"}:
        copula = next((c for c in copula.children if c.dep_ == "xcomp" and c.lemma_ == "be"), copula)
    if copula.lemma_ not in {"be", "become"}:
        return False
    for attr in (c for c in copula.children if c.dep_ == "attr"):
        if attr.lemma_ in {"victim", "target"}:
            return True
        if any(t.lower_ in words["series_words"] for t in attr.children):
            for clause in attr.children:
                if clause.dep_ in {"relcl", "acl"} and any(c.lower_ == "to" for c in clause.children):
                    passive = any(c.dep_ == "auxpass" for c in clause.children)
                    lemma = clause.lemma_.lower()
                    if lemma in words["struck_nsubj_verbs"] | words["disclosure_verbs"] or (
                        passive and lemma in words["victim_passive_verbs"]
                    ):
                        return True
    return False


def word_in(tok: Token, vocabulary: frozenset[str]) -> bool:
    """Whether the token's lower-case form or its lemma is in `vocabulary`."""
    return tok.lower_ in vocabulary or tok.lemma_.lower() in vocabulary


def is_breachy(sent: Span, words: dict[str, frozenset[str]]) -> bool:
    return not sentence_words(sent).isdisjoint(words["breach_words"])


def is_struck(root: Token, words: dict[str, frozenset[str]]) -> bool:
    """The narrow victim slots: passive subject of "hack", object of "target", "X's accounts", "attack on X",
    "stole $2m from X", "the records of X were leaked", "the Acme forum was hacked"; a clause with a modal,
    a condition or a negation tells of no actual event."""
    node = climb(root)
    if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ in words["place_heads"]:
        node = climb(node.head.head)
    taken = False
    for _ in range(4):
        if _names_victims(node, words):
            return True
        head = node.head
        lemma = head.lemma_.lower()
        if node.dep_ in {"compound", "poss"} and head.pos_ == "NOUN" and head.lower_ in words["party_heads"]:
            node = climb(head)
            continue
        if node.dep_ == "compound" and head.pos_ == "NOUN" and head.lower_ in words["machine_heads"]:
            node = climb(head)  # "the Acme servers were hacked": the machines stand for their owner
            continue
        if node.dep_ == "dobj" and lemma == "include":
            return any(c.dep_ == "nsubj" and _names_victims(c, words) for c in head.children)
        passive = node.dep_ == "nsubjpass" or (
            node.dep_ == "nsubj" and any(c.dep_ == "auxpass" for c in head.children)
        )
        if passive:
            verbs = words["victim_passive_verbs"] | (words["taking_verbs"] if taken else frozenset())
            return lemma in verbs and _actual(head, words)
        if _suffered_which(node, words):
            return True
        if node.dep_ == "nsubj" and lemma == "fall":
            return any(t.lemma_ in {"victim", "prey"} for t in head.subtree) and _actual(head, words)
        if node.dep_ == "nsubj":
            return (
                lemma in words["struck_nsubj_verbs"]
                or _attr_is_victim(head, words)
                or _among_victims(head, words)
                or any(
                    c.dep_ == "xcomp" and c.lemma_.lower() in words["struck_nsubj_verbs"]
                    for c in head.children
                )
            ) and _actual(head, words)
        if node.dep_ == "attr" and lemma == "be":
            return any(c.dep_ == "nsubj" and _names_victims(c, words) for c in head.children)
        if node.dep_ == "dobj":
            if taken:
                return lemma in words["victim_passive_verbs"] | words["taking_verbs"] and _actual(head, words)
            return (
                lemma in words["victim_passive_verbs"]
                and lemma not in {"access", "leak", "dump", "steal", "expose", "affect", "impact"}
                and _actual(head, words)
            )
        if (
            node.dep_ == "poss"
            and head.lower_ in words["victim_possessions"]
            and head.lower_ not in {"breach", "hack", "incident", "attack"}
        ):
            node, taken = climb(head), True
            continue
        if node.dep_ == "pobj":
            target = head.head
            if head.lower_ == "from" and target.lemma_.lower() in words["taking_verbs"]:
                return _actual(target, words)
            if head.lower_ in {"of", "from", "at"} and target.lower_ in words["taken_nouns"]:
                node, taken = climb(target), True
                continue
            if head.lower_ in {"of", "at", "from"} and target.lower_ in words["group_people_heads"]:
                node = climb(target)
                continue
            if head.lower_ == "to" and target.lemma_.lower() == "belong" and target.dep_ == "acl":
                node, taken = climb(target.head), True
                continue
            if head.lower_ in words["struck_prepositions"] and _is_campaign(target, words):
                return True
            if (
                head.lower_ in {"at", "into", "inside", "within"}
                and target.pos_ == "VERB"
                and target.lemma_.lower() in words["victim_passive_verbs"] | words["taking_verbs"]
            ):
                return _actual(target, words)
        if node.dep_ == "pobj" and head.lower_ in words["struck_prepositions"]:
            target = head.head
            if word_in(target, words["breach_words"]):
                return head.lower_ != "of" or target.pos_ == "NOUN"
            if head.lower_ == "of" and target.lower_ in words["victim_possessions"]:
                node = climb(target)
                continue
        return False
    return False


def _suffered_which(noun: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "Acme, which was breached in May", "Acme, which suffered a breach", "Acme, which decided to pay"."""
    for clause in noun.children:
        if clause.dep_ != "relcl" or not any(c.tag_ in {"WDT", "WP"} for c in clause.children):
            continue
        lemma = clause.lemma_.lower()
        if any(c.dep_ == "auxpass" for c in clause.children):
            return lemma in words["victim_passive_verbs"] and _actual(clause, words)
        paid = any(
            c.dep_ == "xcomp" and c.lemma_.lower() in words["struck_nsubj_verbs"] for c in clause.children
        )
        return (lemma in words["struck_nsubj_verbs"] or paid) and _actual(clause, words)
    return False


def _is_campaign(noun: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "a hacking campaign (against X)", "a phishing spree (on X)": an attack told as a campaign."""
    return (
        noun.pos_ == "NOUN"
        and noun.lemma_.lower() in words["campaign_nouns"]
        and any(c.lower_ in words["breach_words"] for c in noun.children if c.dep_ in {"compound", "amod"})
    )


def _among_victims(copula: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "X is among the victims", "X was among the firms hit"."""
    return copula.lemma_ == "be" and any(
        c.dep_ == "prep" and c.lower_ == "among" and any(_names_victims(o, words) for o in c.children)
        for c in copula.children
    )


def _names_victims(noun: Token, words: dict[str, frozenset[str]]) -> bool:
    """ "victims", "the affected hotels", "companies hit by the attack", "sites that were hacked", "brands
    that disclosed breaches": a noun that lists struck parties."""
    if noun.pos_ not in {"NOUN", "PROPN"} or noun.ent_type_:
        return False
    if noun.lemma_.lower() in {"victim", "target"} and not any(c.dep_ == "neg" for c in noun.children):
        return True
    for c in noun.children:
        if c.i == noun.i or c.lemma_.lower() not in words["victim_passive_verbs"]:
            continue
        if c.dep_ in {"amod", "acl"}:
            return True
        if c.dep_ == "relcl" and any(g.dep_ == "auxpass" for g in c.children):
            return True
    admitting = words["struck_nsubj_verbs"] | words["disclosure_verbs"]
    for c in noun.children:
        if (
            c.dep_ == "relcl"
            and c.lemma_.lower() in admitting
            and any(g.dep_ == "dobj" and g.lower_ in words["breach_words"] for g in c.children)
        ):
            return True  # "chains that have reported card breaches (include X, Y)"
    return any(c.dep_ == "relcl" and _attr_is_victim(c, words) for c in noun.children)


def _actual(verb: Token, words: dict[str, frozenset[str]]) -> bool:
    """The verb tells of something that happened: no modal, condition or negation governs it."""
    for node in (verb, verb.head):
        if any(c.lower_ in words["modal_words"] or c.dep_ == "neg" for c in node.children):
            return False
        if node.dep_ not in {"conj", "xcomp", "advcl", "relcl"}:
            break
    return True
