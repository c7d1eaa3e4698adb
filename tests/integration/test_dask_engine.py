"""`--engine dask` gives the bytes `--engine local` gives (issue 16): on a LocalCluster it starts,
on a scheduler and two workers started here as real processes on 127.0.0.1, and with one of
those workers killed by SIGKILL while it holds tasks.

Each Dask run pays for its workers loading spaCy, so the local references are made once per
module and the inputs are small: the fixtures, and invented JSONL batches cut into many tasks
(`--task-lines`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client
from httpserver import LoopbackServer
from invented import row
from test_follow import options, rss, serve_articles, serve_feed

from pipeline.cli import main
from pipeline.follow import follow

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
DASK = Path(sys.executable).with_name("dask")
PARTIES = [
    f"{name} {kind}"
    for name in ("Quenby", "Larkspur", "Thimble", "Orrin", "Vesper")
    for kind in ("Dental", "Freight", "Credit Union", "Bakery")
]


def _extract(*args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stderr


def _failures(stderr: str) -> list[str]:
    """The summary's lines for inputs that failed, were skipped or renamed (each once), sorted."""
    return sorted(
        line for line in stderr.splitlines() if line.startswith(("failed:", "skipped:", "id reused:"))
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Invented articles with the inputs a task must report like the local engine: a line that
    is no JSON, a line without text, an id reused for another text and a second copy."""
    rows: list[dict[str, str] | str] = [row(f"inv-{n}", party) for n, party in enumerate(PARTIES)]
    rows[3] = "{not json"
    rows[19] = json.dumps({"id": "empty", "text": ""})  # in the renamed article's task below
    rows.append(row("inv-1", "Pellmoor Lending"))  # inv-1 is already another article's id
    rows.append(row("inv-2", PARTIES[2]))  # the very article inv-2 again
    path = tmp_path_factory.mktemp("batch") / "batch.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture(scope="module")
def local(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, list[str]]]:
    """The local engine's output and reported failures, for the fixtures alone and with the batch
    (in this process, whose spaCy pipeline the other tests have loaded already)."""
    out = tmp_path_factory.mktemp("local")
    answers = {}
    for name, sources in (("fixtures", [FIXTURES]), ("both", [FIXTURES, batch])):
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            code = main(["extract", *map(str, sources), "-o", str(out / f"{name}.jsonl")])
        assert code == (0 if name == "fixtures" else 1)
        answers[name] = ((out / f"{name}.jsonl").read_bytes(), _failures(stderr.getvalue()))
    return answers


def test_local_cluster_gives_the_local_bytes_and_reports_bad_lines_alike(
    batch: Path, local: dict[str, tuple[bytes, list[str]]], tmp_path: Path
) -> None:
    out = tmp_path / "a.jsonl"
    args = [str(FIXTURES), str(batch), "--engine", "dask", "-j", "2", "--task-lines", "3", "-o", str(out)]
    code, stderr = _extract(*args)
    assert code == 1  # the bad lines
    assert out.read_bytes() == local["both"][0]
    failures = _failures(stderr)
    assert failures == local["both"][1]
    bad = "not a JSON object (Expecting property name enclosed in double quotes at column 2)"
    assert f"failed: {batch}:4: {bad}" in failures
    assert any(line.startswith("id reused:") and "'inv-1'" in line for line in failures)
    assert any(line.startswith("skipped:") and f"{batch}:{len(PARTIES) + 2}" in line for line in failures)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def scheduler() -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead),
    each a process of its own on 127.0.0.1; shared by the tests below, the killing one last."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    port = address.rsplit(":", 1)[1]
    procs = [
        subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"], **quiet
        )
    ]
    worker = [
        str(DASK),
        "worker",
        address,
        "--nthreads",
        "1",
        "--no-nanny",
        "--no-dashboard",
        "--host",
        "127.0.0.1",
    ]
    procs += [subprocess.Popen(worker, **quiet) for _ in range(2)]
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_scheduler_and_two_workers_give_the_local_bytes(
    scheduler: tuple[str, list[subprocess.Popen[bytes]]],
    local: dict[str, tuple[bytes, list[str]]],
    tmp_path: Path,
) -> None:
    address, _ = scheduler
    out = tmp_path / "a.jsonl"
    assert _extract(str(FIXTURES), "--engine", "dask", "--scheduler", address, "-o", str(out), "-q")[0] == 0
    assert out.read_bytes() == local["fixtures"][0]


def test_follow_on_the_cluster_writes_what_follow_here_writes(
    scheduler: tuple[str, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    """`incidents follow --engine dask`: the new items' batches go to the workers."""
    address, _ = scheduler
    for where in ("here", "there"):
        (tmp_path / where).mkdir()
    with LoopbackServer() as server:
        serve_articles(server, range(6))
        serve_feed(server, "/feed.xml", rss(server, [(n, f"g{n}", f"/a/{n}.html") for n in range(6)]))
        here = follow(options(tmp_path / "here", server.url("/feed.xml")))
        there = follow(options(tmp_path / "there", server.url("/feed.xml"), engine="dask", scheduler=address))
    assert here.ok and there.ok and there.articles == here.articles == 6
    assert (tmp_path / "there" / "incidents.jsonl").read_bytes() == (
        tmp_path / "here" / "incidents.jsonl"
    ).read_bytes()


def test_worker_killed_mid_run_its_tasks_run_again_and_the_output_is_the_same(
    scheduler: tuple[str, list[subprocess.Popen[bytes]]],
    batch: Path,
    local: dict[str, tuple[bytes, list[str]]],
    tmp_path: Path,
) -> None:
    address, (victim, _) = scheduler
    out = tmp_path / "a.jsonl"
    args = [str(FIXTURES), str(batch), "--engine", "dask", "--task-lines", "1", "-o", str(out), "-q"]
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": address}  # the address from the environment
    run = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "extract", *args], env=env, stderr=subprocess.PIPE, text=True
    )
    with Client(address, timeout=60) as client:
        where = {pid: addr for addr, pid in client.run(os.getpid).items()}[victim.pid]
        deadline = time.monotonic() + 300
        while not client.processing().get(where):
            assert run.poll() is None, "the run ended before the victim had a task"
            assert time.monotonic() < deadline, "the victim never got a task"
            time.sleep(0.02)
        os.kill(victim.pid, signal.SIGKILL)  # it holds at least one task, and loads or runs it
        assert victim.wait(timeout=30) == -signal.SIGKILL
        _, stderr = run.communicate(timeout=600)
        assert where not in client.scheduler_info()["workers"]
    assert run.returncode == 1  # the bad lines of the batch, nothing else
    assert _failures(stderr) == local["both"][1]
    assert out.read_bytes() == local["both"][0]
