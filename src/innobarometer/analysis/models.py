"""Survey logistic regressions of the theme reports, with the reason when there is none.

A model is fitted only when the edition asked every variable it needs and the rarer outcome has
about ten events per term; otherwise `LogisticModel.message` says why, and the report prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from innobarometer.analysis.editions import Edition
from innobarometer.analysis.estimates import binary_values, domain_mask, not_asked
from innobarometer.codebook import load_codebook
from innobarometer.indicators import (
    indicator_values,
)
from innobarometer.survey.disclosure import DEFAULT_THRESHOLD
from innobarometer.survey.regression import RegressionError, model_matrix, survey_logistic

# Peduzzi et al. (1996, J Clin Epidemiol 49:1373): about ten events of the rarer outcome per
# coefficient keep logistic estimates from being badly biased; fewer, and the report says so.
EVENTS_PER_TERM = 10


SMALL_LEVEL = "other (small groups)"


@dataclass(frozen=True)
class LogisticModel:
    """Odds ratios of a survey logistic regression, or `message` saying why there are none."""

    table: pd.DataFrame  # term, label, odds_ratio, ci_lower, ci_upper, p, n (no intercept)
    message: str
    n: int

    @property
    def not_asked(self) -> bool:
        """No model and nothing to say: the edition did not ask what it needs (a notice says so)."""
        return self.table.empty and not self.message


MODEL_COLUMNS = ["term", "label", "odds_ratio", "ci_lower", "ci_upper", "p"]


def _unasked_model() -> LogisticModel:
    return LogisticModel(pd.DataFrame(columns=MODEL_COLUMNS), "", 0)


def _pool_small_levels(column: pd.Series, used: np.ndarray, smallest: int) -> pd.Series:
    """Levels with fewer than `smallest` modelled units pooled into one, so no odds ratio rests
    on a handful of units (disclosure) or on a level the outcome separates. Levels are counted
    among the modelled units only; a pool still under `smallest` units becomes missing (those
    units leave the model)."""
    values = column.astype("string").where(pd.Series(used, index=column.index))
    counts = values.value_counts()
    small = counts.index[counts < smallest]
    pooled = values.mask(values.isin(small), SMALL_LEVEL)
    if 0 < counts[small].sum() < smallest:
        pooled = pooled.mask(pooled == SMALL_LEVEL)
    return pooled


def _term_label(term: str, term_labels: dict) -> str:
    if term in term_labels:
        return term_labels[term]
    if "[" not in term:
        return term
    column, level = term[:-1].split("[", 1)
    codebook = load_codebook()
    if column in codebook and level in {str(c) for c in codebook[column].categories}:
        code = int(level) if level.isdigit() else level
        return f"{codebook[column].label}: {codebook.label(column, code)}"
    return f"{codebook[column].label if column in codebook else column}: {level}"


def fit_logistic(
    edition: Edition,
    outcome,
    predictors: dict[str, pd.Series],
    *,
    domain=None,
    reference: dict | None = None,
    term_labels: dict | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> LogisticModel:
    """Survey logistic regression (design-based sandwich) of a 1/0 outcome on named predictors.

    Text predictors become treatment dummies (levels under max(threshold, 10) units pooled);
    predictors constant in the modelled units are dropped. When the rarer outcome has fewer
    than ten units per coefficient, or the fit fails, the model says why instead of raising.
    """

    y = pd.Series(np.asarray(outcome, dtype=float))
    frame = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in predictors.items()})
    used = y.notna().to_numpy() & frame.notna().all(axis=1).to_numpy()
    if domain is not None:
        used &= np.asarray(domain, dtype=bool)
    empty = pd.DataFrame(columns=MODEL_COLUMNS)
    if not used.any():
        return LogisticModel(empty, "The model cannot be estimated: no unit has every answer.", 0)
    text = [c for c in frame if not pd.api.types.is_numeric_dtype(frame[c])]
    for column in text:
        frame[column] = _pool_small_levels(frame[column], used, max(threshold, 10))
        used &= frame[column].notna().to_numpy()
    kept = [c for c in frame if frame.loc[used, c].nunique() > 1]
    if not kept:
        return LogisticModel(
            empty,
            "The model cannot be estimated on this edition: no characteristic has two groups "
            f"of at least {max(threshold, 10)} units among the {int(used.sum())} modelled.",
            int(used.sum()),
        )
    # A requested reference level that was pooled away falls back to the first level.
    present = {k: set(frame.loc[used, k].dropna().astype(str)) for k in kept}
    reference = {k: v for k, v in (reference or {}).items() if k in kept and str(v) in present[k]}
    try:
        x = model_matrix(frame[kept].where(pd.Series(used), None), kept, reference=reference)
    except RegressionError as error:
        return LogisticModel(empty, f"The model cannot be estimated on this edition: {error}", 0)
    rarer = int(min(y[used].sum(), (1 - y[used]).sum()))
    if rarer < EVENTS_PER_TERM * (x.shape[1] - 1) or rarer < threshold:
        return LogisticModel(
            empty,
            f"The model cannot be estimated reliably on this edition: the rarer outcome occurs in "
            f"{rarer} of {int(used.sum())} units, fewer than ten per term of the model "
            f"({x.shape[1] - 1} terms).",
            int(used.sum()),
        )
    try:
        fitted = survey_logistic(edition.design, x, y, domain=used)
    except RegressionError as error:
        return LogisticModel(empty, f"The model cannot be estimated on this edition: {error}", 0)
    terms = fitted[fitted["term"] != "(Intercept)"]
    table = pd.DataFrame(
        {
            "term": terms["term"],
            "label": [_term_label(t, term_labels or {}) for t in terms["term"]],
            "odds_ratio": terms["odds_ratio"],
            "ci_lower": terms["or_lower"],
            "ci_upper": terms["or_upper"],
            "p": terms["p"],
            "n": terms["n"],
        }
    ).reset_index(drop=True)
    return LogisticModel(table, "", int(used.sum()))


def model_effect_on_collaboration(
    edition: Edition, effect: str = "effect_quality", threshold: int = DEFAULT_THRESHOLD
):
    """Odds of an effect (e.g. increased quality) for innovations made in collaboration,
    adjusted for government level and size, among innovators (no model when any of these was
    not asked)."""
    if not_asked(edition, [effect, "collaborated_any", "gov_level", "size_class"]):
        return _unasked_model()
    frame = edition.frame
    return fit_logistic(
        edition,
        binary_values(edition, effect),
        {
            "collaborated": indicator_values(frame, "collaborated_any").to_numpy(),
            "gov_level": frame["gov_level"],
            "size_class": frame["size_class"],
        },
        domain=domain_mask(frame, "innovators"),
        term_labels={"collaborated": "Made in collaboration"},
        threshold=threshold,
    )


def model_spreading_on_novelty(edition: Edition, threshold: int = DEFAULT_THRESHOLD):
    """Odds of spreading the innovation actively for adapters and copiers against originators
    (own innovations), adjusted for sector and size, among innovators (no model when any of these
    was not asked)."""
    if not_asked(edition, ["spread_actively", "novelty", "sector", "size_class"]):
        return _unasked_model()
    frame = edition.frame
    novelty = frame["novelty"].astype("Float64").where(lambda s: s.isin([1, 2, 3]))
    return fit_logistic(
        edition,
        binary_values(edition, "spread_actively"),
        {
            "novelty": novelty.astype("Int64").astype("string"),
            "sector": frame["sector"],
            "size_class": frame["size_class"],
        },
        domain=domain_mask(frame, "innovators"),
        reference={"novelty": "1"},
        threshold=threshold,
    )


def model_innovative_on_characteristics(edition: Edition, threshold: int = DEFAULT_THRESHOLD):
    """Odds of being innovative by government level, sector and size, over all units (no model
    when any of these was not asked)."""
    if not_asked(edition, ["innovative", "gov_level", "sector", "size_class"]):
        return _unasked_model()
    frame = edition.frame
    return fit_logistic(
        edition,
        binary_values(edition, "innovative"),
        {c: frame[c] for c in ("gov_level", "sector", "size_class")},
        threshold=threshold,
    )
