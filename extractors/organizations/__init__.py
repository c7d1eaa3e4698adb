"""Organisations named in an article, each with its document-level role in the incident.

The small spaCy model finds most company names but misses some, tags words such as "AI"
as ORG and garbles title-case headlines. So names are gathered from three places: ORG
entities of body sentences (filtered through `org_cues.json`), the company gazetteer
(`companies.jsonl`), and descriptor patterns ("payroll vendor X", "X, a data firm").
Every name is then searched again through the whole text, with its variants (legal
suffix, possessive, first word of a multi-word name), so one organisation gets one
canonical value and every occurrence, even those the model missed.

Roles are decided per organisation, not per sentence: each occurrence votes with the
grammar around it (subject of "suffered a breach", owner of "systems" in a breach
sentence, object of "a breach at", "researchers at", "hacking group", "paused its work
with") and the article-level rules combine the votes: a breached party whose customers
are named is the vendor, an organisation that paused work with it is the customer, and
security firms, outlets and regulators stay "cited" unless the text clearly says they
were breached.
"""

from __future__ import annotations

from spacy.tokens import Doc

from extractors._registry import register
from extractors._spans import doc_text, is_brief, mention_chars
from extractors.organizations.candidates import collect_orgs
from extractors.organizations.cues import load_cues
from extractors.organizations.evidence import Others
from extractors.organizations.grammar import hypothetical
from extractors.organizations.kinds import org_industry, org_kind
from extractors.organizations.lines import clean_title, find_lead_end
from extractors.organizations.occurrences import locate
from extractors.organizations.parties import body_spellings, lead_subject, stands_in, struck_parties
from extractors.organizations.roles import decide_roles, is_breached
from extractors.organizations.terms import refer_to_names
from extractors.organizations.votes import vote
from schemas.document import Article
from schemas.entities import AttrValue, Mention

__all__ = ["EXTRACTOR", "ROLES", "extract_organizations"]

EXTRACTOR = "organizations.v1"
ROLES = ("victim", "vendor", "customer", "government", "cited", "attacker", "other")


@register(EXTRACTOR)
def extract_organizations(doc: Doc, article: Article) -> list[Mention]:
    """One `organization` mention per occurrence, valued by the article's canonical name."""
    cues = load_cues()
    orgs = collect_orgs(doc, cues)
    locate(doc, orgs, cues)
    refer_to_names(doc, orgs, cues)
    orgs = [org for org in orgs if org.spans]
    lead_end = find_lead_end(doc) if is_brief(doc) else 0
    others = Others(orgs)
    for org in orgs:
        for start, end in org.spans:
            vote(doc, org, start, end, others, cues)
            org.votes["lead"] += start < lead_end and not hypothetical(doc, start, cues.words)
    extras = struck_parties(doc, others, cues)
    title = clean_title(article.title)
    brief = is_brief(doc)
    roles = decide_roles(orgs, title, cues, brief)
    if any(role in ("victim", "vendor") for role in roles.values()):
        extras = [x for x in extras if not stands_in(doc, x[3], x[4])]
    no_victim = not any(role in ("victim", "vendor", "government") for role in roles.values())
    if not extras and no_victim and is_brief(doc):
        extras = lead_subject(doc, orgs, cues)
    spelling = body_spellings(extras, doc_text(doc))
    mentions: list[Mention] = [
        mention_chars(
            "organization",
            spelling[value.casefold()],
            doc,
            start,
            end,
            EXTRACTOR,
            {"role": role, "kind": kind, "industry": "Unknown", "struck": True},
        )
        for value, kind, role, start, end in extras
    ]
    for org in orgs:
        role = roles[org.name]
        if role is None:
            continue
        attrs: dict[str, AttrValue] = {
            "role": role,
            "struck": is_breached(org, brief),
            "headline": bool(org.votes["title"]),
            "kind": org_kind(org, cues),
            "industry": org_industry(org, cues),
            "mentions": len(org.spans),
        }
        for start, end in org.spans:
            mentions.append(mention_chars("organization", org.name, doc, start, end, EXTRACTOR, dict(attrs)))
    return sorted(mentions, key=lambda m: m.start)
