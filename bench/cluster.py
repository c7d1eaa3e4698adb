"""Clustering benchmark: 10,000 per-article records, time and memory at growing sizes.

Records are synthetic (3 articles per victim on average, dates spread over two years) so
the blocks are realistic; memory is traced with tracemalloc at 2,500, 5,000 and 10,000
records to show it grows linearly (blocking by normalised name, never all pairs).
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from datetime import date, timedelta

from pipeline.cluster import cluster_records
from schemas.incident import AffectedEntity, IncidentDetail, IncidentRecord, Source, ThreatActor

SYLLABLES = ["nor", "cal", "bri", "ash", "ver", "kes", "pay", "lark", "tal", "mere", "ston", "wick", "dale"]


def _records(n: int, seed: int = 7) -> list[IncidentRecord]:
    rng = random.Random(seed)
    suffixes = [" Inc.", " Health", " Bank", ""]
    victims = [
        "".join(rng.choice(SYLLABLES) for _ in range(3)).title() + rng.choice(suffixes) for _ in range(n // 3)
    ]
    out = []
    for i in range(n):
        victim = rng.choice(victims)
        published = date(2025, 1, 1) + timedelta(days=rng.randrange(730))
        out.append(
            IncidentRecord(
                id=f"BEN{i:010d}",
                linkid="-".join(victim.lower().replace(".", "").split()),
                type=rng.choice(["Breach", "Breach", "Ransomware", "Phishing"]),
                date=f"{published.month}/{published.year}",
                severity="50",
                impact="3",
                explanation="",
                incident=IncidentDetail(
                    title=f"story {i}",
                    affected_entities=[AffectedEntity(name=victim, type="Company")],
                ),
                threat_actors=[ThreatActor(name=rng.choice(["Gray Lantern", "Qilin", "Crimson Ledger"]))],
                records_affected=rng.choice([None, 1000, 50000]),
                sources=[Source(article_id=f"a{i}", published=published.isoformat())],
            )
        )
    return out


def main() -> int:
    for n in (2500, 5000, 10000):
        records = _records(n)
        tracemalloc.start()
        start = time.perf_counter()
        incidents = cluster_records(records)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"cluster {n:>6} records -> {len(incidents):>6} incidents in {seconds:6.2f} s, "
            f"peak {peak / 2**20:6.1f} MiB ({peak / n / 1024:.1f} KiB per record)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
