"""pipeline.extract: the findings of every extractor, and the verdict a struck party overrules."""

from __future__ import annotations

import pytest

import extractors
from extractors.incident_type import NOT_INCIDENT
from pipeline.errors import ExtractionError
from pipeline.extract import extract_article, extract_articles
from schemas.document import Article
from schemas.entities import Mention

TEXT = "Voltmail users blackmailed again. Extortionists emailed Voltmail users demanding bitcoin."


def _mention(label: str, value: str, attrs: dict) -> Mention:
    start = TEXT.index("Voltmail")
    return Mention(
        label=label,
        value=value,
        text="Voltmail",
        start=start,
        end=start + 8,
        sentence=TEXT.split(". ")[0],
        extractor="test.v1",
        attrs=attrs,
    )


def _run(monkeypatch, nlp, verdict_attrs: dict, org_attrs: dict):
    verdict = {"is_incident": False, "reason": "general talk", **verdict_attrs}
    found = [
        _mention("incident_type", NOT_INCIDENT, verdict),
        _mention("organization", "Voltmail users", {"role": "victim", **org_attrs}),
    ]
    monkeypatch.setattr(extractors, "EXTRACTORS", {"test.v1": lambda doc, article: found})
    findings = extract_article(Article(id="t", origin="t", text=TEXT), nlp)
    verdict = next(m for m in findings.mentions if m.label == "incident_type")
    return findings, verdict


def test_struck_party_overrules_a_general_talk_verdict(monkeypatch, nlp) -> None:
    findings, verdict = _run(monkeypatch, nlp, {"best_type": "Extortion"}, {"struck": True})
    assert findings.is_incident
    assert verdict.value == "Extortion"
    assert verdict.attrs["is_incident"] is True
    assert "struck" in str(verdict.attrs["reason"])


@pytest.mark.parametrize(
    ("verdict_attrs", "org_attrs"),
    [
        ({"best_type": "Extortion"}, {"struck": False}),  # the party is only the most salient one
        ({"best_type": None}, {"struck": True}),  # no incident cue at all
    ],
)
def test_verdict_stands_without_a_struck_party_or_a_cue(monkeypatch, nlp, verdict_attrs, org_attrs) -> None:
    findings, verdict = _run(monkeypatch, nlp, verdict_attrs, org_attrs)
    assert not findings.is_incident
    assert verdict.value == NOT_INCIDENT
    assert findings.reason == "general talk"


def test_an_article_the_parser_refuses_fails_alone(nlp) -> None:
    """spaCy's own refusal (E088, past `nlp.max_length`) is that article's error; the rest of its
    batch is still extracted."""
    text = "Corvane Logistics said hackers stole the payroll records of 4,000 staff last week."
    short = Article(id="s", origin="short.txt", text=text)
    huge = Article(id="h", origin="huge.txt", text=text * (nlp.max_length // len(text) + 1))
    first, second = extract_articles([huge, short], nlp=nlp, max_chars=nlp.max_length * 2)
    assert isinstance(first, ExtractionError)
    assert str(first).startswith("huge.txt: the parser failed: ValueError: [E088]")
    assert not isinstance(second, ExtractionError) and second.article.id == "s"
