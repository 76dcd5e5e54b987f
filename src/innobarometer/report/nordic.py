"""The Nordic report's own parts: which round it is and what it lacks, the comparability box,
country labels that name the unit where it differs, and the Nordic findings."""

from __future__ import annotations

import html

import pandas as pd

from innobarometer.report.figures import COUNTRY_NAMES
from innobarometer.report.tables import show_html

# What a report says of an edition delivered as tables (`analysis.delivered`), and of those built
# here beside it: whole sentences with named placeholders, so that each translates whole.
DELIVERED_SENTENCE = (
    "{edition} is delivered as estimate tables by its partner; its microdata stays with the "
    "partner."
)
FROM_TABLES_SENTENCE = (
    "A delivered edition's estimates, standard errors, degrees of freedom and counts are those "
    "of its partner's own build, and cells suppressed there stay suppressed here. Estimates by "
    "group, and tests within the edition other than the one delivered, need the microdata and "
    "are not shown for it."
)
BUILT_HERE_SENTENCE = "Built here from the microdata: {editions}."


def delivered_html(editions) -> str:
    """Which editions are delivered as tables and which are built here from microdata (empty
    when none is delivered)."""
    delivered = [e for e in editions if e.delivered]
    if not delivered:
        return ""
    sentences = [DELIVERED_SENTENCE.format(edition=e.edition_id) for e in delivered]
    sentences.append(FROM_TABLES_SENTENCE)
    here = [e.edition_id for e in editions if not e.delivered]
    if here:
        sentences.append(BUILT_HERE_SENTENCE.format(editions=", ".join(here)))
    return f"<p>{html.escape(' '.join(sentences))}</p>"


def show_delivered(editions) -> None:
    """Display `delivered_html` as a notice (the trend reports; a round's notice carries it)."""
    text = delivered_html(editions)
    if text:
        show_html(f'<div class="notice delivered">{text}</div>')


def round_notice_html(round_name: str, editions, lacking) -> str:
    """'Round 2018: Denmark 2017, ... Not in this data set: SE-2018 (its country is left out).',
    then which editions are delivered as tables (`delivered_html`)."""
    compared = ", ".join(f"{COUNTRY_NAMES.get(e.country, e.country)} {e.year}" for e in editions)
    text = f"<strong>Round {html.escape(str(round_name))}</strong>: {html.escape(compared)}."
    if lacking:
        text += (
            f" <strong>Not in this data set</strong>: {html.escape(', '.join(lacking))}; "
            "the round's other editions are compared without "
            f"{'it' if len(lacking) == 1 else 'them'}."
        )
    return f'<div class="notice round">{text}{delivered_html(editions)}</div>'


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
            for c in ("country", "unit", "coverage", "survey_year", "reference_period", "data")
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
        # The table scrolls inside the box on a narrow screen; the page never does.
        '<div style="overflow-x:auto"><table><thead><tr><th>Country</th>'
        "<th>Unit and respondent</th><th>Coverage</th><th>Survey year</th>"
        "<th>Reference period</th><th>Data</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></div>"
    )


def show_comparability_box(facts) -> None:
    """Display `comparability_html`."""
    show_html(comparability_html(facts))


NOVELTY_VERBS = {"1": "develops its own innovations most", "2": "adapts most", "3": "copies most"}


def novelty_sentences(shares, differences, labels: dict, leaders: dict) -> list[str]:
    """'Norway copies most: 34% (31-37%) of its latest innovations were largely copies, the
    highest share, each difference significant after Holm within the 10 country pairs of ...'
    for each category with a leader (`analysis.nordic.leader`), as a tested claim; where no
    country leads, says so."""
    # lazy: the claims' sentence type lives with the shared sentences
    from innobarometer.report.sentences import Claim, Finding

    sentences = []
    for category, verb in NOVELTY_VERBS.items():
        country = leaders.get(category)
        if country is None:
            continue
        row = shares[(shares["group"] == country) & (shares["category"] == category)].iloc[0]
        pairs = differences[differences["category"] == category]
        mine = pairs[(pairs["first"] == country) | (pairs["second"] == country)]
        others = tuple(s if f == country else f for f, s in zip(mine["first"], mine["second"]))
        family = str(pairs["family"].iloc[0])
        crossing = [
            labels[s if f == country else f]
            for f, s, cross in zip(mine["first"], mine["second"], mine["cross_unit"])
            if cross
        ]
        text = (
            f"{labels[country]} {verb}: {100 * row.estimate:.0f}% of its latest innovations "
            f"({100 * row.ci_lower:.0f}-{100 * row.ci_upper:.0f}%), the highest share, each "
            f"difference significant after Holm within {family}."
        )
        if crossing:
            text += f" The difference with {', '.join(crossing)} is between different units."
        sentences.append(Finding(text, [Claim("highest", country, others, family)]))
    if not sentences:
        sentences.append(
            Finding(
                "No country copies or adapts more than every other country with differences "
                "that are significant after Holm."
            )
        )
    return sentences


