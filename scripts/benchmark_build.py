"""Time the report build against the naive recipe, in one run, on a scratch copy of the project.

    .venv/bin/python scripts/benchmark_build.py              # demo matrix: notebooks/, demo data
    .venv/bin/python scripts/benchmark_build.py --fixtures   # the test fixtures (tests/fixtures/)
    .venv/bin/python scripts/benchmark_build.py --languages  # English only vs national languages

Measures, each as a fresh `python -m innobarometer build` process: the full build, a no-op
rebuild, and a rebuild after editing one theme notebook; then the naive baseline on a fixed subset
of reports: per report, the `papermill` CLI then the `jupyter nbconvert --to html` CLI, one after
the other. Prints per-report times and the ratio. Not a test: it takes a minute or more.

With `--languages`: the same reports built twice from scratch in one run, English only
(`--languages en`) and with the national languages (every edition in English and its country's
language, the Nordic reports in all six, the default), then a no-op; prints both and the ratio
(issue 16: at most 1.6).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUBSET = 6  # reports in the naive baseline
BIN = Path(sys.executable).parent


def scratch_project(root: Path, fixtures: bool) -> Path:
    """A copy of what a build reads: theme notebooks, mappings and harmonised data."""
    if fixtures:
        sys.path.insert(0, str(REPO / "tests"))  # test_build imports its process helpers
        spec = importlib.util.spec_from_file_location(
            "test_build", REPO / "tests" / "test_build.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.make_project(root)
    data = REPO / "build" / "data"
    if not any(data.glob("*.parquet")) or not any((REPO / "notebooks").glob("*.py")):
        raise SystemExit("no demo data or notebooks: run `make data` first, or use --fixtures")
    shutil.copytree(
        REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb")
    )
    # data/raw/ holds confidential national files: never copied; the demo's own raw files are.
    shutil.copytree(
        REPO / "data", root / "data", ignore=lambda d, _: ["raw"] * (d == str(REPO / "data"))
    )
    shutil.copytree(data, root / "build" / "data")
    return root


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(environment: dict, *flags: str) -> tuple[float, float, dict[str, float]]:
    """Wall and CPU time of one build command, and each report it ran with its worker's time.

    CPU time counts the zygote and every kernel: each process is waited for by its parent."""
    cpu, start = children_cpu(), time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "innobarometer", "build", *flags],
        env=environment,
        capture_output=True,
        text=True,
    )
    seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout}\n{result.stderr}")
    lines = re.findall(r"^\[\d+/\d+\] (\S+) (\S+) ok (\d+\.\d+) s", result.stdout, flags=re.M)
    return seconds, cpu, {f"{theme}/{key}": float(took) for theme, key, took in lines}


def baseline(root: Path, environment: dict, reports) -> list[tuple[str, float, float]]:
    """The naive recipe per report: papermill CLI, then nbconvert CLI (the .ipynb made first)."""
    import jupytext

    work = root / "baseline"
    work.mkdir()
    times = []
    for report in reports:
        source = work / f"{report.theme}.ipynb"
        if not source.exists():
            notebook = jupytext.read(report.notebook, fmt="py:percent")
            notebook.metadata["kernelspec"] = {
                "name": "python3",
                "language": "python",
                "display_name": "Python 3",
            }
            jupytext.write(notebook, source)
        executed = work / f"{report.theme}-{report.key}.ipynb"
        parameters = [
            x for name, value in report.parameters.items() for x in ("-p", name, str(value))
        ]
        cpu, start = children_cpu(), time.perf_counter()
        cwd = report.notebook.parent
        subprocess.run(
            [BIN / "papermill", source, executed, *parameters, "-k", "python3", "--cwd", cwd],
            env=environment,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [BIN / "jupyter", "nbconvert", "--to", "html", executed],
            env=environment,
            check=True,
            capture_output=True,
        )
        times.append((report.name, time.perf_counter() - start, children_cpu() - cpu))
    return times


def clear_reports(root: Path) -> None:
    """Remove every product of a build but the harmonised data, so the next build is full."""
    for path in (root / "build").iterdir():
        if path.name == "data":
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def compare_languages(root: Path, environment: dict) -> None:
    """English-only build against the build in the national languages, same reports, one run."""
    english, english_cpu, built = timed_build(environment, "--languages", "en")
    print(f"English only    {english:7.2f} s  {len(built)} reports  CPU {english_cpu:7.2f} s")
    clear_reports(root)
    national, national_cpu, built = timed_build(environment)
    pages = sum(1 for _ in (root / "build").rglob("*.html")) - 3 * 6  # less index/codebook/method
    print(
        f"national langs  {national:7.2f} s  {len(built)} reports  CPU {national_cpu:7.2f} s  "
        f"({pages} report pages)"
    )
    noop, _, none = timed_build(environment)
    print(f"no-op rebuild   {noop:7.2f} s  {len(none)} reports")
    print(
        f"ratio national/English: wall {national / english:.2f}x, "
        f"CPU {national_cpu / english_cpu:.2f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", action="store_true", help="the test fixtures, not the demo")
    parser.add_argument(
        "--languages", action="store_true", help="English only against the national languages"
    )
    parser.add_argument("--kernel", choices=["zygote", "fresh"], help="kernel strategy to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ib-bench-") as scratch:
        # A snapshot of the package, first on the path of every process the benchmark starts:
        # edits to src/ during the run would change the package hash and rebuild everything.
        package = Path(scratch) / "src" / "innobarometer"
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(REPO / "src" / "innobarometer", package, ignore=ignore)
        # The methodology page is made from the docs beside the package's source.
        shutil.copytree(REPO / "docs", Path(scratch) / "docs")
        sys.path.insert(0, str(package.parent))
        root = scratch_project(Path(scratch) / "project", args.fixtures)
        environment = {**os.environ, "INNOBAROMETER_ROOT": str(root)}
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(package.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        environment.pop("DATA", None)
        if args.kernel:
            environment["INNOBAROMETER_KERNEL"] = args.kernel
        os.environ.update(environment)
        from innobarometer.codebook import LATEST
        from innobarometer.pipeline import kernel, plan

        assert Path(plan.__file__).is_relative_to(package.parent)
        strategy = kernel.default_strategy()
        reports = plan.plan_reports(plan.discover_themes(), plan.load_data_set())
        print(
            f"{'fixtures' if args.fixtures else 'demo matrix'}: {len(reports)} reports, "
            f"{os.cpu_count()} cores, kernel strategy {strategy!r}"
        )

        if args.languages:
            compare_languages(root, environment)
            return 0
        full, full_cpu, built = timed_build(environment)
        print(
            f"full build      {full:7.2f} s  {len(built)} reports  {full / len(built):.2f} s/report"
            f"  CPU {full_cpu / len(built):.2f} s/report"
        )
        noop, _, none = timed_build(environment)
        print(f"no-op rebuild   {noop:7.2f} s  {len(none)} reports")
        theme = sorted({r.theme for r in reports if r.key != LATEST})[0]
        notebook = root / "notebooks" / f"{theme}.py"
        notebook.write_text(
            notebook.read_text() + "\n# %% [markdown]\n# Edited by the benchmark.\n"
        )
        edit, _, rebuilt = timed_build(environment)
        themes = sorted({name.split("/")[0] for name in rebuilt})
        print(f"edit {theme:10} {edit:7.2f} s  {len(rebuilt)} reports rebuilt, themes: {themes}")

        # A fixed mix like the full plan's: theme i with edition i, cycling through both.
        per_edition = [r for r in reports if r.key != LATEST]
        theme_names = list(dict.fromkeys(r.theme for r in per_edition))
        keys = list(dict.fromkeys(r.key for r in per_edition))
        chosen = {(theme_names[i % len(theme_names)], keys[i % len(keys)]) for i in range(SUBSET)}
        subset = [r for r in per_edition if (r.theme, r.key) in chosen]
        naive = baseline(root, environment, subset)
        for name, seconds, _ in naive:
            print(f"  naive {name:24} {seconds:6.2f} s   build worker {built[name]:5.2f} s")
        per_naive = sum(s for _, s, _ in naive) / len(naive)
        naive_cpu = sum(c for _, _, c in naive) / len(naive)
        per_build = full / len(built)
        print(
            f"naive baseline  {sum(s for _, s, _ in naive):7.2f} s  {len(naive)} reports  "
            f"{per_naive:.2f} s/report  CPU {naive_cpu:.2f} s/report"
        )
        print(f"ratio naive/build per report: {per_naive / per_build:.1f}x (build: wall / reports)")
        print(f"ratio of CPU per report: {naive_cpu / (full_cpu / len(built)):.1f}x")
        same = sum(built[name] for name, _, _ in naive) / len(naive)
        print(f"same reports, one worker each: {per_naive / same:.1f}x (no parallelism counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
