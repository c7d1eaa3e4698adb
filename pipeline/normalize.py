"""Turn one article's findings into an `IncidentRecord` (the sample's format plus extensions).

Every value put in the record comes from a mention, and every mention used is written to
`evidence` with its span and sentence. Fields without support stay empty or "Unknown".
The header's severity, impact and explanation follow the rubric in `pipeline/data/rubric.json`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from extractors.counts import pick_records_affected
from extractors.data_types import rate_sensitivity
from extractors.dates import pick_dates
from extractors.software import pick_vector
from schemas.document import Article
from schemas.entities import ArticleFindings, Mention
from schemas.incident import (
    AffectedEntity,
    CompromisedSoftware,
    DataBreach,
    Evidence,
    Impact,
    IncidentDates,
    IncidentDetail,
    IncidentRecord,
    Indicator,
    Reference,
    Response,
    Source,
    ThreatActor,
)

__all__ = [
    "AFFECTED_ROLES",
    "header_month",
    "incident_id",
    "load_rubric",
    "name_key",
    "normalize",
    "same_party",
    "score_header",
    "slugify",
]

AFFECTED_ROLES = ("victim", "vendor", "customer", "government")
_NAME_SUFFIXES = frozenset(
    {"inc", "incorporated", "corp", "corporation", "co", "ltd", "limited", "llc", "plc", "gmbh", "ag", "sa"}
    | {"nv", "bv", "group", "holdings", "the"}
)
# Breach notices list long data inventories (names, SSNs, card numbers, PINs, ...): keep them.
_MAX_PHRASES = 16


@cache
def load_rubric() -> dict[str, Any]:
    text = resources.files("pipeline").joinpath("data", "rubric.json").read_text("utf-8")
    return json.loads(text)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "incident"


def incident_id(victim: str, anchor: str) -> str:
    """The sample's id style: three letters of the primary victim and a 10-digit number.

    The number hashes the victim with the incident's anchor (its first article), so the id
    is the same on every run and does not depend on the order articles were read in.
    """
    letters = re.sub(r"[^A-Za-z]", "", victim).upper()[:3] or "INC"
    digest = hashlib.sha256(f"{victim.lower()}|{anchor}".encode()).hexdigest()
    return f"{letters:X<3}{int(digest[:12], 16) % 10**10:010d}"


def _evidence(field: str, mention: Mention, article: Article, value: str | None = None) -> Evidence:
    return Evidence(
        field=field,
        value=value if value is not None else mention.value,
        article_id=article.id,
        start=mention.start,
        end=mention.end,
        sentence=mention.sentence,
        extractor=mention.extractor,
    )


def _by_label(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    out: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        out[m.label].append(m)
    return out


def _unique_values(mentions: Iterable[Mention], limit: int = _MAX_PHRASES) -> list[Mention]:
    """First mention of each distinct value (case-insensitive), in article order."""
    seen: set[str] = set()
    out = []
    for m in mentions:
        key = m.value.strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append(m)
    return out[:limit]


def _entities(orgs: list[Mention]) -> tuple[list[AffectedEntity], list[Mention], str | None]:
    """Affected organisations (first mention order), their first mentions, the primary victim.

    Names of one party the extractor kept apart ("HDOT" / "Harlow Department of Transport",
    "Harlow hospital" / "Harlow") are one entity under its fullest name: the longest, never
    the acronym.
    """
    by_value: dict[str, list[Mention]] = defaultdict(list)
    for m in orgs:
        if m.attrs.get("role") in AFFECTED_ROLES:
            by_value[m.value].append(m)
    groups: dict[str, list[Mention]] = {}
    for names in group_names(list(by_value), same_party):
        name = max(names, key=lambda n: (not n.isupper(), len(n), len(by_value[n]), n))
        groups[name] = by_value[name] + [m for n in names if n != name for m in by_value[n]]
    entities, firsts = [], []
    for name, ms in sorted(groups.items(), key=lambda item: min(m.start for m in item[1])):
        role = str(ms[0].attrs.get("role"))
        kind = str(ms[0].attrs.get("kind") or "Company")
        etype = "Vendor" if role == "vendor" else "Government" if role == "government" else kind
        industry = next((str(m.attrs["industry"]) for m in ms if m.attrs.get("industry")), "Unknown")
        entities.append(AffectedEntity(name=name, type=etype, industry=industry))
        firsts.append(ms[0])

    def salience(name: str) -> tuple[int, int, int]:
        """Breached first, then named in a breach headline (which names the main victim), then
        mentioned most."""
        ms = groups[name]
        breached = ms[0].attrs.get("role") in ("victim", "vendor", "government")
        return (int(breached), int(any(m.attrs.get("headline") for m in ms)), len(ms))

    primary = max(groups, key=salience) if groups else None
    return entities, firsts, primary


def group_names(names: Sequence[str], same: Callable[[str, str], bool]) -> list[list[str]]:
    """`names` partitioned so that names `same` says are one party share a group (in first-seen order)."""
    groups: list[list[str]] = []
    for name in names:
        hits = [g for g in groups if any(same(name, other) for other in g)]
        merged = [name] + [n for g in hits for n in g]
        groups = [g for g in groups if g not in hits] + [merged]
    return sorted(groups, key=lambda g: min(names.index(n) for n in g))


def name_key(name: str) -> tuple[str, ...]:
    """A party's name for comparison: lower-case words without legal suffixes or "the"
    ("The Acme Group, Inc." -> ("acme",))."""
    return tuple(w for w in re.findall(r"[a-z0-9$]+", name.lower()) if w not in _NAME_SUFFIXES)


def same_party(a: str, b: str) -> bool:
    """`a` and `b` name one party: equal keys, one inside the other ("Acme" in "Acme Bank"),
    or one is the other's initials ("IHG" for "InterContinental Hotels Group")."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    short, long = sorted((ka, kb), key=len)
    if any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1)):
        return True
    acronym, full = (a, b) if short == ka else (b, a)
    initials = "".join(w[0] for w in re.findall(r"[a-z0-9$]+", full.lower()))
    return acronym.strip().isupper() and len(short) == 1 and len(initials) >= 3 and short[0] == initials


