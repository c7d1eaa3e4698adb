"""Clustering: reports of one incident become one record, with why each joined; others stay apart.

Every name and sentence here is invented.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from pipeline.cluster import FOLLOW_UP_DAYS, WINDOW_DAYS, cluster_records
from pipeline.identity import profile
from pipeline.sinks import record_json
from schemas.incident import (
    AffectedEntity,
    CompromisedSoftware,
    Evidence,
    IncidentDetail,
    IncidentRecord,
    Source,
)

ROOT = Path(__file__).resolve().parents[2]


def _rec(
    article: str,
    title: str | None,
    lead: str,
    published: str | None = "2026-03-02",
    rtype: str = "Breach",
    victims: tuple[str, ...] = (),
    count: int | None = None,
    body: tuple[str, ...] = (),
    cves: tuple[str, ...] = (),
    url: str | None = None,
) -> IncidentRecord:
    evidence = [
        Evidence(
            field="incident.impact.operational_impact",
            value=s[:20],
            article_id=article,
            start=500 + 200 * n,
            end=520 + 200 * n,
            sentence=s,
        )
        for n, s in enumerate(body)
    ]
    slug = "-".join((victims[0] if victims else "unknown").lower().replace(".", "").split())
    return IncidentRecord(
        id=f"ID-{article}",
        linkid=slug,
        type=rtype,
        date="",
        severity="40",
        impact="3",
        explanation="",
        incident=IncidentDetail(
            title=title or "",
            description=lead,
            type="Data Breach" if rtype == "Breach" else rtype,
            affected_entities=[AffectedEntity(name=v, type="Company") for v in victims],
        ),
        compromised_software=[CompromisedSoftware(name="gateway", cves=list(cves))] if cves else [],
        records_affected=count,
        sources=[Source(article_id=article, title=title, published=published, url=url)],
        evidence=evidence,
    )


def _groups(records: list[IncidentRecord]) -> list[list[str]]:
    return sorted(sorted(s.article_id for s in r.sources) for r in cluster_records(records))


QUILL = [
    _rec(
        "q1",
        "Quillfeather Logistics confirms breach of courier records",
        "Quillfeather Logistics said on Monday that an intruder copied 48,000 courier records "
        "from its dispatch servers.",
        "2026-03-02",
        victims=("Quillfeather Logistics Inc.",),
        count=48000,
    ),
    _rec(
        "q2",
        "Courier firm Quillfeather says 48,000 records were taken",
        "The courier firm Quillfeather told customers that 48,000 records were copied from its "
        "dispatch servers last week.",
        "2026-03-04",
        victims=("Quillfeather",),
        count=48000,
    ),
    _rec(
        "q3",
        "Quillfeather breach: what drivers should do now",
        "Drivers whose details sat on the Quillfeather dispatch servers should change their "
        "passwords, the company said, adding that 50,000 records may be involved.",
        "2026-03-05",
        victims=("Quillfeather Logistics",),
        count=50000,
    ),
]


def test_reports_of_one_breach_merge_with_reasons_whatever_the_order() -> None:
    outputs = {
        tuple(record_json(r) for r in cluster_records(list(order))) for order in itertools.permutations(QUILL)
    }
    assert len(outputs) == 1
    (merged,) = cluster_records(QUILL)
    assert [s.article_id for s in merged.sources] == ["q1", "q2", "q3"]
    assert merged.id == "ID-q1"  # anchored on the earliest report
    assert set(merged.absorbed_ids) == {"ID-q2", "ID-q3"}
    assert "48,000" in merged.disagreements[0] and "50,000" in merged.disagreements[0]
    assert [j.article_id for j in merged.joins] == ["q2", "q3"]
    reached = {"q1"}
    for join in merged.joins:  # each reason leads back to the anchor
        assert join.joined in reached
        reached.add(join.article_id)
    for join in merged.joins:
        assert join.score >= join.needed > 0
        parts = [float(part.rsplit("(", 1)[1].rstrip(")")) for part in join.shared]
        assert abs(sum(parts) - join.score) < 0.02, join.shared
    assert any(part.startswith("count:48000") for part in merged.joins[0].shared)


def test_the_same_records_in_another_process_give_the_same_bytes() -> None:
    """Set and dict order differ between processes (hash seeds); the output must not."""
    lines = "\n".join(r.model_dump_json() for r in QUILL + OUTBREAK + TWO_VICTIMS)
    script = (
        "import sys\n"
        "from pipeline.cluster import cluster_records\n"
        "from pipeline.sinks import record_json\n"
        "from schemas.incident import IncidentRecord\n"
        "records = [IncidentRecord.model_validate_json(l) for l in sys.stdin.read().splitlines()]\n"
        "print('\\n'.join(record_json(r) for r in cluster_records(records)))\n"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script], input=lines, capture_output=True, text=True, env=env, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


OUTBREAK = [
    _rec(
        "m1",
        "Hospitals across Europe hit by Moxwell ransomware",
        "Hospitals and factories across Europe lost their computers on Friday to the Moxwell ransomware.",
        "2026-05-12",
        rtype="Ransomware",
    ),
    _rec(
        "m2",
        "What we know about the Moxwell outbreak so far",
        "Researchers said the Moxwell ransomware has now reached thousands of machines in forty countries.",
        "2026-05-13",
        rtype="Ransomware",
    ),
    _rec(
        "m3",
        "Authors of the Moxwell ransomware cash out their bitcoin",
        "The criminals behind the Moxwell ransomware outbreak in May moved the ransom they collected.",
        "2026-08-20",
        rtype="Ransomware",
    ),
    _rec(
        "m4",
        "New build of the Moxwell ransomware appears on forums",
        "Researchers found a new build of the Moxwell ransomware on criminal forums.",
        "2026-11-02",
        rtype="Ransomware",
    ),
]


def test_an_outbreak_known_by_its_malware_merges_and_a_follow_up_joins_months_later() -> None:
    groups = _groups(OUTBREAK)
    assert ["m1", "m2", "m3"] in groups  # m3's headline follows up ("cash out") on the outbreak
    assert ["m4"] in groups  # months later and no follow-up: another incident
    (merged,) = [r for r in cluster_records(OUTBREAK) if len(r.sources) == 3]
    assert any(part.startswith("malware:moxwell") for join in merged.joins for part in join.shared)
    assert FOLLOW_UP_DAYS > 100 > WINDOW_DAYS


TWO_VICTIMS = [
    _rec(
        "v1",
        "Brambleton Water Authority hit by Moxwell ransomware",
        "Brambleton Water Authority said the Moxwell ransomware encrypted its billing servers on Sunday.",
        "2026-06-01",
        rtype="Ransomware",
        victims=("Brambleton Water Authority",),
    ),
    _rec(
        "v2",
        "Moxwell ransomware shuts down Carrow County courts",
        "Carrow County closed its courts after the Moxwell ransomware encrypted their case files.",
        "2026-06-02",
        rtype="Ransomware",
        victims=("Carrow County",),
    ),
    _rec(
        "v3",
        "Two men charged over Brambleton Water Authority ransomware attack",
        "Prosecutors charged two men with deploying ransomware against Brambleton Water Authority in June.",
        "2026-12-10",
        rtype="Ransomware",
        victims=("Brambleton Water Authority",),
    ),
]


def test_two_victims_of_one_ransomware_stay_apart_and_a_charge_joins_its_attack() -> None:
    assert _groups(TWO_VICTIMS) == [["v1", "v3"], ["v2"]]


def test_one_company_breached_twice_months_apart_is_two_incidents() -> None:
    later = _rec(
        "q9",
        "Quillfeather Logistics discloses a new breach of its payroll system",
        "Quillfeather Logistics said an intruder reached its payroll system in October.",
        "2026-10-20",
        victims=("Quillfeather Logistics",),
    )
    assert _groups([*QUILL, later]) == [["q1", "q2", "q3"], ["q9"]]


FLAW = _rec(
    "f1",
    "Lumenvault patches CVE-2031-40112 in its file gateway",
    "Lumenvault fixed CVE-2031-40112, a flaw that lets anyone read files on its gateway.",
    "2026-02-03",
    rtype="Vulnerability",
    cves=("CVE-2031-40112",),
)


def test_a_series_of_reports_on_one_cve_is_one_incident_but_not_the_next_flaw() -> None:
    probe = _rec(
        "f2",
        "Attackers probe unpatched Lumenvault gateways for CVE-2031-40112",
        "Scans for CVE-2031-40112 on Lumenvault gateways rose this week, researchers said.",
        "2026-02-14",
        rtype="Vulnerability",
        cves=("CVE-2031-40112",),
    )
    next_flaw = _rec(
        "f3",
        "Lumenvault fixes a second gateway flaw",
        "Lumenvault fixed CVE-2031-40277 in the same gateway three weeks later.",
        "2026-03-01",
        rtype="Vulnerability",
        cves=("CVE-2031-40277",),
    )
    assert _groups([FLAW, probe, next_flaw]) == [["f1", "f2"], ["f3"]]


def test_a_flaw_and_a_later_campaign_exploiting_it_stay_apart() -> None:
    campaign = _rec(
        "f4",
        "Ransomware gang exploits Lumenvault gateway flaw against Carrow County",
        "The gang broke into Carrow County through CVE-2031-40112 in its Lumenvault gateway.",
        "2026-02-24",
        rtype="Ransomware",
        victims=("Carrow County",),
        cves=("CVE-2031-40112",),
    )
    assert _groups([FLAW, campaign]) == [["f1"], ["f4"]]


def test_reports_without_dates_join_on_their_subject() -> None:
    undated = [
        _rec(
            f"u{n}",
            title,
            "Orchard Lane Bank said customer statements were exposed after a storage bucket was left open.",
            None,
            victims=("Orchard Lane Bank",),
        )
        for n, title in enumerate(
            ["Orchard Lane Bank exposes customer statements", "Orchard Lane Bank leak: statements left open"]
        )
    ]
    assert _groups(undated) == [["u0", "u1"]]


def test_an_acronym_meets_the_one_full_name_with_its_initials() -> None:
    full = _rec(
        "c1",
        "Ransomware hits Oregon Department of Transportation",
        "The Oregon Department of Transportation shut down 900 computers after a ransomware attack.",
        "2026-02-22",
        rtype="Ransomware",
        victims=("Oregon Department of Transportation",),
    )
    short = _rec(
        "c2",
        "ODOT still restoring computers after ransomware attack",
        "ODOT said most of its 900 computers are back after the ransomware attack last week.",
        "2026-02-27",
        rtype="Ransomware",
        victims=("ODOT",),
    )
    assert _groups([full, short]) == [["c1", "c2"]]
    assert "party:oregon department of transportation" not in profile(short).keys  # the batch expands it


def test_reporters_and_calendar_words_are_no_identity() -> None:
    record = _rec(
        "r1",
        "Reuters: Sophos sees new scam on Monday",
        "Sophos told Reuters on Monday that a scam aimed at Tessaly Foods staff is spreading.",
        url="https://www.example-news.org/story",
    )
    keys = profile(record).keys
    assert "name:tessaly foods" in keys
    assert not {"name:reuters", "name:sophos", "name:monday", "name:example-news"} & set(keys)


def test_shuffled_batches_give_the_same_bytes() -> None:
    records = [*QUILL, *OUTBREAK, *TWO_VICTIMS, FLAW]
    expected = [record_json(r) for r in cluster_records(records)]
    rng = random.Random(5)
    for _ in range(5):
        rng.shuffle(records)
        assert [record_json(r) for r in cluster_records(records)] == expected
    assert all(json.loads(line)["schema_version"] for line in expected)
