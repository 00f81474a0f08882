#!/usr/bin/env python3
"""Simulator speed and memory benchmark.

Runs the same chat-like workload on a 64-replica fleet twice in one go, at 100k and at 1M
requests, and reports wall time, simulated requests and events per second of wall time, and
peak memory of each, with the ratios between them. The target: one million requests in under
10 seconds on one core, and peak memory that does not grow with the number of requests.

    python3 bench/simulator_bench.py [--binary build/scoville]
"""
import argparse
import json
import os
import tempfile
import subprocess
import sys
import time

WORKLOAD = [
    "simulate", "--device", "h100", "--model", "llama-3.1-8b", "--replicas", "64",
    "--rate", "400", "--input-tokens", "lognormal:1000:0.8",
    "--output-tokens", "lognormal:250:0.8", "--seed", "1", "--format", "json", "--no-progress",
]


def run(binary, requests):
    """Runs one simulation in a child process; returns wall seconds, peak RSS and the report."""
    # taskset pins the run to one core, as the target is stated for one core.
    command = ["taskset", "-c", "0", binary] + WORKLOAD + ["--requests", str(requests)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        # wait4 gives this child's own resource usage, peak memory included.
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"simulation of {requests} requests failed: {err.read().decode().strip()}")
        report = json.loads(out.read())
    return wall, usage.ru_maxrss, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=os.path.join("build", "scoville"))
    args = parser.parse_args()

    rows = []
    for requests in (100_000, 1_000_000):
        wall, peak_kib, report = run(args.binary, requests)
        rows.append((requests, wall, peak_kib, report))

    print(f"{'requests':>10} {'wall s':>8} {'req/s':>10} {'events/s':>12} {'peak MiB':>9}")
    for requests, wall, peak_kib, report in rows:
        print(f"{requests:>10,} {wall:>8.2f} {requests / wall:>10,.0f} "
              f"{report['events'] / wall:>12,.0f} {peak_kib / 1024:>9.1f}")
    small, large = rows
    print(f"\nratio 1M / 100k: wall {large[1] / small[1]:.2f}x (linear would be 10x), "
          f"peak memory {large[2] / small[2]:.2f}x (flat would be 1x)")
    verdict = "meets" if large[1] < 10.0 else "misses"
    print(f"1M requests in {large[1]:.2f} s: {verdict} the 10 s target")


if __name__ == "__main__":
    main()
