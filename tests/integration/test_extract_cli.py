"""`incidents extract` end to end: real files in, JSONL and a real SQLite file out."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest

from pipeline.cli import main
from schemas.incident import IncidentRecord

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
ARTICLE = """Brightwater Credit Union breach exposes member data
Brightwater Credit Union said on Monday that hackers broke into a file server and stole the names,
account numbers and Social Security numbers of 48,000 members. The credit union discovered the intrusion
on March 3 and has notified the state attorney general. A ransomware gang called Gray Lantern claimed
responsibility on its leak site. Brightwater said it has reset staff passwords and hired a forensic firm,
and that the investigation is ongoing.
"""


def _records(path: Path) -> list[IncidentRecord]:
    return [IncidentRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]


def _table(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall(), key=repr)


def test_fixtures_give_valid_records_in_jsonl_and_sqlite(tmp_path: Path) -> None:
    out, db = tmp_path / "incidents.jsonl", tmp_path / "incidents.sqlite"
    assert main(["extract", str(FIXTURES), "-o", str(out), "--db", str(db), "-q"]) == 0
    records = _records(out)
    assert records, "the fixtures hold incidents"
    assert len({r.id for r in records}) == len(records)
    assert _table(db, "SELECT id FROM incidents") == sorted(((r.id,) for r in records), key=repr)
    assert all(r.sources and r.evidence for r in records)
    # The fixtures' two same-incident pairs (fixtures/README.md) each become one incident,
    # and the non-incidents (advice, funding news) none.
    merged = {r.incident.affected_entities[0].name: len(r.sources) for r in records if len(r.sources) > 1}
    assert merged == {"Norrland Freight": 2, "Riverbend Health Partners": 2}
    assert sum(len(r.sources) for r in records) == 19  # 21 articles, two of them no incident


def test_running_twice_gives_the_same_rows_and_bytes(tmp_path: Path) -> None:
    out, db = tmp_path / "incidents.jsonl", tmp_path / "incidents.sqlite"
    argv = ["extract", str(FIXTURES), "-o", str(out), "--db", str(db), "-q"]
    assert main(argv) == 0
    first_bytes, first_rows = out.read_bytes(), _table(db, "SELECT * FROM incidents")
    first_evidence = _table(db, "SELECT * FROM evidence")
    assert main(argv) == 0
    assert out.read_bytes() == first_bytes
    assert _table(db, "SELECT * FROM incidents") == first_rows
    assert _table(db, "SELECT * FROM evidence") == first_evidence


def test_bad_inputs_are_named_and_the_rest_is_processed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.html").write_bytes(gzip.compress(b"<html>" * 100))
    (inputs / "latin1.txt").write_bytes("Caf\u00e9 hacked\nThe caf\u00e9 was hacked.".encode("latin-1"))
    with (inputs / "huge.txt").open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (inputs / "batch.jsonl").write_text(
        json.dumps({"id": "wire-1", "text": ARTICLE}) + "\n{broken json\n", encoding="utf-8"
    )
    (inputs / "nav.html").write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a>"
        "</nav><footer>(c) 2026 Example Media</footer></body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "incidents.jsonl"
    assert main(["extract", str(inputs), "-o", str(out), "-q", "--per-article"]) == 1
    err = capsys.readouterr().err
    for name in ("empty.txt", "binary.html", "latin1.txt", "huge.txt", "batch.jsonl:2", "nav.html"):
        lines = [line for line in err.splitlines() if name in line]
        assert lines, f"no error line names {name}:\n{err}"
    records = _records(out)
    assert {s.article_id for r in records for s in r.sources} >= {"wire-1"}
    assert len(records) == 2


def test_per_article_keeps_the_input_id(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"id": "first", "text": ARTICLE, "source_url": "https://news.example/1"},
        {"id": "second", "text": ARTICLE, "url": "https://other.example/2"},
    ]
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "--per-article", "-q"]) == 0
    records = _records(out)
    assert [r.sources[0].article_id for r in records] == ["first", "second"]
    assert [r.sources[0].url for r in records] == ["https://news.example/1", "https://other.example/2"]
    assert main(["extract", str(batch), "-o", str(out), "-q"]) == 0
    merged = _records(out)
    assert len(merged) == 1 and len(merged[0].sources) == 2


def test_seed_articles_per_article_are_valid_and_clean(tmp_path: Path, shared: Path) -> None:
    gold = json.loads((shared / "seeds" / "gold.json").read_text("utf-8"))
    out = tmp_path / "seeds.jsonl"
    assert main(["extract", str(shared / "seeds" / "articles"), "--per-article", "-o", str(out), "-q"]) == 0
    records = _records(out)
    assert len(records) == 5
    text = out.read_text("utf-8").lower()
    leaked = [t for t in gold["incident"]["text_forbidden_anywhere"] if t.lower() in text]
    assert leaked == []


def test_workers_give_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["extract", str(FIXTURES), "-o", str(one), "-q"]) == 0
    assert main(["extract", str(FIXTURES), "-o", str(two), "--workers", "2", "-q"]) == 0
    assert one.read_bytes() == two.read_bytes()


def test_an_extractor_failing_in_a_worker_fails_that_article_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import extractors

    def broken(doc: object, article: object) -> list[object]:
        if "Brightwater" in str(doc):
            raise ValueError("rule bug")
        return []

    monkeypatch.setitem(extractors.EXTRACTORS, "broken.v1", broken)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.txt").write_text(ARTICLE, "utf-8")
    for n, path in enumerate(sorted(p for p in FIXTURES.rglob("*.txt"))[:3]):
        (tmp_path / "in" / f"ok{n}.txt").write_text(path.read_text("utf-8"), "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(tmp_path / "in"), "-o", str(out), "--per-article", "-j", "2", "-q"]) == 1
    err = capsys.readouterr().err
    assert "bad.txt" in err and "extractor broken.v1 failed: ValueError: rule bug" in err
    assert "4 extracted" not in err and "3 extracted" in err
    assert out.is_file()


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(FIXTURES), "--workers", "0"])
    assert exc.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_summary_names_each_article_that_is_not_an_incident(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    advice = FIXTURES / "text" / "advice-five-ways-small-businesses-blunt-phishing.txt"
    assert main(["extract", str(advice), "-o", str(tmp_path / "out.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "1 not incidents" in err
    assert f"not an incident: {advice}: " in err
