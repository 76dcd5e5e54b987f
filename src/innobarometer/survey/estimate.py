"""Design-based shares, means, totals, distributions, multiple response and ordinal batteries.

Every estimator returns the tidy table (`TIDY_COLUMNS`), already through disclosure control, with
one row per indicator (and category) for the whole domain (group "") and one per group. Estimates
are ratios of weighted totals linearised by `SurveyDesign` (docs/statistics.md):

- A domain (innovators, a sector) and a group keep every unit in the design; units outside get
  zero scores. A missing answer (NaN) puts a unit outside that estimate's base, never outside the
  design.
- Intervals use the base's own degrees of freedom (PSUs with a responding unit in the domain minus
  their strata) and, for Korn-Graubard, its own unit count, as R's `svyby(..., svyciprop)` does
  when non-respondents are outside the domain.
- `deff` is R's `deff=TRUE`: the design variance over the variance under simple random sampling
  without replacement of the base's size from the base's estimated population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.disclosure import DEFAULT_THRESHOLD, apply_disclosure
from innobarometer.survey.intervals import (
    MEAN_METHOD,
    check_share_method,
    share_interval,
    t_interval,
)

TIDY_COLUMNS = [
    "indicator",
    "category",
    "domain",
    "group",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "ci_method",
    "n_unweighted",
    "deff",
    "suppressed",
    "flag",
    "suppression",
    "group_label",
    "category_label",
]
ALL_UNITS = "all"
WHOLE_DOMAIN = ""
OPTIONS_TICKED = "options_ticked"
ROWS_SHOWN = 5


def estimate_shares(
    design: SurveyDesign,
    indicators: pd.DataFrame,
    *,
    domain=None,
    domain_name: str | None = None,
    groups=None,
    ci_method: str = "logit",
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Shares of many 0/1 indicators (columns; NaN = outside that indicator's base) at once.

    `domain`: boolean mask of the units in the domain (None: all units), named `domain_name`.
    `groups`: one label per unit; each group present gives rows beside the whole domain's.
    """
    check_share_method(ci_method)
    values = _indicator_matrix(indicators, binary=True)
    labels = [(str(c), "1") for c in indicators.columns]
    return _ratio_table(
        design, values, labels, domain, domain_name, groups, ci_method, level, threshold
    )


