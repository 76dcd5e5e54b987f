"""Survey generalised linear models from formulas: R's `svyglm` on statsmodels.

`svyglm(formula, data, design, family=...)`: patsy builds the model matrix from the formula and
statsmodels' GLM fits the point estimates (pseudo-maximum likelihood: the weighted score equations
sum_i w_i x_i (y_i - mu_i) / (V(mu_i) g'(mu_i)) = 0). The variance is the design-based sandwich
A^-1 B A^-1, A = sum w x x' / (V(mu) g'(mu)^2) and B the design covariance of the score totals
(`SurveyDesign.covariance`: strata, clusters, fpc, calibration). As R, binomial and poisson are
quasi families (the sandwich needs no dispersion). Intervals and tests use the residual design
degrees of freedom: PSUs with a modelled unit minus their strata, plus one, minus the number of
coefficients (R's `degf(design) + 1 - length(coef)` on the subset; Binder 1983; Lumley 2010,
ch. 5). Weighted-GLM standard errors that ignore the design are several times too small here.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from innobarometer.survey.calibrate import CalibratedDesign
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
    "exp_coef",
    "exp_lower",
    "exp_upper",
    "df",
    "n",
    "reference",
]
INTERCEPT = "Intercept"
# family -> (statsmodels family name, what R calls the fit, its link)
FAMILIES = {
    "binomial": ("Binomial", "quasibinomial", "logit"),
    "gaussian": ("Gaussian", "gaussian", "identity"),
    "poisson": ("Poisson", "quasipoisson", "log"),
}
# Names a formula may use that are functions, not variables (patsy's and numpy's).
FORMULA_FUNCTIONS = {"C", "I", "Q", "Treatment", "Sum", "Diff", "Poly", "Helmert", "np", "center"}
FORMULA_FUNCTIONS |= {"standardize", "scale", "bs", "cr", "cc", "te", "log", "exp", "sqrt", "abs"}
# A term whose part not explained by the terms before it is under this share of its norm makes
# the design matrix singular (R's qr() default; glm.fit uses 1e-11 and would alias fewer terms,
# but between the two the iterations do not settle to this module's tolerance).
SINGULAR_TOLERANCE = 1e-7
# When the fit does not converge without separation, terms this near collinear are the cause.
NEAR_SINGULAR_TOLERANCE = 1e-4
# A fitted probability this near 0 or 1 after the iterations means the outcome is separated.
SEPARATED_PROBABILITY = 1e-8
# Converged when no coefficient moves by more than this between iterations (the R oracle was
# converged to 1e-14; statsmodels' default, on the deviance, stops near 1e-5 relative in the SEs).
TOLERANCE = 1e-12
SINGULAR_FIX = (
    "Drop a constant term; of collinear terms drop one, or merge them into one variable; a "
    "numeric term collinear with the intercept alone varies too little for its size: centre or "
    "rescale it"
)


class RegressionError(ValueError):
    """A model that cannot be fitted: a bad formula, a singular design matrix, no convergence."""


@dataclass(frozen=True)
class SurveyGLM:
    """A fitted survey GLM: the tidy table (`REGRESSION_COLUMNS`) and what it was fitted on."""

    table: pd.DataFrame
    formula: str
    family: str
    covariance: np.ndarray
    design_text: str
    n: int
    df: int
    level: float
    outcome: np.ndarray  # the outcome of the modelled units (for events-per-term rules)

    def summary(self) -> str:
        """The fit as statsmodels prints one, with the design and the domain stated."""
        _, quasi, link = FAMILIES[self.family]
        percent = f"{self.level * 100:g}%"
        head = [
            "Survey generalised linear model (design-based standard errors)",
            f"Formula: {self.formula}",
            f"Family: {quasi} ({link} link)",
            f"Design: {self.design_text}",
            f"Units in the model: {self.n}    Residual design df: {self.df}",
        ]
        width = max(28, *(len(t) for t in self.table["term"]))
        lower, upper = f"[{(1 - self.level) / 2:g}", f"{(1 + self.level) / 2:g}]"
        header = f"{'':<{width}} {'coef':>11} {'std err':>11} {'t':>9} {'P>|t|':>8} "
        header += f"{lower:>11} {upper:>11}"
        rule = "=" * len(header)
        rows = [
            f"{r.term:<{width}} {r.coef:>11.4g} {r.se:>11.4g} {r.t:>9.3f} {r.p:>8.3f} "
            f"{r.ci_lower:>11.4g} {r.ci_upper:>11.4g}"
            for r in self.table.itertuples()
        ]
        references = [
            f"{r.term.split('[')[0]}: reference level {r.reference}"
            for r in self.table.drop_duplicates("reference").itertuples()
            if r.reference
        ]
        note = f"Intervals: {percent}, t on the residual design df."
        return "\n".join([*head, rule, header, "-" * len(header), *rows, rule, *references, note])


def formula_variables(formula: str) -> list[str]:
    """The variables a formula names, in order of appearance (functions such as C, I, np left out).

    Raises RegressionError for a formula patsy cannot read.
    """
    # lazy: patsy loads only when a model is fitted
    import patsy

    try:
        description = patsy.ModelDesc.from_formula(formula)
    except patsy.PatsyError as error:
        raise RegressionError(
            f"cannot read the formula {formula!r}: {_patsy_message(error)}"
        ) from None
    names: list[str] = []
    terms = [*description.lhs_termlist, *description.rhs_termlist]
    for factor in (f for term in terms for f in term.factors):
        code = factor.name()
        try:
            tree = ast.parse(code, mode="eval")
        except SyntaxError as error:
            raise RegressionError(
                f"cannot read {code!r} in the formula {formula!r}: {error.msg}"
            ) from None
        called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Name)
                and id(node) not in called
                and node.id not in FORMULA_FUNCTIONS
                and node.id not in names
            ):
                names.append(node.id)
    return names


def svyglm(
    formula: str,
    data: pd.DataFrame,
    design: SurveyDesign | Mapping[str, str | None] | None = None,
    *,
    family: str = "binomial",
    domain=None,
    domain_name: str = "",
    level: float = 0.95,
    max_iter: int = 100,
) -> SurveyGLM:
    """A survey GLM of `formula` (patsy syntax, as statsmodels takes it) on the rows of `data`.

    `design`: a SurveyDesign of those rows, or the design's column names for
    `SurveyDesign.from_frame` (None: the harmonised frame's). `family`: binomial (quasibinomial,
    logit link; the outcome 1/0 or a True/False expression), gaussian (identity) or poisson
    (quasipoisson, log). `domain`: a boolean mask of the units to model; every unit stays in the
    design (R's svyglm on a subset), as do units with a missing value in the formula. Factor
    levels with no modelled unit have no row; each factor's reference level is named in the
    `reference` column.
    """
    check_level(level)
    if family not in FAMILIES:
        raise RegressionError(f"unknown family {family!r}: use one of {', '.join(FAMILIES)}")
    data = data.reset_index(drop=True)
    if not isinstance(design, SurveyDesign):
        design = SurveyDesign.from_frame(data, **dict(design or {}))
    if len(data) != design.n:
        raise RegressionError(f"the data have {len(data)} rows; the design has {design.n} units")
    missing = [v for v in formula_variables(formula) if v not in data.columns]
    if missing:
        raise RegressionError(
            f"the formula {formula!r} names {', '.join(map(repr, missing))}, not a column of the "
            "data"
        )
    inside = np.ones(design.n, bool) if domain is None else design.unit_mask(domain, "domain")
    outcome, matrix, names, references = _model_frame(formula, data[inside], family)
    used = np.zeros(design.n, bool)
    used[outcome.index] = True
    x = matrix.reindex(range(design.n)).fillna(0.0).to_numpy(dtype=float)
    y = outcome.reindex(range(design.n)).fillna(0.0).to_numpy(dtype=float)
    # Weights scaled to mean one (as R) so that the information matrix is well scaled.
    weights = np.where(used, design.weights / design.weights.mean(), 0.0)
    _check_fittable(x[used], y[used], weights[used], names, family)
    coef, mu = _fit(x[used], y[used], weights[used], names, family, max_iter)

    sm_family = _family(family)
    working = 1.0 / (sm_family.variance(mu) * sm_family.link.deriv(mu))
    scores = np.zeros_like(x)
    scores[used] = x[used] * (weights[used] * (y[used] - mu) * working)[:, None]
    information = (x[used] * (weights[used] * working / sm_family.link.deriv(mu))[:, None]).T
    inverse = np.linalg.inv(information @ x[used])
    covariance = inverse @ design.covariance(scores) @ inverse
    se = np.sqrt(np.diag(covariance))
    df = design.domain_degrees_of_freedom(used) - len(names) + 1
    lower, upper = t_interval(coef, se, df, level)
    t, p = t_test(coef, se, df)
    # exp(coef) is an odds ratio (binomial) or a rate ratio (poisson); nothing for gaussian.
    gaussian = family == "gaussian"
    ratios = np.full((3, len(coef)), np.nan) if gaussian else np.exp([coef, lower, upper])
    table = pd.DataFrame(
        {
            "term": names,
            "coef": coef,
            "se": se,
            "t": t,
            "p": p,
            "ci_lower": lower,
            "ci_upper": upper,
            "exp_coef": ratios[0],
            "exp_lower": ratios[1],
            "exp_upper": ratios[2],
            "df": df,
            "n": int(used.sum()),
            "reference": [references.get(name, "") for name in names],
        },
        columns=REGRESSION_COLUMNS,
    )
    text = _design_text(design) + (f"; domain: {domain_name}" if domain_name else "")
    n = int(used.sum())
    return SurveyGLM(table, formula, family, covariance, text, n, int(df), level, y[used])


def _family(family: str):
    # lazy: statsmodels loads only when a model is fitted
    from statsmodels.genmod import families

    return getattr(families, FAMILIES[family][0])()


def _patsy_message(error) -> str:
    """patsy's message without its multi-line caret drawing."""
    return str(getattr(error, "message", error)).strip().splitlines()[0]


def _model_frame(formula: str, data: pd.DataFrame, family: str):
    """Outcome (Series) and model matrix (DataFrame) of the complete rows, indexed by row; term
    names; the reference level of each treatment-coded term. Dummies with no unit are dropped."""
    # lazy: patsy loads only when a model is fitted
    import patsy

    if "~" not in formula:
        raise RegressionError(f"the formula {formula!r} has no '~': write 'outcome ~ terms'")
    try:
        lhs, rhs = patsy.dmatrices(
            formula,
            data,
            NA_action="drop",
            return_type="dataframe",
            eval_env=patsy.EvalEnvironment([{"np": np}]),
        )
    except patsy.PatsyError as error:
        raise RegressionError(
            f"cannot fit the formula {formula!r}: {_patsy_message(error)}"
        ) from None
    if lhs.shape[1] == 2 and lhs.columns[1].endswith("[True]"):
        lhs = lhs.iloc[:, [1]]  # a True/False outcome: patsy codes both levels
    if lhs.shape[1] != 1:
        raise RegressionError(
            f"the outcome of {formula!r} gives {lhs.shape[1]} columns ({', '.join(lhs.columns)}): "
            "give one numeric variable (1/0 for binomial)"
        )
    if len(lhs) == 0:
        raise RegressionError("no unit in the domain has the outcome and every term")
    outcome = lhs.iloc[:, 0].rename("y")
    if family == "binomial":
        try:
            outcome = pd.Series(as_zero_one(outcome, str(lhs.columns[0])), index=outcome.index)
        except ValueError as error:  # one message for every 0/1 variable, as a model error
            raise RegressionError(str(error)) from error
    elif family == "poisson" and (outcome < 0).any():
        raise RegressionError(f"{lhs.columns[0]!r} has negative values: a count cannot (poisson)")
    references = {}
    empty = []
    info = rhs.design_info
    for term, columns in info.term_name_slices.items():
        names = list(rhs.columns[columns])
        levels = [m.group(1) for m in (re.search(r"\[T\.(.*)\]$", n) for n in names) if m]
        factors = info.terms[list(info.term_name_slices).index(term)].factors
        if len(levels) != len(names) or len(factors) != 1:
            continue
        categories = [str(c) for c in info.factor_infos[factors[0]].categories]
        rest = [c for c in categories if c not in levels]
        empty += [n for n in names if not rhs[n].any()]
        references.update({n: rest[0] for n in names} if len(rest) == 1 else {})
    return outcome, rhs.drop(columns=empty), [c for c in rhs.columns if c not in empty], references


def _design_text(design: SurveyDesign) -> str:
    """The design in words: strata, PSUs, finite population correction."""
    parts = [f"{design.n_strata} strata" if design.n_strata > 1 else "no strata"]
    parts.append(
        f"{design.n_psu} clusters (PSUs)" if design.n_psu < design.n else "each unit its own PSU"
    )
    parts.append("finite population correction" if design.population is not None else "no fpc")
    if isinstance(design, CalibratedDesign):
        parts.append("calibrated weights")
    return ", ".join(parts)


def _fit(x, y, weights, names, family: str, max_iter: int):
    """statsmodels' IRLS, converged tightly: the coefficients and the fitted means."""
    # lazy: statsmodels loads only when a model is fitted
    from statsmodels.genmod.generalized_linear_model import GLM

    model = GLM(y, x, family=_family(family), var_weights=weights)
    with warnings.catch_warnings():
        # Separation and non-convergence are told apart below, in the project's words.
        warnings.simplefilter("ignore")
        result = model.fit(maxiter=max_iter, tol=TOLERANCE, tol_criterion="params", rtol=TOLERANCE)
        coef = np.asarray(result.params, dtype=float)
        mu = model.predict(coef)
    if result.converged and np.all(np.isfinite(coef)):
        return coef, mu
    raise _not_converged(x, weights, coef, mu, names, family, max_iter)


def _not_converged(x, weights, coef, fitted, names, family, max_iter: int) -> RegressionError:
    """Why the iterations did not settle: separation, or a nearly singular design matrix."""
    # Separation drives fitted probabilities to 0 or 1; without it, steps that do not settle
    # come from an information matrix too near singular for its solution to be stable.
    separated = (
        family == "binomial" and np.minimum(fitted, 1 - fitted).min() < SEPARATED_PROBABILITY
    )
    if not separated:
        near = _singular_terms(x, weights, names, NEAR_SINGULAR_TOLERANCE)
        if near:
            return RegressionError(
                f"the fit did not converge in {max_iter} iterations: the design matrix "
                f"is nearly singular in the domain: {'; '.join(near)}. {SINGULAR_FIX}"
            )
    # Name the varying term with the largest coefficient: the intercept only follows it.
    varying = np.ptp(x, axis=0) > 0
    index = int(np.argmax(np.where(varying, np.abs(np.nan_to_num(coef)), -1.0)))
    cause = (
        "the outcome may be separated by that term; drop or collapse it, or " if separated else ""
    )
    return RegressionError(
        f"the fit did not converge in {max_iter} iterations (largest coefficient "
        f"{names[index]!r} = {coef[index]:g}): {cause}raise max_iter"
    )


def _check_fittable(x, response, weights, names: list[str], family: str) -> None:
    """Refuse models with no terms, no variation in y (binomial), or a singular design matrix."""
    if not names:
        raise RegressionError("the model has no terms: give terms or keep the intercept")
    if family == "binomial" and np.all(response == response[0]):
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
