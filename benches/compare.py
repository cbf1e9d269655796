#!/usr/bin/env python3
"""salesplan against the analyst's Python, side by side, on generated large exports.

    pip install polars fastexcel
    cargo build --release
    python3 benches/compare.py [--runs 3] [--rows 1000000] [--data target/bench-data] [--all]

Generates (once, cached under --data) two shapes of a million order lines over 12 months,
each in one orders sheet: the demo company ("company": its 10 columns, 5 regions, 30 reps,
a few hundred customers, and every other table), and "keys" (`salesplan demo --shape keys`:
50,000 customers, 200 reps, 7 regions, 6 product lines, unit price and channel columns, and
a roster), where the figures' cost grows with the keys. With --all, also the company split
over 12 monthly workbooks and a 100k-line set. Then times, each --runs times, medians:

  * Python `polars.read_excel` reading each shape's orders sheet (fastexcel/calamine under it),
    timed inside the child around the call alone (imports excluded);
  * `salesplan check` and `salesplan run` (ingest, figures, both PDFs, metrics files) on each
    set, whole process wall time;

with each child's peak resident memory (wait4's ru_maxrss), and prints a Markdown table with
the ratio of every salesplan timing to the Python read of its shape. The jobs run round robin (one run
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
df = pl.read_excel(sys.argv[1], sheet_name="订单明细",
                   read_options={"header_row": int(sys.argv[2])})
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


def generate(data, name, rows, files, shape="company"):
    folder = data / name
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    cmd = [BIN, "demo", "--out", folder, "--months", "12", "--rows", str(rows),
           "--orders-files", files, "--shape", shape, "-q"]
    print(f"generating {name} ({rows} order lines, {files})…", file=sys.stderr)
    subprocess.run(cmd, check=True)
    (folder / ".complete").touch()
    return folder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, default=ROOT / "target" / "bench-data")
    ap.add_argument("--all", action="store_true",
                    help="also the 12 monthly files and the 100k set (company shape)")
    a = ap.parse_args()
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    a.data.mkdir(parents=True, exist_ok=True)
    # Each shape: its folder, and the header row of its orders sheet (the company's export
    # has a title row above the header).
    shapes = {
        "company": (generate(a.data, f"single-{a.rows}", a.rows, "single"), 2),
        "keys": (generate(a.data, f"keys-{a.rows}", a.rows, "single", "keys"), 0),
    }
    sets = {f"{name}, 1M": folder for name, (folder, _) in shapes.items()}
    if a.all:
        sets["company, 1M monthly"] = generate(a.data, f"monthly-{a.rows}", a.rows, "monthly")
        sets["company, 100k"] = generate(a.data, "single-100000", 100_000, "single")

    def python_read(folder, header_row):
        def go():
            _, mib, out = measure([sys.executable, "-c", PY_READ, folder / "订单明细.xlsx",
                                   str(header_row)])
            return float(out.split()[0]), mib
        return go

    def salesplan(command, folder):
        def go():
            with tempfile.TemporaryDirectory() as cwd:
                args = [BIN, command, "--input", folder, "-q"]
                if command == "run":
                    args += ["--out", Path(cwd) / "out"]
                s, mib, _ = measure(args, cwd=cwd)
                return s, mib
        return go

    jobs = []
    base_of = {}
    for name, (folder, header_row) in shapes.items():
        read = f"Python polars.read_excel, orders sheet only ({name}, 1M)"
        jobs.append((read, python_read(folder, header_row)))
        base_of[f"{name}, 1M"] = read
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
    median = {what: statistics.median(times[what]) for what, _ in jobs}

    import polars
    import fastexcel
    sizes = ", ".join(f"{n} {(f / '订单明细.xlsx').stat().st_size / 1e6:.1f} MB"
                      for n, (f, _) in shapes.items())
    print(f"\n{a.runs} runs each, medians; {time.strftime('%Y-%m-%d')}; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()}, polars {polars.__version__}, "
          f"fastexcel {fastexcel.__version__}; orders sheets: {sizes}\n")
    print("| what | median | peak memory | × Python read |")
    print("|---|---:|---:|---:|")
    for what, _ in jobs:
        set_name = what[what.index("(") + 1:-1]
        base = median[base_of.get(set_name, base_of["company, 1M"])] \
            if not what.startswith("Python") else median[what]
        print(f"| {what} | {median[what]:.2f} s | {max(mems[what]):.0f} MiB | "
              f"{median[what] / base:.3f} |")


if __name__ == "__main__":
    main()
