"""Every development set in one run, one table: `make eval`.

Runs `incidents extract` on the seeds, CASIE dev (per article and merged), ext dev and the
general-news pages of the cleaning benchmark, scores each with the scorers in ../shared/tools
(their figures are the ones that count), and prints the pipeline beside the trivial baseline
and the quality-gate floor of `tests/eval/baseline.json`. CASIE and ext are also scored on
their even and odd article ids, so a rule that only fits half of a set shows as a gap.

The figures are written to `out/eval/figures.json`; the quality gate reads the same figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "eval" / "baseline.json"
Figures = dict[str, dict[str, float]]


def shared_dir() -> Path:
    """The shared evaluation folder: `$SHARED`, or `../shared` beside the repository."""
    return Path(os.environ.get("SHARED", ROOT.parent / "shared")).resolve()


def _run(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or (not done.stdout and done.returncode):
        sys.exit(f"evaluate: {' '.join(args[:3])} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def _extract(inputs: list[Path], out: Path, *flags: str) -> Path:
    incidents = Path(sys.executable).with_name("incidents")
    workers = str(min(2, os.cpu_count() or 1))  # the same bytes for any number of workers
    _run([str(incidents), "extract", *map(str, inputs), "-o", str(out), "-q", "-j", workers, *flags])
    return out


def _tool(shared: Path, name: str, *args: str) -> str:
    return _run([sys.executable, str(shared / "tools" / name), *args])


def _split(gold: Path, out_dir: Path) -> dict[str, Path]:
    """The gold file cut into even and odd article ids (the number in `casie-12`, `prc-0123`)."""
    halves: dict[str, list[str]] = {"even": [], "odd": []}
    for line in gold.read_text("utf-8").splitlines():
        if line.strip():
            number = int(re.findall(r"\d+", json.loads(line)["id"])[-1])
            halves["odd" if number % 2 else "even"].append(line)
    paths = {}
    for half, lines in halves.items():
        paths[half] = out_dir / f"{gold.parent.name}-{half}.jsonl"
        paths[half].write_text("\n".join(lines) + "\n", "utf-8")
    return paths


def _seeds(shared: Path, out: Path) -> Figures:
    articles = shared / "seeds" / "articles"
    figures: Figures = {}
    for name, extract_flags, score_flags in (("union", ["--per-article"], ["--union"]), ("merged", [], [])):
        pred = _extract([articles], out / f"seeds-{name}.jsonl", *extract_flags)
        report = _tool(shared, "score_seeds.py", str(pred), *score_flags)
        done, total = map(int, re.findall(r"seeds: (\d+)/(\d+) checks", report)[-1])
        figures[name] = {"passed": done, "total": total}
    return figures


def _casie_scores(shared: Path, pred: Path, gold: Path) -> dict[str, float]:
    last = _tool(shared, "score_casie.py", str(pred), "--gold", str(gold), "--json").strip().splitlines()
    raw = json.loads(next(line for line in reversed(last) if line.startswith("{")))
    return {k: (v[2] if isinstance(v, list) else v) for k, v in raw.items()}


def _casie(shared: Path, out: Path) -> Figures:
    gold = shared / "eval" / "casie" / "dev.jsonl"
    pred = _extract([gold], out / "casie.jsonl", "--per-article")
    figures = {"all": _casie_scores(shared, pred, gold)}
    for half, path in _split(gold, out).items():
        figures[half] = _casie_scores(shared, pred, path)
    return figures


def _clusters(shared: Path, out: Path) -> Figures:
    gold = shared / "eval" / "casie" / "dev.jsonl"
    keys = shared / "eval" / "casie" / "incident_keys_dev.tsv"
    merged = _extract([gold], out / "casie-merged.jsonl")
    figures = {}
    for half, ids in (("all", None), *_id_lists(gold, out)):
        subset = ["--ids", str(ids)] if ids else []
        report = _tool(shared, "score_clusters.py", str(merged), str(keys), *subset)
        p, r, f = map(float, re.findall(r"clusters: pair P ([0-9.]+) R ([0-9.]+) F1 ([0-9.]+)", report)[-1])
        figures[half] = {"pair_precision": p, "pair_recall": r, "pair_f1": f}
    return figures


def _id_lists(gold: Path, out: Path) -> list[tuple[str, Path]]:
    lists = []
    for half, path in _split(gold, out).items():
        ids = [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines() if line.strip()]
        target = out / f"casie-ids-{half}.txt"
        target.write_text("\n".join(ids) + "\n", "utf-8")
        lists.append((half, target))
    return lists


_EXT_FIELDS = {
    "detection": "detection",
    "victims": "victim_f1",
    "actors": "actor_f1",
    "records": "records_acc",
    "type": "type_acc",
    "year": "year_acc",
    "month": "month_acc",
}


def _ext_scores(shared: Path, gold: Path, pred: Path, out: Path) -> dict[str, float]:
    target = out / f"{pred.stem}-{gold.stem}-figures.json"
    _tool(shared, "score_ext.py", "--gold", str(gold), "--pred", str(pred), "--json", str(target))
    overall = json.loads(target.read_text("utf-8"))["overall"]
    return {name: float(overall[key]) for name, key in _EXT_FIELDS.items()}


def _ext(shared: Path, out: Path) -> Figures:
    gold = shared / "eval" / "ext" / "dev.jsonl"
    pred = _extract([gold], out / "ext.jsonl", "--per-article")
    baseline = out / "ext-baseline.jsonl"
    _tool(shared, "ext_baseline.py", "--in", str(gold), "--out", str(baseline))
    figures = {
        "all": _ext_scores(shared, gold, pred, out),
        "baseline": _ext_scores(shared, gold, baseline, out),
    }
    for half, path in _split(gold, out).items():
        figures[half] = _ext_scores(shared, path, pred, out)
    return figures


def _news(shared: Path, out: Path) -> Figures:
    pages = sorted((shared / "eval" / "article-extraction" / "html").glob("*.html.gz"))
    pred = _extract(pages, out / "news.jsonl", "--per-article")
    records = [line for line in pred.read_text("utf-8").splitlines() if line.strip()]
    return {"all": {"pages": len(pages), "records": len(records)}}


SETS: dict[str, Callable[[Path, Path], Figures]] = {
    "seeds": _seeds,
    "casie": _casie,
    "casie_clusters": _clusters,
    "ext": _ext,
    "news": _news,
}


def evaluate(out: Path, only: list[str] | None = None) -> dict[str, Figures]:
    """Run the sets (all, or `only`) and return their figures by set and part."""
    shared = shared_dir()
    out.mkdir(parents=True, exist_ok=True)
    return {name: run(shared, out) for name, run in SETS.items() if not only or name in only}


def _row(label: str, field: str, part: Figures, floor: object) -> str:
    def cell(key: str) -> str:
        value = part.get(key, {}).get(field)
        return "" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)

    cells = [
        label,
        field,
        *map(cell, ("all", "even", "odd", "baseline")),
        "" if floor is None else f"{floor}",
    ]
    return "| " + " | ".join(cells) + " |"


def table(figures: dict[str, Figures]) -> str:
    """One markdown table: pipeline, even/odd halves, trivial baseline, quality-gate floor."""
    floors = json.loads(BASELINE.read_text("utf-8"))
    lines = [
        "| set | field | pipeline | even ids | odd ids | trivial baseline | floor |",
        "|---|---|---|---|---|---|---|",
    ]
    if "seeds" in figures:
        for name, fig in figures["seeds"].items():
            lines.append(f"| seeds {name} | checks | {fig['passed']}/{fig['total']} | | | | all |")
    labels = {"casie": "CASIE dev per article", "casie_clusters": "CASIE dev merged", "ext": "ext dev"}
    for key, label in labels.items():
        if key in figures:
            for field in figures[key]["all"]:
                lines.append(_row(label, field, figures[key], floors.get(key, {}).get(field)))
    if "news" in figures:
        news = figures["news"]["all"]
        cap = floors.get("news", {}).get("max_records")
        lines.append(
            f"| general news | pages with a record | {news['records']}/{news['pages']} | | | | ≤ {cap} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "eval", help="outputs and figures.json")
    parser.add_argument("--only", nargs="*", choices=sorted(SETS), help="run only these sets")
    args = parser.parse_args(argv)
    if not (shared_dir() / "tools").is_dir():
        sys.exit(f"evaluate: no evaluation data at {shared_dir()} (set SHARED to its folder)")
    figures = evaluate(args.out, args.only)
    (args.out / "figures.json").write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", "utf-8")
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
