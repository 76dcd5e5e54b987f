"""A country's editions over time: every headline indicator of each theme across its editions,
the change between consecutive editions (independent samples, Holm over the changes of one
indicator), and the comparability breaks its mappings record."""

from __future__ import annotations

import pandas as pd

from innobarometer.analysis.delivered import available_editions, load_any
from innobarometer.analysis.differences import independent_differences
from innobarometer.analysis.editions import AnalysisError, Edition, check_options
from innobarometer.analysis.estimates import concat_tables, empty_table, not_asked
from innobarometer.codebook import countries
from innobarometer.indicators import load_indicators
from innobarometer.wording import did_you_mean

BREAK_COLUMNS = ["edition", "previous", "variable", "changed", "note"]


def available_country_editions(country: str, data=None) -> list[str]:
    """The country's editions, oldest first: those of the active data set and those delivered
    as tables (`analysis.delivered`)."""
    return [e for e in available_editions(data) if e.startswith(f"{country}-")]


def open_country(country: str, threshold: int, ci_method: str, data=None):
    """A trend report's editions (every edition of the country, microdata or delivered tables,
    oldest first, loaded) and estimation options, checked first; a country with fewer than two
    editions has no trend."""
    options = check_options(threshold, ci_method)
    if country not in countries():
        raise AnalysisError(
            f"country {country!r} is not a Nordic barometer country"
            f"{did_you_mean(str(country).upper(), countries())}; "
            f"use one of {', '.join(countries())}"
        )
    editions = available_country_editions(country, data)
    if len(editions) < 2:
        raise AnalysisError(
            f"{country} has {len(editions)} active edition(s) ({', '.join(editions) or 'none'}): "
            "a trend needs two or more"
        )
    return [load_any(e, data) for e in editions], options


def country_trend(country: str, indicators: list[str], **options):
    """Each indicator across the country's editions (group = edition id) and the change between
    consecutive editions (independent samples, as `differences.trend`), labelled with the
    indicator; editions that did not ask an indicator are left out of its trend
    (`editions_not_asked` names them)."""
    editions = [load_any(e) for e in available_country_editions(country)]
    shares, changes = [empty_table()], []
    for indicator in indicators:
        asked = [e for e in editions if not not_asked(e, [indicator])]
        pairs = [(i + 1, i) for i in range(len(asked) - 1)]
        family = "the {m} changes between consecutive editions"
        table, diff = independent_differences(asked, indicator, pairs, family=family, **options)
        if table.empty:
            continue
        shares.append(table)
        label = load_indicators()[indicator].label
        changes.append(diff.assign(label=label + ": " + diff["label"], indicator=indicator))
    changes = pd.concat(changes, ignore_index=True) if changes else pd.DataFrame()
    return concat_tables(shares), changes


def comparability_breaks(editions: list[Edition]) -> pd.DataFrame:
    """Every comparability break the editions' mappings record against the country's previous
    edition (`comparability:` in a mapping, carried in `EditionFacts.comparability`)."""
    rows = []
    for previous, edition in zip([None, *editions[:-1]], editions):
        for entry in edition.facts.comparability:
            rows.append(
                {
                    "edition": edition.edition_id,
                    "previous": previous.edition_id if previous else "",
                    "variable": entry["variable"],
                    "changed": entry["changed"],
                    "note": entry.get("note", ""),
                }
            )
    return pd.DataFrame(rows, columns=BREAK_COLUMNS)
