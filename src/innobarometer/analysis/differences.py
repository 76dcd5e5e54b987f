"""Tested differences: options of one item, groups of one edition, editions and countries.

Within one edition a difference uses the joint covariance of the design; between editions or
countries the samples are independent. Every set of differences gets Holm-adjusted p-values over
its unsuppressed rows, and no difference is shown for a group that disclosure control hides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innobarometer.analysis.editions import Edition, country_editions, load_edition
from innobarometer.analysis.estimates import (
    balance_codes,
    concat_tables,
    empty_table,
    estimate_indicators,
    estimate_variable,
    not_asked,
    variable_scope,
)
from innobarometer.codebook import finest_common_classes, load_codebook
from innobarometer.indicators import (
    indicator_values,
    load_indicators,
)
from innobarometer.survey.compare import (
    difference_independent,
    group_contrast,
    holm,
    option_difference,
    rao_scott,
)
from innobarometer.survey.disclosure import DEFAULT_THRESHOLD
from innobarometer.survey.estimate import estimate_shares

DIFFERENCE_COLUMNS = [
    "label",
    "first",
    "second",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "p",
    "p_holm",
    "n_first",
    "n_second",
    "suppressed",
]


def _difference_rows(rows: list[dict]) -> pd.DataFrame:
    """Difference rows into one table with Holm-adjusted p-values over the unsuppressed ones."""

    columns = [c for c in DIFFERENCE_COLUMNS if c != "p_holm"]
    table = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    table["suppressed"] = table["suppressed"].astype(bool)
    numeric = ["estimate", "se", "ci_lower", "ci_upper", "p"]
    table[numeric] = table[numeric].astype(float)
    table.loc[table["suppressed"], numeric] = np.nan
    table.insert(DIFFERENCE_COLUMNS.index("p_holm"), "p_holm", holm(table["p"].to_numpy()))
    return table


def _comparison(result: pd.DataFrame) -> dict:
    row = result.iloc[0]
    return {k: float(row[k]) for k in ("estimate", "se", "ci_lower", "ci_upper", "p")}


def option_differences(
    edition: Edition, variable: str, *, ci_method="logit", threshold: int = DEFAULT_THRESHOLD
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A multiple-response item's option shares, and each option against the next most common
    (ranked), each difference with the options' joint covariance; Holm over the set."""

    shares = estimate_variable(edition, variable, ci_method=ci_method, threshold=threshold)
    if shares.empty:
        return shares, _difference_rows([])
    options = shares[(shares["group"] == "") & (shares["ci_method"] != "t")]
    ranked = options.sort_values("estimate", ascending=False, kind="stable")
    ranked = pd.concat([ranked[~ranked["suppressed"]], ranked[ranked["suppressed"]]])
    var = load_codebook()[variable]
    mask, _ = variable_scope(edition.frame, var.universe, None)
    rows = []
    for first, second in zip(ranked.iloc[:-1].itertuples(), ranked.iloc[1:].itertuples()):
        row = {
            "label": f"{var.options[first.category]} vs {var.options[second.category]}",
            "first": first.category,
            "second": second.category,
            "n_first": first.n_unweighted,
            "n_second": second.n_unweighted,
            "suppressed": bool(first.suppressed or second.suppressed),
        }
        if not row["suppressed"]:
            y1, y2 = (edition.frame[f"{variable}_{o}"] for o in (first.category, second.category))
            row |= _comparison(option_difference(edition.design, y1, y2, domain=mask))
        rows.append(row)
    return shares, _difference_rows(rows)


