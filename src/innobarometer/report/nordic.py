"""The Nordic report's own parts: which round it is and what it lacks, the comparability box,
country labels that name the unit where it differs, and the Nordic findings."""

from __future__ import annotations

import html

from innobarometer.report.figures import COUNTRY_NAMES
from innobarometer.report.tables import show_html


def round_notice_html(round_name: str, editions, lacking) -> str:
    """'Round 2018: Denmark 2017, ... Not in this data set: SE-2018 (its country is left out).'"""
    compared = ", ".join(f"{COUNTRY_NAMES.get(e.country, e.country)} {e.year}" for e in editions)
    text = f"<strong>Round {html.escape(str(round_name))}</strong>: {html.escape(compared)}."
    if lacking:
        text += (
            f" <strong>Not in this data set</strong>: {html.escape(', '.join(lacking))}; "
            "the round's other editions are compared without "
            f"{'it' if len(lacking) == 1 else 'them'}."
        )
    return f'<div class="notice round">{text}</div>'


def show_round(round_name: str, editions, lacking) -> None:
    """Display `round_notice_html`."""
    show_html(round_notice_html(round_name, editions, lacking))


def comparability_html(facts) -> str:
    """The box that comes before any finding: per country the unit, coverage and survey year,
    and what the comparison is not (`analysis.nordic.comparability_facts`)."""
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(row[c]))}</td>"
            for c in ("country", "unit", "coverage", "survey_year", "reference_period")
        )
        + "</tr>"
        for _, row in facts.iterrows()
    )
    return (
        '<div class="notice comparability"><p><strong>Compare with care.</strong> The barometers '
        "differ in who answers, what they cover and when; a difference between two countries can "
        "come from any of these as much as from how they innovate. This report is not a league "
        "table: it names a country as highest only where every difference is significant after "
        "Holm, and marks differences between countries that answer for different units.</p>"
        "<table><thead><tr><th>Country</th><th>Unit and respondent</th><th>Coverage</th>"
        "<th>Survey year</th><th>Reference period</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def show_comparability_box(facts) -> None:
    """Display `comparability_html`."""
    show_html(comparability_html(facts))


NOVELTY_VERBS = {"1": "develops its own innovations most", "2": "adapts most", "3": "copies most"}


def novelty_sentences(shares, differences, labels: dict, leaders: dict) -> list[str]:
    """'Norway copies most: 34% of its latest innovations were largely copies, more than in each
    other country (...)' for each category with a leader (`analysis.nordic.leader`); where no
    country leads, says so."""
    sentences = []
    for category, verb in NOVELTY_VERBS.items():
        country = leaders.get(category)
        if country is None:
            continue
        row = shares[(shares["group"] == country) & (shares["category"] == category)].iloc[0]
        pairs = differences[differences["category"] == category]
        mine = pairs[(pairs["first"] == country) | (pairs["second"] == country)]
        crossing = [
            labels[s if f == country else f]
            for f, s, cross in zip(mine["first"], mine["second"], mine["cross_unit"])
            if cross
        ]
        sentence = (
            f"{labels[country]} {verb}: {100 * row.estimate:.0f}% of its latest innovations "
            f"({100 * row.ci_lower:.0f}-{100 * row.ci_upper:.0f}%), more than in each other "
            "country, every difference significant after Holm over the country pairs."
        )
        if crossing:
            sentence += f" The difference with {', '.join(crossing)} is between different units."
        sentences.append(sentence)
    if not sentences:
        sentences.append(
            "No country copies or adapts more than every other country with differences that "
            "are significant after Holm."
        )
    return sentences


def nordic_figure_sentence(figure, others, labels: dict) -> str:
    """'Nordic figure (mean of Denmark, Norway, ...: workplaces): 78% (77-79%). Finland
    (municipal organisations), not pooled: 95% (...).'"""
    if figure is None:
        return ""
    names = ", ".join(labels[c] for c in figure["countries"])
    text = (
        f"Nordic figure, the mean of the shares of {names} (each answering per workplace): "
        f"{100 * figure['estimate']:.0f}% ({100 * figure['ci_lower']:.0f}-"
        f"{100 * figure['ci_upper']:.0f}%)."
    )
    for row in others.itertuples(index=False):
        if row.suppressed:
            continue
        text += (
            f" {labels[row.group]}, shown beside it and not pooled: {100 * row.estimate:.0f}% "
            f"({100 * row.ci_lower:.0f}-{100 * row.ci_upper:.0f}%)."
        )
    return text


def outside_sentences(outside) -> list[str]:
    """One sentence per published figure outside its interval, naming it and the reason."""
    return [
        f"{row.label}, {row.published_edition} ({row.estimated_from}): published "
        f"{100 * row.published:.0f}%, outside the interval of the estimate "
        f"({100 * row.ci_lower:.0f}-{100 * row.ci_upper:.0f}%). Why: {row.reason}."
        for row in outside.itertuples(index=False)
    ]
