"""Quality gate: the scorers of ../shared/tools on the seeds and CASIE dev, against the floors
in `baseline.json`, so a rule that helps one article and hurts many fails CI.

The scorers are run as programs, exactly as the README's figures are measured; the eval data
stays in ../shared (these tests skip when it is absent).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

BASELINE = json.loads((Path(__file__).with_name("baseline.json")).read_text("utf-8"))
WORKERS = str(min(4, os.cpu_count() or 1))  # the outputs are the same bytes for any number of workers


def _score(tool: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True, check=False)
    return done.stdout


@pytest.fixture(scope="module")
def casie_per_article(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("casie") / "casie.jsonl"
    source = str(shared / "eval" / "casie" / "dev.jsonl")
    assert main(["extract", source, "--per-article", "-o", str(out), "-j", WORKERS, "-q"]) == 0
    lines = _score(shared / "tools" / "score_casie.py", str(out), "--json").splitlines()
    return dict(json.loads(next(line for line in lines if line.startswith("{"))))


@pytest.mark.parametrize("field", sorted(BASELINE["casie_per_article"]))
def test_casie_dev_figure_stays_above_its_floor(casie_per_article: dict[str, object], field: str) -> None:
    value = casie_per_article[field]
    figure = value[2] if isinstance(value, list) else value  # (P, R, F1) or an accuracy
    assert isinstance(figure, float)
    assert figure >= BASELINE["casie_per_article"][field], f"{field}: {figure:.3f}"


def test_casie_dev_merging_stays_pure(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged.jsonl"
    assert (
        main(["extract", str(shared / "eval" / "casie" / "dev.jsonl"), "-o", str(out), "-j", WORKERS, "-q"])
        == 0
    )
    report = _score(shared / "tools" / "score_casie.py", str(out), "--clusters")
    purity = float(re.search(r"clusters: purity ([0-9.]+)", report).group(1))  # type: ignore[union-attr]
    assert purity >= BASELINE["casie_cluster_purity"], report


@pytest.mark.parametrize("per_article", [True, False])
def test_seed_incident_passes_every_check(shared: Path, tmp_path: Path, per_article: bool) -> None:
    out = tmp_path / "seeds.jsonl"
    flags = ["--per-article"] if per_article else []
    assert main(["extract", str(shared / "seeds" / "articles"), *flags, "-o", str(out), "-q"]) == 0
    report = _score(shared / "tools" / "score_seeds.py", str(out), *(["--union"] if per_article else []))
    summary = report.strip().splitlines()[-1]
    done, total = map(int, re.search(r"(\d+)/(\d+) checks", summary).groups())  # type: ignore[union-attr]
    assert done == total, report
