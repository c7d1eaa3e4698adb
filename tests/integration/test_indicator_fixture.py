"""The indicators fixture (fixtures/feeds/threatdesk.jsonl): every indicator type, written de-fanged
in the article, comes out once, re-fanged, with its evidence; the publisher's links, a private address
the text does not present as an indicator, a version number and a reporting address give none."""

from __future__ import annotations

from pathlib import Path

from pipeline.clean import clean
from pipeline.cli import main
from pipeline.source import read_documents
from schemas.incident import IncidentRecord

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "threatdesk.jsonl"
EXPECTED = {
    ("email", "alerts-harwick@example.net", True),
    ("url", "https://secure-login.example.com/harwick/verify.php", True),
    ("ipv4", "203.0.113.45", True),
    ("ipv6", "2001:db8:7a1::45", True),
    ("domain", "harwick-verify.example.net", True),
    ("sha256", "a27e44a2ef534fb2d19477c605dc83c7511b5265ce00cc14cbeef462933d2d59", False),
    ("sha1", "10bf895d8d541af24783efbd2a79b001b2c5fe3d", False),
    ("md5", "76f22d0a3f868f0b36011eaac43fdd4d", False),
    ("cve", "CVE-2026-41877", False),
}


def test_fixture_gives_each_indicator_once_refanged_with_evidence(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(FIXTURE), "-o", str(out), "-q"]) == 0
    (record,) = [IncidentRecord.model_validate_json(line) for line in out.read_text("utf-8").splitlines()]
    got = [(i.type, i.value, i.defanged_in_text) for i in record.indicators]
    assert len(got) == len(set(got)) and set(got) == EXPECTED
    (raw,) = list(read_documents([FIXTURE], 1_000_000))
    text = clean(raw).text  # type: ignore[arg-type]
    evidence = {e.value: e for e in record.evidence if e.field == "indicators"}
    assert set(evidence) == {value for _, value, _ in EXPECTED}
    for kind, value, defanged in EXPECTED:
        written = text[evidence[value].start : evidence[value].end]
        assert written in evidence[value].sentence
        assert (written != value) == defanged, (kind, written)
        assert "[" in written if defanged else written.lower() == value.lower()


def test_fixture_publisher_links_and_non_indicators_give_none(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(FIXTURE), "-o", str(out), "--per-article", "-q"]) == 0
    record = IncidentRecord.model_validate_json(out.read_text("utf-8"))
    text = " ".join(i.value for i in record.indicators)
    for absent in ("threatdesk", "10.20.4.", "9.4.2.11", "phishing-report"):
        assert absent not in text
