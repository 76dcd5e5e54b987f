"""Time the share estimator on a 100,000-row frame against R's svyby, and check they agree.

    .venv/bin/python scripts/benchmark_estimates.py [--rows 100000] [--repeat 3]

The frame: 60 strata with a finite population correction, one 0/1 column for every indicator the
codebook defines (each binary item, each option of a multiple-response item, each category of a
single-choice or ordinal item: 155 today), and a 5-level domain variable. Missing answers follow a
routing pattern (some units are not asked the whole block), because R's svymean(na.rm=TRUE) on
several variables drops a unit from all of them when one is missing (listwise); the package's
per-indicator bases then give the same numbers. When `Rscript` with the survey package is present,
R's svyby(~all indicators, ~dom, design, svymean) runs in the same invocation on the same frame
(written to a temporary CSV); only the svyby call is timed in R, loading and reading are reported
separately.
"""

from __future__ import annotations

import os

# Single-threaded BLAS, like R's: a like-for-like comparison, and threaded BLAS stalls when the
# machine's other cores are busy. Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from innobarometer.codebook import load_codebook  # noqa: E402
from innobarometer.survey.design import SurveyDesign  # noqa: E402
from innobarometer.survey.estimate import estimate_shares  # noqa: E402

N_STRATA = 60
DESIGN_COLUMNS = ("stratum", "stratum_population", "weight", "dom")


def codebook_indicators() -> list[str]:
    """Every 0/1 indicator the codebook defines, named as the estimate tables name them."""
    names = []
    for variable in load_codebook().variables.values():
        if variable.type == "binary":
            names.append(variable.name)
        elif variable.type == "multiple":
            names += variable.columns
        elif variable.type in ("single", "ordinal"):
            names += [f"{variable.name}_{code}" for code in variable.categories]
    return names


N_DOMAINS = 5
NOT_ASKED = 0.08


def build_frame(n_rows: int = 100_000, seed: int = 20240601) -> pd.DataFrame:
    """A synthetic stratified sample: design columns, `dom` (5 levels) and the codebook's
    indicators as 0/1 columns."""
    names = codebook_indicators()
    n_indicators = len(names)
    rng = np.random.default_rng(seed)
    stratum = np.sort(rng.integers(0, N_STRATA, n_rows))
    n_h = np.bincount(stratum, minlength=N_STRATA)
    # Sampling fractions from 5% to 60%: the finite population correction matters.
    population_h = np.ceil(n_h / rng.uniform(0.05, 0.6, N_STRATA)).astype(int)
    dom = rng.integers(0, N_DOMAINS, n_rows)
    # Shares from 2% to 90%, shifted by stratum and domain so that the design matters.
    base = rng.uniform(-4, 2.2, n_indicators)
    shift = rng.normal(0, 0.5, N_STRATA)[stratum] + 0.3 * dom
    logits = base[None, :] + shift[:, None]
    y = (rng.random((n_rows, n_indicators)) < 1 / (1 + np.exp(-logits))).astype(float)
    y[rng.random(n_rows) < NOT_ASKED] = np.nan
    frame = pd.DataFrame(y, columns=names)
    frame.insert(0, "dom", pd.Categorical([f"d{k + 1}" for k in dom]))
    frame.insert(0, "weight", population_h[stratum] / n_h[stratum])
    frame.insert(0, "stratum_population", population_h[stratum])
    frame.insert(0, "stratum", stratum + 1)
    return frame


def indicator_columns(frame: pd.DataFrame) -> list[str]:
    """The binary indicators of the frame."""
    return [c for c in frame.columns if c not in DESIGN_COLUMNS]


def time_python(frame: pd.DataFrame, repeat: int) -> tuple[float, float, pd.DataFrame]:
    """Best-of-`repeat` seconds for the design and for every indicator x domain; the table."""
    design_times, estimate_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        design = SurveyDesign.from_frame(frame)
        middle = time.perf_counter()
        table = estimate_shares(design, frame[indicator_columns(frame)], groups=frame["dom"])
        design_times.append(middle - start)
        estimate_times.append(time.perf_counter() - middle)
    return min(design_times), min(estimate_times), table


