"""What goes wrong around a run is one line naming the file and why, never a traceback, and
nothing already written is lost (issue 13, item 8). Real processes, real files, real SQLite."""

from __future__ import annotations

import os
import resource
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from invented import article

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "pipeline.cli"]


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    (line,) = [line for line in stderr.splitlines() if line.startswith("error: ")]
    return line


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_full_disk_during_the_database_write_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    """The disk fills up while the database is written (the run's file-size limit stands in for
    the disk: writes past it fail with EFBIG, as past a full disk with ENOSPC)."""
    db, out = tmp_path / "incidents.sqlite", tmp_path / "out.jsonl"
    first = tmp_path / "first.txt"
    first.write_text(article("Tamsin Logistics"), encoding="utf-8")
    assert main(["extract", str(first), "-o", str(out), "--db", str(db), "-q"]) == 0
    before_db, before_out = _count(db, "incidents"), out.read_bytes()

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = db.stat().st_size + 4096
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [*CLI, "extract", str(ROOT / "fixtures"), "-o", str(out), "--db", str(db), "-q"],
        preexec_fn=small_disk,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1
    line = _one_error_line(done.stderr)
    assert line.startswith(f"error: {db}: SQLite write failed, nothing was changed"), line
    assert _count(db, "incidents") == before_db
    assert out.read_bytes() == before_out


def _read_only_folder(tmp_path: Path) -> list[str]:
    """A shell command prefix that runs in a private mount namespace where `tmp_path/ro` is an
    empty read-only filesystem; skips where namespaces or mounts are not allowed."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mount = f"mount -t tmpfs -o ro,size=64k none {shlex.quote(str(folder))}"
    probe = subprocess.run(["unshare", "--mount", "sh", "-c", mount], capture_output=True, check=False)
    if not shutil.which("unshare") or probe.returncode != 0:
        pytest.skip("cannot mount a read-only filesystem here (needs a private mount namespace)")
    return ["unshare", "--mount", "sh", "-c", f'{mount} && exec "$@"', "sh"]


def test_an_output_folder_on_a_read_only_filesystem_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text(article("Tamsin Logistics"), encoding="utf-8")
    out = tmp_path / "ro" / "new" / "out.jsonl"
    done = subprocess.run(
        [*_read_only_folder(tmp_path), *CLI, "extract", str(source), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2
    line = _one_error_line(done.stderr)
    assert line == f"error: {out}: cannot make the folder for -o (Read-only file system)"


def test_an_output_folder_that_cannot_be_made_is_said_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "a.txt"
    source.write_text(article("Tamsin Logistics"), encoding="utf-8")
    out = Path("/proc/no-such-process/out.jsonl")
    assert main(["extract", str(source), "-o", str(out), "-q"]) == 2
    assert _one_error_line(capsys.readouterr().err).startswith(f"error: {out}: cannot make the folder for -o")


def test_a_database_with_damaged_pages_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, out = tmp_path / "incidents.sqlite", tmp_path / "out.jsonl"
    assert main(["extract", str(ROOT / "fixtures"), "-o", str(out), "--db", str(db), "-q"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'evidence'").fetchone()
    with db.open("r+b") as handle:  # scribble over the evidence table's first page, past its header
        handle.seek((root - 1) * page_size + 8)
        handle.write(os.urandom(64))
    before = out.read_bytes()
    late = tmp_path / "late.txt"
    late.write_text(article("Quistel Bank"), encoding="utf-8")
    assert main(["extract", str(late), "-o", str(out), "--db", str(db), "-q"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {db}: the database is damaged ("), line
    assert out.read_bytes() == before


def test_a_damaged_follow_state_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state.sqlite"
    state.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    argv = ["follow", "http://127.0.0.1:9/feed.xml", "--state", str(state), "-o", str(tmp_path / "o.jsonl")]
    assert main([*argv, "-q"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {state}: cannot open the state database ("), line


def test_follow_refuses_one_file_for_two_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.jsonl"
    argv = ["follow", "http://127.0.0.1:9/feed.xml", "--state", str(tmp_path / "s.sqlite"), "-o", str(out)]
    assert main([*argv, "--changed", str(out), "-q"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"error: {out}: given as -o and as --changed; each output needs its own file"
    assert not (tmp_path / "s.sqlite").exists()


def test_follow_refuses_to_write_over_its_feed_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:9/feed.xml\n", encoding="utf-8")
    argv = ["follow", "--feeds", str(feeds), "--state", str(tmp_path / "s.sqlite"), "-o", str(feeds), "-q"]
    assert main(argv) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert line == f"error: {feeds}: -o is also an input; it would replace what it is read from"
    assert feeds.read_text("utf-8") == "http://127.0.0.1:9/feed.xml\n"
