"""Survey GLMs of an edition from formulas, as researchers write them: `fit(edition, formula)`.

The codebook decides what a variable's values mean: don't know and not relevant (8, 9) are outside
the model as in every estimate; a single-choice, ordinal or background variable is a factor whose
levels follow the codebook's order (the first level with units is the reference); levels with
fewer than max(threshold, 10) modelled units are pooled, so that no coefficient rests on a handful
of units. When the edition did not ask a variable of the formula there is no model (the section's
notice says so); when a model cannot be fitted, or the rarer outcome has fewer than ten units per
term, `Model.message` says why, and the report prints it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from innobarometer import language
from innobarometer.analysis.editions import AnalysisError, Edition, load_edition
from innobarometer.analysis.estimates import (
    asked_columns,
    binary_values,
    domain_mask,
    not_asked,
)
from innobarometer.codebook import load_codebook
from innobarometer.data_set import DataSetError
from innobarometer.indicators import indicator_values, load_indicators
from innobarometer.language import N_, _
from innobarometer.survey.disclosure import DEFAULT_THRESHOLD
from innobarometer.survey.regression import (
    FAMILIES,
    INTERCEPT,
    REGRESSION_COLUMNS,
    RegressionError,
    formula_variables,
    svyglm,
)
from innobarometer.wording import did_you_mean

# Peduzzi et al. (1996, J Clin Epidemiol 49:1373): about ten events of the rarer outcome per
# coefficient keep logistic estimates from being badly biased; fewer, and the report says so.
EVENTS_PER_TERM = 10
SMALL_LEVEL = "other (small groups)"
# The model's tidy table: the regression table with the codebook's label of each term.
COEFFICIENT_COLUMNS = ["term", "label", *REGRESSION_COLUMNS[1:]]
# What a report shows of a logistic model (report.show_model): odds ratios, no intercept.
MODEL_COLUMNS = ["term", "label", "odds_ratio", "ci_lower", "ci_upper", "p", "n", "reference"]
CATEGORICAL_TYPES = ("single", "ordinal", "background")


@dataclass(frozen=True)
class Model:
    """A fitted survey GLM of an edition, or `message` saying why there is none.

    `coefficients`: one row per coefficient (`COEFFICIENT_COLUMNS`: the survey regression table
    with each term's codebook label; `reference` names a factor's reference level by its label).
    `table`: the odds ratios of the terms as a report shows them (`MODEL_COLUMNS`).
    """

    coefficients: pd.DataFrame
    message: str
    n: int
    summary_text: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """Odds ratios (exp of the coefficients) of every term but the intercept."""
        terms = self.coefficients[self.coefficients["term"] != INTERCEPT]
        return pd.DataFrame(
            {
                "term": terms["term"],
                "label": terms["label"],
                "odds_ratio": terms["exp_coef"],
                "ci_lower": terms["exp_lower"],
                "ci_upper": terms["exp_upper"],
                "p": terms["p"],
                "n": terms["n"],
                "reference": terms["reference"],
            },
            columns=MODEL_COLUMNS,
        ).reset_index(drop=True)

    @property
    def not_asked(self) -> bool:
        """No model and nothing to say: the edition did not ask what it needs (a notice says so)."""
        return self.coefficients.empty and not self.message

    def summary(self) -> str:
        """statsmodels-style text of the fit (the design stated), or why there is none."""
        return self.summary_text or self.message or "No model: the edition did not ask for it."


def _no_model(message: str = "", n: int = 0) -> Model:
    return Model(pd.DataFrame(columns=COEFFICIENT_COLUMNS), message, n)


@language.in_every_language
def _why(template: str, **values) -> str:
    """Why a model is not shown, in every language of the build (`template` marked with N_)."""
    return _(template).format(**values)


def fit(
    edition: Edition,
    formula: str,
    *,
    family: str = "binomial",
    domain: str = "all",
    labels: dict[str, str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Model:
    """A survey GLM of `formula` over a named domain of the edition (R's svyglm habit).

    `formula`: patsy syntax over codebook variables, option columns and published indicators,
    e.g. "innovative ~ C(gov_level) + C(size_class)"; single-choice, ordinal and background
    variables are factors in codebook order. `family`: binomial (1/0 outcome, odds ratios),
    gaussian or poisson. `labels`: term labels that replace the codebook's (e.g. for an
    indicator). An unknown variable, a bad formula or family raise AnalysisError; a model the
    data cannot support gives a Model whose `message` says why.
    """
    try:
        variables = formula_variables(formula)
    except RegressionError as error:
        raise AnalysisError(str(error)) from error
    if family not in FAMILIES:
        raise AnalysisError(
            f"unknown family {family!r}{did_you_mean(family, FAMILIES)}: use one of "
            f"{', '.join(FAMILIES)}"
        )
    mask = domain_mask(edition.frame, domain)
    _check_known(variables)
    if _unasked(edition, variables):
        return _no_model()
    data = pd.DataFrame({name: _values(edition, name) for name in variables})
    used = mask & data.notna().all(axis=1).to_numpy()
    if not used.any():
        return _no_model(_why(N_("The model cannot be estimated: no unit has every answer.")))
    smallest = max(threshold, 10)
    for name in variables:
        if isinstance(data[name].dtype, pd.CategoricalDtype):
            data[name] = _pool_small_levels(data[name], used, smallest)
            used &= data[name].notna().to_numpy()
            if len(data[name].cat.categories) < 2:
                return _no_model(
                    _why(
                        N_(
                            "The model cannot be estimated on this edition: {term} has fewer "
                            "than two groups of at least {smallest} units among the {n} modelled."
                        ),
                        term=_term_label(name, labels or {}),
                        smallest=smallest,
                        n=int(used.sum()),
                    ),
                    int(used.sum()),
                )
    try:
        fitted = svyglm(
            formula, data, edition.design, family=family, domain=used, domain_name=domain
        )
    except RegressionError as error:
        return _no_model(
            _why(N_("The model cannot be estimated on this edition: {error}"), error=error)
        )
    n = int(used.sum())
    if family == "binomial":
        rarer = int(min(fitted.outcome.sum(), (1 - fitted.outcome).sum()))
        terms = len(fitted.table) - 1
        if rarer < EVENTS_PER_TERM * terms or rarer < threshold:
            return _no_model(
                _why(
                    N_(
                        "The model cannot be estimated reliably on this edition: the rarer "
                        "outcome occurs in {rarer} of {n} units, fewer than ten per term of the "
                        "model ({terms} terms)."
                    ),
                    rarer=rarer,
                    n=n,
                    terms=terms,
                ),
                n,
            )
    terms, references = fitted.table["term"], fitted.table["reference"]
    table = fitted.table.assign(
        label=[_term_label(t, labels or {}) for t in terms],
        reference=[_level_label(t, r) for t, r in zip(terms, references)],
    )
    return Model(table[COEFFICIENT_COLUMNS], "", n, fitted.summary())


def _check_known(variables: list[str]) -> None:
    """Refuse a name that is no codebook variable, option column or published indicator."""
    codebook = load_codebook()
    known = list(codebook.variables) + codebook.columns() + list(load_indicators().indicators)
    for name in variables:
        if name not in known:
            raise AnalysisError(
                f"{name!r} in the formula is neither a codebook variable nor a published "
                f"indicator{did_you_mean(name, known)}; see `python -m innobarometer codebook`"
            )


def _unasked(edition: Edition, variables: list[str]) -> bool:
    """Whether the edition did not ask a variable of the formula (the not-asked rule)."""
    codebook = load_codebook()
    named = [v for v in variables if v in codebook or v in load_indicators()]
    if not_asked(edition, named):
        return True
    options = [v for v in variables if v not in named]
    # An option the national questionnaire did not offer is not asked either.
    return any(v not in asked_columns(edition, codebook.variable_of(v).name) for v in options)


def _values(edition: Edition, name: str) -> pd.Series:
    """A formula variable's values per unit: NaN (NA) for don't know, not relevant, not asked;
    a factor in codebook order for categories; 1/0 for binary items, options and indicators."""
    codebook = load_codebook()
    frame = edition.frame
    if name in codebook:
        var = codebook[name]
        if var.type == "binary":
            return pd.Series(binary_values(edition, name))
        if var.type in CATEGORICAL_TYPES and var.categories:
            # The coarser national classes too ('50+'): their units are in the model.
            levels = list(var.class_labels)
            codes = frame[name].reset_index(drop=True)
            if pd.api.types.is_numeric_dtype(codes):  # integer codes, whatever the dtype
                codes = codes.astype("Float64").round().astype("Int64")
            codes = codes.astype("string")
            # Don't know, not relevant and codes outside the codebook are outside the model.
            return pd.Series(pd.Categorical(codes.where(codes.isin(levels)), categories=levels))
        if var.type == "numeric":
            return frame[name].astype("Float64").astype(float).reset_index(drop=True)
        raise AnalysisError(
            f"{name!r} is a {var.type} variable and cannot be a model term: name one of its "
            f"columns ({', '.join(var.columns[:3])}, ...) or a published indicator"
            if var.type == "multiple"
            else f"{name!r} is a {var.type} column and cannot be a model term"
        )
    if name in load_indicators():
        return indicator_values(frame, name).reset_index(drop=True)
    return frame[name].astype("Float64").astype(float).reset_index(drop=True)  # an option


def _pool_small_levels(column: pd.Series, used: np.ndarray, smallest: int) -> pd.Series:
    """Levels with fewer than `smallest` modelled units pooled into one (last), so that no
    coefficient rests on a handful of units (disclosure) or on a level the outcome separates;
    a pool still under `smallest` units is missing (those units leave the model). Levels with no
    modelled unit are dropped, so the first level with units is the reference."""
    counts = column[used].value_counts()
    present = [level for level in column.cat.categories if counts[level] > 0]
    small = [level for level in present if counts[level] < smallest]
    kept = [level for level in present if level not in small]
    pooled_count = int(counts[small].sum())
    pool = [SMALL_LEVEL] if pooled_count >= smallest else []
    values = column.astype(object).where(~column.isin(small), SMALL_LEVEL if pool else None)
    return pd.Series(pd.Categorical(values.where(column.notna()), categories=kept + pool))


def _split(term: str) -> tuple[str, str | None]:
    """'C(gov_level)[T.regional]' -> ('gov_level', 'regional'); 'ell' -> ('ell', None)."""
    match = re.fullmatch(r"(?:C\()?(\w+)(?:,[^)]*)?\)?\[T\.(.+)\]", term)
    return (match.group(1), match.group(2)) if match else (term, None)


def _level_label(term: str, level: str) -> str:
    """A level's codebook label ('State'); '' where the term has no reference level."""
    if not level:
        return ""
    name, _ = _split(term)
    codebook = load_codebook()
    if level == SMALL_LEVEL or name not in codebook:
        return level
    return codebook[name].class_labels.get(level, level)


