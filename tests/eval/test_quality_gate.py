"""Quality gate: every development set of `make eval` against its floor in `baseline.json`, so a
rule that lifts one set and lowers another fails CI.

The figures come from scripts/evaluate.py, which runs `incidents extract` and the scorers of
../shared/tools as programs, exactly as `make eval` and the README's figures are measured; the
eval data stays in ../shared (these tests skip when it is absent).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.evaluate import BASELINE, Figures, evaluate

FLOORS = json.loads(BASELINE.read_text("utf-8"))
GRADED = [(name, field) for name in ("casie", "casie_clusters", "ext") for field in sorted(FLOORS[name])]


@pytest.fixture(scope="module")
def figures(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Figures]:
    return evaluate(tmp_path_factory.mktemp("eval"))


@pytest.mark.parametrize(("name", "field"), GRADED)
def test_figure_stays_above_its_floor(figures: dict[str, Figures], name: str, field: str) -> None:
    figure = figures[name]["all"][field]
    assert figure >= FLOORS[name][field], f"{name} {field}: {figure:.3f} < {FLOORS[name][field]}"


def test_general_news_gets_few_records(figures: dict[str, Figures]) -> None:
    news = figures["news"]["all"]
    assert news["records"] <= FLOORS["news"]["max_records"], f"{news['records']} of {news['pages']} pages"


@pytest.mark.parametrize("mode", ["union", "merged"])
def test_seed_incident_passes_every_check(figures: dict[str, Figures], mode: str) -> None:
    seeds = figures["seeds"][mode]
    assert seeds["passed"] == seeds["total"], f"seeds {mode}: {seeds['passed']}/{seeds['total']}"
