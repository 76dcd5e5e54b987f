"""Comparisons: differences between independent samples, contrasts within one design, tests.

Formulas as R's survey package implements them (docs/statistics.md): independent
samples (countries, editions) combine their variances with Welch-Satterthwaite degrees of freedom;
estimates from one design are compared with their joint covariance (`SurveyDesign.ratios`, as
R's `svyby(..., covmat=TRUE)` + `svycontrast`); two-way tables get the Rao-Scott second-order F
test (R's `svychisq` default); many comparisons get Holm's adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.linalg import lapack

from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.estimate import as_zero_one
from innobarometer.survey.intervals import t_interval, t_test

COMPARISON_COLUMNS = ["contrast", "estimate", "se", "df", "t", "p", "ci_lower", "ci_upper"]


def difference_independent(est1, se1, df1, est2, se2, df2, level: float = 0.95) -> pd.DataFrame:
    """Estimate 1 minus estimate 2 from separate samples, elementwise over arrays.

    se = sqrt(se1^2 + se2^2); df by Welch-Satterthwaite from the two variances and the two design
    degrees of freedom, (v1 + v2)^2 / (v1^2 / df1 + v2^2 / df2); t interval and two-sided p.
    """
    est1, se1, df1, est2, se2, df2 = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(x, dtype=float)) for x in (est1, se1, df1, est2, se2, df2))
    )
    v1, v2 = se1**2, se2**2
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (v1 + v2) ** 2 / (v1**2 / df1 + v2**2 / df2)
    names = ["sample 1 - sample 2"] * len(est1)
    return _t_table(est1 - est2, np.sqrt(v1 + v2), df, level, names)


def contrast(
    estimates, covariance, coefficients, df, level: float = 0.95, names=None
) -> pd.DataFrame:
    """Linear contrasts L @ estimates with se sqrt(diag(L V L')), t interval and p (svycontrast).

    `coefficients`: one contrast vector (k,) or a matrix (m, k); `df`: the degrees of freedom of
    the t reference (a number or one per contrast).
    """
    estimates = np.asarray(estimates, dtype=float)
    covariance = np.atleast_2d(np.asarray(covariance, dtype=float))
    weights = np.atleast_2d(np.asarray(coefficients, dtype=float))
    if weights.shape[1] != len(estimates) or covariance.shape != (len(estimates),) * 2:
        raise ValueError(
            f"contrast coefficients {weights.shape} and covariance {covariance.shape} must match "
            f"the {len(estimates)} estimates"
        )
    variance = np.einsum("ij,jk,ik->i", weights, covariance, weights)
    if names is None:
        names = [f"contrast {i + 1}" for i in range(len(weights))]
    df = np.broadcast_to(np.asarray(df, dtype=float), (len(weights),))
    return _t_table(weights @ estimates, np.sqrt(np.maximum(variance, 0.0)), df, level, names)


def group_contrast(design: SurveyDesign, y, groups, a, b, level: float = 0.95) -> pd.DataFrame:
    """Share of y (1/0) in group a minus group b, both domains estimated over the full design.

    A unit with y missing, or in neither group, stays in the design outside both domains. The t
    reference uses the degrees of freedom of the two groups together (PSUs with a unit in either
    minus their strata), as R's svyby does for one domain.
    """
    values = as_zero_one(design.per_unit(y, "y"), "y")
    groups = design.per_unit(groups, "groups")
    answered = ~np.isnan(values)
    masks = []
    for label in (a, b):
        mask = (groups == label).to_numpy(dtype=bool, na_value=False) & answered
        if not mask.any():
            present = sorted(map(str, groups[answered & groups.notna().to_numpy()].unique()))
            raise ValueError(
                f"group {label!r} has no unit with an answer; groups present: {present}"
            )
        masks.append(mask)
    domains = np.column_stack(masks).astype(float)
    estimates, covariance = design.ratios(np.nan_to_num(values)[:, None] * domains, domains)
    df = design.domain_degrees_of_freedom(masks[0] | masks[1])
    return contrast(estimates, covariance, [1.0, -1.0], df, level, names=[f"{a} - {b}"])


def option_difference(design: SurveyDesign, y1, y2, domain=None, level: float = 0.95):
    """Share selecting option 1 minus share selecting option 2 of one multiple-response item.

    Both shares are over the same base (units in `domain` that answered both options), estimated
    jointly so that the difference uses their covariance; df of that base (R's svyby convention).
    """
    first = as_zero_one(design.per_unit(y1, "y1"), "y1")
    second = as_zero_one(design.per_unit(y2, "y2"), "y2")
    base = ~np.isnan(first) & ~np.isnan(second)
    if domain is not None:
        base &= design.unit_mask(domain, "domain")
    if not base.any():
        raise ValueError("no unit in the domain answered both options")
    d = base.astype(float)
    numerators = np.column_stack([np.nan_to_num(first) * d, np.nan_to_num(second) * d])
    estimates, covariance = design.ratios(numerators, np.column_stack([d, d]))
    df = design.domain_degrees_of_freedom(base)
    return contrast(estimates, covariance, [1.0, -1.0], df, level, names=["option 1 - option 2"])


# R's solve() refuses a system whose reciprocal condition number is under this (its `tol`).
SINGULAR_RCOND = float(np.finfo(float).eps)


@dataclass(frozen=True)
class RaoScottTest:
    """The Rao-Scott second-order F test of a two-way table and the Pearson X2 it corrects.

    `f`, `ndf`, `ddf` and `p` are NaN when the table admits no test, and `reason` says why
    (empty otherwise)."""

    f: float
    ndf: float
    ddf: float
    p: float
    pearson: float
    reason: str = ""


def rao_scott(design: SurveyDesign, row_values, col_values) -> RaoScottTest:
    """Rao-Scott second-order corrected F test of independence (R's svychisq, statistic="F").

    m: design-based means of the r*c cell indicators with covariance V; N units in the table;
    C: the interaction columns of the saturated model on the r x c grid, residualised on the
    additive model; Delta = solve(C' diag(1/m) C / N, C' diag(1/m) V diag(1/m) C); X2: Pearson's
    statistic on the weighted table scaled to N; F = X2 / tr(Delta), ndf = tr(Delta)^2 /
    tr(Delta^2), ddf = ndf * design df (of the whole design, as R). Units missing either variable
    stay in the design outside the table.
    Where C' diag(1/m) C is singular (structurally empty cells: 1/m is read as 0, which can leave
    an interaction column with no information), R's solve() stops ("system is computationally
    singular") when its reciprocal condition number is under machine epsilon; here the test then
    has no statistic (NaN) and `reason` says why, instead of an F that is rounding noise.
    """
    rows = design.per_unit(row_values, "row_values")
    cols = design.per_unit(col_values, "col_values")
    in_table = (rows.notna() & cols.notna()).to_numpy()
    row_codes, row_levels = pd.factorize(rows[in_table], sort=True)
    col_codes, col_levels = pd.factorize(cols[in_table], sort=True)
    n_rows, n_cols = len(row_levels), len(col_levels)
    if n_rows < 2 or n_cols < 2:
        raise ValueError(
            f"a two-way table needs two levels or more in each variable; rows have "
            f"{list(row_levels)}, columns {list(col_levels)}"
        )
    # Cells ordered with the row level varying fastest, as R's interaction() and expand.grid().
    cell = np.full(design.n, -1)
    cell[in_table] = row_codes + n_rows * col_codes
    indicators = (cell[:, None] == np.arange(n_rows * n_cols)).astype(float)
    d = np.repeat(in_table.astype(float)[:, None], n_rows * n_cols, axis=1)
    means, covariance = design.ratios(indicators, d)
    n_units = int(in_table.sum())

    grid_rows = np.tile(np.arange(n_rows), n_cols)
    grid_cols = np.repeat(np.arange(n_cols), n_rows)
    row_dummies = (grid_rows[:, None] == np.arange(1, n_rows)).astype(float)
    col_dummies = (grid_cols[:, None] == np.arange(1, n_cols)).astype(float)
    additive = np.column_stack([np.ones(n_rows * n_cols), row_dummies, col_dummies])
    interaction = (row_dummies[:, :, None] * col_dummies[:, None, :]).reshape(n_rows * n_cols, -1)
    fitted = additive @ np.linalg.lstsq(additive, interaction, rcond=None)[0]
    c = interaction - fitted
    inverse_means = np.where(means > 0, 1.0 / np.where(means > 0, means, 1.0), 0.0)
    scaled = inverse_means[:, None] * c
    denominator = c.T @ scaled / n_units

    table = (means * n_units).reshape(n_cols, n_rows).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n_units
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(((table - expected) ** 2 / expected).sum())
    rcond = reciprocal_condition(denominator)
    if not rcond >= SINGULAR_RCOND:
        empty = int((means == 0).sum())
        reason = (
            f"no Rao-Scott test: the {n_rows} x {n_cols} table's variance matrix is singular "
            f"(reciprocal condition number {rcond:.2g}), as R's svychisq finds; {empty} of its "
            f"{n_rows * n_cols} cells are empty. Merge sparse categories or leave them out."
        )
        nan = float("nan")
        return RaoScottTest(f=nan, ndf=nan, ddf=nan, p=nan, pearson=pearson, reason=reason)
    delta = np.linalg.solve(denominator, scaled.T @ covariance @ scaled)
    trace = np.trace(delta)
    ndf = trace**2 / np.trace(delta @ delta)
    f = pearson / trace
    ddf = ndf * design.degrees_of_freedom
    return RaoScottTest(
        f=float(f),
        ndf=float(ndf),
        ddf=float(ddf),
        p=float(stats.f.sf(f, ndf, ddf)),
        pearson=pearson,
    )


def reciprocal_condition(matrix: np.ndarray) -> float:
    """LAPACK's estimate of the 1-norm reciprocal condition number (dgetrf + dgecon), what R's
    solve() compares with its tolerance; 0 for an exactly singular matrix."""
    matrix = np.asarray(matrix, dtype=float)
    lu, _, info = lapack.dgetrf(matrix)
    if info > 0:
        return 0.0
    rcond, _ = lapack.dgecon(lu, np.abs(matrix).sum(axis=0).max(), norm="1")
    return float(rcond)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (R's p.adjust "holm"); NaN stays NaN, not counted."""
    p = np.asarray(p_values, dtype=float)
    flat = p.ravel()
    adjusted = np.full_like(flat, np.nan)
    present = np.flatnonzero(~np.isnan(flat))
    order = present[np.argsort(flat[present], kind="stable")]
    m = len(order)
    stepped = np.maximum.accumulate(flat[order] * (m - np.arange(m)))
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted.reshape(p.shape)


def _t_table(estimate, se, df, level: float, names) -> pd.DataFrame:
    """Comparison rows: estimate, se, df, t, two-sided p and the t interval at `level`."""
    lower, upper = t_interval(estimate, se, df, level)
    t, p = t_test(estimate, se, df)
    return pd.DataFrame(
        {
            "contrast": list(names),
            "estimate": estimate,
            "se": se,
            "df": df,
            "t": t,
            "p": p,
            "ci_lower": lower,
            "ci_upper": upper,
        },
        columns=COMPARISON_COLUMNS,
    )