def _term_label(term: str, labels: dict[str, str]) -> str:
    """The codebook's words for a term: 'Government level: Regional', 'Innovative'."""
    if term in labels:
        return labels[term]
    name, level = _split(term)
    codebook = load_codebook()
    if name in labels:
        base = labels[name]
    elif name in codebook:
        base = codebook[name].label
    elif name in load_indicators():
        base = load_indicators()[name].label
    elif name in codebook.columns():
        var = codebook.variable_of(name)
        base = f"{var.label}: {var.options[name.removeprefix(var.name + '_')]}"
    else:
        return term
    return base if level is None else f"{base}: {_level_label(term, level)}"


def run_model_command(args) -> int:
    """`python -m innobarometer model EDITION FORMULA [--family ...] [--domain ...]`: the tidy
    table as CSV, unrounded; a clear error and exit code 2 when there is no model."""
    try:
        edition = load_edition(args.edition, args.data)
        model = fit(edition, args.formula, family=args.family, domain=args.domain)
        if model.not_asked:
            raise AnalysisError(
                f"{edition.edition_id} did not ask every variable of {args.formula!r}, so there "
                "is no model"
            )
        if model.message:
            raise AnalysisError(model.message)
    except (AnalysisError, DataSetError, ValueError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 2
    model.coefficients.to_csv(sys.stdout, index=False)
    return 0
