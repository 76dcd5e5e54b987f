"""Published figures beside the package's estimates of the same indicators.

A theme report sets its edition's national figures against estimates of that edition; the Nordic
report sets every figure against the edition it belongs to (the 2019 comparison's figures against
each country's nearest earlier edition).
"""

from __future__ import annotations

import pandas as pd

from innobarometer.analysis.delivered import available_editions, load_any
from innobarometer.analysis.editions import Edition
from innobarometer.analysis.estimates import estimate_indicators, not_asked
from innobarometer.codebook import countries
from innobarometer.indicators import load_indicators, published_figures
from innobarometer.language import N_
from innobarometer.survey.disclosure import DEFAULT_THRESHOLD

COMPARISON_COLUMNS = [
    "indicator",
    "label",
    "published_edition",
    "scope",
    "base",
    "published",
    "estimate",
    "ci_lower",
    "ci_upper",
    "n_unweighted",
    "suppressed",
    "published_inside_interval",
    "source_key",
    "source_url",
    "calibration_target",
]


# Which edition a published figure is set against (the `set_against` column; the report shows it
# in each language).
OWN_EDITION = N_("own edition")
NEAREST_EARLIER = N_("nearest earlier edition")


def compare_with_published(
    edition: Edition,
    figures: pd.DataFrame | None = None,
    *,
    ci_method: str = "logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Each published figure of the edition beside the package's estimate of the same indicator.

    `figures` defaults to the national rows of this edition; pass other rows (e.g. the Nordic
    report's) to set them against this edition. One row per figure: the published share, the
    estimate with its interval, whether the published value lies inside it, and the source. A
    figure whose indicator the edition did not ask has no row (`not_asked` names them).
    """
    if figures is None:
        figures = published_figures(edition.country, edition.year)
    asked = [not not_asked(edition, [name]) for name in figures["indicator"]]
    figures = figures[asked]
    rows = []
    for figure in figures.itertuples(index=False):
        estimate = estimate_indicators(
            edition,
            [figure.indicator],
            scope=figure.scope,
            ci_method=ci_method,
            threshold=threshold,
        ).iloc[0]
        inside = (
            bool(estimate.ci_lower <= figure.share <= estimate.ci_upper)
            if not estimate.suppressed
            else None
        )
        rows.append(
            {
                "indicator": figure.indicator,
                "label": figure.label,
                "published_edition": str(figure.edition),
                "scope": figure.scope,
                "base": figure.base,
                "published": figure.share,
                "estimate": estimate.estimate,
                "ci_lower": estimate.ci_lower,
                "ci_upper": estimate.ci_upper,
                "n_unweighted": estimate.n_unweighted,
                "suppressed": bool(estimate.suppressed),
                "published_inside_interval": inside,
                "source_key": figure.source_key,
                "source_url": figure.source_url,
                "calibration_target": bool(figure.calibration_target),
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def theme_indicators(theme: str) -> list[str]:
    """The published indicators a theme report sets beside its estimates (indicators.yaml's
    `themes`); none for a theme of the researcher's own, e.g. one made by `make theme`."""
    themed = load_indicators().themes.get(theme)
    return list(themed.indicators) if themed else []


def headline_indicators(theme: str) -> list[str]:
    """The few indicators of a theme the Nordic report compares across countries, in order."""
    return list(load_indicators().theme(theme).headline)


# The Nordic comparison report (2019) is set against each country's nearest earlier edition.
NORDIC_REPORT = "nordic-2019"


NORDIC_REPORT_YEAR = 2019


def _theme_figures(edition: Edition, theme: str) -> pd.DataFrame:
    """The edition's published figures of a theme's indicators (none for a theme of the
    researcher's own, e.g. one made by `make theme`: nothing was published for it)."""
    figures = published_figures()
    return figures[
        (figures["country"] == edition.country)
        & (figures["edition"] == edition.year)
        & figures["indicator"].isin(theme_indicators(theme))
    ]


def published_for_theme(edition: Edition, theme: str, **options) -> pd.DataFrame:
    """The edition's published figures of a theme's indicators beside the package's estimates
    (figures the edition did not ask are left out: `published_indicators` names them all)."""
    return compare_with_published(edition, _theme_figures(edition, theme), **options)


def published_indicators(edition: Edition, theme: str) -> list[str]:
    """The indicators of a theme with a published figure for the edition, asked or not."""
    return list(dict.fromkeys(_theme_figures(edition, theme)["indicator"]))


def published_for_report(editions: list[Edition], **options) -> pd.DataFrame:
    """Every published figure beside the package's estimate from the edition it is set against.

    National rows go against their own edition when it is among `editions`' countries' active
    editions; `nordic-2019` rows against the country's nearest edition up to 2019, labelled so,
    when that edition is one of `editions` (the round the Nordic report compared).
    """
    parts = [
        _published_against(edition, rows, how, options)
        for edition, rows, how in _report_figures(editions)
    ]
    if not parts:  # e.g. a real data set whose editions have no published figure yet
        return pd.DataFrame(columns=["estimated_from", "set_against", *COMPARISON_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def _report_figures(editions: list[Edition]):
    """(edition, published rows, how they are set against it) for the Nordic report."""
    figures = published_figures()
    known = available_editions()  # microdata here, or tables a partner delivered
    compared = {e.edition_id for e in editions}
    for country in sorted({e.country for e in editions}, key=countries().index):
        mine = figures[figures["country"] == country]
        years = [int(e[3:]) for e in known if e.startswith(f"{country}-")]
        for year in sorted({y for y in mine["edition"] if isinstance(y, int) and y in years}):
            rows = mine[mine["edition"] == year]
            yield load_any(f"{country}-{year}"), rows, OWN_EDITION
        earlier = [y for y in years if y <= NORDIC_REPORT_YEAR]
        nordic = mine[mine["edition"] == NORDIC_REPORT]
        # The Nordic report's figures belong to the round it compared: they stand beside the
        # country's nearest earlier edition when the report compares that edition.
        nearest = f"{country}-{max(earlier)}" if earlier else None
        if nearest in compared and not nordic.empty:
            yield load_any(nearest), nordic, NEAREST_EARLIER


def published_not_asked(editions: list[Edition]) -> dict[str, list[str]]:
    """For the Nordic report: each edition that `published_for_report` sets published figures
    against, and what of those figures' indicators it did not ask (those figures are left out)."""
    lacking: dict[str, list[str]] = {}
    for edition, rows, _ in _report_figures(editions):
        missing = not_asked(edition, rows["indicator"])
        if missing:
            known = lacking.setdefault(edition.edition_id, [])
            known += [m for m in missing if m not in known]
    return lacking


def _published_against(edition: Edition, rows: pd.DataFrame, how: str, options) -> pd.DataFrame:
    table = compare_with_published(edition, rows, **options)
    table.insert(0, "estimated_from", edition.edition_id)
    table.insert(1, "set_against", how)
    return table
