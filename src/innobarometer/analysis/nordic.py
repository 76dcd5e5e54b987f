"""The Nordic comparison's own analysis: country labels that name the unit where it differs, the
novelty categories by country with every country pair tested, the leader a claim may name, and
the Nordic figure of the share innovative.

Claims follow the reports' rule: a country is said to lead only where every one of its
differences is significant after Holm, the family being the ten country pairs of one indicator or
category. (The shared claims API of `analysis.differences` was not merged when this was written;
these functions are the Nordic report's own and should move onto it.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from innobarometer.analysis.differences import DIFFERENCE_COLUMNS
from innobarometer.analysis.editions import Edition
from innobarometer.analysis.estimates import estimate_indicators, estimate_variable, not_asked
from innobarometer.codebook import country_name, load_codebook
from innobarometer.indicators import published_figures
from innobarometer.paths import REFERENCE_DIR
from innobarometer.survey.compare import difference_independent, holm

SIGNIFICANCE = 0.05
WORKPLACE = "workplace"
# What a unit other than a workplace is called beside the country's name.
UNIT_NAMES = {"organisation": "municipal organisations"}


def unit_level(edition: Edition) -> str:
    """The edition's responding unit (`workplace` or `organisation`), from its facts."""
    return str(edition.facts.unit_level)


def country_labels(editions: list[Edition]) -> dict[str, str]:
    """Each country's name, with its unit where the unit is not a workplace:
    {'DK': 'Denmark', 'FI': 'Finland (municipal organisations)', ...}."""
    labels = {}
    for edition in editions:
        name = country_name(edition.country)
        level = unit_level(edition)
        labels[edition.country] = (
            name if level == WORKPLACE else f"{name} ({UNIT_NAMES.get(level, level + 's')})"
        )
    return labels


def _estimate_df(edition: Edition, variable: str, options: dict) -> tuple[pd.DataFrame, float]:
    """A single-choice variable's substantive categories in one edition, and the degrees of
    freedom of its base (the units that answered one of them)."""
    var = load_codebook()[variable]
    table = estimate_variable(edition, variable, **options)
    table = table[(table["group"] == "") & ~table["category"].isin(map(str, var.non_substantive))]
    codes = edition.frame[variable].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    base = ~np.isnan(codes) & ~np.isin(codes, var.non_substantive)
    return table, float(edition.design.domain_degrees_of_freedom(base))


def category_by_country(editions: list[Edition], variable: str, **options):
    """A single-choice variable's categories by country (`group` the country code), and for each
    category every pair of countries' difference (independent samples), Holm over the pairs of
    one category. Difference rows carry `category` and `cross_unit` (the two countries answer
    for different units: shown, marked, never chosen as the largest)."""
    asked = [e for e in editions if not not_asked(e, [variable])]
    estimated = {e.country: _estimate_df(e, variable, options) for e in asked}
    shares = [table.assign(group=country) for country, (table, _) in estimated.items()]
    shares = pd.concat(shares, ignore_index=True) if shares else pd.DataFrame()
    labels = country_labels(asked)
    levels = {e.country: unit_level(e) for e in asked}
    var = load_codebook()[variable]
    parts = []
    for category in dict.fromkeys(shares["category"]) if len(shares) else ():
        rows = []
        countries = [e.country for e in asked]
        for i, first in enumerate(countries):
            for second in countries[i + 1 :]:
                a = _row(estimated[first][0], category)
                b = _row(estimated[second][0], category)
                row = {
                    "label": f"{var.categories.get(int(category), category)}: "
                    f"{labels[first]} vs {labels[second]}",
                    "first": first,
                    "second": second,
                    "n_first": a.n_unweighted,
                    "n_second": b.n_unweighted,
                    "suppressed": bool(a.suppressed or b.suppressed),
                }
                if not row["suppressed"]:
                    result = difference_independent(
                        a.estimate,
                        a.se,
                        estimated[first][1],
                        b.estimate,
                        b.se,
                        estimated[second][1],
                    ).iloc[0]
                    row |= {k: float(result[k]) for k in ("estimate", "se", "ci_lower", "ci_upper")}
                    row["p"] = float(result["p"])
                rows.append(row)
        table = pd.DataFrame(rows).reindex(columns=[c for c in DIFFERENCE_COLUMNS if c != "p_holm"])
        table["suppressed"] = table["suppressed"].astype(bool)
        table.insert(DIFFERENCE_COLUMNS.index("p_holm"), "p_holm", holm(table["p"].to_numpy()))
        table["category"] = category
        table["cross_unit"] = [
            levels[f] != levels[s] for f, s in zip(table["first"], table["second"])
        ]
        parts.append(table)
    differences = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return shares, differences


def _row(table: pd.DataFrame, category: str):
    return table[table["category"] == category].iloc[0]