def _is_weak(actor: Mention) -> bool:
    """An actor found by no cue, unknown to the galaxies and only called a group: a company
    named "X Group" looks just like it, so a party the article treats as affected wins."""
    attrs = actor.attrs
    return not attrs.get("cue") and not attrs.get("aliases") and attrs.get("kind") == "group"


def _split_parties(
    orgs: list[Mention], actors: list[tuple[ThreatActor, Mention]]
) -> tuple[list[Mention], list[tuple[ThreatActor, Mention]]]:
    """The attacker is never a victim: a party named both ways stays an actor when the actor
    is well founded (a cue, a galaxy entry, a state or a person), else it stays affected."""
    strong = [name for a, m in actors if not _is_weak(m) for name in (a.name, *a.aliases)]
    orgs = [m for m in orgs if not any(same_party(name, m.value) for name in strong)]
    affected = {m.value for m in orgs if m.attrs.get("role") in AFFECTED_ROLES}
    actors = [(a, m) for a, m in actors if not (_is_weak(m) and any(same_party(a.name, v) for v in affected))]
    return orgs, actors


def _actors(mentions: list[Mention]) -> list[tuple[ThreatActor, Mention]]:
    """One actor per canonical value, named as the article names it most often ("Fancy Bear",
    not the galaxy's "APT28"): readers and later matching see the article's own word, while the
    canonical name and the galaxy aliases stay in `aliases`."""
    strength = load_rubric()["attribution_strength"]
    best: dict[str, Mention] = {}
    aliases: dict[str, set[str]] = defaultdict(set)
    surfaces: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in mentions:
        grade = str(m.attrs.get("attribution") or "suspected")
        current = best.get(m.value)
        if current is None or strength.get(grade, 0) > strength.get(
            str(current.attrs.get("attribution") or "suspected"), 0
        ):
            best[m.value] = m
        found = m.attrs.get("aliases")
        if isinstance(found, list):
            aliases[m.value].update(found)
        surfaces[m.value][m.text.strip("\"'“”‘’ ")] += 1
    out = []
    for value, m in best.items():
        counts = surfaces[value]
        name = max(counts, key=lambda text: counts[text]) if counts else value
        out.append(
            (
                ThreatActor(
                    name=name,
                    aliases=sorted((aliases[value] | set(counts) | {value}) - {name}),
                    attribution=str(m.attrs.get("attribution") or "suspected"),  # type: ignore[arg-type]
                ),
                m,
            )
        )
    return out


def _software(mentions: list[Mention]) -> list[tuple[CompromisedSoftware, Mention]]:
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[m.value].append(m)
    out = []
    for name, ms in groups.items():
        versions: set[str] = set()
        cves: set[str] = set()
        for m in ms:
            for key, bucket in (("versions", versions), ("cves", cves)):
                found = m.attrs.get(key)
                if isinstance(found, list):
                    bucket.update(found)
        out.append((CompromisedSoftware(name=name, versions=sorted(versions), cves=sorted(cves)), ms[0]))
    return out


