"""Tested differences: options of one item, groups of one edition, editions and countries.

Within one edition a difference uses the joint covariance of the design; between editions or
countries the samples are independent. Every set of differences gets Holm-adjusted p-values over
its unsuppressed rows, and no difference is shown for a group that disclosure control hides.

The pairs behind a generated claim (`group_pairs`, `item_pairs`, `item_pairs_by_group`, and the
country pairs of `country_differences`) compare every pair of a table's rows, each family named
in its `family` column ("the 55 pairs of sectors"), Holm-adjusted within that family; a claim such
as "highest" is made only from these (`report.sentences`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from innobarometer.analysis.editions import AnalysisError, Edition, country_editions, load_edition
from innobarometer.analysis.estimates import (
    DOMAINS,
    balance_codes,
    binary_values,
    concat_tables,
    domain_mask,
    empty_table,
    estimate_indicators,
    estimate_variable,
    labels,
    not_asked,
    option_count,
    variable_scope,
)
from innobarometer.codebook import finest_common_classes, load_codebook
from innobarometer.indicators import (
    indicator_values,
    load_indicators,
    scope_mask,
)
from innobarometer.survey.compare import (
    contrast,
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
# The columns a table of pairs behind claims adds: the Holm family each row belongs to, as the
# page names it, and the reliability flag of each side (an unreliable estimate is never the
# subject of a claim).
PAIR_COLUMNS = [*DIFFERENCE_COLUMNS, "family", "flag_first", "flag_second"]
SIGNIFICANCE = 0.05


def _difference_rows(rows: list[dict], family: str | None = None) -> pd.DataFrame:
    """Difference rows into one table with Holm-adjusted p-values over the unsuppressed ones.

    With `family` (a format string with `{m}`, e.g. "the {m} pairs of sectors"), the rows are a
    table of pairs (`PAIR_COLUMNS`) whose `family` names the Holm family and counts its tests."""

    columns = [c for c in DIFFERENCE_COLUMNS if c != "p_holm"]
    if family is not None:
        columns += ["flag_first", "flag_second"]
    table = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    table["suppressed"] = table["suppressed"].astype(bool)
    numeric = ["estimate", "se", "ci_lower", "ci_upper", "p"]
    table[numeric] = table[numeric].astype(float)
    table.loc[table["suppressed"], numeric] = np.nan
    table.insert(DIFFERENCE_COLUMNS.index("p_holm"), "p_holm", holm(table["p"].to_numpy()))
    if family is not None:
        tested = int(table["p"].notna().sum())
        name = family.replace("{m}", str(tested))
        if tested == 1:  # "the 1 pair of sectors", "the 1 change between ..."
            name = re.sub(r"\b(pair|change|comparison|item)s\b", r"\1", name, count=1)
        table.insert(len(DIFFERENCE_COLUMNS), "family", name)
        table = table[PAIR_COLUMNS]
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
    family: str = "the {m} comparisons of this table",
) -> pd.DataFrame:
    """Share of `values` (1/0, NaN outside the base) in one group minus another, for each pair,
    within the edition's design (joint covariance). A pair is suppressed when either group is
    hidden in the shares table beside it, by the threshold or by secondary suppression (else the
    difference and the other group's share would give the hidden one away). Holm over the pairs,
    the family `family` names. No rows when no unit has a group or an answer (a question not
    asked, or nobody qualified)."""

    groups = pd.Series(groups).astype("string").reset_index(drop=True)
    answered = ~np.isnan(np.asarray(values, dtype=float))
    if groups.isna().all() or not answered.any():
        return _difference_rows([], family)
    shares = _group_shares(edition, values, groups, threshold)
    hidden = set(shares.loc[shares["suppressed"], "group"])
    flags = dict(zip(shares["group"], shares["flag"]))
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
            "flag_first": flags.get(first, ""),
            "flag_second": flags.get(second, ""),
        }
        if not row["suppressed"]:
            result = group_contrast(edition.design, values, groups, first, second)
            row |= _comparison(result)
        rows.append(row)
    return _difference_rows(rows, family)


def _group_shares(edition: Edition, values, groups: pd.Series, threshold: int) -> pd.DataFrame:
    """The group rows of the shares of `values` by `groups`, as disclosure control leaves them
    (which are hidden, which flagged)."""
    labels = groups.astype(object)
    table = estimate_shares(
        edition.design,
        pd.DataFrame({"y": np.asarray(values, dtype=float)}),
        groups=labels.where(labels.notna(), None).to_numpy(),
        threshold=threshold,
    )
    return table[table["group"] != ""]


def _share_and_df(edition: Edition, indicator: str, options: dict) -> tuple[pd.Series, float]:
    """The whole-domain share of a published indicator and its base's degrees of freedom."""
    row = estimate_indicators(edition, [indicator], **options).iloc[0]
    if edition.delivered:  # the degrees of freedom the partner delivered with the share
        return row, edition.df("indicators", indicator, row.indicator, row.category)
    base = ~np.isnan(indicator_values(edition.frame, indicator).to_numpy(dtype=float))
    return row, float(edition.design.domain_degrees_of_freedom(base))


def independent_differences(
    editions: list[Edition],
    indicator: str,
    pairs: list[tuple[int, int]],
    *,
    keys: list[str] | None = None,
    family: str = "the {m} pairs of editions",
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator in each edition (group = edition id) and the differences between the pairs
    of editions (indices into `editions`, first minus second) as independent samples, named by
    `keys` in `first`/`second` (default the edition ids); Holm over the pairs, their family
    named by `family` (a format string with `{m}`, the number of pairs tested)."""

    estimated = [_share_and_df(e, indicator, options) for e in editions]
    shares = pd.DataFrame([row for row, _ in estimated]).assign(
        group=[e.edition_id for e in editions]
    )
    keys = keys or [e.edition_id for e in editions]
    rows = []
    for i, j in pairs:
        (a, df_a), (b, df_b) = estimated[i], estimated[j]
        row = {
            "label": f"{editions[i].edition_id} vs {editions[j].edition_id}",
            "first": keys[i],
            "second": keys[j],
            "n_first": a.n_unweighted,
            "n_second": b.n_unweighted,
            "suppressed": bool(a.suppressed or b.suppressed),
            "flag_first": a.flag,
            "flag_second": b.flag,
        }
        if not row["suppressed"]:
            result = difference_independent(a.estimate, a.se, df_a, b.estimate, b.se, df_b)
            row |= _comparison(result)
        rows.append(row)
    return shares.reset_index(drop=True), _difference_rows(rows, family)


def trend(country: str, indicator: str = "innovative", until: int | None = None, **options):
    """An indicator across the country's active editions up to the year `until` (a report's own
    edition: its trend ends there), and each edition against the one before (independent
    samples; no rows when the country has a single edition). Editions that did not ask the
    indicator are left out (`trend_editions`, `editions_not_asked` name them)."""
    editions = [load_edition(e) for e in trend_editions(country, until)]
    editions = [e for e in editions if not not_asked(e, [indicator])]
    pairs = [(i + 1, i) for i in range(len(editions) - 1)]
    family = "the {m} changes between consecutive editions"
    return independent_differences(editions, indicator, pairs, family=family, **options)


def trend_editions(country: str, until: int | None = None) -> list[str]:
    """The country's active editions up to the year `until` (all when None), oldest first."""
    return [e for e in country_editions(country) if until is None or int(e[-4:]) <= until]


def country_differences(editions: list[Edition], indicators: list[str], **options):
    """Headline indicators for every edition side by side (group = country), and every pair of
    countries' difference per indicator (independent samples; `first`/`second` the countries),
    Holm-adjusted per indicator: the family "the {m} country pairs of <indicator's label>". An
    edition that did not ask an indicator is left out of its comparison (`editions_not_asked`)."""
    shares, differences = [empty_table()], [_difference_rows([], "")]
    for indicator in indicators:
        asked = [e for e in editions if not not_asked(e, [indicator])]
        if not asked:
            continue
        pairs = [(i, j) for i in range(len(asked)) for j in range(i + 1, len(asked))]
        label = load_indicators()[indicator].label
        table, diff = independent_differences(
            asked,
            indicator,
            pairs,
            keys=[e.country for e in asked],
            family="the {m} country pairs of " + label,
            **options,
        )
        shares.append(table.assign(group=[e.country for e in asked]))
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
    within the design; Holm over the items, "the {m} items compared" (no rows without items)."""

    family = "the {m} items compared"
    if not items:
        return _difference_rows([], family)
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
    tested = int(table["p"].notna().sum())
    table["family"] = family.replace("{m}", str(tested)).replace("the 1 items", "the 1 item")
    return table


def _domain_of(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The units of a tidy table's `domain` name: a universe, a published indicator's scope, or
    several joined by ' & ' (a universe narrowed by a requested domain)."""
    mask = np.ones(len(frame), dtype=bool)
    for part in name.split(" & "):
        mask &= domain_mask(frame, part) if part in DOMAINS else scope_mask(frame, part)
    return mask


def _candidate_values(edition: Edition, rows: pd.DataFrame, row) -> list[np.ndarray]:
    """The per-unit 1/0 values (NaN outside the base) that can lie behind one tidy share row:
    one array, or for a single-choice category both bases the estimators use (substantive
    answers, all answers); `_row_values` keeps the one that gives the row's estimate."""
    frame = edition.frame
    indicator, category = str(row.indicator), str(row.category)
    codebook = load_codebook()

    def codes_of(column: str) -> np.ndarray:
        return frame[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    if indicator in codebook:
        var = codebook[indicator]
        if var.type == "binary":
            return [binary_values(edition, indicator)]
        if var.type == "multiple":
            return [codes_of(f"{indicator}_{category}")]
        if var.type == "background":
            column = frame[indicator].astype("string")
            return [np.where(column.notna(), (column == category).fillna(False), np.nan)]
        codes = codes_of(indicator)
        answered = ~np.isnan(codes)
        substantive = answered & ~np.isin(codes, var.non_substantive)
        if category in ("promoted", "hindered"):
            balance = balance_codes(var.battery)
            chosen = balance.promoted if category == "promoted" else balance.hindered
            return [np.where(substantive, np.isin(codes, chosen), np.nan)]
        return [
            np.where(base, codes == float(category), np.nan) for base in (substantive, answered)
        ]
    variable = indicator.removesuffix("_count")
    if indicator.endswith("_count") and variable in codebook:
        top = max(int(c) for c in rows.loc[rows["indicator"] == indicator, "category"])
        count = option_count(edition, variable, top).to_numpy()
        return [np.where(np.isnan(count), np.nan, count == float(category))]
    if indicator in load_indicators():
        return [indicator_values(frame, indicator).to_numpy(dtype=float)]
    raise AnalysisError(
        f"cannot compare rows of {indicator!r}: it is neither a codebook variable, an option "
        "count nor a published indicator"
    )


def _row_values(edition: Edition, rows: pd.DataFrame, row, in_group: np.ndarray) -> np.ndarray:
    """The values behind one tidy share row, restricted to its domain and group: the candidate
    whose weighted share equals the row's estimate (so a claim is about the table's numbers)."""
    domain = _domain_of(edition.frame, str(row.domain)) & in_group
    weights = edition.design.weights
    found = []
    for candidate in _candidate_values(edition, rows, row):
        values = np.where(domain & ~np.isnan(candidate), candidate, np.nan)
        base = ~np.isnan(values)
        share = weights[base] @ values[base] / weights[base].sum() if base.any() else np.nan
        if row.suppressed or np.isclose(share, row.estimate, rtol=0, atol=1e-9):
            return values
        found.append(share)
    raise AnalysisError(
        f"the pairs of {row.indicator} {row.category} (group {row.group!r}) cannot be computed on "
        f"the table's base: the table says {row.estimate!r}, the values give {found}"
    )


def _pairs(
    edition: Edition, cells: pd.DataFrame, values: np.ndarray, keys: list, names: list, family: str
) -> pd.DataFrame:
    """Every pair of `cells` (tidy rows, in order; first minus second), from their values (n, k)
    jointly (one design, one covariance), each pair's degrees of freedom those of the two bases
    together (as `survey.compare.group_contrast`); a pair with a suppressed cell is suppressed.
    Holm within the pairs: `family` names them."""
    base = ~np.isnan(values)
    estimates, covariance = edition.design.ratios(np.nan_to_num(values) * base, base.astype(float))
    pairs = [(i, j) for i in range(len(keys)) for j in range(i + 1, len(keys))]
    hidden = cells["suppressed"].astype(bool).to_numpy()
    tested = [(i, j) for i, j in pairs if not (hidden[i] or hidden[j])]
    results = {}
    if tested:
        coefficients = np.zeros((len(tested), len(keys)))
        for row, (i, j) in enumerate(tested):
            coefficients[row, [i, j]] = 1.0, -1.0
        masks = np.column_stack([base[:, i] | base[:, j] for i, j in tested])
        df = edition.design.domains_degrees_of_freedom(masks)
        table = contrast(estimates, covariance, coefficients, df)
        results = {pair: table.iloc[row] for row, pair in enumerate(tested)}
    flags = cells["flag"].fillna("").astype(str).tolist()
    counts = cells["n_unweighted"].astype(int).tolist()
    rows = []
    for i, j in pairs:
        row = {
            "label": f"{names[i]} vs {names[j]}",
            "first": keys[i],
            "second": keys[j],
            "n_first": counts[i],
            "n_second": counts[j],
            "suppressed": bool(hidden[i] or hidden[j]),
            "flag_first": flags[i],
            "flag_second": flags[j],
        }
        if (i, j) in results:
            result = results[(i, j)]
            row |= {k: float(result[k]) for k in ("estimate", "se", "ci_lower", "ci_upper", "p")}
        rows.append(row)
    return _difference_rows(rows, family)


def _share_rows(table: pd.DataFrame) -> pd.DataFrame:
    """A tidy table's share rows that claims may rank: no means (interval method t) and no
    don't know / not relevant categories (their base is not the substantive categories')."""
    non_substantive = [str(code) for code in load_codebook().non_substantive_labels]
    return table[(table["ci_method"] != "t") & ~table["category"].isin(non_substantive)]


def _in_groups(edition: Edition, by):
    """A function of a group label giving the mask of its units, the groups made as the
    estimators make them from a column name or a series (NA: no group)."""
    if isinstance(by, str):
        labels = edition.frame[by].astype("string").fillna("(missing)").reset_index(drop=True)
    else:
        labels = pd.Series(by).astype("string").reset_index(drop=True)
    return lambda group: (labels == group).fillna(False).to_numpy(dtype=bool)


def group_pairs(edition: Edition, table: pd.DataFrame, by, names: dict, noun: str):
    """Every pair of groups of a tidy table's first share (its rows by `by`, a column name or the
    series the table was grouped by), within the design; Holm over "the {m} pairs of `noun`"
    (e.g. noun "sectors"). Pairs of hidden groups are suppressed. No rows for an empty table."""
    if table.empty:
        return _difference_rows([], "")
    first = table.iloc[0]
    cells = table[
        (table["indicator"] == first.indicator)
        & (table["category"] == first.category)
        & (table["group"] != "")
    ]
    in_group = _in_groups(edition, by)
    columns = [_row_values(edition, table, row, in_group(row.group)) for row in cells.itertuples()]
    values = np.column_stack(columns) if columns else np.empty((len(edition.frame), 0))
    keys = cells["group"].tolist()
    return _pairs(
        edition, cells, values, keys, [names.get(k, k) for k in keys], "the {m} pairs of " + noun
    )


def item_keys(cells: pd.DataFrame) -> list[str]:
    """What names an item in its pairs: the category among one indicator's categories (options,
    answers), else the indicator (items of a battery)."""
    column = "category" if cells["indicator"].nunique() == 1 else "indicator"
    return cells[column].astype(str).tolist()


def item_pairs(
    edition: Edition, table: pd.DataFrame, noun: str, names: pd.Series | None = None
) -> pd.DataFrame:
    """Every pair of a tidy table's whole-domain shares (the options of an item, the answers of
    a single-choice item, the items of a battery), within the design with their joint
    covariance; Holm over "the {m} pairs of `noun`" (e.g. "partners"). `names`: the rows'
    labels (aligned with `table`; default the codebook's). No rows for an empty table."""
    if table.empty:
        return _difference_rows([], "")
    cells = _share_rows(table[table["group"] == ""])
    everyone = np.ones(len(edition.frame), dtype=bool)
    values = np.column_stack([_row_values(edition, table, r, everyone) for r in cells.itertuples()])
    return _pairs(
        edition,
        cells,
        values,
        item_keys(cells),
        (labels(cells) if names is None else names[cells.index]).tolist(),
        "the {m} pairs of " + noun,
    )


def item_pairs_by_group(
    edition: Edition, table: pd.DataFrame, by, group_names: dict, noun: str
) -> pd.DataFrame:
    """`item_pairs` within each group of a tidy table grouped by `by`: one Holm family per group,
    "the {m} pairs of `noun` within <group>". No rows for an empty table."""
    if table.empty:
        return _difference_rows([], "")
    in_groups = _in_groups(edition, by)
    parts = [_difference_rows([], "")]
    for group in dict.fromkeys(table.loc[table["group"] != "", "group"]):
        cells = _share_rows(table[table["group"] == group])
        in_group = in_groups(group)
        values = np.column_stack(
            [_row_values(edition, table, r, in_group) for r in cells.itertuples()]
        )
        name = group_names.get(group, group)
        family = "the {m} pairs of " + f"{noun} within {name}"
        parts.append(
            _pairs(edition, cells, values, item_keys(cells), labels(cells).tolist(), family)
        )
    return concat_tables(parts)


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
