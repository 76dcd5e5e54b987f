"""Disclosure control and reliability flags on tidy estimate tables.

Primary suppression: a row whose base has fewer responding units than the threshold (default 5,
the common reading of Statistics Denmark's researcher rules; OECD and Eurostat use 3 or 5).
Secondary suppression: the whole-domain row (group "") minus the published groups gives the
suppressed groups combined, so beside a published whole-domain row the smallest published groups
are suppressed too until at least two are hidden and together they hold the threshold.
`suppressed` says whether a row is blank and `suppression` which rule blanked it (`primary`,
`secondary`, or "" when published), so tables and CSVs can say why a cell is empty.
Reliability applies two criteria of the NCHS data presentation standards for proportions (Parker
et al. 2017, Vital Health Stat 2(175)): an effective sample size under 30 (capped at n) or a 95%
Korn-Graubard interval wider than 0.30 (or none at all) flags the row `unreliable`; their
relative-width and low-df criteria are not applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innobarometer.survey.intervals import SHARE_METHODS, share_interval

DEFAULT_THRESHOLD = 5
UNRELIABLE = "unreliable"
# The `suppression` column: why a suppressed row is blank ("" for a published row).
PRIMARY = "primary"
SECONDARY = "secondary"
SUPPRESSION_REASONS = (PRIMARY, SECONDARY)
MIN_EFFECTIVE_N = 30
MAX_BETA_WIDTH = 0.30
CELL_KEY = ["indicator", "category", "domain"]
BLANKED = ["estimate", "se", "ci_lower", "ci_upper", "deff"]


def apply_disclosure(
    table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, df=None
) -> pd.DataFrame:
    """The table with small cells suppressed (primary and secondary) and unreliable rows flagged.

    `df`: the design degrees of freedom of each row (scalar or aligned array) for the
    Korn-Graubard check; None treats each row as a simple random sample (df = n - 1). Rows already
    suppressed stay suppressed, so applying this twice changes nothing.
    """
    if threshold < 0:
        raise ValueError(f"the disclosure threshold must be 0 or more, not {threshold}")
    out = table.copy()
    n = out["n_unweighted"].to_numpy(dtype=float)
    already = out["suppressed"].to_numpy(dtype=bool)
    primary = already | (n < threshold)
    secondary = _secondary(out, primary, threshold)
    suppressed = primary | secondary
    flag = np.where(_unreliable(out, df) & ~suppressed, UNRELIABLE, "")
    out["suppressed"] = suppressed
    out["flag"] = flag
    out["suppression"] = _reasons(out, already, n < threshold, secondary)
    if suppressed.any():
        # Column by column: `out.loc[rows, columns] = nan` costs a millisecond of indexing per
        # table, and a report applies this to dozens of tables.
        for column in BLANKED:
            out[column] = np.where(suppressed, np.nan, out[column].to_numpy(dtype=float))
    return out


def _reasons(table, already, small, secondary) -> np.ndarray:
    """Why each row is blank: `primary` (its base is under the threshold), `secondary` (hidden so
    that a margin cannot reveal a primary cell) or "" (published). A row suppressed before keeps
    the reason it was given (`primary` when it has none)."""
    given = table["suppression"] if "suppression" in table else pd.Series("", index=table.index)
    given = given.fillna("").astype(str).to_numpy()
    kept = np.where(np.isin(given, SUPPRESSION_REASONS), given, PRIMARY)
    return np.where(
        already, kept, np.where(small, PRIMARY, np.where(secondary, SECONDARY, ""))
    ).astype(object)


def _secondary(table: pd.DataFrame, suppressed: np.ndarray, threshold: int) -> np.ndarray:
    """Rows to suppress because a published whole-domain row would reveal suppressed groups.

    The whole-domain row minus the published groups gives the suppressed groups combined; so
    beside a published whole-domain row, the smallest published groups are suppressed too until
    at least two groups are suppressed and together they hold at least `threshold` units.
    """
    if not suppressed.any():
        return np.zeros(len(table), dtype=bool)  # the common case, without pandas' work
    extra = np.zeros(len(table), dtype=bool)
    rows = table[CELL_KEY + ["group", "n_unweighted"]].assign(
        hidden=suppressed, position=np.arange(len(table))
    )
    published_totals = rows[(rows["group"] == "") & ~rows["hidden"]][CELL_KEY].drop_duplicates()
    groups = rows[rows["group"] != ""].merge(published_totals, on=CELL_KEY)
    for _, cell in groups.groupby(CELL_KEY, sort=False):
        cell = cell.sort_values(["n_unweighted", "group"], kind="stable")
        hidden = cell["hidden"].to_numpy(bool).copy()
        if not hidden.any():
            continue
        n = cell["n_unweighted"].to_numpy(float)
        while (~hidden).any() and (hidden.sum() < 2 or n[hidden].sum() < threshold):
            hidden[np.flatnonzero(~hidden)[0]] = True  # the smallest published group
        extra[cell["position"].to_numpy(int)[hidden & ~cell["hidden"].to_numpy(bool)]] = True
    return extra


def _unreliable(table: pd.DataFrame, df) -> np.ndarray:
    """Effective n under 30 (p(1-p)/se^2 for shares, n/deff otherwise) or a wide beta interval
    (with the estimators' cap, `intervals.effective_n_cap`)."""
    p = table["estimate"].to_numpy(dtype=float)
    se = table["se"].to_numpy(dtype=float)
    n = table["n_unweighted"].to_numpy(dtype=float)
    deff = table["deff"].to_numpy(dtype=float)
    is_share = table["ci_method"].isin(SHARE_METHODS).to_numpy()
    df = n - 1 if df is None else np.broadcast_to(np.asarray(df, dtype=float), n.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        # A share of 0 or 1 has se 0: its information is its n units (NCHS does the same).
        # Capped at n: a design effect below 1 is set to 1 (NCHS), as for the beta interval.
        share_n_eff = np.minimum(np.where(se > 0, p * (1 - p) / se**2, n), n)
        other_n_eff = np.minimum(np.where(np.isfinite(deff) & (deff > 0), n / deff, n), n)
        # The base's N-hat, which the interval's cap needs, from deff = se^2 / V_srs with
        # V_srs = p (1 - p) / (n - 1) * (1 - n / N-hat); no deff (N-hat < n): a census base.
        kept = 1 - se**2 * (n - 1) / (deff * p * (1 - p))
        population = np.where(np.isfinite(deff), n / kept, n)
        lower, upper = share_interval(
            p, se, df, n, method="beta", level=0.95, population=population
        )
    n_eff = np.where(is_share, share_n_eff, other_n_eff)
    # No interval (a domain with df < 1) is no evidence of precision: it counts as wide.
    wide = is_share & ~(np.asarray(upper - lower) <= MAX_BETA_WIDTH)
    return (n_eff < MIN_EFFECTIVE_N) | wide
