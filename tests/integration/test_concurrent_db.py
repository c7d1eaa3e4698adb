"""Two `incidents extract --db` runs at once lose nothing (issue 13, item 4).

Real processes and a real SQLite file. The first run is held by a test hook (a wrapper around
`open_batch`, installed in that process only) after it has extracted its articles and just
before it takes the database's write lock, until the second run has written its own: the window
in which a run that clustered from an older view of the database deleted the other run's incidents.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from invented import row, write_jsonl

_HELD_RUN = """
import importlib, sys, time
from pathlib import Path

publishing = importlib.import_module("pipeline.publish")  # the module: it is also its function
held_at, release = Path(sys.argv[1]), Path(sys.argv[2])
write = publishing.open_batch

def held(*args, **kwargs):
    held_at.touch()
    deadline = time.monotonic() + 300
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return write(*args, **kwargs)

publishing.open_batch = held
from pipeline.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _victims(path: Path) -> set[str]:
    lines = path.read_text("utf-8").splitlines()
    return {e["name"] for line in lines for e in json.loads(line)["incident"]["affected_entities"]}


def _wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while not path.exists():
        assert process.poll() is None, "the held run ended before reaching its write"
        assert time.monotonic() < deadline, "the held run never reached its write"
        time.sleep(0.05)


def test_two_runs_into_one_database_keep_both_runs_incidents(tmp_path: Path) -> None:
    db = tmp_path / "incidents.sqlite"
    first = write_jsonl(tmp_path / "first.jsonl", [row("a-1", "Tamsin Logistics")])
    second = write_jsonl(tmp_path / "second.jsonl", [row("b-1", "Quistel Bank")])
    held_at, release = tmp_path / "held", tmp_path / "release"
    first_run = ["extract", str(first), "-o", str(tmp_path / "first-out.jsonl"), "--db", str(db), "-q"]
    second_run = ["extract", str(second), "-o", str(tmp_path / "second-out.jsonl"), "--db", str(db), "-q"]
    slow = subprocess.Popen([sys.executable, "-c", _HELD_RUN, str(held_at), str(release), *first_run])
    try:
        _wait_for(held_at, slow)
        fast = subprocess.run([sys.executable, "-m", "pipeline.cli", *second_run], timeout=300, check=False)
        assert fast.returncode == 0
        assert _victims(tmp_path / "second-out.jsonl") == {"Quistel Bank"}
    finally:
        release.touch()
        assert slow.wait(timeout=300) == 0
    # The run that wrote last saw the other's articles under the lock: its output and the
    # database hold both incidents.
    assert _victims(tmp_path / "first-out.jsonl") == {"Tamsin Logistics", "Quistel Bank"}
    with sqlite3.connect(db) as conn:
        stored = [json.loads(r[0]) for r in conn.execute("SELECT record FROM incidents")]
    assert {e["name"] for r in stored for e in r["incident"]["affected_entities"]} == {
        "Tamsin Logistics",
        "Quistel Bank",
    }
