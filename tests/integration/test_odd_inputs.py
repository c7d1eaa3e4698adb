"""Inputs that are fine but unusual (issue 13, items 9 and 10): text in UTF-16, line separators
inside an article, a file name with control characters, one enormous JSONL line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from invented import article, row, write_jsonl

from pipeline.cli import main
from schemas.incident import IncidentRecord


def _records(path: Path) -> list[IncidentRecord]:
    return [IncidentRecord.model_validate_json(line) for line in path.read_text("utf-8").splitlines()]


def test_line_separators_inside_an_article_keep_each_record_on_one_line(tmp_path: Path) -> None:
    """The cleaner takes them for line breaks in the text; an id or a URL keeps them."""
    given = "wire\u2028one\x85two\u2029"
    rows = [row(given, "Tamsin Logistics", url="https://news.example/a\u2028b")]
    batch = write_jsonl(tmp_path / "b.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "--per-article", "-q"]) == 0
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 1
    (record,) = (IncidentRecord.model_validate_json(line) for line in lines)
    assert record.sources[0].article_id == given


def test_a_file_name_with_control_characters_prints_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "evil\nfailed: forged.txt\x1b[2J.txt"
    (tmp_path / name).write_bytes(b"\x00binary")
    assert main(["extract", str(tmp_path / name), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 1
    err = capsys.readouterr().err
    failed = [line for line in err.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "\x1b" not in err
    assert "evil\\nfailed: forged.txt\\x1b[2J.txt: binary file" in failed[0]


@pytest.mark.parametrize(
    ("suffix", "encoding"), [(".txt", "utf-16"), (".txt", "utf-16-be"), (".html", "utf-32")]
)
def test_text_in_utf16_or_utf32_with_a_byte_order_mark_is_read(
    tmp_path: Path, suffix: str, encoding: str
) -> None:
    text = article("Tamsin Logistics")
    if suffix == ".html":
        title, body = text.split("\n", 1)
        text = (
            f"<html><head><title>{title}</title></head><body><article><p>{body}</p></article></body></html>"
        )
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / f"a{suffix}").write_bytes(data)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(tmp_path / f"a{suffix}"), "-o", str(out), "-q"]) == 0
    assert "Tamsin Logistics" in out.read_text("utf-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_jsonl_batch_with_a_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    rows = [row("u1", "Tamsin Logistics"), row("u2", "Quistel Bank")]
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode(encoding))
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(batch), "-o", str(out), "--per-article", "-q"]) == 0
    assert [r.sources[0].article_id for r in _records(out)] == ["u1", "u2"]


# Peak memory from VmHWM, this process's own high-water mark (ru_maxrss also counts the parent
# it was started from). Importing the pipeline alone takes about 120 MiB.
_READ = """
import re, sys
from pathlib import Path
from pipeline.source import read_documents
items = [str(item) for item in read_documents([Path(sys.argv[1])], 20_000_000)]
print(int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text())[1]) // 1024)
print("\\n".join(items))
"""


def test_a_huge_jsonl_line_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    """A 120 MB line under the default 20 MB limit: before, the reader held it whole (and its
    decoded copies) before refusing it."""
    batch = tmp_path / "batch.jsonl"
    with batch.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(row("first", "Tamsin Logistics")) + "\n")
        handle.write('{"id": "huge", "text": "' + "x" * 120_000_000 + '"}\n')
        handle.write(json.dumps(row("last", "Quistel Bank")) + "\n")
    done = subprocess.run(
        [sys.executable, "-c", _READ, str(batch)], capture_output=True, text=True, timeout=300, check=True
    )
    peak, *items = done.stdout.splitlines()
    assert int(peak) < 220, f"peak memory {peak} MiB"
    assert items[1] == f"{batch}:2: line too large (120,000,027 bytes; the limit is 20,000,000)"
    assert items[0] != items[2] and len(items) == 3
