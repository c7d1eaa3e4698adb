"""scripts/check_eval_leak.py: runs of seven words shared with the evaluation texts are found."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.check_eval_leak import RUN, leaks, main

EVAL_TEXT = (
    "Harrowgate Water said the intruders copied billing files from an unpatched server in its "
    "western depot before anyone noticed the outage at the Lantern Street Regional Water Authority."
)


def _shared(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    (shared / "eval" / "ext").mkdir(parents=True)
    item = {"id": "x-1", "title": "", "text": EVAL_TEXT}
    (shared / "eval" / "ext" / "dev.jsonl").write_text(json.dumps(item) + "\n", "utf-8")
    return shared


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    data = root / "extractors" / "data"
    data.mkdir(parents=True)
    entry = {"label": "ORG", "pattern": "Lantern Street Regional Water Authority", "id": "LSRWA"}
    (data / "companies.jsonl").write_text("# public names\n" + json.dumps(entry) + "\n", "utf-8")
    (data / "threat_actors.jsonl").write_text("", "utf-8")
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")
    return root


def test_a_copied_run_of_seven_words_or_more_is_reported_with_its_line_and_source(tmp_path: Path) -> None:
    copied = "# e.g. 'the Intruders copied billing files from an unpatched server'\n"
    root = _repo(tmp_path, {"rule.py": "x = 1\n" + copied})
    (leak,) = leaks(root, _shared(tmp_path))
    assert (leak.path, leak.line, leak.source) == ("rule.py", 2, "ext:x-1")
    assert leak.words == 9 >= RUN


def test_six_shared_words_or_a_public_name_are_not_a_leak(tmp_path: Path) -> None:
    six = "# the intruders copied billing files from\n"
    name = "# notified the Lantern Street Regional Water Authority of the flaw\n"  # one name, 4 words around
    root = _repo(tmp_path, {"a.py": six, "b.md": name})
    assert leaks(root, _shared(tmp_path)) == []


def test_without_the_evaluation_data_the_check_passes_with_a_note(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
