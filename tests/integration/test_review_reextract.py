"""Review actions survive re-extraction: reject one incident and correct another's victim on
the review server, run `incidents extract` again into the same `--db` (with one more article,
so everything is re-clustered), and both still hold in the page, the API and the exports.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from reviewdata import ReviewServer

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted((ROOT / "fixtures" / "text").glob("*.txt"))


def _jsonl(path: Path) -> dict[str, dict[str, object]]:
    return {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def _victim(record: dict[str, object]) -> str:
    return record["incident"]["affected_entities"][0]["name"]  # type: ignore[index]


def _reviews_survive(db: str, out: Path) -> None:
    first, again = out / "first.jsonl", out / "again.jsonl"
    assert main(["extract", *map(str, TEXTS[:4]), "--db", db, "-o", str(first), "-q"]) == 0
    records = _jsonl(first)
    assert len(records) >= 2
    rejected, corrected = sorted(records)[:2]
    old_victim = _victim(records[corrected])
    with ReviewServer.running(db) as server:
        api = server.url("/api/incidents/")
        assert httpx.post(api + rejected + "/review", json={"action": "reject"}).status_code == 200
        field = {"field": "incident.affected_entities.0.name", "value": "Vellacourt Clinics"}
        assert httpx.post(api + corrected + "/corrections", json=field).status_code == 200

    # one more article: the incidents are re-clustered from every stored article
    assert main(["extract", *map(str, TEXTS[:5]), "--db", db, "-o", str(again), "-q"]) == 0
    exported = _jsonl(again)
    assert rejected not in exported
    assert _victim(exported[corrected]) == "Vellacourt Clinics"
    assert exported[corrected]["review"]["state"] == "corrected"  # type: ignore[index]
    assert exported[corrected]["linkid"] == "vellacourt-clinics"
    assert len(exported) >= len(records)  # the new article's incident, none of the old lost but one

    everything = out / "all.jsonl"
    assert (
        main(["extract", *map(str, TEXTS[:5]), "--db", db, "-o", str(everything), "--include-rejected"]) == 0
    )
    assert _jsonl(everything)[rejected]["review"]["state"] == "rejected"  # type: ignore[index]

    with ReviewServer.running(db) as server:
        api = server.url("/api/incidents/")
        assert httpx.get(api + rejected).json()["incident"]["review"]["state"] == "rejected"
        detail = httpx.get(api + corrected).json()
        assert _victim(detail["incident"]) == "Vellacourt Clinics"
        assert (
            detail["actions"][0]["old"] == old_victim and detail["actions"][0]["reviewer"] == "test-reviewer"
        )
        states = {
            r["id"]: r["review_state"] for r in httpx.get(server.url("/api/incidents")).json()["incidents"]
        }
        assert states[rejected] == "rejected" and states[corrected] == "corrected"
        page = httpx.get(server.url(f"/incidents/{corrected}")).text
        history = page[page.index('<table class="history">') :]
        assert "Vellacourt Clinics" in page and json.dumps(old_victim) in history.split("</table>")[0]


def test_reviews_survive_reextraction_on_sqlite(tmp_path: Path) -> None:
    _reviews_survive(str(tmp_path / "incidents.sqlite"), tmp_path)


def test_reviews_survive_reextraction_on_postgres(pg_url: str, tmp_path: Path) -> None:
    _reviews_survive(pg_url, tmp_path)
