"""One long article never sinks a batch (issue 13, item 3): each gets its own result line and the
rest of the batch is written. How long they take is measured by `make bench`, not here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from invented import article, row, write_jsonl

from pipeline.cli import main
from schemas.incident import IncidentRecord


def _records(path: Path) -> list[IncidentRecord]:
    return [IncidentRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]


def test_an_article_past_the_parser_limit_fails_by_name_and_the_rest_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = article("Quistel Bank").split("\n", 1)[1]
    huge = body * (2_000_000 // len(body) + 1)  # over spaCy's 2,000,000 characters (E088)
    batch = write_jsonl(
        tmp_path / "batch.jsonl",
        [{"id": "huge", "title": "Quistel Bank breach", "text": huge}, row("ok", "Tamsin Logistics")],
    )
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "--per-article", "-q"]) == 1
    assert [r.sources[0].article_id for r in _records(out)] == ["ok"]
    err = capsys.readouterr().err
    assert re.search(
        rf"failed: {re.escape(str(batch))}:1: article too long to extract \(2,0\d\d,\d\d\d characters after "
        r"cleaning; the limit is 200,000, --max-article-chars\)",
        err,
    ), err


def test_the_article_limit_can_be_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(article("Tamsin Logistics"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(tmp_path / "a.txt"), "-o", str(out), "--max-article-chars", "100", "-q"]) == 1
    assert "the limit is 100, --max-article-chars" in capsys.readouterr().err


def test_a_title_of_40000_characters_is_cut_and_the_article_extracted(tmp_path: Path) -> None:
    title = " ".join(f"Quistel{n} Bank Breach Hits Customers" for n in range(1, 2000))[:40_000]
    batch = write_jsonl(tmp_path / "batch.jsonl", [row("long-title", "Tamsin Logistics", title=title)])
    body = "".join(f"<p>{line}</p>" for line in article("Tamsin Logistics").splitlines()[1:])
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>")
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), str(page), "-o", str(out), "--per-article", "-q"]) == 0
    from_batch, from_page = _records(out)
    assert from_batch.sources[0].article_id == "long-title"
    assert all(
        len(e.sentence) <= 301 for r in (from_batch, from_page) for e in r.evidence if "Quistel" in e.sentence
    )
    assert from_page.incident.title.endswith("…") and len(from_page.incident.title) <= 301
    assert from_page.incident.title.startswith("Quistel1 Bank Breach Hits Customers Quistel2")


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--max-file-mb", "nan", "must be a number of megabytes above 0"),
        ("--max-file-mb", "inf", "must be a number of megabytes above 0"),
        ("--max-file-mb", "-1", "must be a number of megabytes above 0"),
        ("--max-file-mb", "0", "must be a number of megabytes above 0"),
        ("--max-article-chars", "0", "must be from 1 to 2,000,000"),
        ("--max-article-chars", "2000001", "must be from 1 to 2,000,000"),
    ],
)
def test_limits_must_be_sane(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, says: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(tmp_path), "-o", str(tmp_path / "out.jsonl"), option, value])
    assert exc.value.code == 2
    assert says in capsys.readouterr().err
