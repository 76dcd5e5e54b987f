"""The Nordic comparison's own analysis: country labels that name the unit where it differs;
categories, options, items and the promote/hinder battery by country with every country pair
tested; the leader a claim may name; the Nordic figure of the share innovative; the comparability
facts and the published figures outside their intervals.

Claims follow the reports' rule: a country is said to lead only where every one of its
differences is significant after Holm, the family being the ten country pairs of one indicator or
category. (The shared claims API of `analysis.differences` was not merged when this was written;
these functions are the Nordic report's own and should move onto it.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from innobarometer import language
from innobarometer.analysis.delivered import is_delivered, load_any, share_df
from innobarometer.analysis.differences import (
    DIFFERENCE_COLUMNS,
    group_differences,
    option_differences,
)
from innobarometer.analysis.editions import Edition
from innobarometer.analysis.estimates import (
    battery_shares,
    binary_values,
    code_label,
    estimate_indicators,
    estimate_variable,
    not_asked,
)
from innobarometer.codebook import country_name, load_codebook
from innobarometer.indicators import published_figures
from innobarometer.language import N_, _
from innobarometer.paths import REFERENCE_DIR
from innobarometer.survey.compare import difference_independent, holm

SIGNIFICANCE = 0.05
WORKPLACE = "workplace"
# What a unit other than a workplace is called beside the country's name.
UNIT_NAMES = {"organisation": N_("municipal organisations")}


def unit_level(edition: Edition) -> str:
    """The edition's responding unit (`workplace` or `organisation`), from its facts."""
    return str(edition.facts.unit_level)


def country_labels(editions: list[Edition]) -> dict[str, str]:
    """Each country's name, with its unit where the unit is not a workplace:
    {'DK': 'Denmark', 'FI': 'Finland (municipal organisations)', ...}; each a `language.Text`
    carrying the name in every language of the build."""
    return {edition.country: _country_label(edition) for edition in editions}


@language.in_every_language
def _country_label(edition: Edition) -> str:
    """A country's name in the current language, with its unit where it is not a workplace."""
    name = country_name(edition.country)
    level = unit_level(edition)
    if level == WORKPLACE:
        return name
    unit = _(UNIT_NAMES[level]) if level in UNIT_NAMES else level + "s"
    return _("{country} ({unit})").format(country=name, unit=unit)


def in_every_language_column(make: Callable[[], list[str]], index=None) -> pd.Series:
    """A column of text (labels of a table's rows) made in every language of the build: `make()`
    is called once per language, under `language.speaking`; each value is the English text
    carrying its renderings (the CSV writes the English, a page shows its own language). An
    object column: pandas would make the `Text`s plain strings in a column of its own type."""
    versions = {}
    for code in language.report_languages():
        with language.speaking(code):
            versions[code] = list(make())
    texts = [
        language.Text(english, {code: texts[i] for code, texts in versions.items()})
        for i, english in enumerate(versions[language.ENGLISH])
    ]
    return pd.Series(texts, index=index, dtype=object)


def _whole(table: pd.DataFrame) -> pd.DataFrame:
    return table[(table["group"] == "") & (table["ci_method"] != "t")]


def category_by_country(editions: list[Edition], variable: str, **options):
    """A single-choice or binary variable's categories (a multiple-response variable's options)
    by country (`group` the country code), and for each substantive category every pair of
    countries' difference (`pairwise_by_country`).

    A single-choice distribution keeps `estimate_variable`'s one base (everyone who answered,
    don't know and not relevant included, its rows summing to 1), so the comparison is of the
    shares the country tables show; don't know and not relevant are shown but not compared, as
    no finding is about them."""
    var = load_codebook()[variable]
    one_base = var.type in ("single", "ordinal")
    non_substantive = list(map(str, var.non_substantive))
    asked = [e for e in editions if not not_asked(e, [variable])]
    parts, dfs = [], {}
    for edition in asked:
        table = _whole(estimate_variable(edition, variable, **options))
        if not one_base:
            table = table[~table["category"].isin(non_substantive)]
        parts.append(table.assign(group=edition.country))
        for row in table.itertuples():
            df = share_df(edition, "variable", variable, row.indicator, row.category)
            dfs[(edition.country, variable, row.category)] = df
    shares = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    compared = shares[~shares["category"].isin(non_substantive)] if parts else shares
    return shares, pairwise_by_country(compared, dfs, asked)


