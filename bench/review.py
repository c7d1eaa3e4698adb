"""Review page benchmark: time to first byte of the list page and an incident page with
100,000 synthetic incidents in SQLite, served by a real `incidents serve` process.

Targets (issue 15): list page under 300 ms, incident page under 200 ms (median of 15 requests
after a warm-up). The database is built once through the SQLite sink (out/bench-review.sqlite,
kept for the next run; delete it to rebuild) with child rows, evidence and article texts.
"""

from __future__ import annotations

import http.client
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from pipeline.review.database import save_articles
from pipeline.sinks import write_sqlite
from schemas.document import Article
from schemas.incident import (
    AffectedEntity,
    Evidence,
    IncidentDates,
    IncidentDetail,
    IncidentRecord,
    Source,
    ThreatActor,
)

N = 100_000
DB = Path("out/bench-review.sqlite")
TARGETS = {"list": 0.300, "incident": 0.200}
SYLLABLES = ["nor", "cal", "bri", "ash", "ver", "kes", "pay", "lark", "tal", "mere", "ston", "wick", "dale"]
TYPES = ["Data Breach", "Ransomware", "Phishing", "Vulnerability", "DDoS", "Malware"]
ACTORS = ["Gray Lantern", "Pewter Finch", "Crimson Ledger", "Rookwing", "Gorse Lantern"]


def _incident(i: int, rng: random.Random) -> tuple[IncidentRecord, Article]:
    victim = "".join(rng.choice(SYLLABLES) for _ in range(3)).title() + rng.choice([" Inc.", " Health", ""])
    actor = rng.choice(ACTORS)
    day = date(2019, 1, 1) + timedelta(days=rng.randrange(365 * 7))
    text = (
        f"{victim} said attackers reached its systems on {day:%B %d}. "
        f"The group {actor} claimed the attack on its leak site. "
        + "Investigators are still working out what was taken from the affected servers. "
        * 6
    )
    aid = f"bench-{i:06d}"
    spans = [("incident.affected_entities", victim, victim), ("threat_actors", actor, f"{actor} (claimed)")]
    evidence = [
        Evidence(
            field=field,
            value=value,
            article_id=aid,
            start=text.index(phrase),
            end=text.index(phrase) + len(phrase),
            sentence=text.split(". ")[n] + ".",
            extractor="bench",
        )
        for n, (field, phrase, value) in enumerate(spans)
    ]
    itype = rng.choice(TYPES)
    record = IncidentRecord(
        id=f"BEN{i:010d}",
        linkid="-".join(victim.lower().replace(".", "").split()),
        type=itype,
        date=f"{day.month}/{day.year}",
        severity=str(rng.randrange(101)),
        impact=str(rng.randrange(1, 6)),
        explanation="synthetic",
        incident=IncidentDetail(
            title=f"{victim} hit by {itype.lower()}",
            type=itype,
            description=text[:200],
            affected_entities=[AffectedEntity(name=victim, type="Company", industry="Retail")],
        ),
        threat_actors=[ThreatActor(name=actor, attribution="claimed")],
        records_affected=rng.choice([None, 1000, 50000]),
        dates=IncidentDates(occurred=day.isoformat()),
        sources=[Source(article_id=aid, url=f"https://news.example/{aid}", published=day.isoformat())],
        evidence=evidence,
    )
    return record, Article(id=aid, origin="bench", text=text, published=day)


def _build() -> None:
    rng = random.Random(15)
    start = time.perf_counter()
    DB.parent.mkdir(parents=True, exist_ok=True)
    for lo in range(0, N, 10_000):
        pairs = [_incident(i, rng) for i in range(lo, lo + 10_000)]
        write_sqlite([r for r, _ in pairs], DB)
        save_articles(str(DB), [a for _, a in pairs])
    print(f"built {N:,} incidents in {time.perf_counter() - start:.0f} s ({DB.stat().st_size / 1e6:.0f} MB)")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _first_byte(port: int, path: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read(1)
    elapsed = time.perf_counter() - start
    assert response.status == 200, (path, response.status)
    response.read()
    conn.close()
    return elapsed


def main() -> int:
    if not DB.exists():
        _build()
    port = _port()
    command = [sys.executable, "-m", "pipeline.cli", "serve", "--db", str(DB), "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _first_byte(port, "/static/review.css")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        pages = {
            "list": "/incidents",
            "list, by severity, page 40": "/incidents?sort=severity&order=desc&page=40",
            "list, filtered": "/incidents?type=Ransomware&actor=rookwing&date_from=2021-01-01",
            "list, text search": "/incidents?q=wickdale",
            "incident": "/incidents/BEN0000054321",
            "api list": "/api/incidents",
        }
        failed = False
        for name, path in pages.items():
            _first_byte(port, path)
            median = statistics.median(_first_byte(port, path) for _ in range(15))
            target = TARGETS.get(name)
            verdict = "" if target is None else ("  ok" if median < target else "  OVER TARGET")
            failed |= target is not None and median >= target
            limit = f" (target {target * 1000:.0f} ms)" if target else ""
            print(f"{name:28s} first byte {median * 1000:6.1f} ms{limit}{verdict}")
        return 1 if failed else 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
