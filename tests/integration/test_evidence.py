"""Every value in a record can be traced to the sentence that supports it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.clean import clean
from pipeline.errors import SkipArticle
from pipeline.extract import extract_articles
from pipeline.normalize import normalize
from pipeline.source import InputFailure, read_documents
from schemas.document import Article
from schemas.incident import IncidentRecord

ROOT = Path(__file__).resolve().parents[2]


def _articles(folder: Path) -> list[Article]:
    out = []
    for raw in read_documents([folder], 20_000_000):
        assert not isinstance(raw, InputFailure), str(raw)
        try:
            out.append(clean(raw))
        except SkipArticle:
            continue
    return out


def _filled(record: IncidentRecord) -> dict[str, bool]:
    inc = record.incident
    data = inc.data_breach.type_of_data_compromised
    return {
        "incident.affected_entities": bool(inc.affected_entities),
        "threat_actors": bool(record.threat_actors),
        "compromised_software": bool(record.compromised_software),
        "attack_vector": record.attack_vector != "unknown",
        "incident.data_breach.type_of_data_compromised": data != "Unknown",
        "records_affected": record.records_affected is not None,
        "incident.investigation_status": inc.investigation_status != "Unknown",
        "incident.response.containment_measures": inc.response.containment_measures != "Unknown",
        "incident.impact.operational_impact": inc.impact.operational_impact != "Unknown",
        "incident.references": bool(inc.references),
        "incident.type": inc.type != "Unknown",
        "incident.description": bool(inc.description),
        **{f"dates.{k}": v is not None for k, v in record.dates.model_dump().items()},
    }


@pytest.mark.parametrize("folder", ["fixtures", "../shared/seeds/articles"])
def test_every_filled_field_has_evidence_in_the_article_text(folder: str) -> None:
    path = (ROOT / folder).resolve()
    if not path.is_dir():
        pytest.skip(f"{path} is absent (seed articles live outside the repo)")
    articles = {a.id: a for a in _articles(path)}
    records = 0
    for findings in extract_articles(articles.values()):
        assert not isinstance(findings, Exception), str(findings)
        record = normalize(findings)
        if record is None:
            continue
        records += 1
        text = articles[record.sources[0].article_id].text
        fields = {e.field for e in record.evidence}
        missing = [f for f, filled in _filled(record).items() if filled and f not in fields]
        assert missing == [], f"{findings.article.origin}: no evidence for {missing}"
        for e in record.evidence:
            assert e.article_id == record.sources[0].article_id
            assert 0 <= e.start < e.end <= len(text)
            assert text[e.start : e.end] in e.sentence, (e.field, e.value)
            assert e.sentence in text, (e.field, e.sentence[:80])
    assert records > 0