def items_by_country(editions: list[Edition], items: list[str], **options):
    """Binary items (e.g. the effects) by country, the share answering yes (category 1), and
    every pair of countries' difference per item."""
    parts, dfs = [], {}
    asked_any = []
    for edition in editions:
        asked = [i for i in items if not not_asked(edition, [i])]
        if not asked:
            continue
        asked_any.append(edition)
        for item in asked:
            table = _whole(estimate_variable(edition, item, **options))
            parts.append(table[table["category"] == "1"].assign(group=edition.country))
            dfs[(edition.country, item, "1")] = share_df(edition, "variable", item, item, "1")
    shares = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return shares, pairwise_by_country(shares, dfs, asked_any)


def battery_by_country(editions: list[Edition], statistic: str, battery="factors", **options):
    """Every item of the promote/hinder battery, the share `promoted` or `hindered`, by country
    (ranked by the mean over the countries), and every pair of countries' difference per item."""
    parts, dfs, asked = [], {}, []
    for edition in editions:
        table = _whole(battery_shares(edition, battery, statistic, **options))
        if table.empty:
            continue
        asked.append(edition)
        parts.append(table.assign(group=edition.country))
        for item in table["indicator"]:
            dfs[(edition.country, item, statistic)] = share_df(
                edition, "battery", battery, item, statistic
            )
    if not parts:
        return pd.DataFrame(), pairwise_by_country(pd.DataFrame(), {}, [])
    shares = pd.concat(parts, ignore_index=True)
    order = shares.groupby("indicator", sort=False)["estimate"].mean().sort_values(ascending=False)
    shares = shares.assign(_rank=shares["indicator"].map({n: i for i, n in enumerate(order.index)}))
    shares = shares.sort_values(["_rank"], kind="stable").drop(columns="_rank")
    return shares.reset_index(drop=True), pairwise_by_country(shares, dfs, asked)


def _row_label(indicator: str, category: str) -> str:
    """What one share is of: an option, a category, or an item's label."""
    codebook = load_codebook()
    var = codebook.variables.get(indicator)
    if var is None:
        return indicator
    if var.type == "multiple":
        return var.options.get(category, category)
    if var.type == "single" and var.categories:
        # Don't know and not relevant are no codebook category: their labels are the package's.
        label = var.categories.get(int(category))
        return code_label(indicator, category) if label is None else str(label)
    return var.label


