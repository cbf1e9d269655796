#!/usr/bin/env python3
"""Two salesplan binaries side by side on the same inputs: did a change cost time?

    python3 benches/ab.py BASE_BIN NEW_BIN INPUT_DIR [--runs 5] [--commands check,run]

Runs `check` and `run` of each binary on INPUT_DIR in pairs, the pair's order swapped each
time (base, new; new, base; …) so that a busy spell of the shared machine falls on both
alike, and prints the medians of wall time and CPU time (user + system), peak memory, and
the median of the pairs' ratios new / base with how many pairs new won: on this machine a
step of 2-3 % shows in the paired ratio long before it shows in the medians. Build the base
from an earlier commit with, e.g., `git worktree add /tmp/base <commit> && cargo build
--release --manifest-path /tmp/base/Cargo.toml`. Numbers, not tests: nothing is asserted.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, cwd):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS in MiB)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("input")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--commands", default="check,run")
    a = ap.parse_args()
    rows = []
    for command in a.commands.split(","):
        got = {"base": [], "new": []}
        for i in range(a.runs):
            for name in (["base", "new"] if i % 2 == 0 else ["new", "base"]):
                with tempfile.TemporaryDirectory() as cwd:
                    cmd = [os.path.abspath(getattr(a, name)), command, "--input", os.path.abspath(a.input), "-q"]
                    if command == "run":
                        cmd += ["--out", os.path.join(cwd, "out")]
                    got[name].append(timed(cmd, cwd))
        b, n = got["base"], got["new"]
        med = lambda v, k: statistics.median(x[k] for x in v)
        wall = statistics.median(y[0] / x[0] for x, y in zip(b, n))
        cpu = statistics.median(y[1] / x[1] for x, y in zip(b, n))
        wins = sum(y[0] < x[0] for x, y in zip(b, n))
        rows.append((command, med(b, 0), med(n, 0), wall, med(b, 1), med(n, 1), cpu, wins,
                     max(x[2] for x in b), max(x[2] for x in n)))
    print(f"{a.runs} pairs, alternating, medians; {a.input}\n")
    print("| command | base wall | new wall | paired new / base | base CPU | new CPU | paired new / base | new faster | base peak | new peak |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c, bw, nw, w, bc, nc, cr, wins, mb, mn in rows:
        print(f"| {c} | {bw:.3f} s | {nw:.3f} s | {w:.3f} | {bc:.3f} s | {nc:.3f} s | {cr:.3f} | {wins}/{a.runs} | {mb:.0f} MiB | {mn:.0f} MiB |")


if __name__ == "__main__":
    main()
