"""Shared test fixtures: the spaCy pipeline (loaded once), paths to the shared data, and a
PostgreSQL server (`pg_server`) with a new database per test (`pg_url`)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import load_nlp
from schemas.document import Article

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp()


@pytest.fixture(scope="session")
def parse(nlp: Language) -> Callable[..., tuple[Doc, Article]]:
    """`parse(text, published=date(...), title=...)` -> (Doc, Article) for extractor tests."""

    def _parse(text: str, published: date | None = None, title: str | None = None) -> tuple[Doc, Article]:
        article = Article(id="test", origin="test", text=text, published=published, title=title)
        return nlp(text), article

    return _parse


@pytest.fixture(scope="session")
def shared() -> Path:
    """`../shared` (seeds, eval data, scorers); tests that need it skip when it is absent."""
    if not (SHARED / "seeds" / "gold.json").is_file():
        pytest.skip(f"{SHARED} is absent (seed articles and eval data live outside the repo)")
    return SHARED


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A `postgresql://` URL to a server whose user may create databases."""
    if os.environ.get("PG_TEST_URL"):
        yield os.environ["PG_TEST_URL"]
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("no PG_TEST_URL and no PostgreSQL binaries (initdb, pg_ctl) to start a server")
    as_user: list[str] = []
    home = Path(tempfile.mkdtemp(prefix="pgtest-"))
    if os.geteuid() == 0:  # initdb refuses to run as root
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot start a PostgreSQL server")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(home, "postgres")
    data, port = home / "data", _free_port()
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-k {home} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    name = f"incidents_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield urlunsplit(urlsplit(pg_server)._replace(path=f"/{name}"))
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
