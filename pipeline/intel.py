"""What the threat-intel outputs (MISP in `pipeline.misp`, STIX in `pipeline.stix`) share: the mapping of
record values onto their vocabularies (`data/threat_intel.json`), a record's dates as instants, and
the MISP galaxy clusters of actors and sectors (the names the extractors already map)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Any

from extractors._gazetteer import load_vocabulary
from extractors.actors import canonical_actor
from schemas.incident import IncidentRecord, ThreatActor

__all__ = ["EPOCH", "galaxy_cluster", "instant", "record_span", "sector_galaxy", "type_terms", "vocabulary"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def vocabulary() -> dict[str, Any]:
    text = resources.files("pipeline").joinpath("data", "threat_intel.json").read_text("utf-8")
    return json.loads(text)


def type_terms(record: IncidentRecord) -> dict[str, Any]:
    """The vocabulary terms of the record's incident type (`incident_types` of the data file)."""
    known = vocabulary()["incident_types"]
    return known.get(record.incident.type, vocabulary()["default_incident_type"])


def instant(text: str | None) -> datetime | None:
    """A date or timestamp string as an aware UTC datetime; None when it is not one."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(text[:10]), datetime.min.time())
        except ValueError:
            return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def record_span(record: IncidentRecord) -> tuple[datetime, datetime]:
    """(first, last): the earliest date the record knows and its latest publication, never the
    clock, so outputs built from the same record are the same bytes on every run."""
    dates = record.dates
    known = [instant(d) for d in (dates.occurred, dates.discovered, dates.disclosed, dates.reported)]
    published = [instant(s.published) for s in record.sources]
    instants = [d for d in (*known, *published) if d is not None]
    if not instants and record.date:
        month, _, year = record.date.partition("/")
        instants = [d for d in [instant(f"{year}-{int(month):02d}-01")] if d] if month.isdigit() else []
    return (min(instants), max(instants)) if instants else (EPOCH, EPOCH)


def galaxy_cluster(actor: ThreatActor) -> tuple[str, str, str] | None:
    """(galaxy, cluster value, kind) of the MISP galaxy entry the actor's name or an alias maps to
    ("Lapsus$" -> ("threat-actor", "LAPSUS", "group")); None for an actor the galaxies do not know."""
    for name in (actor.name, *actor.aliases):
        _, entry = canonical_actor(name)
        if entry is not None:
            galaxy = str(entry.get("source", "misp:threat-actor")).partition(":")[2] or "threat-actor"
            return galaxy, str(entry["id"]), str(entry.get("kind", "group"))
    return None


@cache
def _sector_values() -> dict[str, str]:
    return {s["term"].casefold(): s["misp"] for s in load_vocabulary("sectors")["sectors"] if s.get("misp")}


def sector_galaxy(industry: str) -> str | None:
    """The MISP sector galaxy value of an industry term ("Banking" -> "Bank"); None when unmapped."""
    return _sector_values().get(industry.casefold())
