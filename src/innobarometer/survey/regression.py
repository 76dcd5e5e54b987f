"""Survey logistic regression: pseudo-maximum likelihood with the design-based sandwich variance.

As R's `svyglm(family=quasibinomial)` (docs/statistics.md): coefficients solve the
weighted score equations sum_i w_i x_i (y_i - mu_i) = 0 (Newton-Raphson, i.e. IRLS); their
variance is A^-1 B A^-1 with A = sum w mu (1 - mu) x x' and B the design covariance of the score
totals (`SurveyDesign.covariance`, so strata, clusters, fpc and calibration all count); intervals
use the residual design degrees of freedom, domain df - p + 1 (Binder 1983; Lumley 2010, ch. 5).
Weighted-GLM standard errors that ignore the design are several times too small for such data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.estimate import as_zero_one
from innobarometer.survey.intervals import check_level, t_interval, t_test

REGRESSION_COLUMNS = [
    "term",
    "coef",
    "se",
    "t",
    "p",
    "ci_lower",
    "ci_upper",
    "odds_ratio",
    "or_lower",
    "or_upper",
    "df",
    "n",
]
INTERCEPT = "(Intercept)"
# A term whose part not explained by the terms before it is under this share of its norm makes
# the design matrix singular (R's qr() default; glm.fit uses 1e-11 and would alias fewer terms,
# but between the two the Newton steps do not settle to this module's tolerance).
SINGULAR_TOLERANCE = 1e-7
# When the fit does not converge without separation, terms this near collinear are the cause.
NEAR_SINGULAR_TOLERANCE = 1e-4
# A fitted probability this near 0 or 1 after the iterations means the outcome is separated.
SEPARATED_PROBABILITY = 1e-8
SINGULAR_FIX = (
    "Drop a constant term; of collinear terms drop one, or merge them into one variable; a "
    "numeric term collinear with the intercept alone varies too little for its size: centre or "
    "rescale it"
)


class RegressionError(ValueError):
    """A model that cannot be fitted: bad inputs, a singular design matrix, or no convergence."""


def model_matrix(
    frame: pd.DataFrame,
    columns: Sequence[str],
    reference: Mapping[str, object] | None = None,
    categorical: Iterable[str] = (),
    intercept: bool = True,
) -> pd.DataFrame:
    """Model matrix of `columns`: numbers as they are, categories as treatment dummies.

    Text and category columns (and numeric ones named in `categorical`, e.g. integer codes of a
    single-choice item) give one 0/1 column `name[level]` per level except the reference (the
    first level, or `reference[name]`). Missing values stay missing (NaN), so the regression puts
    those units outside its domain. Constant or empty columns are refused: they cannot be fitted.
    """
    reference = dict(reference or {})
    categorical = set(categorical)
    unknown = sorted(set(reference) - set(columns)) + sorted(categorical - set(columns))
    if unknown:
        raise RegressionError(f"reference or categorical names {unknown} are not among {columns}")
    parts = [pd.Series(1.0, index=frame.index, name=INTERCEPT)] if intercept else []
    for column in columns:
        if column not in frame.columns:
            raise RegressionError(f"the frame has no column {column!r}; columns: {list(frame)}")
        values = frame[column]
        present = values.notna()
        if not present.any():
            raise RegressionError(f"column {column!r} is empty (no row has a value): drop it")
        if pd.api.types.is_numeric_dtype(values) and column not in categorical:
            numbers = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            if np.nanmin(numbers) == np.nanmax(numbers):
                raise RegressionError(
                    f"column {column!r} is constant (every row with a value is "
                    f"{np.nanmin(numbers):g}): drop it from the model"
                )
            parts.append(pd.Series(numbers, index=frame.index, name=column))
            continue
        levels = _levels(values[present])
        if len(levels) < 2:
            raise RegressionError(
                f"column {column!r} is constant (every row with a value is {levels[0]!r}): "
                "drop it from the model"
            )
        base = reference.get(column, levels[0])
        if base not in levels:
            raise RegressionError(
                f"reference level {base!r} of column {column!r} is not among its levels {levels}"
            )
        for level in levels:
            if level != base:
                dummy = (values == level).astype(float).where(present)
                parts.append(dummy.rename(f"{column}[{level}]"))
    if not parts:
        raise RegressionError("the model has no terms: give columns or keep the intercept")
    return pd.concat(parts, axis=1)


def survey_logistic(
    design: SurveyDesign,
    X,
    y,
    names: Sequence[str] | None = None,
    domain=None,
    level: float = 0.95,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> pd.DataFrame:
    """Design-based logistic regression of y (1/0) on the columns of X (include an intercept).

    `X`: (n, p) array or DataFrame (its columns name the terms; `model_matrix` builds one);
    `domain`: a boolean mask of the units to model. A unit outside the domain, or with y or any
    X missing, stays in the design with zero score (R's svyglm on a subset). Converged when no
    coefficient moves by more than `tol` (relative to the largest). Returns one row per term with
    coefficient, se, t, p, interval, odds ratio and its interval, residual df and units used.
    """
    check_level(level)
    matrix, names = _design_matrix(X, names, design.n)
    try:
        outcome = as_zero_one(design.per_unit(y, "y"), "y")
    except ValueError as error:  # one message for every 0/1 variable, as a model error
        raise RegressionError(str(error)) from error
    used = ~np.isnan(outcome) & ~np.isnan(matrix).any(axis=1)
    if domain is not None:
        used &= design.unit_mask(domain, "domain")
    x = np.where(used[:, None], matrix, 0.0)
    response = np.where(used, outcome, 0.0)
    # Weights scaled to mean one (as R) so that the information matrix is well scaled.
    weights = np.where(used, design.weights / design.weights.mean(), 0.0)
    _check_fittable(x[used], response[used], weights[used], names)

    coef, information, fitted = _fit(x, response, weights, names, tol, max_iter)
    scores = x * (weights * (response - fitted))[:, None]
    inverse = np.linalg.inv(information)
    covariance = inverse @ design.covariance(scores) @ inverse
    se = np.sqrt(np.diag(covariance))
    df = design.domain_degrees_of_freedom(used) - len(names) + 1
    lower, upper = t_interval(coef, se, df, level)
    t, p = t_test(coef, se, df)
    return pd.DataFrame(
        {
            "term": names,
            "coef": coef,
            "se": se,
            "t": t,
            "p": p,
            "ci_lower": lower,
            "ci_upper": upper,
            "odds_ratio": np.exp(coef),
            "or_lower": np.exp(lower),
            "or_upper": np.exp(upper),
            "df": df,
            "n": int(used.sum()),
        },
        columns=REGRESSION_COLUMNS,
    )


def _fit(x, response, weights, names, tol: float, max_iter: int):
    """Newton-Raphson on the weighted log-likelihood: coefficients, information A, fitted mu."""
    coef = np.zeros(x.shape[1])
    for _ in range(max_iter):
        fitted = special.expit(x @ coef)
        information = (x * (weights * fitted * (1 - fitted))[:, None]).T @ x
        try:
            step = np.linalg.solve(information, x.T @ (weights * (response - fitted)))
        except np.linalg.LinAlgError:
            break  # fitted probabilities all 0 or 1: the outcome is separated
        if not np.all(np.isfinite(step)):
            break
        coef = coef + step
        if np.abs(step).max() <= tol * max(1.0, np.abs(coef).max()):
            fitted = special.expit(x @ coef)
            information = (x * (weights * fitted * (1 - fitted))[:, None]).T @ x
            return coef, information, fitted
    raise _not_converged(x, weights, coef, fitted, names, max_iter)


def _not_converged(x, weights, coef, fitted, names, max_iter: int) -> RegressionError:
    """Why Newton-Raphson did not settle: separation, or a nearly singular design matrix."""
    used = weights > 0
    # Separation drives fitted probabilities to 0 or 1; without it, steps that do not settle
    # come from an information matrix too near singular for its solution to be stable.
    separated = np.minimum(fitted, 1 - fitted)[used].min() < SEPARATED_PROBABILITY
    if not separated:
        near = _singular_terms(x[used], weights[used], names, NEAR_SINGULAR_TOLERANCE)
        if near:
            return RegressionError(
                f"the logistic fit did not converge in {max_iter} iterations: the design matrix "
                f"is nearly singular in the domain: {'; '.join(near)}. {SINGULAR_FIX}"
            )
    # Name the varying term with the largest coefficient: the intercept only follows it.
    varying = np.ptp(x[used], axis=0) > 0
    index = int(np.argmax(np.where(varying, np.abs(coef), -1.0)))
    cause = (
        "the outcome may be separated by that term; drop or collapse it, or " if separated else ""
    )
    return RegressionError(
        f"the logistic fit did not converge in {max_iter} iterations (largest coefficient "
        f"{names[index]!r} = {coef[index]:g}): {cause}raise max_iter"
    )


def _check_fittable(
    x: np.ndarray, response: np.ndarray, weights: np.ndarray, names: list[str]
) -> None:
    """Refuse models with no units, no variation in y, or a singular design matrix."""
    if len(response) == 0:
        raise RegressionError("no unit in the domain has y and every X term")
    if np.all(response == response[0]):
        raise RegressionError(f"y is {response[0]:g} for every unit in the domain: nothing to fit")
    problems = _singular_terms(x, weights, names, SINGULAR_TOLERANCE)
    if problems:
        raise RegressionError(
            f"the design matrix is singular in the domain: {'; '.join(problems)}. {SINGULAR_FIX}"
        )


def _singular_terms(
    x: np.ndarray, weights: np.ndarray, names: list[str], tolerance: float
) -> list[str]:
    """Each term that is a combination of the terms before it, up to `tolerance`, by name.

    As R's glm.fit: the QR decomposition of sqrt(w) X with limited pivoting (LINPACK dqrdc2)
    aliases a column whose norm, once the earlier columns are projected out, is below
    `tolerance` times its own. One least-squares fit per term: a loop over the p columns.
    """
    scaled = x * np.sqrt(weights)[:, None]
    kept: list[int] = []
    problems = []
    for j, column in enumerate(scaled.T):
        norm = np.linalg.norm(column)
        coef = np.linalg.lstsq(scaled[:, kept], column, rcond=None)[0]
        if np.linalg.norm(column - scaled[:, kept] @ coef) > tolerance * norm:
            kept.append(j)
        elif np.ptp(x[:, j]) == 0:
            problems.append(f"{names[j]!r} is constant (every unit has {x[0, j]:g})")
        else:
            # Name the terms that make up the column, not those with round-off coefficients.
            parts = np.abs(coef) * np.linalg.norm(scaled[:, kept], axis=0) > 1e-3 * norm
            partners = " and ".join(repr(names[k]) for k in np.asarray(kept)[parts])
            problems.append(f"{names[j]!r} is collinear with {partners}")
    return problems


def _design_matrix(X, names, n: int) -> tuple[np.ndarray, list[str]]:
    """X as an (n, p) float array with NaN for missing, and the term names."""
    if isinstance(X, pd.DataFrame):
        not_numeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if not_numeric:
            raise RegressionError(
                f"X columns {not_numeric} are not numeric: make dummies with model_matrix"
            )
        names = list(map(str, X.columns)) if names is None else list(names)
        matrix = X.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        matrix = np.asarray(X, dtype=float)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        names = [f"x{i + 1}" for i in range(matrix.shape[1])] if names is None else list(names)
    if matrix.shape[0] != n:
        raise RegressionError(f"X has {matrix.shape[0]} rows; the design has {n} units")
    if len(names) != matrix.shape[1]:
        raise RegressionError(f"{len(names)} names for {matrix.shape[1]} columns of X")
    return matrix, names


def _levels(values: pd.Series) -> list:
    """Levels in order: a category column's own order, otherwise sorted."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        seen = set(values.unique())
        return [level for level in values.cat.categories if level in seen]
    return list(pd.Index(values.unique()).sort_values())
