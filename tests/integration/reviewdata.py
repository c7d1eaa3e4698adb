"""Invented incidents for the review tests, written to a database as the pipeline writes them:
per-article records, their clustering, and the cleaned article texts (no spaCy needed).

Incidents (after clustering):
- Brindlewood Dental Group: two articles, actor "Quillfeather Collective" (one incident);
- Saltmarsh Ferries: one article, a ransomware attack by "Gorse Lantern";
- Harrowgate Cycles: one article; its title and text hold markup (`<script>`, `<img onerror>`)
  and its source URL is a `javascript:` link, for the escaping tests.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import httpx

from pipeline.cluster import cluster_records
from pipeline.normalize import incident_id, slugify
from pipeline.publish import open_batch
from pipeline.review.database import save_articles
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

__all__ = ["ARTICLES", "ReviewServer", "build", "evidence_sentence", "free_port"]

XSS_TITLE = "<script>document.title='pwned'</script>Harrowgate Cycles <b>loses</b> rider data"
ARTICLES = [
    Article(
        id="art-brind-1",
        origin="test",
        url="https://news.example/brindlewood-breach",
        title="Brindlewood Dental Group reports a patient data breach",
        publisher="Example Health Wire",
        published=date(2025, 3, 4),
        text=(
            "Brindlewood Dental Group said on Monday that attackers copied patient files from its "
            "scheduling system. The group known as Quillfeather Collective claimed the theft on its "
            "leak site and posted samples. About 41,000 patients were told their records were exposed."
        ),
    ),
    Article(
        id="art-brind-2",
        origin="test",
        url="https://other.example/brindlewood-follow-up",
        title="Quillfeather Collective leaks Brindlewood files",
        publisher="Other Example News",
        published=date(2025, 3, 6),
        text=(
            "Files stolen from Brindlewood Dental Group appeared online this week. Researchers tied "
            "the leak to Quillfeather Collective, a gang active since last year."
        ),
    ),
    Article(
        id="art-salt-1",
        origin="test",
        url="https://news.example/saltmarsh-ransomware",
        title="Saltmarsh Ferries hit by ransomware",
        publisher="Example Harbour Times",
        published=date(2025, 5, 20),
        text=(
            "Saltmarsh Ferries cancelled crossings after ransomware encrypted its booking servers. "
            "A group calling itself Gorse Lantern demanded payment in a note left on the servers."
        ),
    ),
    Article(
        id="art-harrow-1",
        origin="test",
        url="javascript:alert(document.cookie)",
        title=XSS_TITLE,
        publisher="<i>Injected</i> Press",
        published=date(2025, 6, 1),
        text=(
            "Harrowgate Cycles said intruders reached its rider database. "
            "The attackers left a note reading <script>document.title='pwned'</script> and "
            "<img src=x onerror=\"document.title='pwned'\"> on the company's homepage."
        ),
    ),
]

_SENTENCE = re.compile(r"[^.]*(?:\.|$)")


def evidence_sentence(text: str, start: int) -> tuple[int, str]:
    """The sentence of `text` holding offset `start`, and where it begins."""
    for match in _SENTENCE.finditer(text):
        if match.start() <= start < match.end():
            sentence = match.group()
            lead = len(sentence) - len(sentence.lstrip())
            return match.start() + lead, sentence.strip()
    raise ValueError(start)


def _evidence(article: Article, field: str, phrase: str, value: str) -> Evidence:
    start = article.text.index(phrase)
    _, sentence = evidence_sentence(article.text, start)
    return Evidence(
        field=field,
        value=value,
        article_id=article.id,
        start=start,
        end=start + len(phrase),
        sentence=sentence,
        extractor="test.v1",
    )


def _record(
    article: Article, victim: str, actor: str | None, itype: str, records: int | None = None
) -> IncidentRecord:
    evidence = [_evidence(article, "incident.affected_entities", victim, victim)]
    if actor:
        evidence.append(_evidence(article, "threat_actors", actor, f"{actor} (claimed)"))
    if records:
        evidence.append(_evidence(article, "records_affected", f"{records:,}", str(records)))
    return IncidentRecord(
        id=incident_id(victim, article.id),
        linkid=slugify(victim),
        type="Ransomware" if itype == "Ransomware" else "Breach",
        date=f"{article.published.month}/{article.published.year}" if article.published else "",
        severity="60",
        impact="3",
        explanation="test record",
        incident=IncidentDetail(
            title=article.title or "",
            type=itype,
            description=article.text.split(".")[0] + ".",
            affected_entities=[AffectedEntity(name=victim, type="Company", industry="Healthcare")],
        ),
        threat_actors=[ThreatActor(name=actor, attribution="claimed")] if actor else [],
        records_affected=records,
        dates=IncidentDates(disclosed=article.published.isoformat() if article.published else None),
        sources=[
            Source(
                article_id=article.id,
                url=article.url,
                title=article.title,
                publisher=article.publisher,
                published=article.published.isoformat() if article.published else None,
            )
        ],
        evidence=evidence,
        confidence=0.5,
    )


def per_article_records() -> list[IncidentRecord]:
    brind1, brind2, salt, harrow = ARTICLES
    return [
        _record(brind1, "Brindlewood Dental Group", "Quillfeather Collective", "Data Breach", 41000),
        _record(brind2, "Brindlewood Dental Group", "Quillfeather Collective", "Data Breach"),
        _record(salt, "Saltmarsh Ferries", "Gorse Lantern", "Ransomware"),
        _record(harrow, "Harrowgate Cycles", None, "Data Breach"),
    ]


def build(db: str) -> list[IncidentRecord]:
    """Write the incidents to `db` (a SQLite path or PostgreSQL URL) as `incidents extract`
    would; returns them."""
    records = per_article_records()
    save_articles(db, ARTICLES)
    with open_batch(db) as batch:
        batch.add(records, {})
        return batch.write(cluster_records(records), complete=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ReviewServer:
    """`incidents serve` in its own process on 127.0.0.1, stopped on exit."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    @classmethod
    @contextmanager
    def running(cls, db: str, *args: str) -> Iterator[ReviewServer]:
        port = free_port()
        command = [sys.executable, "-m", "pipeline.cli", "serve", "--db", db, "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--reviewer", "test-reviewer", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server = cls(process, port)
        try:
            server._wait()
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else ""
                raise RuntimeError(f"incidents serve exited {self.process.returncode}: {output}")
            try:
                httpx.get(self.url("/static/review.css"), timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("incidents serve did not start within 60 s")
