"""Reading inputs: every bad file gets a one-line reason naming it, and the others still come."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.source import InputFailure, article_id, read_documents
from schemas.document import RawDocument

LIMIT = 1_000_000
BODY = "Harbor Mutual said attackers stole customer names and addresses from a file server last week.\n"


def _read(*paths: Path) -> tuple[list[RawDocument], list[InputFailure]]:
    docs, failures = [], []
    for item in read_documents(list(paths), LIMIT):
        (failures if isinstance(item, InputFailure) else docs).append(item)
    return docs, failures


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.html", b"  \n\n ", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin.txt", "Caf\u00e9 breach\n".encode("latin-1"), "not valid UTF-8"),
        ("notes.docx", b"whatever", "unsupported file type"),
    ],
)
def test_bad_file_is_named_with_its_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.txt").write_text("Title\n" + BODY, encoding="utf-8")
    docs, failures = _read(tmp_path / name, tmp_path / "good.txt")
    assert [d.origin for d in docs] == [str(tmp_path / "good.txt")]
    assert len(failures) == 1
    assert failures[0].origin == str(tmp_path / name)
    assert reason in failures[0].reason
    assert "\n" not in str(failures[0])


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "huge.html"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    docs, failures = _read(big)
    assert docs == []
    assert "too large" in failures[0].reason


def test_html_with_declared_charset_is_decoded(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1252"></head><body><p>Caf\u00e9 \u2013 breach</p></body></html>'
    )
    (tmp_path / "page.html").write_bytes(page.encode("cp1252"))
    docs, failures = _read(tmp_path / "page.html")
    assert failures == []
    assert "Caf\u00e9 \u2013 breach" in docs[0].content


def test_jsonl_bad_lines_are_reported_and_good_lines_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"id": "a1", "text": BODY, "source_url": "https://news.example/a1", "published": "2026-03-02"}
        ),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "a2", "title": "No text"}),
        "",
        json.dumps({"text": BODY, "link": "https://news.example/a3", "title": "T3", "extra": 1}),
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, failures = _read(path)
    assert [d.id for d in docs] == ["a1", article_id("https://news.example/a3", BODY)]
    assert docs[0].url == "https://news.example/a1"
    assert docs[0].published is not None and docs[0].published.isoformat() == "2026-03-02"
    assert docs[1].url == "https://news.example/a3" and docs[1].title == "T3"
    assert [f.origin for f in failures] == [f"{path}:2", f"{path}:3", f"{path}:4"]


def test_folders_are_walked_recursively_in_a_stable_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Two\n" + BODY, encoding="utf-8")
    (tmp_path / "one.html").write_text(f"<p>{BODY}</p>", encoding="utf-8")
    (tmp_path / "skip.png").write_bytes(b"\x89PNG")
    docs, failures = _read(tmp_path)
    assert failures == []
    assert [Path(d.origin).relative_to(tmp_path).as_posix() for d in docs] == ["b/two.txt", "one.html"]
    assert {d.kind for d in docs} == {"html", "text"}


def test_text_title_is_the_first_line_and_ids_are_stable(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("\nHarbor Mutual breach\n" + BODY, encoding="utf-8")
    first, _ = _read(path)
    again, _ = _read(path)
    assert first[0].title == "Harbor Mutual breach"
    assert first[0].id == again[0].id


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    _, failures = _read(tmp_path / "nope")
    assert "no such file" in failures[0].reason


def test_gzip_compressed_inputs_are_read_like_plain_ones(tmp_path: Path) -> None:
    page = "<html><body><h1>Harbor Mutual breach</h1><p>" + BODY + "</p></body></html>"
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
    (tmp_path / "note.txt.gz").write_bytes(gzip.compress(("Title\n" + BODY).encode("utf-8")))
    lines = "".join(json.dumps({"id": f"a{i}", "text": BODY}) + "\n" for i in range(2))
    (tmp_path / "batch.jsonl.gz").write_bytes(gzip.compress(lines.encode("utf-8")))
    docs, failures = _read(tmp_path)
    assert failures == []
    assert sorted(d.kind for d in docs) == ["html", "text", "text", "text"]
    assert all("Harbor Mutual" in d.content for d in docs)


def test_gzip_bomb_and_corrupt_gzip_are_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * (LIMIT * 4) + b"</p>"))
    (tmp_path / "broken.txt.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    docs, failures = _read(tmp_path / "bomb.html.gz", tmp_path / "broken.txt.gz")
    assert docs == []
    reasons = {Path(f.origin).name: f.reason for f in failures}
    assert "too large once decompressed" in reasons["bomb.html.gz"]
    assert reasons["broken.txt.gz"].startswith("cannot read")


def test_folder_without_article_files_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"whatever")
    docs, failures = _read(tmp_path)
    assert docs == []
    assert [f.origin for f in failures] == [str(tmp_path)]
    assert "no article files" in failures[0].reason
