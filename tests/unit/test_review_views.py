"""The incident page's pieces: every field as a row linked to its evidence, article text with
evidence spans and sentences marked (escaped), charts as SVG, and the list's filters."""

from __future__ import annotations

import re

from pipeline.review.charts import months_chart, severity_chart
from pipeline.review.queries import Filters
from pipeline.review.views import article_html, field_rows, safe_url
from schemas.incident import AffectedEntity, Evidence, IncidentDetail, IncidentRecord, Source, ThreatActor

TEXT = "Ferncastle Mills lost payroll files. The Rookwing crew said it did it & more <b>soon</b>."


def _evidence(field: str, phrase: str, value: str) -> Evidence:
    start = TEXT.index(phrase)
    sentence = next(s for s in re.findall(r"[^.]*\.", TEXT) if phrase in s).strip()
    return Evidence(
        field=field, value=value, article_id="x1", start=start, end=start + len(phrase), sentence=sentence
    )


RECORD = IncidentRecord(
    id="FER0000000001",
    linkid="ferncastle-mills",
    type="Breach",
    date="2/2025",
    severity="50",
    impact="3",
    explanation="test",
    incident=IncidentDetail(
        title="Ferncastle Mills breach",
        type="Data Breach",
        affected_entities=[AffectedEntity(name="Ferncastle Mills", type="Company")],
    ),
    threat_actors=[ThreatActor(name="Rookwing", attribution="claimed")],
    records_affected=1200,
    sources=[Source(article_id="x1")],
    evidence=[
        _evidence("incident.affected_entities", "Ferncastle Mills", "Ferncastle Mills"),
        _evidence("threat_actors", "Rookwing", "Rookwing (claimed)"),
        _evidence("threat_actors", "Rookwing crew", "Rookwing (claimed)"),
    ],
)


def test_every_field_of_the_record_is_a_row_and_values_link_to_their_evidence() -> None:
    rows = {row.path: row for row in field_rows(RECORD)}
    flat = {"id", "linkid", "type", "date", "severity", "schema_version", "confidence", "records_affected"}
    assert flat <= set(rows) and "dates.occurred" in rows and "incident.response.containment_measures" in rows
    assert "evidence" not in rows and not any(p.startswith(("sources", "review")) for p in rows)
    assert rows["incident.affected_entities.0.name"].evidence == [0]
    assert rows["threat_actors.0.name"].evidence == [1, 2]
    assert rows["threat_actors.0.attribution"].evidence == [1, 2]  # "Rookwing (claimed)"
    assert rows["incident.affected_entities.0.type"].evidence == []
    assert rows["threat_actors.0.attribution"].choices == ("claimed", "suspected", "confirmed")
    assert rows["records_affected"].value == "1,200" and rows["records_affected"].kind == "number"
    assert rows["records_affected"].correctable and not rows["severity"].correctable
    assert rows["data_categories"].value == "—" and rows["data_categories"].correctable


def test_article_text_marks_overlapping_spans_and_sentences_and_escapes_markup() -> None:
    spans = list(enumerate(RECORD.evidence))
    html = str(article_html(TEXT, spans, active=1))
    assert "<b>" not in html and "&lt;b&gt;soon&lt;/b&gt;" in html and "&amp; more" in html
    assert (
        re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == TEXT
    )
    active = re.findall(r'<mark[^>]*class="ev active[^"]*"[^>]*>([^<]*)</mark>', html)
    assert "".join(active) == "Rookwing"  # the span, not the longer one that overlaps it
    assert '<mark id="ev-1" class="ev active in-sentence" data-ev=" 1 2 "' in html
    in_sentence = "".join(re.findall(r'class="[^"]*in-sentence[^"]*"[^>]*>([^<]*)<', html))
    assert in_sentence.startswith("The Rookwing crew said it did it")
    broken = Evidence(field="x", value="x", article_id="x1", start=500, end=510, sentence="gone")
    assert str(article_html(TEXT, [(9, broken)])) == TEXT.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;"
    )


def test_only_web_links_are_links() -> None:
    assert safe_url("https://news.example/a") == "https://news.example/a"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None


def test_charts_are_svg_with_one_bar_per_month_and_type() -> None:
    svg = str(
        months_chart([("2025-01", "Ransomware", 2), ("2025-03", "Data Breach", 1), ("2025-03", "DDoS", 4)])
    )
    assert svg.startswith("<svg") and svg.count("<rect") == 3 + 3  # 3 bars, 3 legend keys
    assert "2025-02" in svg  # the month without incidents is on the axis
    sev = str(severity_chart([0, 1, 0, 0, 0, 3, 0, 0, 0, 1]))
    assert sev.count("<rect") == 10 and "severity 50-59: 3" in sev
    assert "<script" not in str(months_chart([("2025-01", "<script>x</script>", 1)]))


def test_list_filters_ignore_what_does_not_parse_and_keep_what_does() -> None:
    f = Filters.parse(
        {"date_from": "yesterday", "severity_min": "300", "sort": "drop table", "page": "-2", "q": " a  b "}
    )
    assert (f.date_from, f.severity_min, f.sort, f.page, f.q) == ("", 100, "date", 1, "a b")
    assert Filters.parse({"state": "rejected", "per_page": "999"}).per_page == 200
    assert Filters(type="DDoS").query(page=2) == "type=DDoS&page=2"
