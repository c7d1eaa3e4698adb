"""Outputs never land on inputs, on each other, or on the previous output for nothing (issue 13,
item 2): each case runs `incidents extract` on real files and checks what is on disk after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from invented import article

from pipeline.cli import main


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "velmora.txt").write_text(article("Velmora Freight"), encoding="utf-8")
    return folder


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], says: str) -> None:
    assert main([*argv, "-q"]) == 2
    err = capsys.readouterr().err
    assert says in err, err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err


def test_an_output_that_is_an_input_is_refused(inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = inputs / "velmora.txt"
    before = source.read_bytes()
    _refused(["extract", str(source), "-o", str(source)], capsys, "-o is also an input")
    assert source.read_bytes() == before


def test_one_file_for_two_outputs_is_refused(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.x"
    _refused(
        ["extract", str(inputs), "-o", str(target), "--db", str(target)], capsys, "given as -o and as --db"
    )
    _refused(
        ["extract", str(inputs), "-o", str(target), "--stix", str(target)],
        capsys,
        "given as -o and as --stix",
    )
    assert not target.exists()


def test_an_output_inside_an_input_folder_is_refused(
    inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = inputs / "results" / "incidents.jsonl"
    _refused(["extract", str(inputs), "-o", str(out)], capsys, "lies inside the input folder")
    assert not out.exists()


def test_a_second_name_for_an_input_is_caught(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(inputs / "velmora.txt")
    hard = tmp_path / "hard.txt"
    os.link(inputs / "velmora.txt", hard)
    _refused(["extract", str(inputs / "velmora.txt"), "-o", str(link)], capsys, "-o is also an input")
    _refused(["extract", str(inputs / "velmora.txt"), "-o", str(hard)], capsys, "-o is also an input")


def test_nothing_read_keeps_the_previous_output(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(inputs), "-o", str(out), "-q"]) == 0
    before = out.read_bytes()
    assert before
    assert main(["extract", str(tmp_path / "imputs"), "-o", str(out), "-q"]) == 1
    assert out.read_bytes() == before
    err = capsys.readouterr().err
    assert "no such file or folder" in err and f"nothing was read: {out} is left as it was" in err


def test_an_output_through_a_symlink_writes_the_file_it_points_to(inputs: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "current.jsonl"
    link.symlink_to(real)
    assert main(["extract", str(inputs), "-o", str(link), "-q"]) == 0
    assert link.is_symlink()
    assert "Velmora Freight" in real.read_text("utf-8")


def test_an_output_linked_to_stdout_writes_to_stdout(inputs: Path, tmp_path: Path) -> None:
    """`-o /dev/stdout`, with a link of our own to the process's stdout (as /dev/stdout is)."""
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(inputs), "-o", str(link), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Velmora Freight" in done.stdout
    assert link.is_symlink()


def test_misp_outputs_are_checked_like_the_others(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    _refused(
        ["extract", str(inputs), "-o", str(out), "--misp", str(out)], capsys, "given as -o and as --misp"
    )
    _refused(["extract", str(inputs), "--misp-feed", str(inputs)], capsys, "--misp-feed would hold an input")
    _refused(
        ["extract", str(inputs), "--misp-feed", str(inputs / "velmora.txt")], capsys, "--misp-feed is a file"
    )
    feed = tmp_path / "feed"
    _refused(
        ["extract", str(inputs), "-o", str(feed / "out.jsonl"), "--misp-feed", str(feed)],
        capsys,
        "would hold the -o file",
    )
