#!/usr/bin/env python3
"""Two salesplan binaries side by side on the same inputs: did a change cost time?

    python3 benches/ab.py BASE_BIN NEW_BIN INPUT_DIR [--runs 5]

Runs `check` and `run` of each binary on INPUT_DIR, alternating (base, new, base, new, …)
so that a busy spell of the shared machine falls on both alike, and prints the medians,
peak memory and the ratio new / base. Build the base from an earlier commit with, e.g.,
`git worktree add /tmp/base <commit> && cargo build --release --manifest-path
/tmp/base/Cargo.toml`. Numbers, not tests: nothing is asserted.
"""

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import measure  # noqa: E402  (wall seconds, peak MiB, stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("input")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    rows = []
    for command in ["check", "run"]:
        times = {"base": [], "new": []}
        mems = {"base": [], "new": []}
        for _ in range(a.runs):
            for name in ["base", "new"]:
                with tempfile.TemporaryDirectory() as cwd:
                    cmd = [os.path.abspath(getattr(a, name)), command, "--input", os.path.abspath(a.input), "-q"]
                    if command == "run":
                        cmd += ["--out", os.path.join(cwd, "out")]
                    s, mib, _ = measure(cmd, cwd=cwd)
                times[name].append(s)
                mems[name].append(mib)
        b, n = statistics.median(times["base"]), statistics.median(times["new"])
        rows.append((command, b, n, max(mems["base"]), max(mems["new"])))
    print(f"{a.runs} runs each, alternating, medians; {a.input}\n")
    print("| command | base | new | new / base | base peak | new peak |")
    print("|---|---:|---:|---:|---:|---:|")
    for command, b, n, mb, mn in rows:
        print(f"| {command} | {b:.2f} s | {n:.2f} s | {n / b:.3f} | {mb:.0f} MiB | {mn:.0f} MiB |")


if __name__ == "__main__":
    main()