def leader(shares: pd.DataFrame, differences: pd.DataFrame, category: str) -> str | None:
    """The country whose share of `category` is higher than every other country's, each
    difference significant after Holm (family: the pairs of that category); None when the tests
    do not support naming one (or fewer than two countries answered)."""
    pairs = differences[differences["category"] == category]
    countries = list(dict.fromkeys(shares.loc[shares["category"] == category, "group"]))
    if len(countries) < 2:
        return None
    for country in countries:
        mine = pairs[(pairs["first"] == country) | (pairs["second"] == country)]
        if len(mine) != len(countries) - 1 or mine["suppressed"].any():
            continue
        sign = np.where(mine["first"] == country, 1.0, -1.0)
        if ((sign * mine["estimate"] > 0) & (mine["p_holm"] < SIGNIFICANCE)).all():
            return country
    return None


def nordic_share(editions: list[Edition], indicator: str = "innovative", **options):
    """The Nordic figure: the unweighted mean of the shares of the countries that answer per
    workplace (independent samples: se = sqrt(sum se^2) / k, normal 95% interval), and the rows
    of the countries that answer for another unit, shown beside it and never pooled."""
    rows = []
    for edition in editions:
        if not_asked(edition, [indicator]):
            continue
        row = estimate_indicators(edition, [indicator], **options).iloc[0]
        rows.append(row.to_dict() | {"group": edition.country, "unit": unit_level(edition)})
    table = pd.DataFrame(rows)
    if table.empty:
        return None, table
    pooled = table[(table["unit"] == WORKPLACE) & ~table["suppressed"].astype(bool)]
    if pooled.empty:
        return None, table
    k = len(pooled)
    estimate = float(pooled["estimate"].mean())
    se = float(np.sqrt((pooled["se"] ** 2).sum()) / k)
    z = stats.norm.ppf(0.975)
    figure = {
        "indicator": indicator,
        "estimate": estimate,
        "se": se,
        "ci_lower": estimate - z * se,
        "ci_upper": estimate + z * se,
        "countries": list(pooled["group"]),
    }
    return figure, table[table["unit"] != WORKPLACE]


def comparability_facts(editions: list[Edition]) -> pd.DataFrame:
    """Per edition compared: country (labelled with its unit), unit, coverage and survey year,
    from `reference/survey_facts.csv` (what to weigh before comparing any two countries)."""
    facts = pd.read_csv(REFERENCE_DIR / "survey_facts.csv", dtype={"edition": int})
    labels = country_labels(editions)
    rows = []
    for edition in editions:
        known = facts[(facts["country"] == edition.country) & (facts["edition"] == edition.year)]
        fact = known.iloc[0] if len(known) else None
        rows.append(
            {
                "country": labels[edition.country],
                "edition": edition.edition_id,
                "unit": fact["unit_and_respondent"] if fact is not None else unit_level(edition),
                "coverage": fact["coverage"] if fact is not None else "not recorded",
                "survey_year": edition.year,
                "reference_period": fact["reference_period"] if fact is not None else "",
            }
        )
    return pd.DataFrame(rows)


def outside_interval(published: pd.DataFrame) -> pd.DataFrame:
    """The published figures outside the interval of the estimate they are set against, each
    with the reason the sources give: the figure's own note, and for a Nordic report figure the
    national figure published for the edition it is set against, where there is one."""
    outside = published[published["published_inside_interval"].eq(False)]
    figures = published_figures()
    reasons = []
    for row in outside.itertuples(index=False):
        country, year = row.estimated_from.split("-")
        own = figures[
            (figures["country"] == country)
            & (figures["indicator"] == row.indicator)
            & (figures["edition"].astype(str) == row.published_edition)
        ]
        parts = [str(n) for n in own["note"] if isinstance(n, str) and n]
        if row.published_edition != year:
            national = figures[
                (figures["country"] == country)
                & (figures["indicator"] == row.indicator)
                & (figures["edition"].astype(str) == year)
            ]
            parts += [
                f"the national source ({n.source_key}) published {n.value_pct:g}% for "
                f"{row.estimated_from} ({n.scope})"
                for n in national.itertuples(index=False)
            ]
        reasons.append("; ".join(parts) or "no reason is known from the sources")
    return outside.assign(reason=reasons)


def name_units(differences: pd.DataFrame, editions: list[Edition]) -> pd.DataFrame:
    """Difference labels that name the unit of an edition not answering per workplace
    ('FI-2018' -> 'FI-2018 (municipal organisations)'), with `cross_unit` marking the pairs of
    different units."""
    units = {e.edition_id: unit_level(e) for e in editions}
    named = differences["label"].astype(str)
    for edition_id, level in units.items():
        if level != WORKPLACE:
            named = named.str.replace(
                edition_id, f"{edition_id} ({UNIT_NAMES.get(level, level + 's')})", regex=False
            )
    cross = [
        units.get(f) != units.get(s) for f, s in zip(differences["first"], differences["second"])
    ]
    return differences.assign(label=named, cross_unit=cross)
