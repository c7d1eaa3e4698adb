"""The issue's acceptance in a real headless Chromium: the fixtures and the seed articles
extracted into one SQLite file, `incidents serve` lists every incident, and on the seed
incident's page a click on its actor marks the actor's name in the sentence that names it.
The seed articles stay in ../shared; nothing of them is written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reviewdata import ReviewServer
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_review_browser import artefacts, browser  # noqa: F401 (fixtures)

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.shared
def test_seed_incident_actor_click_marks_the_sentence_naming_it(
    shared: Path,
    tmp_path: Path,
    browser: WebDriver,  # noqa: F811
    artefacts: Path,  # noqa: F811
) -> None:
    db, first, out = tmp_path / "incidents.sqlite", tmp_path / "seeds.jsonl", tmp_path / "all.jsonl"
    assert main(["extract", str(shared / "seeds" / "articles"), "--db", str(db), "-o", str(first), "-q"]) == 0
    seed = max(
        map(json.loads, first.read_text(encoding="utf-8").splitlines()), key=lambda r: len(r["sources"])
    )
    assert len(seed["sources"]) >= 3 and seed["threat_actors"], (
        "the seed articles make one incident with an actor"
    )
    assert main(["extract", str(ROOT / "fixtures"), "--db", str(db), "-o", str(out), "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert seed["id"] in {r["id"] for r in records}
    with ReviewServer.running(str(db)) as server:
        browser.get(server.url("/incidents?per_page=200"))
        listed = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.incident-link")}
        assert listed == {r["id"] for r in records}
        browser.get(server.url(f"/incidents/{seed['id']}"))
        actor = browser.find_element(By.CSS_SELECTOR, 'a.evlink[data-field="threat_actors.0.name"]')
        actor.click()
        marked = browser.find_elements(By.CSS_SELECTOR, "mark.active")
        names = {
            n.casefold() for n in [seed["threat_actors"][0]["name"], *seed["threat_actors"][0]["aliases"]]
        }
        assert marked and marked[0].text.casefold() in names
        sentence = "".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".in-sentence"))
        assert marked[0].text in sentence and len(sentence) > len(marked[0].text)
        browser.save_screenshot(str(artefacts / "5-seed-actor.png"))