def collaboration_sentence(shares, labels: dict) -> str:
    """'In every country most innovations are made in collaboration: from 69% (Denmark) to 95%
    (Finland (municipal organisations)), each 95% interval above one half.' as a tested finding
    (each interval excludes one half); nothing when one does not."""
    # lazy: the claims' sentence type lives with the shared sentences
    from innobarometer.report.sentences import Finding

    rows = shares[(shares["indicator"] == "collaborated_any") & ~shares["suppressed"]]
    if rows.empty or not (rows["ci_lower"] > 0.5).all():
        return ""
    low, high = rows.loc[rows["estimate"].idxmin()], rows.loc[rows["estimate"].idxmax()]
    return Finding(
        "In every country most innovations are made in collaboration: from "
        f"{100 * low.estimate:.0f}% ({labels.get(low.group, low.group)}) to "
        f"{100 * high.estimate:.0f}% ({labels.get(high.group, high.group)}), each 95% "
        "interval above one half."
    )


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


def show_round_changes(changes, previous_round: str) -> None:
    """The changes since the previous round: sentences (significant ones after Holm), the table
    (to the CSV as `round_changes`); says why there is none."""
    # lazy: the trend report's sentences and the sections' tables are shared here
    from innobarometer.report.sections import show_differences
    from innobarometer.report.sentences import show_sentences
    from innobarometer.report.trends import change_sentences

    if not previous_round:
        show_html("<p>This is the first round in data/rounds.yaml: there is no earlier round.</p>")
        return
    if changes.empty:
        show_html(
            f"<p>No country's edition differs between round {html.escape(previous_round)} and "
            "this one, so there is no change to show.</p>"
        )
        return
    show_html(f"<p>Since round {html.escape(previous_round)}:</p>")
    show_sentences(*change_sentences(changes, "the two rounds"))
    show_differences(changes, "round_changes", f"Change since round {previous_round}", figure=False)


def cross_unit_sentence(differences, labels: dict) -> str:
    """How many of the differences compare countries that answer for different units (shown in
    the table and the matrix, marked, never described as the largest)."""
    if differences.empty or "cross_unit" not in differences:
        return ""
    crossing = differences[differences["cross_unit"].astype(bool)]
    if crossing.empty:
        return ""
    others = sorted(
        {labels.get(c[:2], c) for c in (*crossing["first"], *crossing["second"])}
        - {labels.get(c[:2], c) for c in labels if "(" not in labels[c]}
    )
    return (
        f"{len(crossing)} of the differences compare {' and '.join(others)} with countries that "
        "answer per workplace: they are shown and marked (≠ unit) but not described, since the "
        "units differ."
    )


def _cell_colour(value: float, limit: float) -> str:
    """A diverging colour for a difference: blue below zero, red above, white at zero."""
    weight = min(abs(value) / limit, 1.0) * 0.6
    end = (178, 24, 43) if value > 0 else (33, 102, 172)
    mixed = [round((255 + (c - 255) * weight) / 17) for c in end]
    return "#" + "".join(f"{c:x}" for c in mixed)  # three hex digits: the page stays small


