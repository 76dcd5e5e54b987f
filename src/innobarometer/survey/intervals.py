"""Confidence intervals for design-based shares (R's `svyciprop`), symmetric t intervals, t tests.

Every function is vectorised: arrays of estimates, standard errors, degrees of freedom and unit
counts broadcast against each other. Formulas: docs/statistics.md.
"""

from __future__ import annotations

import numpy as np
from scipy import special

SHARE_METHODS = ("logit", "beta", "wilson")
MEAN_METHOD = "t"


def check_share_method(method: str) -> str:
    """The method name if it is one of SHARE_METHODS; else an error that lists them."""
    if method not in SHARE_METHODS:
        valid = ", ".join(SHARE_METHODS)
        raise ValueError(f"unknown interval method {method!r}: use one of {valid}")
    return method


def check_level(level: float) -> float:
    """The confidence level if it is strictly between 0 and 1; else an error with an example."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    return level


def _t_quantile(df: np.ndarray, level: float) -> np.ndarray:
    """Upper (1 + level) / 2 quantile of t(df); NaN where df < 1 (no variance estimate)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        # scipy.special's own functions: what scipy.stats calls, without its argument checks,
        # which cost several times the computation on the short arrays of a report.
        return np.where(df >= 1, special.stdtrit(np.maximum(df, 1), 0.5 + level / 2), np.nan)


def share_interval(
    p,
    se,
    df,
    n,
    method: str = "logit",
    level: float = 0.95,
    cap_effective_n: bool = True,
    population=None,
):
    """Interval (lower, upper) for shares p with standard errors se, design df and unit counts n.

    `logit`: logit(p) +/- t(df) se / (p (1 - p)), back-transformed (R svyciprop "logit").
    `beta`: Korn & Graubard (1998), Survey Methodology 24(2), 193-201: Clopper-Pearson on the
    effective n* = min(p (1 - p) / se^2, cap) * (t(n - 1) / t(df))^2, with the cap
    n / (1 - f), f = n / N-hat the sampling fraction of the base (`population`: N-hat, the
    base's summed weights; None: f = 0). With a negligible f this is the NCHS presentation
    standard's cap at n (Parker et al. 2017, Vital Health Stat 2(175)), which fixes the
    under-coverage of a rare share whose strata happen to hold no positives (91.5% at p = 0.03,
    n = 150 in scripts/coverage_study.py); unlike a cap at n it keeps the finite population
    correction (a simple random sample has p (1 - p) / se^2 = (n - 1) / (1 - f) exactly), and a
    census base (f >= 1) is not capped. `cap_effective_n=False` is R's svyciprop "beta" exactly.
    `wilson`: the score interval with n* = p (1 - p) / se^2 and z = t(df).
    At p = 0 or 1 the variance says nothing about precision (se = 0): every method then gives the
    Clopper-Pearson interval on the n units ([0, 1 - (a/2)^(1/n)] at p = 0), where R gives NaN.
    A share with se = 0 strictly inside (0, 1) (a census stratum) gets the interval [p, p].
    """
    check_share_method(method)
    check_level(level)
    p, se, df, n = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(p, se, df, n))
    alpha = 1 - level
    boundary = (p == 0) | (p == 1)
    exact = ~boundary & (se == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / se**2
        if method == "logit":
            half = _t_quantile(df, level) * se / (p * (1 - p))
            centre = np.log(p / (1 - p))
            lower, upper = _expit(centre - half), _expit(centre + half)
        elif method == "beta":
            base = np.minimum(n_eff, effective_n_cap(n, population)) if cap_effective_n else n_eff
            n_eff = base * (_t_quantile(n - 1, level) / _t_quantile(df, level)) ** 2
            lower, upper = _clopper_pearson(p, n_eff, alpha)
        else:
            z = _t_quantile(df, level)
            shrink = 1 + z**2 / n_eff
            centre = (p + z**2 / (2 * n_eff)) / shrink
            half = z / shrink * np.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2))
            lower, upper = centre - half, centre + half
        edge_lower, edge_upper = _clopper_pearson(p, n, alpha)
    lower = np.where(boundary, edge_lower, np.where(exact, p, lower))
    upper = np.where(boundary, edge_upper, np.where(exact, p, upper))
    return lower[()], upper[()]


def effective_n_cap(n, population=None) -> np.ndarray:
    """The Korn-Graubard cap on p (1 - p) / se^2: n / (1 - f) with f = n / N-hat the sampling
    fraction of the base; n where N-hat is unknown (None), no cap (inf) where f >= 1."""
    n = np.asarray(n, dtype=float)
    if population is None:
        return n
    fraction = n / np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(fraction < 1, n / (1 - fraction), np.inf)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _clopper_pearson(p: np.ndarray, n: np.ndarray, alpha: float):
    """Beta quantiles of the exact binomial interval for x = n p successes out of n (real n)."""
    with np.errstate(invalid="ignore"):
        lower = np.where(p > 0, special.betaincinv(n * p, n * (1 - p) + 1, alpha / 2), 0.0)
        upper = np.where(p < 1, special.betaincinv(n * p + 1, n * (1 - p), 1 - alpha / 2), 1.0)
    return lower, upper


def t_interval(estimate, se, df, level: float = 0.95):
    """Symmetric interval estimate +/- t(df) se (R's confint on a design's df) for means, totals."""
    check_level(level)
    estimate, se, df = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(estimate, se, df))
    half = _t_quantile(df, level) * se
    return (estimate - half)[()], (estimate + half)[()]


def t_test(estimate, se, df):
    """Wald statistic t = estimate / se and its two-sided p-value on df (svycontrast, svyglm)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.asarray(estimate, dtype=float) / np.asarray(se, dtype=float)
        return t, 2 * special.stdtr(df, -np.abs(t))