def pairwise_by_country(shares: pd.DataFrame, dfs: dict, editions: list[Edition]) -> pd.DataFrame:
    """For each share (indicator and category) every pair of countries' difference (first minus
    second, independent samples, Welch degrees of freedom from each base's), Holm over the pairs
    of that share (the ten pairs of five countries); `cross_unit` marks pairs of countries that
    answer for different units. A pair is suppressed when either share is."""
    labels = country_labels(editions)
    levels = {e.country: unit_level(e) for e in editions}
    parts = []
    keys = shares[["indicator", "category"]].drop_duplicates() if len(shares) else []
    for indicator, category in keys.itertuples(index=False) if len(shares) else ():
        these = shares[(shares["indicator"] == indicator) & (shares["category"] == category)]
        these = these.set_index("group")
        countries = list(these.index)
        rows = []
        for i, first in enumerate(countries):
            for second in countries[i + 1 :]:
                a, b = these.loc[first], these.loc[second]
                row = {
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
                        dfs[(first, indicator, category)],
                        b.estimate,
                        b.se,
                        dfs[(second, indicator, category)],
                    ).iloc[0]
                    row |= {k: float(result[k]) for k in ("estimate", "se", "ci_lower", "ci_upper")}
                    row["p"] = float(result["p"])
                rows.append(row)
        if not rows:
            continue
        table = pd.DataFrame(rows)
        share = _row_label(indicator, category)
        table["label"] = in_every_language_column(
            lambda t=table, h=share: [
                _pair_label(h, labels[f], labels[s]) for f, s in zip(t["first"], t["second"])
            ],
            table.index,
        )
        table = table.reindex(columns=[c for c in DIFFERENCE_COLUMNS if c != "p_holm"])
        table["suppressed"] = table["suppressed"].astype(bool)
        table.insert(DIFFERENCE_COLUMNS.index("p_holm"), "p_holm", holm(table["p"].to_numpy()))
        tested = int(table["p"].notna().sum())
        family = f"the {tested} country pairs of {_row_label(indicator, category)}"
        table["family"] = family.replace("the 1 country pairs", "the 1 country pair")
        table["indicator"] = indicator
        table["category"] = category
        table["cross_unit"] = [
            levels[f] != levels[s] for f, s in zip(table["first"], table["second"])
        ]
        parts.append(table)
    columns = [*DIFFERENCE_COLUMNS, "family", "indicator", "category", "cross_unit"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _pair_label(share: str, first, second) -> str:
    """'<share>: <country> vs <country>', the countries' labels (`Text`s) in the current
    language; the share and ' vs ' in English, which a table translates as it translates every
    comparison (`report.tables.localised_comparison`)."""
    here = language.current()
    return f"{share}: {language.rendered(first, here)} vs {language.rendered(second, here)}"


def copiers_spread_less(editions: list[Edition], threshold: int = 5) -> pd.DataFrame:
    """In each country, the share spreading its innovation actively among own-idea innovations
    minus among copied ones (within the edition's design), Holm over the countries."""
    labels = country_labels(editions)
    parts = []
    for edition in editions:
        if not_asked(edition, ["spread_actively", "novelty"]):
            continue
        diff = spread_by_novelty(edition, threshold)
        country = labels[edition.country]
        named = in_every_language_column(
            lambda d=diff, c=country: [
                f"{language.rendered(c, language.current())}: {text}" for text in d["label"]
            ],
            diff.index,
        )
        parts.append(diff.assign(label=named, country=edition.country))
    if not parts:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table["p_holm"] = holm(table["p"].to_numpy())
    return table


def spread_by_novelty(edition: Edition, threshold: int = 5) -> pd.DataFrame:
    """One edition's share spreading actively among own-idea innovations minus among copied ones,
    within its design (a delivered edition: the test its partner delivered)."""
    if is_delivered(edition):
        return edition.difference("copiers_spread_less", threshold)
    values = binary_values(edition, "spread_actively")
    groups = edition.frame["novelty"].astype("Float64").astype("Int64").astype("string")
    names = {"1": NOVELTY_GROUPS["1"], "3": NOVELTY_GROUPS["3"]}
    return group_differences(edition, values, groups, [("1", "3")], names, threshold)


# The novelty groups `spread_by_novelty` compares, named in its labels ('own idea vs copied').
NOVELTY_GROUPS = {"1": N_("own idea"), "3": N_("copied")}


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


# Where an edition's numbers come from (the comparability box's last column).
DATA_SOURCES = {False: N_("microdata, built here"), True: N_("tables delivered by its partner")}
NOT_RECORDED = N_("not recorded")
# The texts of `reference/survey_facts.csv` the comparability box shows (its units and
# coverage), marked for the catalogs: the box translates them where it shows them
# (`report.nordic.comparability_html`); a test checks that every one of the file's is here.
SURVEY_FACT_WORDS = (
    N_("workplace; its manager"),
    N_("municipal or county unit; unit manager"),
    N_("workplace; its manager (plus a census of 525 organisations)"),
    N_("organisation; person responsible for innovation"),
    N_("workplace; its head"),
    N_("state, regional, municipal workplaces"),
    N_("health and care, education and upbringing units"),
    N_("adds social, culture and technical units"),
    N_("as 2020"),
    N_("all publicly owned workplaces"),
    N_("municipalities and joint municipal authorities"),
    N_("selected municipal services and state bodies"),
)


def comparability_facts(editions: list[Edition]) -> pd.DataFrame:
    """Per edition compared: country (labelled with its unit), unit, coverage, survey year and
    where its numbers come from (microdata or a partner's tables), from
    `reference/survey_facts.csv` (what to weigh before comparing any two countries)."""
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
                "coverage": fact["coverage"] if fact is not None else NOT_RECORDED,
                "survey_year": edition.year,
                "reference_period": fact["reference_period"] if fact is not None else "",
                "data": DATA_SOURCES[bool(edition.delivered)],
            }
        )
    return pd.DataFrame(rows, dtype=object)


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
        notes = [str(n) for n in own["note"] if isinstance(n, str) and n]
        national = figures.iloc[0:0]
        if row.published_edition != year:
            national = figures[
                (figures["country"] == country)
                & (figures["indicator"] == row.indicator)
                & (figures["edition"].astype(str) == year)
            ]
        reasons.append(_reason(notes, national, row.estimated_from))
    return outside.assign(reason=pd.Series(reasons, index=outside.index, dtype=object))


@language.in_every_language
def _reason(notes: list[str], national: pd.DataFrame, estimated_from: str) -> str:
    """Why a published figure lies outside its interval, in the current language: the figure's
    notes (the sources' English, through the catalogs) and the national figures published for
    the edition it is set against."""
    parts = [_(note) for note in notes]
    parts += [
        _("the national source ({source}) published {value} for {edition} ({scope})").format(
            source=n.source_key,
            value=language.percent(n.value_pct / 100, 0 if float(n.value_pct).is_integer() else 1),
            edition=estimated_from,
            scope=_(n.scope),
        )
        for n in national.itertuples(index=False)
    ]
    return "; ".join(parts) or _("no reason is known from the sources")


