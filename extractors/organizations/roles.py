"""One role per organisation from the votes of all its occurrences: the article-level rules that
make a breached party with named customers the vendor and keep cited bodies cited.
"""

from __future__ import annotations

import re
from collections import Counter

from extractors.organizations.cues import CITED_HINTS, Cues
from extractors.organizations.evidence import Org
from extractors.organizations.kinds import org_kind

__all__ = ["decide_roles", "is_breached"]

_MIN_SALIENCE = 5


def decide_roles(orgs: list[Org], title: str, cues: Cues, brief: bool) -> dict[str, str | None]:
    """Combine the votes of every occurrence into one role per organisation (None: not an org)."""
    title_breachy = any(w in cues.words["breach_words"] for w in re.findall(r"[a-z-]+", title.lower()))
    for org in orgs:
        names = org.variants | (cues.aliases_by_id.get(org.name, frozenset()) if org.entry else frozenset())
        if title_breachy and any(
            v in title and re.search(rf"(?<![\w&]){re.escape(v)}(?![\w&])", title) for v in names
        ):
            org.votes["victim"] += 1
            org.votes["title"] += 1
    roles: dict[str, str | None] = {}
    victims = {org.name for org in orgs if is_breached(org, brief)}
    current = {
        org.name for org in orgs if org.name in victims and org.votes["victim"] > org.votes["background"]
    }
    if current:
        victims = current  # struck only in sentences of an earlier or other incident: not this one's victim
    customers_of: Counter[str] = Counter()
    for org in orgs:
        if org.votes["customer"] and org.partners & victims:
            customers_of.update(org.partners & victims)
    if not victims:
        victims = _main_victim(orgs)
    owned = set()
    for org in orgs:
        if org.name in victims and org.entry is None and org.owners:
            owned.add(org.name)  # "Acme's Widget OS was hacked": the product stands for its maker
            victims = (victims - {org.name}) | {org.owners.most_common(1)[0][0]}
    vendors = set(customers_of) | {org.name for org in orgs if org.name in victims and org.votes["vendor"]}
    for org in orgs:
        v = org.votes
        hint = (org.entry or {}).get("role_hint")
        product = v["product"] and v["product"] >= v["victim"] + v["vendor"] + v["customer"]
        if org.name in owned or product or (v["person"] and v["person"] >= v["victim"]):
            roles[org.name] = None
        elif org.entry is None and org.key[-1] in cues.words["product_name_endings"]:
            roles[org.name] = None  # "Acme Media Player", "Secure Transfer Protocol": software, not its maker
        elif v["attacker"] and v["attacker"] >= v["victim"]:
            roles[org.name] = "attacker"
        elif _is_customer(org, victims, vendors, customers_of):
            roles[org.name] = "customer"
        elif org.name in victims:
            if v["vendor"] or org.name in customers_of:
                roles[org.name] = "vendor"
            elif org_kind(org, cues) == "Government":
                roles[org.name] = "government"
            else:
                roles[org.name] = "victim"
        elif hint in CITED_HINTS or v["cited"]:
            roles[org.name] = "cited"
        else:
            roles[org.name] = "other"
    return roles


def _is_customer(org: Org, victims: set[str], vendors: set[str], customers_of: Counter[str]) -> bool:
    """It cut work with a breached party, or checks whether its data was exposed at a breached vendor."""
    v = org.votes
    if v["customer"] and org.partners & victims and org.name not in customers_of:
        return True
    return bool(v["exposure"] and vendors - {org.name} and not v["vendor"])


def _main_victim(orgs: list[Org]) -> set[str]:
    """With no grammatical victim, the most salient breach-linked organisation that is not cited."""
    candidates = [
        org
        for org in orgs
        if org.votes["linked"]
        and not (org.entry or {}).get("role_hint")
        and not (org.votes["cited"] or org.votes["attacker"] or org.votes["product"])
    ]
    if not candidates:
        return set()

    def salience(org: Org) -> int:
        lead = 3 * bool(org.votes["lead"])  # the lead names the main party: one mention there is enough
        return 2 * org.votes["title"] + org.votes["linked"] + 2 * org.votes["told"] + len(org.spans) + lead

    best = max(candidates, key=salience)
    if salience(best) < _MIN_SALIENCE:
        return set()
    return {best.name}


def is_breached(org: Org, brief: bool) -> bool:
    v = org.votes
    hint = (org.entry or {}).get("role_hint")
    if v["victim"] == 0 or v["attacker"] >= v["victim"]:
        return False
    if v["victim"] <= v["title"] and len(org.spans) < 3:
        return False  # named once, in the headline only: the headline's grammar is too loose to trust
    if hint in CITED_HINTS:
        return v["victim"] >= 2 and v["victim"] > v["cited"] + 1
    # In a brief a tie goes to the breach slot ("news website X confirms a hacker copied its
    # database"); in an article the cited descriptor wins it (researchers and outlets speak of breaches).
    return v["victim"] >= v["cited"] if brief else v["victim"] > v["cited"]