def estimate_means(
    design: SurveyDesign,
    values: pd.DataFrame,
    *,
    domain=None,
    domain_name: str | None = None,
    groups=None,
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Means of numeric columns (NaN = outside the base), category "mean", symmetric t intervals."""
    matrix = _indicator_matrix(values, binary=False)
    labels = [(str(c), "mean") for c in values.columns]
    return _ratio_table(
        design, matrix, labels, domain, domain_name, groups, MEAN_METHOD, level, threshold
    )


def estimate_totals(
    design: SurveyDesign,
    values: pd.DataFrame,
    *,
    domain=None,
    domain_name: str | None = None,
    groups=None,
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Population totals of numeric columns (NaN = outside), category "total", t intervals."""
    matrix = _indicator_matrix(values, binary=False)
    labels = [(str(c), "total") for c in values.columns]
    _check_length(design, matrix)
    cells = _cells(design, domain, domain_name, groups)
    results = _cell_results(design, matrix, cells, ratio=False)
    return _finish(results, labels, cells.name, MEAN_METHOD, level, threshold)


def estimate_distribution(
    design: SurveyDesign,
    codes: pd.Series,
    *,
    categories: Sequence[int] | None = None,
    non_substantive: Sequence[int],
    separate_non_substantive: bool = True,
    domain=None,
    domain_name: str | None = None,
    groups=None,
    ci_method: str = "logit",
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The distribution of a single-choice or ordinal item: one row per category.

    With `separate_non_substantive` (the default) the substantive categories share a base without
    don't know / not relevant (`non_substantive` codes), and each non-substantive code gets its own
    row: its share of all answers. Without it, every code shares the base of all answers.
    `categories`: the substantive codes in table order (None: those observed, sorted).
    `non_substantive`: the item's don't know / not relevant codes, passed from the codebook
    (empty when it has none).
    """
    check_share_method(ci_method)
    answers = _codes(codes)
    answered = ~np.isnan(answers)
    is_non_substantive = np.isin(answers, non_substantive)
    observed = np.unique(answers[answered & ~is_non_substantive]).astype(int)
    if categories is None:
        categories = observed.tolist()
    unknown = sorted(set(observed.tolist()) - set(categories))
    if unknown:
        raise ValueError(
            f"column {codes.name!r} has codes {unknown} that are neither categories "
            f"{list(categories)} nor non-substantive {list(non_substantive)}: "
            "recode them or list them as categories"
        )
    substantive_base = answered & ~is_non_substantive if separate_non_substantive else answered
    columns = [np.where(substantive_base, answers == c, np.nan) for c in categories]
    columns += [np.where(answered, answers == c, np.nan) for c in non_substantive]
    labels = [(str(codes.name), str(c)) for c in [*categories, *non_substantive]]
    return _ratio_table(
        design,
        np.column_stack(columns),
        labels,
        domain,
        domain_name,
        groups,
        ci_method,
        level,
        threshold,
    )


def estimate_multiple_response(
    design: SurveyDesign,
    options: pd.DataFrame,
    indicator: str,
    *,
    domain=None,
    domain_name: str | None = None,
    groups=None,
    ci_method: str = "logit",
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Shares of every option of a multiple-response item and the mean number of options ticked.

    `options`: one 1/0 column per option (NaN: not asked). Option rows have the option's column
    name as category; the mean count (units with every option answered) has `OPTIONS_TICKED`.
    Differences between options, with their joint covariance: `compare.option_difference`.
    """
    check_share_method(ci_method)
    matrix = _indicator_matrix(options, binary=True)
    common = dict(
        domain=domain, domain_name=domain_name, groups=groups, level=level, threshold=threshold
    )
    labels = [(indicator, str(c)) for c in options.columns]
    shares = _ratio_table(design, matrix, labels, ci_method=ci_method, **common)
    # The count is NaN for a unit that left any option unanswered: outside the mean's base.
    count = matrix.sum(axis=1)[:, None]
    counts = _ratio_table(
        design, count, [(indicator, OPTIONS_TICKED)], ci_method=MEAN_METHOD, **common
    )
    return pd.concat([shares, counts], ignore_index=True)


def estimate_ordinal_battery(
    design: SurveyDesign,
    items: pd.DataFrame,
    *,
    promoted: Sequence[int],
    hindered: Sequence[int],
    non_substantive: Sequence[int],
    domain=None,
    domain_name: str | None = None,
    groups=None,
    ci_method: str = "logit",
    level: float = 0.95,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Promoted share, hindered share and net balance (promoted minus hindered) of each item.

    `promoted`, `hindered` and `non_substantive` are the scale's codes, passed from the codebook.
    Shares are of the substantive answers (non-substantive codes and NaN are outside the base).
    The net balance is the mean of promoted - hindered (1, 0, -1) over the same base, so its
    linearised variance is var(promoted) + var(hindered) - 2 cov(promoted, hindered) from the
    joint covariance; its interval is a symmetric t interval (ci_method "t"). The full
    distribution of an item: `estimate_distribution`.
    """
    check_share_method(ci_method)
    answers = np.column_stack([_codes(items[c]) for c in items.columns])
    base = ~np.isnan(answers) & ~np.isin(answers, non_substantive)
    promoted_share = np.where(base, np.isin(answers, promoted), np.nan)
    hindered_share = np.where(base, np.isin(answers, hindered), np.nan)
    names = [str(c) for c in items.columns]
    common = dict(domain=domain, domain_name=domain_name, groups=groups, level=level)
    shares = _ratio_table(
        design,
        np.column_stack([promoted_share, hindered_share]),
        [(n, "promoted") for n in names] + [(n, "hindered") for n in names],
        ci_method=ci_method,
        threshold=threshold,
        **common,
    )
    net = _ratio_table(
        design,
        promoted_share - hindered_share,
        [(n, "net") for n in names],
        ci_method=MEAN_METHOD,
        threshold=threshold,
        **common,
    )
    table = pd.concat([shares, net], ignore_index=True)
    order = pd.DataFrame(
        {
            "item": table["indicator"].map({n: i for i, n in enumerate(names)}),
            "statistic": table["category"].map({"promoted": 0, "hindered": 1, "net": 2}),
        }
    ).sort_values(["item", "statistic"], kind="stable")
    return table.loc[order.index].reset_index(drop=True)


@dataclass(frozen=True)
class _Cells:
    """The domain's name and the masks of its cells: the whole domain ("") and each group."""

    name: str
    masks: list[tuple[str, np.ndarray]]


def _cells(design: SurveyDesign, domain, domain_name: str | None, groups) -> _Cells:
    """The whole domain and its groups (groups present in the data, in sorted or category order)."""
    if domain is None:
        if domain_name not in (None, ALL_UNITS):
            raise ValueError(f"domain_name {domain_name!r} given without a domain mask")
        mask, name = np.ones(design.n, dtype=bool), ALL_UNITS
    else:
        if not domain_name:
            raise ValueError("name the domain (domain_name=...) so the table says who it covers")
        mask, name = design.unit_mask(domain, "domain"), domain_name
    masks = [(WHOLE_DOMAIN, mask)]
    if groups is not None:
        labels = design.per_unit(groups, "groups")
        # Units without a group label stay in the whole-domain row only.
        codes, uniques = pd.factorize(labels, sort=True)
        masks += [(str(u), mask & (codes == i)) for i, u in enumerate(uniques)]
    return _Cells(name, masks)


def _codes(column: pd.Series) -> np.ndarray:
    """Integer answer codes as floats, NaN for a missing answer."""
    return pd.to_numeric(pd.Series(column), errors="raise").to_numpy(dtype=float, na_value=np.nan)


def _indicator_matrix(frame: pd.DataFrame, binary: bool) -> np.ndarray:
    """The columns as a float matrix (n, k), NaN = outside the base; binary ones must be 1/0."""
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise ValueError("give the indicators as a DataFrame with one column per indicator")
    if binary:
        return as_zero_one(frame)
    return np.column_stack([_codes(frame[c]) for c in frame.columns])


def as_zero_one(values, name: str = "y") -> np.ndarray:
    """Yes/no values as floats 1/0 with NaN for missing: a vector (n,), or a DataFrame (n, k).

    Any other value (a don't know or not relevant code, text) is an error naming the column (a
    Series' own name, else `name`), the values found and their rows: shares, contrasts and
    regressions all take their 0/1 variables through here.
    """
    if isinstance(values, pd.DataFrame):
        frame = values
    else:
        series = pd.Series(values)
        frame = series.to_frame(name if series.name is None else series.name)
    # Row-major (one row per unit), as the estimators' sums read it; numeric columns need no
    # parsing (pd.to_numeric on many indicators costs more than the estimates).
    numbers = np.column_stack(
        [
            (
                column
                if pd.api.types.is_numeric_dtype(column)
                else pd.to_numeric(column, errors="coerce")
            ).to_numpy(dtype=float, na_value=np.nan)
            for column in (frame.iloc[:, j] for j in range(frame.shape[1]))
        ]
    )
    # Text coerces to NaN, so a present value that is not 0 or 1 after coercion is refused too.
    bad = frame.notna().to_numpy() & (numbers != 0) & (numbers != 1)
    if bad.any():
        column = int(np.flatnonzero(bad.any(axis=0))[0])
        found = pd.unique(frame.iloc[:, column].to_numpy(dtype=object)[bad[:, column]])
        found = [repr(value) if isinstance(value, str) else str(value) for value in found]
        raise ValueError(
            f"column {frame.columns[column]!r} must be 1 (yes), 0 (no) or missing, but has "
            f"{_first(found)} in rows {_first(frame.index[bad[:, column]])}: recode yes to 1 "
            "and no to 0, and set don't know, not relevant and units outside the base to missing"
        )
    return numbers if isinstance(values, pd.DataFrame) else numbers[:, 0]


def _first(items) -> str:
    """The first few items, for error messages: "8, 9 and 3 more"."""
    shown = ", ".join(map(str, items[:ROWS_SHOWN]))
    return shown + (f" and {len(items) - ROWS_SHOWN} more" if len(items) > ROWS_SHOWN else "")


def _check_length(design: SurveyDesign, matrix: np.ndarray) -> None:
    if len(matrix) != design.n:
        raise ValueError(f"the data have {len(matrix)} rows for a design of {design.n} units")


def _ratio_table(
    design: SurveyDesign,
    values: np.ndarray,
    labels: list[tuple[str, str]],
    domain,
    domain_name: str | None,
    groups,
    ci_method: str,
    level: float,
    threshold: int,
) -> pd.DataFrame:
    """The tidy table of ratio estimates (shares, means) of every column in every cell."""
    _check_length(design, values)
    cells = _cells(design, domain, domain_name, groups)
    results = _cell_results(design, values, cells, ratio=True)
    return _finish(results, labels, cells.name, ci_method, level, threshold)


def _cell_results(design: SurveyDesign, values: np.ndarray, cells: _Cells, ratio: bool) -> list:
    """Estimates (ratios, or totals), SEs, n, df and deff of every column in every cell.

    One pass of weighted sums for all cells (`SurveyDesign.cell_estimates`); deff for 0/1
    columns from the shares, otherwise from each cell's weighted spread.
    """
    answered = ~np.isnan(values)
    filled = np.where(answered, values, 0.0)
    binary = ratio and not np.any((filled != 0) & (filled != 1))
    codes = np.full(design.n, -1, dtype=np.int64)
    groups = cells.masks[1:]
    codes[cells.masks[0][1]] = len(groups)  # units of the domain in no group: the last cell
    for index, (_, mask) in enumerate(groups):
        codes[mask] = index
    sums = design.cell_estimates(
        filled, answered.astype(float), codes, len(groups) + 1, ratio=ratio, spread=not binary
    )
    results = []
    for index, (group, _) in enumerate(cells.masks):
        estimates, variance, n = sums.estimate[index], sums.variance[index], sums.n[index]
        population = sums.population[index]
        with np.errstate(divide="ignore", invalid="ignore"):
            if binary:
                srs = design.srs_variances_of_shares(estimates, n, population)
            else:
                srs = design.srs_variances_from_spread(sums.spread[index], n, population)
                srs = srs if ratio else population**2 * srs
            results.append(
                {
                    "group": group,
                    "estimate": estimates,
                    "se": np.sqrt(variance),
                    "n_unweighted": n,
                    "df": sums.df[index],
                    "deff": variance / srs,
                    "population": population,
                }
            )
    return results


def _finish(results, labels, domain_name, ci_method, level, threshold) -> pd.DataFrame:
    """Cells x columns into tidy rows (each column's whole-domain row, then its groups)."""

    def stacked(key):
        return np.stack([r[key] for r in results], axis=1).ravel()

    n_cells = len(results)
    estimate, se, n, df = stacked("estimate"), stacked("se"), stacked("n_unweighted"), stacked("df")
    with np.errstate(divide="ignore", invalid="ignore"):
        if ci_method == MEAN_METHOD:
            lower, upper = t_interval(estimate, se, df, level)
        else:
            # The base's summed weights: the Korn-Graubard cap keeps its sampling fraction.
            big_n = stacked("population")
            lower, upper = share_interval(estimate, se, df, n, ci_method, level, population=big_n)
    table = pd.DataFrame(
        {
            "indicator": np.repeat([i for i, _ in labels], n_cells),
            "category": np.repeat([c for _, c in labels], n_cells),
            "domain": domain_name,
            "group": np.tile([r["group"] for r in results], len(labels)),
            "estimate": estimate,
            "se": se,
            "ci_lower": lower,
            "ci_upper": upper,
            "ci_method": ci_method,
            "n_unweighted": n.astype(np.int64),
            "deff": stacked("deff"),
            "suppressed": False,
            "flag": "",
            "suppression": "",
            "group_label": "",
            "category_label": "",
        },
        columns=TIDY_COLUMNS,
    )
    return apply_disclosure(table, threshold, df=df)