def name_units(differences: pd.DataFrame, editions: list[Edition]) -> pd.DataFrame:
    """Difference labels that name the unit of an edition not answering per workplace
    ('FI-2018' -> 'FI-2018 (municipal organisations)'), with `cross_unit` marking the pairs of
    different units."""
    units = {e.edition_id: unit_level(e) for e in editions if unit_level(e) != WORKPLACE}
    countries = {e.country: unit_level(e) for e in editions}

    def named() -> list[str]:
        """The labels in the current language, each such edition named with its unit."""
        labels = [language.rendered(text, language.current()) for text in differences["label"]]
        for edition_id, level in units.items():
            unit = _(UNIT_NAMES[level]) if level in UNIT_NAMES else level + "s"
            with_unit = _("{edition} ({unit})").format(edition=edition_id, unit=unit)
            labels = [str(text).replace(edition_id, with_unit) for text in labels]
        return labels

    # The pairs name countries (or, before the claims API, edition ids): the unit of either.
    cross = [
        countries.get(str(f)[:2]) != countries.get(str(s)[:2])
        for f, s in zip(differences["first"], differences["second"])
    ]
    return differences.assign(
        label=in_every_language_column(named, differences.index), cross_unit=cross
    )


def change_between_rounds(
    editions: list[Edition], previous: list[str], indicators: list[str], **options
) -> pd.DataFrame:
    """For each country whose edition differs between the previous round (`previous`, edition
    ids) and this one, each indicator's change from the earlier edition to this one
    (independent samples); Holm over the countries' changes of one indicator, the family named
    "the {m} changes between rounds of <indicator>". No rows when no country's edition differs."""
    # lazy: the differences module is only needed when a previous round is given
    from innobarometer.analysis.differences import independent_differences
    from innobarometer.indicators import load_indicators

    earlier = {e[:2]: e for e in previous}
    labels = country_labels(editions)
    parts = []
    for indicator in indicators:
        label = load_indicators()[indicator].label
        rows = []
        for edition in editions:
            before = earlier.get(edition.country)
            if before is None or before == edition.edition_id:
                continue
            old = load_any(before)
            if not_asked(old, [indicator]) or not_asked(edition, [indicator]):
                continue
            _, diff = independent_differences([old, edition], indicator, [(1, 0)], **options)
            country, years = labels[edition.country], (old.year, edition.year)
            rows.append(
                diff.assign(
                    label=in_every_language_column(
                        lambda h=label, c=country, y=years: [_round_change_label(h, c, *y)],
                        diff.index,
                    ),
                    indicator=indicator,
                )
            )
        if not rows:
            continue
        table = pd.concat(rows, ignore_index=True)
        table["p_holm"] = holm(table["p"].to_numpy())
        tested = int(table["p"].notna().sum())
        table["family"] = f"the {tested} changes between rounds of {label}"
        parts.append(table)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _round_change_label(indicator_label: str, country, before: int, after: int) -> str:
    """'<indicator>: <country> <year> to <year>', the country and years in the current language
    (the indicator's label in English, which a table translates)."""
    change = _("{country} {before} to {after}").format(
        country=language.rendered(country, language.current()), before=before, after=after
    )
    return f"{indicator_label}: {change}"


def share_label(indicator: str, category: str) -> str:
    """What one share is of (public name of `_row_label`)."""
    return _row_label(indicator, str(category))


def leader_of_pairs(pairs: pd.DataFrame) -> str | None:
    """`leader` over the pairs of one share alone (the countries are those the pairs name)."""
    countries = list(dict.fromkeys([*pairs["first"], *pairs["second"]]))
    category = str(pairs["category"].iloc[0]) if "category" in pairs else "1"
    shares = pd.DataFrame({"category": category, "group": countries})
    return leader(shares, pairs.assign(category=category), category)


def top_option_by_country(editions: list[Edition], variable: str, **options) -> pd.DataFrame:
    """In each country, a multiple-response item's most common option and whether it is ahead of
    the next (the options' difference within the edition's design, Holm over the ranked pairs
    as `option_differences` gives it)."""
    rows = []
    for edition in editions:
        if not_asked(edition, [variable]):
            continue
        shares, ranked = option_differences(edition, variable, **options)
        if ranked.empty or bool(ranked["suppressed"].iloc[0]):
            continue
        first = ranked.iloc[0]
        top = _whole(shares).set_index("category").loc[first["first"]]
        rows.append(
            {
                "country": edition.country,
                "option": first["first"],
                "runner_up": first["second"],
                "estimate": float(top["estimate"]),
                "difference": float(first["estimate"]),
                "p_holm": float(first["p_holm"]),
            }
        )
    return pd.DataFrame(
        rows, columns=["country", "option", "runner_up", "estimate", "difference", "p_holm"]
    )