def _indicators(mentions: list[Mention]) -> list[tuple[Indicator, Mention]]:
    """One indicator per type and value, in article order."""
    out: dict[tuple[str, str], tuple[Indicator, Mention]] = {}
    for m in mentions:
        kind = str(m.attrs["type"])
        if (kind, m.value) not in out:
            indicator = Indicator(type=kind, value=m.value, defanged_in_text=bool(m.attrs.get("defanged")))  # type: ignore[arg-type]
            out[(kind, m.value)] = (indicator, m)
    return list(out.values())


def _most_common(mentions: list[Mention]) -> Mention | None:
    if not mentions:
        return None
    counts: dict[str, int] = defaultdict(int)
    for m in mentions:
        counts[m.value] += 1
    top = max(counts.values())
    return next(m for m in mentions if counts[m.value] == top)


def _status(mentions: list[Mention]) -> Mention | None:
    strength = load_rubric()["status_strength"]
    return max(mentions, key=lambda m: (strength.get(m.value, 0), -m.start), default=None)


def _description(article: Article, picks: list[Mention], primary: str | None) -> list[tuple[int, str]]:
    """Two or three sentences, in article order, that best name victim, actor and data."""
    weights = {"organization": 1, "threat_actor": 2, "data": 2, "incident_type": 2, "count": 1}
    scores: dict[str, float] = defaultdict(float)
    starts: dict[str, int] = {}
    for m in picks:
        sent = m.sentence.strip()
        if not sent or len(sent) < 40 or sent.endswith(("?", ":")):
            continue
        if sent not in starts:
            found = article.text.rfind(sent, 0, m.start + len(sent))
            if found < 0:
                continue
            starts[sent] = found
        scores[sent] += weights.get(m.label, 0)
        if primary and m.label == "organization" and m.value == primary:
            scores[sent] += 2
    ranked = sorted(scores, key=lambda s: (-scores[s] + starts[s] / max(1, len(article.text)), starts[s]))
    chosen = sorted(ranked[:3], key=lambda s: starts[s])
    total = 0
    out: list[tuple[int, str]] = []
    for sent in chosen:
        if out and total + len(sent) > 700:
            break
        out.append((starts[sent], sent))
        total += len(sent)
    return out


def score_header(
    incident_type: str,
    sensitivity: str,
    records: int | None,
    has_operational_impact: bool,
    has_customers: bool,
) -> tuple[int, int, str]:
    """Severity 0..100, impact 1..5 and the explanation, by the rubric (README: Severity rubric)."""
    rubric = load_rubric()
    points = rubric["type_points"].get(incident_type, rubric["default_type_points"])
    drivers = [incident_type]
    if sensitivity in rubric["sensitivity_points"]:
        points += rubric["sensitivity_points"][sensitivity]
        drivers.append(f"{sensitivity.lower()}-sensitivity data")
    for threshold, bonus in rubric["records_points"]:
        if records and records >= threshold:
            points += bonus
            drivers.append(f"{records:,} records or people")
            break
    if has_operational_impact:
        points += rubric["operational_impact_points"]
        drivers.append("operations disrupted")
    if has_customers:
        points += rubric["vendor_customers_points"]
        drivers.append("customers hit through a vendor")
    severity = max(0, min(100, points))
    level, label = next((lvl, text) for floor, lvl, text in rubric["impact_levels"] if severity >= floor)
    return severity, level, f"{label} ({'; '.join(drivers)})"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def header_month(dates: IncidentDates, first_published: str | None, text_date: str | None = None) -> str:
    """The header's "M/YYYY" dates the incident as a timeline of incidents does: when it was
    first reported (the earliest source's publish date); with no publish date, when it occurred,
    else the first date the text gives, else when it was disclosed, found or reported. The
    occurrence stays in `dates.occurred`, so a breach reported months later keeps both."""
    iso = (
        first_published
        or dates.occurred
        or text_date
        or dates.disclosed
        or dates.discovered
        or dates.reported
    )
    return f"{int(iso[5:7])}/{iso[:4]}" if iso else ""


def _text_date(mentions: list[Mention]) -> str | None:
    """With no publish date, the first date the text gives with its year (not a statistic's): a
    brief with no dateline ("On May 6, 2015, the clinic mailed ...") is dated by its own words."""
    dated = [
        m for m in mentions if m.attrs.get("precision") in ("day", "month") and not m.attrs.get("statistic")
    ]
    return min(dated, key=lambda m: m.start).value if dated else None


