"""Inputs the operating system will not let us read are named failures (issue 13, item 5).

The CLI runs as a real process without the privilege to read past file permissions: as an
ordinary user, or, when the tests run as root, with the capabilities that let root do so
dropped (capsh), since root reads anything.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from invented import article


def _unprivileged(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    if not shutil.which("capsh"):
        pytest.skip("running as root without capsh: cannot drop the privilege to read anything")
    return ["capsh", "--drop=cap_dac_override,cap_dac_read_search", "--", "-c", shlex.join(argv)]


def _extract(*argv: str) -> subprocess.CompletedProcess[str]:
    command = _unprivileged([sys.executable, "-m", "pipeline.cli", "extract", *argv, "-q"])
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    """in/open.txt, in/locked/ (mode 000) holding hidden.txt."""
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "open.txt").write_text(article("Tamsin Logistics"), encoding="utf-8")
    (folder / "locked" / "hidden.txt").write_text(article("Quistel Bank"), encoding="utf-8")
    (folder / "locked").chmod(0)
    yield folder
    (folder / "locked").chmod(0o755)


def test_an_unlistable_subfolder_is_a_named_failure(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = _extract(str(tree), "-o", str(out))
    assert done.returncode == 1, done.stderr
    assert f"failed: {tree / 'locked'}: cannot list this folder (Permission denied)" in done.stderr
    assert "Tamsin Logistics" in out.read_text("utf-8")  # the rest of the batch is written


def test_a_path_inside_an_unlistable_folder_is_a_named_failure(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = _extract(str(tree / "locked" / "hidden.txt"), str(tree / "open.txt"), "-o", str(out))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"failed: {tree / 'locked' / 'hidden.txt'}: cannot read (Permission denied)" in done.stderr
    assert "Tamsin Logistics" in out.read_text("utf-8")
