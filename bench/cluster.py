"""Clustering benchmark: time and memory at 10,000, 30,000 and 100,000 per-article records.

Records are synthetic but shaped like real ones: a headline, a three-sentence lead and ten
evidence sentences, an invented victim (sometimes also a malware family, a CVE, a count),
one to five reports per incident over a few days, about 60 reports a day, and the vocabulary
of security news around the names. Each size runs in its own process, on one core; time is the
process's CPU time (the wall time, also shown, depends on what else the machine runs), memory
the growth of the process's peak resident set while clustering, so it includes everything
clustering holds (profiles, key index, vectors, merged records).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

SIZES = (10_000, 30_000, 100_000)
SYLLABLES = "nor cal bri ash ver kes pay lark tal mere ston wick dale fen".split()  # noqa: SIM905
KINDS = "Health Bank Logistics County University Foods Energy Telecom".split()  # noqa: SIM905
WORDS = (  # noqa: SIM905
    "attackers data breach systems customers servers exposed stolen records company said "
    "investigation security researchers passwords email accounts network access police "
    "statement week files encrypted ransom payment notified regulators affected hackers "
    "incident response outage services restored officials confirmed vulnerability patch"
).split()
REPORTERS = ["Reuters", "Sophos", "Naked Security", "the FBI"]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).title()


def _sentence(rng: random.Random, *names: str) -> str:
    words = rng.sample(WORDS, 9)
    for name in names:
        words.insert(rng.randrange(1, len(words)), name)
    return "The " + " ".join(words) + "."


def _records(n: int, seed: int = 7) -> list[dict[str, object]]:
    """`n` per-article records as JSON objects (validated as `IncidentRecord` by the worker)."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    start = date(2024, 1, 1)
    days = max(1, n // 60)
    while len(out) < n:
        victim = f"{_name(rng)} {rng.choice(KINDS)}"
        family = f"{_name(rng)}Locker" if rng.random() < 0.3 else None
        cve = f"CVE-2025-{rng.randrange(10000, 99999)}" if rng.random() < 0.2 else None
        count = rng.choice([None, None, rng.randrange(1000, 5_000_000)])
        rtype = "Vulnerability" if cve else rng.choice(["Breach", "Ransomware", "Phishing"])
        first = start + timedelta(days=rng.randrange(days))
        for k in range(rng.choice((1, 1, 2, 3, 5))):
            i = len(out)
            art = f"a{i}"
            subject = family or victim
            title = f"{rng.choice(REPORTERS)} says {subject} {rng.choice(WORDS)} {rng.choice(WORDS)} {i % 97}"
            lead = " ".join(_sentence(rng, victim, *(x for x in (family, cve) if x)) for _ in range(3))
            body = [_sentence(rng, rng.choice(REPORTERS), victim if j % 3 == 0 else "") for j in range(10)]
            out.append(
                {
                    "id": f"BEN{i:010d}",
                    "linkid": victim.lower().replace(" ", "-"),
                    "type": rtype,
                    "date": "",
                    "severity": "50",
                    "impact": "3",
                    "explanation": "",
                    "incident": {
                        "title": title,
                        "description": lead,
                        "affected_entities": [{"name": victim, "type": "Company"}],
                    },
                    "records_affected": count,
                    "sources": [
                        {
                            "article_id": art,
                            "title": title,
                            "published": (first + timedelta(days=k)).isoformat(),
                            "url": f"https://news{i % 40}.example/{art}",
                        }
                    ],
                    "evidence": [
                        {
                            "field": "incident.impact.operational_impact",
                            "value": s[:20],
                            "article_id": art,
                            "start": 400 + 200 * j,
                            "end": 420 + 200 * j,
                            "sentence": s,
                        }
                        for j, s in enumerate(body)
                    ],
                }
            )
            if len(out) == n:
                break
    return out


def _rss(field: str) -> int:
    """A field of /proc/self/status in KiB (VmRSS now, VmHWM the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _worker(n: int) -> None:
    """Cluster `n` records; print one JSON line of what was measured."""
    import gc

    from pipeline.cluster import cluster_records
    from pipeline.identity import profile
    from schemas.incident import IncidentRecord

    records = [IncidentRecord.model_validate(r) for r in _records(n)]
    profile(records[0])  # load the vocabularies and gazetteers before measuring
    gc.collect()
    before = _rss("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    incidents = cluster_records(records)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    grown = max(0, _rss("VmHWM") - before)
    print(
        json.dumps({"records": n, "incidents": len(incidents), "seconds": seconds, "cpu": cpu, "kib": grown})
    )


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        _worker(int(sys.argv[2]))
        return 0
    for n in SIZES:
        done = subprocess.run(
            [sys.executable, __file__, "--worker", str(n)], capture_output=True, text=True, check=True
        )
        m = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"cluster {m['records']:>7,} records -> {m['incidents']:>7,} incidents: {m['cpu']:6.1f} s CPU "
            f"({m['seconds']:6.1f} s wall), memory +{m['kib'] / 1024:6.1f} MiB "
            f"({m['kib'] / m['records']:.1f} KiB per record)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