def normalize(findings: ArticleFindings) -> IncidentRecord | None:
    """The incident record for one article, or None when the article reports no incident."""
    if not findings.is_incident:
        return None
    article = findings.article
    by = _by_label(findings.mentions)
    evidence: list[Evidence] = []

    orgs, actors = _split_parties(by["organization"], _actors(by["threat_actor"]))
    entities, entity_mentions, primary = _entities(orgs)
    evidence += [_evidence("incident.affected_entities", m, article) for m in entity_mentions]
    evidence += [_evidence("threat_actors", m, article, f"{a.name} ({a.attribution})") for a, m in actors]
    software = _software(by["software"])
    evidence += [_evidence("compromised_software", m, article, s.name) for s, m in software]
    indicators = _indicators(by["indicator"])
    evidence += [_evidence("indicators", m, article) for _, m in indicators]
    vector = pick_vector(by["attack_vector"])
    if vector:
        evidence.append(_evidence("attack_vector", vector, article))

    data = _unique_values(by["data"])
    evidence += [_evidence("incident.data_breach.type_of_data_compromised", m, article) for m in data]
    data_text = ", ".join(m.value for m in data) or "Unknown"
    categories = sorted(
        {str(m.attrs["category"]) for m in data if m.attrs.get("category") not in (None, "other")}
    )
    sensitivity = rate_sensitivity(categories) if categories else "Unknown"
    negated = _unique_values(by["data_not_compromised"])
    evidence += [_evidence("data_not_compromised", m, article) for m in negated]

    count = pick_records_affected(by["count"])
    if count:
        evidence.append(_evidence("records_affected", count, article))
    people = next((m for m in by["count"] if m.attrs.get("kind") == "people"), None)
    if people:
        evidence.append(_evidence("people_affected", people, article))

    picked_dates = pick_dates(by["date"], article.published)
    evidence += [_evidence(f"dates.{role}", m, article) for role, m in sorted(picked_dates.items())]
    dates = IncidentDates(**{role: m.value for role, m in picked_dates.items()})

    status = _status(by["status"])
    if status:
        evidence.append(_evidence("incident.investigation_status", status, article))
    containment = _unique_values(by["containment"], 3)
    evidence += [_evidence("incident.response.containment_measures", m, article) for m in containment]
    impact = _unique_values(by["operational_impact"], 3)
    evidence += [_evidence("incident.impact.operational_impact", m, article) for m in impact]
    references = _unique_values(by["reference"])
    evidence += [_evidence("incident.references", m, article) for m in references]

    verdict = _most_common(by["incident_type"])
    itype = verdict.value if verdict else "Unknown"
    if verdict:
        evidence.append(_evidence("incident.type", verdict, article))
    header_type = load_rubric()["header_types"].get(itype, itype)

    month = header_month(dates, _iso(article.published), _text_date(by["date"]))
    severity, level, explanation = score_header(
        itype,
        sensitivity,
        int(count.value) if count else None,
        bool(impact),
        any(e.type == "Vendor" for e in entities),
    )
    summary = _description(article, [m for m in findings.mentions if m.label != "indicator"], primary)
    for start, sent in summary:
        evidence.append(
            Evidence(
                field="incident.description",
                value=sent,
                article_id=article.id,
                start=start,
                end=start + len(sent),
                sentence=sent,
                extractor="normalize.description.v1",
            )
        )
    victim = primary or (article.publisher or "Unknown")
    filled = [bool(entities), bool(verdict), bool(data), bool(actors), bool(picked_dates), bool(status)]
    return IncidentRecord(
        id=incident_id(victim, article.id),
        linkid=slugify(victim),
        type=header_type,
        date=month,
        severity=str(severity),
        impact=str(level),
        explanation=explanation,
        incident=IncidentDetail(
            affected_entities=entities,
            data_breach=DataBreach(sensitivity_of_data=sensitivity, type_of_data_compromised=data_text),
            description=" ".join(sent for _, sent in summary),
            impact=Impact(
                data_compromised=data_text,
                operational_impact="; ".join(m.value for m in impact) or "Unknown",
            ),
            investigation_status=status.value if status else "Unknown",
            references=[Reference(source=m.value) for m in references],
            response=Response(containment_measures="; ".join(m.value for m in containment) or "Unknown"),
            title=article.title or "",
            type=itype,
        ),
        threat_actors=[a for a, _ in actors],
        compromised_software=[s for s, _ in software],
        indicators=[i for i, _ in indicators],
        attack_vector=vector.value if vector else "unknown",
        data_categories=categories,
        data_not_compromised=[m.value for m in negated],
        records_affected=int(count.value) if count else None,
        people_affected=int(people.value) if people else None,
        dates=dates,
        sources=[
            Source(
                article_id=article.id,
                url=article.url,
                title=article.title,
                publisher=article.publisher,
                published=_iso(article.published),
            )
        ],
        evidence=evidence,
        confidence=round(sum(filled) / len(filled), 2),
    )
