"""How often the Korn-Graubard cap binds on the active data, and how much it widens intervals.

    .venv/bin/python scripts/cap_study.py        (after `make data`)

Every share row (0 < p < 1, deff > 1e-9 so that se is not rounding noise, not suppressed) of
every codebook variable of every active edition, for the whole domain and by government level,
sector and size class, with `beta` intervals computed here from each row's estimate, se, n and
df (the df from its logit interval).
For each row: R's effective n* = p (1 - p) / se^2, the old cap (n, the NCHS rule) and the
package's cap n / (1 - f), f = n / N-hat (docs/statistics.md). N-hat, the base's summed weights,
comes from the row's deff (deff = se^2 / V_srs, V_srs = p (1 - p) / (n - 1) (1 - f)).
A cap binds where n* exceeds it; the widening is the capped interval's width over R's.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import special

from innobarometer.analysis.editions import active_editions, load_edition
from innobarometer.analysis.estimates import estimate_variable, is_asked
from innobarometer.codebook import load_codebook
from innobarometer.survey.intervals import effective_n_cap, share_interval

BY = (None, "gov_level", "sector", "size_class")
TYPES = ("binary", "single", "ordinal", "multiple", "background")
NOISE_DEFF = 1e-9


def share_rows() -> pd.DataFrame:
    """Every unsuppressed share row with an interval to cap, with its edition and df."""
    codebook = load_codebook()
    variables = [v.name for v in codebook.variables.values() if v.type in TYPES]
    tables = []
    for edition_id in active_editions():
        edition = load_edition(edition_id)
        for name in variables:
            if not is_asked(edition, name):
                continue
            for by in BY:
                if by == name:
                    continue
                # logit: its interval gives each row's df back (see `with_caps`).
                table = estimate_variable(edition, name, by=by)
                tables.append(table.assign(edition=edition_id, by=by or ""))
    rows = pd.concat(tables, ignore_index=True)
    p, se = rows["estimate"], rows["se"]
    keep = (rows["ci_method"] == "logit") & ~rows["suppressed"] & (p > 0) & (p < 1) & (se > 0)
    keep &= rows["ci_lower"].notna()  # a base with df < 1 has no interval to cap
    # A se that is rounding noise (a share fixed by the strata, e.g. gov_level by gov_level):
    # R's n* is then astronomical and its interval meaningless, so there is nothing to compare.
    keep &= rows["deff"] > NOISE_DEFF
    return rows[keep].reset_index(drop=True)


def with_caps(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with n*, both caps, whether each binds, and each `beta` interval's width."""
    p, se, n, deff = (rows[c].to_numpy(float) for c in ("estimate", "se", "n_unweighted", "deff"))
    n_star = p * (1 - p) / se**2
    kept = 1 - se**2 * (n - 1) / (deff * p * (1 - p))
    population = np.where(np.isfinite(deff), n / kept, n)
    # The row's df from its logit interval: half-width on the logit scale = t(df) se / (p (1 - p)).
    logit = np.log(
        rows[["ci_lower", "ci_upper"]].to_numpy(float)
        / (1 - rows[["ci_lower", "ci_upper"]].to_numpy(float))
    )
    t = (logit[:, 1] - logit[:, 0]) / 2 * p * (1 - p) / se
    df = special.stdtridf(0.975, t)
    r_lo, r_hi = share_interval(p, se, df, n, "beta", cap_effective_n=False)
    old_lo, old_hi = share_interval(p, se, df, n, "beta")
    new_lo, new_hi = share_interval(p, se, df, n, "beta", population=population)
    return rows.assign(
        n_star=n_star,
        df=df,
        old_binds=n_star > n,
        new_binds=n_star > effective_n_cap(n, population),
        r_width=r_hi - r_lo,
        old_width=old_hi - old_lo,
        new_width=new_hi - new_lo,
    )


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """For each cap: rows where it binds, and the widening over R's interval where it does."""
    lines = []
    for name, binds, width in (
        ("cap at n (old)", "old_binds", "old_width"),
        ("cap at n / (1 - f) (new)", "new_binds", "new_width"),
    ):
        bound = rows[rows[binds]]
        ratio = bound[width] / bound["r_width"] - 1
        points = 100 * (bound[width] - bound["r_width"])
        lines.append(
            {
                "cap": name,
                "share rows": len(rows),
                "binds": len(bound),
                "binds %": 100 * len(bound) / len(rows),
                "median widening %": 100 * ratio.median() if len(bound) else 0.0,
                "max widening %": 100 * ratio.max() if len(bound) else 0.0,
                "max widening (points)": points.max() if len(bound) else 0.0,
            }
        )
    return pd.DataFrame(lines)


def main() -> None:
    start = time.perf_counter()
    rows = with_caps(share_rows())
    print(f"{rows['edition'].nunique()} editions, {len(rows)} unsuppressed share rows (0 < p < 1)")
    with pd.option_context("display.width", 120, "display.float_format", "{:.1f}".format):
        print(summary(rows).to_string(index=False))
        by_edition = rows.groupby("edition")[["old_binds", "new_binds"]].mean() * 100
        print("\nshare of rows where each cap binds, by edition (%)")
        print(by_edition.rename(columns={"old_binds": "cap n", "new_binds": "cap n/(1-f)"}))
    print(f"run time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
