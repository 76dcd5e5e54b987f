"""Start many report kernels through the build's own runner and pool, and count start failures.

    .venv/bin/python scripts/stress_kernels.py                  # 200 kernels, the default strategy
    .venv/bin/python scripts/stress_kernels.py --kernels 50 --strategy fresh --jobs 4

Each kernel runs one tiny report (a notebook whose one cell prints its index) through
`innobarometer.pipeline.pool.execute`: the same worker pool, kernel strategy (zygote forks or fresh
processes), IPC connection files and HTML export as `make all`. A report that fails for any reason
counts as a start failure, with its error. Prints the count (target zero), the wall time, the
per-kernel times, and any process the run left behind. Not a test: it takes about a minute.
The scratch project is removed afterwards.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

NOTEBOOK = """# %% tags=["parameters"]
index = 0

# %%
print(f"kernel {index} ran in process {__import__('os').getpid()}")
"""


def _children(pid: int) -> set[int]:
    """Every live process whose chain of parents leads to `pid` (from /proc; empty elsewhere)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=200, help="kernels to start (200)")
    parser.add_argument("--jobs", type=int, help="worker processes (default: the core count)")
    parser.add_argument("--strategy", choices=["zygote", "fresh"], help="kernel strategy")
    args = parser.parse_args()
    if args.strategy:
        os.environ["INNOBAROMETER_KERNEL"] = args.strategy

    from innobarometer.pipeline import build, kernel, plan, pool, worker

    root = Path(tempfile.mkdtemp(prefix="stress-kernels-"))
    os.environ["INNOBAROMETER_ROOT"] = str(root)
    notebook = root / "notebooks" / "stress.py"
    notebook.parent.mkdir(parents=True)
    notebook.write_text(NOTEBOOK, encoding="utf-8")
    out = root / "build"
    jobs = []
    for index in range(args.kernels):
        key = f"K-{index:04d}"
        report = plan.Report("stress", key, notebook, {"index": index}, (), f"Stress: {key}")
        jobs.append(
            worker.Job(
                report=report,
                html=report.product(out, ".html"),
                csv=report.product(out, ".csv"),
                scratch=out / ".tmp",
                failed=out / "failed" / "stress" / f"{key}.ipynb",
                cwd=notebook.parent,
                parameters={"index": index},
                shown_parameters=(("index", index),),
            )
        )
    (out / ".tmp").mkdir(parents=True)
    workers = args.jobs or build.available_cores()
    outcomes: dict[str, dict] = {}

    def record(job, outcome):
        outcomes[job.report.name] = outcome

    print(
        f"{args.kernels} kernels, strategy {kernel.default_strategy()}, {workers} workers, "
        f"project {root}",
        flush=True,
    )
    started = time.perf_counter()
    environment = {"INNOBAROMETER_ROOT": str(root)}
    pool.execute(jobs, workers, True, environment, io.StringIO(), record)
    wall = time.perf_counter() - started
    time.sleep(0.5)  # let the zygote's last kernels be reaped
    left = _children(os.getpid())

    failures = {name: o for name, o in outcomes.items() if o["status"] != "built"}
    missing = args.kernels - len(outcomes)
    seconds = sorted(o["seconds"] for o in outcomes.values())
    errors = collections.Counter(o["error"].splitlines()[0][:120] for o in failures.values())
    products = [j for j in jobs if j.html.is_file() and j.csv.is_file()]
    print(f"start failures: {len(failures) + missing} of {args.kernels}")
    for error, count in errors.most_common(5):
        print(f"  {count} x {error}")
    print(f"reports written: {len(products)} of {args.kernels}")
    print(f"wall time: {wall:.1f} s ({wall / args.kernels:.3f} s per kernel on {workers} workers)")
    if seconds:
        p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]
        print(
            f"per kernel (start, run, export): median {statistics.median(seconds):.2f} s, "
            f"p95 {p95:.2f} s, max {seconds[-1]:.2f} s"
        )
    print(f"processes left behind: {len(left)}")
    shutil.rmtree(root, ignore_errors=True)
    return 1 if failures or missing or left else 0


if __name__ == "__main__":
    sys.exit(main())
