"""Fail when seven or more consecutive words of the evaluation or seed texts appear in the repository.

The rule (README, *Evaluation data*): no sentence, name pair or distinctive phrase of the
evaluation sets (CASIE and ext dev texts and titles, the general-news pages of
`eval/article-extraction`) or of the seed articles may be copied into code, comments, tests,
data files, fixtures or docs; test sentences are our own, with invented names. Eight words in
a row is the part of that rule a program can enforce without false alarms: shorter shared runs
are mostly stock phrases that any news text uses ("said in a statement on Monday"), which review
has to judge. Words are compared in lower case, punctuation and line breaks ignored; an
identifier (`type_of_data_compromised`) is one word, and so is a name of the gazetteers
(`companies.jsonl`, `threat_actors.jsonl`, built from public lists), which the rule allows. Of
the general-news pages the article text is compared (`ground-truth.json`), not the site chrome
around it (cookie banners, comment prompts), which thousands of sites share.

Runs in `make lint` (a few seconds); where `../shared` (or `$SHARED`) is absent it prints one
line and passes, so a clone without the evaluation data still lints.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = 7
WORD = re.compile(r"[a-z0-9_]+(?:'[a-z]+)*")
GAZETTEERS = ("companies", "threat_actors")
SKIPPED_SUFFIXES = (".lock",)  # hashes and version pins, no prose


@dataclass(frozen=True)
class Leak:
    """A run of at least `RUN` words that a repository file shares with an evaluation text."""

    path: str
    line: int
    words: int
    source: str
    text: str


def shared_dir() -> Path:
    """The shared evaluation folder: `$SHARED`, or `../shared` beside the repository."""
    return Path(os.environ.get("SHARED", ROOT.parent / "shared")).resolve()


def words(text: str) -> list[re.Match[str]]:
    """The lower-cased words of `text` with their positions."""
    return list(WORD.finditer(text.lower().replace("\u2019", "'")))


def public_names(root: Path) -> dict[str, list[tuple[str, ...]]]:
    """Multi-word gazetteer names as word tuples, by first word, longest first."""
    names: dict[str, list[tuple[str, ...]]] = {}
    for name in GAZETTEERS:
        for line in (root / "extractors" / "data" / f"{name}.jsonl").read_text("utf-8").splitlines():
            if line.startswith("{"):
                tokens = tuple(m.group() for m in words(json.loads(line)["pattern"]))
                if len(tokens) > 1:
                    names.setdefault(tokens[0], []).append(tokens)
    return {first: sorted(set(group), key=len, reverse=True) for first, group in names.items()}


def tokens_of(text: str, names: dict[str, list[tuple[str, ...]]]) -> list[tuple[str, int, int]]:
    """(word, start, end) of `text`, a gazetteer name joined into one word."""
    found = words(text)
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(found):
        word = found[i].group()
        for name in names.get(word, ()):
            if tuple(m.group() for m in found[i : i + len(name)]) == name:
                out.append(("_".join(name), found[i].start(), found[i + len(name) - 1].end()))
                i += len(name)
                break
        else:
            out.append((word, found[i].start(), found[i].end()))
            i += 1
    return out


def eval_texts(shared: Path) -> Iterator[tuple[str, str]]:
    """(source id, text) of every evaluation and seed text under `shared`."""
    for name in ("casie", "ext"):
        path = shared / "eval" / name / "dev.jsonl"
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    yield f"{name}:{item['id']}", f"{item.get('title') or ''}\n{item.get('text') or ''}"
    truth = shared / "eval" / "article-extraction" / "ground-truth.json"
    if truth.exists():
        for key, item in json.loads(truth.read_text("utf-8")).items():
            yield f"article-extraction:{key[:12]}", item.get("articleBody") or ""
    for path in sorted((shared / "seeds" / "articles").glob("*")):
        yield f"seeds:{path.name}", path.read_text("utf-8", errors="replace")


def index(
    texts: Iterator[tuple[str, str]], names: dict[str, list[tuple[str, ...]]]
) -> dict[tuple[str, ...], str]:
    """Every run of `RUN` words of the texts -> the first text it occurs in."""
    runs: dict[tuple[str, ...], str] = {}
    for source, text in texts:
        tokens = [t[0] for t in tokens_of(text, names)]
        for i in range(len(tokens) - RUN + 1):
            runs.setdefault(tuple(tokens[i : i + RUN]), source)
    return runs


def repo_files(root: Path) -> list[Path]:
    """The repository's tracked files (every file outside `.git` and `.venv` when git is unusable)."""
    done = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=False)
    if done.returncode == 0:
        names = [root / n for n in done.stdout.decode().split("\0") if n]
    else:
        names = [p for p in root.rglob("*") if not {".git", ".venv"} & set(p.relative_to(root).parts)]
    return sorted(p for p in names if p.is_file() and not p.name.endswith(SKIPPED_SUFFIXES))


def file_leaks(
    path: Path, text: str, runs: dict[tuple[str, ...], str], names: dict[str, list[tuple[str, ...]]]
) -> Iterator[Leak]:
    """The maximal shared runs of one file's text."""
    found = tokens_of(text, names)
    tokens = [t[0] for t in found]
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    i = 0
    while i <= len(tokens) - RUN:
        source = runs.get(tuple(tokens[i : i + RUN]))
        if source is None:
            i += 1
            continue
        j = i + 1
        while j <= len(tokens) - RUN and tuple(tokens[j : j + RUN]) in runs:
            j += 1
        start, end = found[i][1], found[j + RUN - 2][2]
        line = bisect.bisect_left(breaks, start) + 1
        yield Leak(str(path), line, j - i + RUN - 1, source, " ".join(text[start:end].split()))
        i = j + RUN - 1


def leaks(root: Path, shared: Path) -> list[Leak]:
    """Every run of `RUN` or more words a repository file shares with the texts under `shared`."""
    names = public_names(root)
    runs = index(eval_texts(shared), names)
    out: list[Leak] = []
    for path in repo_files(root):
        try:
            text = path.read_text("utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary: no prose
        out.extend(file_leaks(path.relative_to(root), text, runs, names))
    return out


def main(argv: list[str] | None = None) -> int:
    shared = Path(argv[0]) if argv else shared_dir()
    if not (shared / "eval").is_dir():
        print(f"check_eval_leak: skipped, no evaluation data at {shared}")
        return 0
    found = leaks(ROOT, shared)
    for leak in found:
        print(f"{leak.path}:{leak.line}: {leak.words} words of {leak.source}: {leak.text[:160]!r}")
    if found:
        print(
            f"check_eval_leak: {len(found)} runs of {RUN}+ words copied from {shared} (see the README rule)"
        )
        return 1
    print(f"check_eval_leak: no run of {RUN}+ words of the evaluation or seed texts in the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
