#!/usr/bin/env python3
"""salesplan against the analyst's Python, side by side, on generated large exports.

    pip install polars fastexcel
    cargo build --release
    python3 benches/compare.py [--runs 3] [--rows 1000000] [--data target/bench-data]

Generates (once, cached under --data) the demo company's exports with --rows order lines over
12 months: all in one orders sheet ("single"), the same split over 12 monthly workbooks
("monthly"), and a 100k-line set. Then times, each --runs times, medians reported:

  * Python `polars.read_excel` reading the single orders sheet (fastexcel/calamine under it),
    timed inside the child around the call alone (imports excluded);
  * `salesplan check` and `salesplan run` (ingest, figures, both PDFs, metrics files) on each
    set, whole process wall time;

with each child's peak resident memory (wait4's ru_maxrss), and prints a Markdown table with
the ratio of every salesplan timing to the Python read. The jobs run round robin (one run
of each, --runs times over). No assertions: numbers, not tests.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "salesplan"

PY_READ = r"""
import sys, time
import polars as pl
t = time.perf_counter()
df = pl.read_excel(sys.argv[1], sheet_name="订单明细", read_options={"header_row": 2})
print(time.perf_counter() - t, df.height)
"""


def measure(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(map(str, cmd))} exited {code}:\n{err.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024, out.decode(errors="replace")


def generate(data, name, rows, files):
    folder = data / name
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    cmd = [BIN, "demo", "--out", folder, "--months", "12", "--rows", str(rows),
           "--orders-files", files, "-q"]
    print(f"generating {name} ({rows} order lines, {files})…", file=sys.stderr)
    subprocess.run(cmd, check=True)
    (folder / ".complete").touch()
    return folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, default=ROOT / "target" / "bench-data")
    a = ap.parse_args()
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    a.data.mkdir(parents=True, exist_ok=True)
    sets = {
        "1M single": generate(a.data, f"single-{a.rows}", a.rows, "single"),
        "1M monthly": generate(a.data, f"monthly-{a.rows}", a.rows, "monthly"),
        "100k single": generate(a.data, "single-100000", 100_000, "single"),
    }
    orders = sets["1M single"] / "订单明细.xlsx"

    def python_read():
        _, mib, out = measure([sys.executable, "-c", PY_READ, orders])
        return float(out.split()[0]), mib

    def salesplan(command, folder):
        def go():
            with tempfile.TemporaryDirectory() as cwd:
                args = [BIN, command, "--input", folder, "-q"]
                if command == "run":
                    args += ["--out", Path(cwd) / "out"]
                s, mib, _ = measure(args, cwd=cwd)
                return s, mib
        return go

    jobs = [("Python polars.read_excel, orders sheet only (1M single)", python_read)]
    for name, folder in sets.items():
        jobs.append((f"salesplan check ({name})", salesplan("check", folder)))
        jobs.append((f"salesplan run ({name})", salesplan("run", folder)))
    # Round robin, so that a busy spell of the (shared) machine hits every job alike.
    times = {what: [] for what, _ in jobs}
    mems = {what: [] for what, _ in jobs}
    for r in range(a.runs):
        for what, fn in jobs:
            s, mib = fn()
            times[what].append(s)
            mems[what].append(mib)
        print(f"round {r + 1} of {a.runs} done", file=sys.stderr)
    results = [(what, statistics.median(times[what]), max(mems[what])) for what, _ in jobs]

    base = results[0][1]
    import polars
    import fastexcel
    print(f"\n{a.runs} runs each, medians; {time.strftime('%Y-%m-%d')}; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}, polars {polars.__version__}, "
          f"fastexcel {fastexcel.__version__}; orders sheet {orders.stat().st_size / 1e6:.1f} MB\n")
    print("| what | median | peak memory | × Python read |")
    print("|---|---:|---:|---:|")
    for what, s, mib in results:
        print(f"| {what} | {s:.2f} s | {mib:.0f} MiB | {s / base:.2f} |")


if __name__ == "__main__":
    main()