def group_differences(
    edition: Edition,
    values,
    groups,
    pairs: list[tuple[str, str]],
    labels: dict,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Share of `values` (1/0, NaN outside the base) in one group minus another, for each pair,
    within the edition's design (joint covariance). A pair is suppressed when either group is
    hidden in the shares table beside it, by the threshold or by secondary suppression (else the
    difference and the other group's share would give the hidden one away). Holm over the pairs.
    No rows when no unit has a group or an answer (a question not asked, or nobody qualified)."""

    groups = pd.Series(groups).astype("string").reset_index(drop=True)
    answered = ~np.isnan(np.asarray(values, dtype=float))
    if groups.isna().all() or not answered.any():
        return _difference_rows([])
    hidden = _hidden_groups(edition, values, groups, threshold)
    rows = []
    for first, second in pairs:
        n_first = int((answered & (groups == first).fillna(False).to_numpy()).sum())
        n_second = int((answered & (groups == second).fillna(False).to_numpy()).sum())
        row = {
            "label": f"{labels.get(first, first)} vs {labels.get(second, second)}",
            "first": first,
            "second": second,
            "n_first": n_first,
            "n_second": n_second,
            # Hidden in the shares table (threshold or secondary), or absent from it altogether.
            "suppressed": min(n_first, n_second) < max(threshold, 1)
            or bool({first, second} & hidden),
        }
        if not row["suppressed"]:
            result = group_contrast(edition.design, values, groups, first, second)
            row |= _comparison(result)
        rows.append(row)
    return _difference_rows(rows)


def _hidden_groups(edition: Edition, values, groups: pd.Series, threshold: int) -> set[str]:
    """The groups that disclosure control hides in the shares of `values` by `groups`."""
    labels = groups.astype(object)
    table = estimate_shares(
        edition.design,
        pd.DataFrame({"y": np.asarray(values, dtype=float)}),
        groups=labels.where(labels.notna(), None).to_numpy(),
        threshold=threshold,
    )
    return set(table.loc[(table["group"] != "") & table["suppressed"], "group"])


def _share_and_df(edition: Edition, indicator: str, options: dict) -> tuple[pd.Series, float]:
    """The whole-domain share of a published indicator and its base's degrees of freedom."""
    row = estimate_indicators(edition, [indicator], **options).iloc[0]
    base = ~np.isnan(indicator_values(edition.frame, indicator).to_numpy(dtype=float))
    return row, float(edition.design.domain_degrees_of_freedom(base))


def independent_differences(
    editions: list[Edition], indicator: str, pairs: list[tuple[int, int]], **options
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator in each edition (group = edition id) and the differences between the pairs
    of editions (indices into `editions`, first minus second) as independent samples; Holm."""

    estimated = [_share_and_df(e, indicator, options) for e in editions]
    shares = pd.DataFrame([row for row, _ in estimated]).assign(
        group=[e.edition_id for e in editions]
    )
    rows = []
    for i, j in pairs:
        (a, df_a), (b, df_b) = estimated[i], estimated[j]
        row = {
            "label": f"{editions[i].edition_id} vs {editions[j].edition_id}",
            "first": editions[i].edition_id,
            "second": editions[j].edition_id,
            "n_first": a.n_unweighted,
            "n_second": b.n_unweighted,
            "suppressed": bool(a.suppressed or b.suppressed),
        }
        if not row["suppressed"]:
            result = difference_independent(a.estimate, a.se, df_a, b.estimate, b.se, df_b)
            row |= _comparison(result)
        rows.append(row)
    return shares.reset_index(drop=True), _difference_rows(rows)


def trend(country: str, indicator: str = "innovative", **options):
    """An indicator across the country's active editions, and each edition against the one before
    (independent samples; no rows when the country has a single edition). Editions that did not
    ask the indicator are left out (`editions_not_asked` names them)."""
    editions = [load_edition(e) for e in country_editions(country)]
    editions = [e for e in editions if not not_asked(e, [indicator])]
    pairs = [(i + 1, i) for i in range(len(editions) - 1)]
    return independent_differences(editions, indicator, pairs, **options)


def country_differences(editions: list[Edition], indicators: list[str], **options):
    """Headline indicators for every edition side by side (group = country), and every pair of
    countries' difference per indicator (independent samples), Holm-adjusted per indicator. An
    edition that did not ask an indicator is left out of its comparison (`editions_not_asked`)."""
    shares, differences = [empty_table()], [_difference_rows([])]
    for indicator in indicators:
        asked = [e for e in editions if not not_asked(e, [indicator])]
        if not asked:
            continue
        pairs = [(i, j) for i in range(len(asked)) for j in range(i + 1, len(asked))]
        table, diff = independent_differences(asked, indicator, pairs, **options)
        shares.append(table.assign(group=[e.country for e in asked]))
        label = load_indicators()[indicator].label
        differences.append(diff.assign(label=label + ": " + diff["label"]))
    return concat_tables(shares), concat_tables(differences)


def association_test(edition: Edition, values, by: str) -> float:
    """The Rao-Scott p-value of a 1/0 outcome (NaN outside its base) against a background column;
    NaN when fewer than two groups or outcomes occur."""

    outcome = pd.Series(np.asarray(values, dtype=float))
    column = edition.frame[by].astype("string").reset_index(drop=True)
    present = outcome.notna() & column.notna()
    if outcome[present].nunique() < 2 or column[present].nunique() < 2:
        return float("nan")
    return rao_scott(edition.design, outcome.where(present), column.where(present)).p


def battery_differences(
    edition: Edition,
    items: list[str],
    statistic: str,
    groups: pd.Series,
    pair,
    names: dict,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """For each battery item, the share `promoted` or `hindered` in one group minus another,
    within the design; Holm over the items (no rows without items)."""

    if not items:
        return _difference_rows([])
    parts = []
    for item in items:
        var = load_codebook()[item]
        balance = balance_codes(var.battery)
        codes_of = {"promoted": balance.promoted, "hindered": balance.hindered}[statistic]
        codes = edition.frame[item].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        base = ~np.isnan(codes) & ~np.isin(codes, var.non_substantive)
        values = np.where(base, np.isin(codes, codes_of), np.nan)
        diff = group_differences(edition, values, groups, [pair], names, threshold)
        parts.append(diff.assign(label=var.label + ": " + diff["label"]))
    table = pd.concat(parts, ignore_index=True)
    table["p_holm"] = holm(table["p"].to_numpy())
    return table


def common_class_groups(editions: list[Edition], variable: str) -> dict[str, pd.Series]:
    """Each edition's units labelled by the finest classes of a background `variable` that every
    edition can be compared in (an edition whose file has only "50+" makes the others' "50-99"
    and "100+" read as "50+"; `codebook.finest_common_classes`). Pass one as `by=` to compare
    groups across editions; NA where a unit has no class."""
    var = load_codebook()[variable]
    classes = [set(e.frame[variable].astype("string").dropna()) for e in editions]
    common = finest_common_classes(var, classes)
    return {
        e.edition_id: e.frame[variable].astype("string").map(common, na_action="ignore")
        for e in editions
    }