R_SCRIPT = """
t0 <- proc.time()[["elapsed"]]
suppressMessages(library(survey))
t1 <- proc.time()[["elapsed"]]
frame <- read.csv("{csv}")
design <- svydesign(id = ~1, strata = ~stratum, weights = ~weight, fpc = ~stratum_population,
                    data = frame)
t2 <- proc.time()[["elapsed"]]
indicators <- setdiff(names(frame), c("stratum", "stratum_population", "weight", "dom"))
formula <- as.formula(paste("~", paste(indicators, collapse = "+")))
best <- Inf
for (i in seq_len({repeat})) {{
  s <- proc.time()[["elapsed"]]
  result <- svyby(formula, ~dom, design, svymean, na.rm = TRUE)
  best <- min(best, proc.time()[["elapsed"]] - s)
}}
est <- coef(result); se <- as.vector(as.matrix(SE(result)))  # column-major, as coef
write.csv(data.frame(key = names(est), estimate = unname(est), se = se), "{out}",
          row.names = FALSE)
cat(sprintf("R load %.3f s, read + design %.3f s, svyby best %.3f s\\n", t1 - t0, t2 - t1, best))
cat(sprintf("BEST %.6f\\n", best))
"""


def time_r(frame: pd.DataFrame, repeat: int) -> tuple[float, pd.DataFrame] | None:
    """R's best svyby time and its estimates (key 'd1:<indicator>'); None without R's survey."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "frame.csv", Path(tmp) / "r.csv"
        frame.to_csv(csv, index=False, na_rep="NA")
        script = R_SCRIPT.format(csv=csv, out=out, repeat=repeat)
        run = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"R failed, no comparison:\n{run.stderr}")
            return None
        for line in run.stdout.splitlines():
            if not line.startswith("BEST"):
                print(line)
        best = float(run.stdout.split("BEST")[1])
        return best, pd.read_csv(out)


def compare(table: pd.DataFrame, r_result: pd.DataFrame) -> tuple[float, float]:
    """Max relative differences of estimates and SEs between our group rows and R's svyby."""
    ours = table[table["group"] != ""].assign(key=lambda t: t["group"] + ":" + t["indicator"])
    merged = ours.merge(r_result, on="key", suffixes=("", "_r"), validate="one_to_one")
    if len(merged) != len(r_result):
        raise RuntimeError(f"matched {len(merged)} of R's {len(r_result)} estimates")
    rel_est = np.max(np.abs(merged["estimate"] / merged["estimate_r"] - 1))
    rel_se = np.max(np.abs(merged["se"] / merged["se_r"] - 1))
    return rel_est, rel_se


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = build_frame(args.rows)
    n_ind = len(indicator_columns(frame))
    print(
        f"frame: {len(frame)} rows, {frame['stratum'].nunique()} strata with fpc, "
        f"{n_ind} binary indicators, {frame['dom'].nunique()} domains"
    )
    design_s, estimate_s, table = time_python(frame, args.repeat)
    print(
        f"innobarometer: design {design_s:.3f} s; estimate_shares for {n_ind} indicators x "
        f"(5 domains + whole sample), with intervals, deff and disclosure: best of "
        f"{args.repeat} {estimate_s:.3f} s"
    )
    r = time_r(frame, args.repeat)
    if r is None:
        print("R's survey package not found: no comparison")
        return
    r_best, r_result = r
    rel_est, rel_se = compare(table, r_result)
    print(f"max relative difference to R: estimates {rel_est:.2e}, SEs {rel_se:.2e}")
    print(f"R svyby / innobarometer estimate: {r_best / estimate_s:.1f}x")


if __name__ == "__main__":
    main()
