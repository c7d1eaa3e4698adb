"""`make bench` (engines): the Dask engine on 1 and 2 workers against `-j 2`, wall time from the
command's start (cluster start and each worker's spaCy load included), and memory per worker.

Runs on CASIE dev (`../shared/eval/casie/dev.jsonl`, 705 articles; `--input` for another file)
and is skipped when it is missing. Each Dask run gets a fresh LocalCluster, started here so its
workers' peak memory can be read before it closes; `incidents extract` runs as a command with
`--scheduler` pointing at it. The outputs must be the same bytes as the local engine's.
"""

from __future__ import annotations

import argparse
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import Client, LocalCluster

ROOT = Path(__file__).resolve().parent.parent
INCIDENTS = Path(sys.executable).with_name("incidents")


def _extract(source: Path, out: Path, *flags: str) -> float:
    start = time.perf_counter()
    command = [str(INCIDENTS), "extract", str(source), "-o", str(out), "-q", *flags]
    subprocess.run(command, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _on_dask(source: Path, out: Path, workers: int) -> tuple[float, list[float]]:
    """Wall seconds of a run on a new LocalCluster of `workers` processes, and each worker's peak
    memory (MiB, max RSS)."""
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        _extract(source, out, "--engine", "dask", "--scheduler", cluster.scheduler_address)
        seconds = time.perf_counter() - start
        peaks = sorted(client.run(_peak_mib).values())
    return seconds, peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=ROOT.parent / "shared" / "eval" / "casie" / "dev.jsonl")
    args = parser.parse_args()
    if not args.input.exists():
        print(f"dask bench skipped: {args.input} not found")
        return 0
    articles = sum(1 for line in args.input.open("rb") if line.strip())
    logging.getLogger("distributed").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        local = _extract(args.input, out / "local.jsonl", "-j", "2")
        one, one_peaks = _on_dask(args.input, out / "dask1.jsonl", 1)
        two, two_peaks = _on_dask(args.input, out / "dask2.jsonl", 2)
        same = all(
            (out / f"dask{n}.jsonl").read_bytes() == (out / "local.jsonl").read_bytes() for n in (1, 2)
        )
    print(f"Dask engine on {args.input.name} ({articles} articles), wall time from the command's start:")
    for label, seconds in (("local -j 2", local), ("dask, 1 worker", one), ("dask, 2 workers", two)):
        print(f"  {label:<16} {seconds:7.1f} s  {articles / seconds:6.1f} articles/s")
    print(f"  speed-up of 2 Dask workers over 1: x{one / two:.2f} (target 1.7 or more)")
    print(f"  2 Dask workers against -j 2: {two / local:.2f} of its time (target 1.15 or less)")
    peaks = ", ".join(f"{peak:.0f}" for peak in two_peaks)
    print(f"  peak memory per worker: {one_peaks[0]:.0f} MiB alone; {peaks} MiB with two (max RSS)")
    print(f"  outputs the same bytes as the local engine: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