def difference_matrices_html(differences, labels: dict, title: str = "") -> str:
    """One small country-by-country matrix per indicator (or category), drawn as a coloured
    table (readable at any width, read out by screen readers): each cell the row country's share
    minus the column country's in points, * where significant after Holm, ≠ where the two
    answer for different units, blank where suppressed; empty without rows."""
    if differences.empty:
        return ""
    data = differences.assign(
        panel=differences["label"].str.rsplit(": ", n=1).str[0],
        row=differences["first"].str[:2],
        column=differences["second"].str[:2],
    )
    shown = data[~data["suppressed"].astype(bool)]
    limit = max(float((shown["estimate"].abs() * 100).max()) if len(shown) else 0.0, 1.0)
    panels = []
    for panel, rows in data.groupby("panel", sort=False):
        countries = list(dict.fromkeys([*rows["row"], *rows["column"]]))
        cells: dict[tuple[str, str], tuple[float, str]] = {}
        for row in rows.itertuples(index=False):
            if row.suppressed:
                continue
            mark = ("*" if row.p_holm < 0.05 else "") + (
                "≠" if getattr(row, "cross_unit", False) else ""
            )
            cells[(row.row, row.column)] = (100 * row.estimate, mark)
            cells[(row.column, row.row)] = (-100 * row.estimate, mark)
        head = "".join(f"<th>{html.escape(c)}</th>" for c in countries)
        body = []
        for first in countries:
            tds = []
            for second in countries:
                if (first, second) not in cells:
                    tds.append("<td></td>")
                    continue
                value, mark = cells[(first, second)]
                shown = f"{value:+.0f}" if round(value) else "0"  # never "-0"
                tds.append(
                    f'<td style="background:{_cell_colour(value, limit)}">'
                    f"{shown}{html.escape(mark)}</td>"
                )
            body.append(f"<tr><th>{html.escape(first)}</th>{''.join(tds)}</tr>")
        panels.append(
            '<div style="overflow-x:auto;max-width:100%">'
            f'<table class="matrix"><caption>{html.escape(panel)}</caption>'
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
    codes = list(dict.fromkeys([*data["row"], *data["column"]]))
    key = "; ".join(f"{c}: {labels[c]}" for c in codes if "(" in labels.get(c, ""))
    caption = (
        f"{title + ': ' if title else ''}row country minus column country, percentage points; "
        f"* significant after Holm (the country pairs of one indicator); ≠ different units"
        + (f" ({key})." if key else ".")
    )
    return (
        f'<figure class="difference-matrix"><figcaption>{html.escape(caption)}</figcaption>'
        '<div style="display:flex;flex-wrap:wrap;gap:0.75em">'
        f"{''.join(panels)}</div></figure>"
    )


def show_difference_matrices(differences, labels: dict, title: str = "") -> None:
    """Display `difference_matrices_html` (nothing without rows)."""
    show_html(difference_matrices_html(differences, labels, title))


def _share_label(table) -> list[str]:
    """What each row of a by-country table is a share of (option, category or item)."""
    # lazy: the analysis layer is only needed once a table is shown
    from innobarometer.analysis.nordic import share_label

    return [share_label(i, c) for i, c in zip(table["indicator"], table["category"])]


def compact_shares(shares, labels: dict):
    """Shares as readers compare them: one row per share, one column per country (its unit
    named), '52% (49-55)' with the 95% interval, or 'suppressed'."""
    rows = shares.assign(share=_share_label(shares))
    text = [
        "suppressed" if s else f"{100 * e:.0f}% ({100 * lo:.0f}-{100 * hi:.0f})"
        for e, lo, hi, s in zip(
            rows["estimate"], rows["ci_lower"], rows["ci_upper"], rows["suppressed"].astype(bool)
        )
    ]
    pivot = (
        rows.assign(text=text)
        .pivot_table(index="share", columns="group", values="text", aggfunc="first", sort=False)
        .reindex(columns=list(dict.fromkeys(rows["group"])))
    )
    pivot.columns = [labels.get(c, c) for c in pivot.columns]
    return pd.DataFrame(pivot).reset_index().rename(columns={"share": "Share of"}).fillna("")


def compact_differences(differences, labels: dict):
    """Per share (per Holm family: `pairwise_by_country`'s or `country_differences`'s): how many
    country pairs differ significantly after Holm, how many of those compare different units, and
    the country higher than every other where the tests say so."""
    # lazy: the analysis layer is only needed once a table is shown
    from innobarometer.analysis.nordic import leader_of_pairs

    rows = []
    for _, pairs in differences.groupby("family", sort=False):
        shown = pairs[~pairs["suppressed"].astype(bool)]
        significant = shown[shown["p_holm"] < 0.05]
        cross = significant.get("cross_unit", pd.Series(False, index=significant.index))
        top = leader_of_pairs(pairs)
        rows.append(
            {
                # Each pair's label is "<share>: <country> vs <country>".
                "Share of": str(pairs["label"].iloc[0]).rsplit(": ", 1)[0],
                "Pairs significant after Holm": f"{len(significant)} of {len(pairs)}",
                "of which different units": int(cross.astype(bool).sum()),
                "Higher than every other country": labels.get(top, "") if top else "none",
            }
        )
    return pd.DataFrame(rows)


def show_by_country(
    shares, differences, name: str, title: str, labels: dict, figure: bool = False
) -> None:
    """One comparison of the Nordic report, compact: the shares by country (a table with a
    column per country, each share with its interval), then for the pairwise differences a
    summary per share; the CSV gets every share and every pair (tables `<name>_by_country` and
    `<name>_differences`). `figure`: the shares drawn with their intervals above the table."""
    # lazy: IPython loads only in a notebook's kernel
    from IPython.display import display

    from innobarometer.report.tables import table_bundle

    if shares.empty:
        return
    if figure:
        # lazy: plotting loads only when a figure is drawn
        from innobarometer.report.figures import COUNTRY_COLOURS, plot_estimates, show_figure

        drawn = shares[shares["ci_method"] != "t"]
        names = pd.Series(_share_label(drawn), index=drawn.index)
        show_figure(
            plot_estimates(drawn, names, title, colours=COUNTRY_COLOURS, group_labels=labels),
            f"{name}_by_country",
        )
    shown = compact_shares(shares, labels)
    display(table_bundle(shares, f"{name}_by_country", shown, title), raw=True)
    if not differences.empty:
        summary = compact_differences(differences, labels)
        display(table_bundle(differences, f"{name}_differences", summary), raw=True)


def copiers_sentence(spread) -> str:
    """Whether copiers spread their innovation less than originators, country by country
    (`analysis.nordic.copiers_spread_less`, Holm over the countries)."""
    shown = spread[~spread["suppressed"].astype(bool)]
    if shown.empty:
        return ""
    less = shown[(shown["estimate"] > 0) & (shown["p_holm"] < 0.05)]
    countries = [label.split(": ")[0] for label in less["label"]]
    text = (
        f"Innovations that were the workplace's own idea are spread actively more often than "
        f"copied ones in {len(less)} of {len(shown)} countries, significantly after Holm"
    )
    return text + (f" ({', '.join(countries)})." if countries else ".")
