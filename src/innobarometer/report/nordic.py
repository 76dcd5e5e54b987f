"""The Nordic report's own parts: which round it is and what it lacks, the comparability box,
country labels that name the unit where it differs, and the Nordic findings.

Every part is rendered in each language of the build (issue 16) from numbers computed once:
sentences and notices are `language.in_every_language` functions made of whole templates of the
catalogs, tables and figures are drawn per language (`show_table`, `show_figure`); the countries'
labels (`analysis.country_labels`) are `language.Text`s, shown in the language being rendered.
"""

from __future__ import annotations

import functools
import html

import pandas as pd

from innobarometer import language
from innobarometer.codebook import country_name
from innobarometer.language import N_, _, ngettext, percent, percent_range, rendered
from innobarometer.report.sentences import Claim, Finding, _every_language, _joined, family_text
from innobarometer.report.sentences import _label as label_text
from innobarometer.report.tables import (
    SUPPRESSED_TEXT,
    interval_text,
    localised,
    show_html,
    show_table,
)

# What a report says of an edition delivered as tables (`analysis.delivered`), and of those built
# here beside it: whole sentences with named placeholders, so that each translates whole.
DELIVERED_SENTENCE = N_(
    "{edition} is delivered as estimate tables by its partner; its microdata stays with the "
    "partner."
)
FROM_TABLES_SENTENCE = N_(
    "A delivered edition's estimates, standard errors, degrees of freedom and counts are those "
    "of its partner's own build, and cells suppressed there stay suppressed here. Estimates by "
    "group, and tests within the edition other than the one delivered, need the microdata and "
    "are not shown for it."
)
BUILT_HERE_SENTENCE = N_("Built here from the microdata: {editions}.")


def _name(labels: dict, code: str) -> str:
    """A country's label (`analysis.country_labels`: a `language.Text`) in the current language;
    the codebook's name (or the code itself) when there is none."""
    if code in labels:
        return rendered(labels[code], language.current())
    return country_name(code)


def _delivered_text(editions) -> str:
    """`delivered_html` in the current language."""
    delivered = [e for e in editions if e.delivered]
    if not delivered:
        return ""
    sentences = [_(DELIVERED_SENTENCE).format(edition=e.edition_id) for e in delivered]
    sentences.append(_(FROM_TABLES_SENTENCE))
    here = [e.edition_id for e in editions if not e.delivered]
    if here:
        sentences.append(_(BUILT_HERE_SENTENCE).format(editions=", ".join(here)))
    return f"<p>{html.escape(' '.join(sentences))}</p>"


@language.in_every_language
def delivered_html(editions) -> str:
    """Which editions are delivered as tables and which are built here from microdata (empty
    when none is delivered)."""
    return _delivered_text(editions)


@language.in_every_language
def _delivered_notice(editions) -> str:
    text = _delivered_text(editions)
    return f'<div class="notice delivered">{text}</div>' if text else ""


def show_delivered(editions) -> None:
    """Display `delivered_html` as a notice (the trend reports; a round's notice carries it)."""
    show_html(_delivered_notice(editions))


@language.in_every_language
def round_notice_html(round_name: str, editions, lacking) -> str:
    """'Round 2018: Denmark 2017, ... Not in this data set: SE-2018 (its country is left out).',
    then which editions are delivered as tables (`delivered_html`)."""
    compared = ", ".join(
        _("{country} {year}").format(country=country_name(e.country), year=e.year) for e in editions
    )
    bold = "<strong>{}</strong>"
    text = html.escape(_("{round}: {editions}."), quote=False).format(
        round=bold.format(html.escape(_("Round {name}").format(name=_round_name(round_name)))),
        editions=html.escape(compared),
    )
    if lacking:
        template = ngettext(
            "{lacking_label}: {lacking}; the round's other editions are compared without it.",
            "{lacking_label}: {lacking}; the round's other editions are compared without them.",
            len(lacking),
        )
        text += " " + html.escape(template, quote=False).format(
            lacking_label=bold.format(html.escape(_("Not in this data set"))),
            lacking=html.escape(", ".join(lacking)),
        )
    return f'<div class="notice round">{text}{_delivered_text(editions)}</div>'


# The round of each country's latest edition, as data/rounds.yaml and the build name it.
LATEST_ROUND = N_("latest")


def _round_name(round_name) -> str:
    """A round's name in the current language (a year, or 'latest' translated)."""
    return _(LATEST_ROUND) if str(round_name) == LATEST_ROUND else str(round_name)


def show_round(round_name: str, editions, lacking) -> None:
    """Display `round_notice_html`."""
    show_html(round_notice_html(round_name, editions, lacking))


# The comparability box's columns: the facts' column -> its header.
COMPARABILITY_COLUMNS = {
    "country": N_("Country"),
    "unit": N_("Unit and respondent"),
    "coverage": N_("Coverage"),
    "survey_year": N_("Survey year"),
    "reference_period": N_("Reference period"),
    "data": N_("Data"),
}
COMPARE_WITH_CARE = N_("Compare with care.")
COMPARABILITY_TEXT = N_(
    "The barometers differ in who answers, what they cover and when; a difference between two "
    "countries can come from any of these as much as from how they innovate. This report is not "
    "a league table: it names a country as highest only where every difference is significant "
    "after Holm, and marks differences between countries that answer for different units."
)


@language.in_every_language
def comparability_html(facts) -> str:
    """The box that comes before any finding: per country the unit, coverage and survey year,
    and what the comparison is not (`analysis.nordic.comparability_facts`; its texts are
    English, each translated here)."""
    here = language.current()
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_fact(row[c], here))}</td>" for c in COMPARABILITY_COLUMNS)
        + "</tr>"
        for _i, row in facts.iterrows()
    )
    head = "".join(f"<th>{html.escape(_(h))}</th>" for h in COMPARABILITY_COLUMNS.values())
    return (
        f'<div class="notice comparability"><p><strong>{html.escape(_(COMPARE_WITH_CARE))}'
        f"</strong> {html.escape(_(COMPARABILITY_TEXT), quote=False)}</p>"
        # The table scrolls inside the box on a narrow screen; the page never does.
        f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div></div>"
    )


def _fact(value, code: str) -> str:
    """One cell of the comparability box in language `code`: a `Text`'s rendering, a number as
    it is, other text through the catalogs."""
    if isinstance(value, language.Text):
        return value.in_language(code)
    if not isinstance(value, str) or not value:
        return str(value)
    return _(value)


def show_comparability_box(facts) -> None:
    """Display `comparability_html`."""
    show_html(comparability_html(facts))


# Each novelty category's finding: a whole sentence per category.
NOVELTY_SENTENCES = {
    "1": N_(
        "{country} develops its own innovations most: {share} of its latest innovations "
        "({interval}), the highest share, each difference significant after Holm within {family}."
    ),
    "2": N_(
        "{country} adapts most: {share} of its latest innovations ({interval}), the highest "
        "share, each difference significant after Holm within {family}."
    ),
    "3": N_(
        "{country} copies most: {share} of its latest innovations ({interval}), the highest "
        "share, each difference significant after Holm within {family}."
    ),
}
NO_NOVELTY_LEADER = N_(
    "No country copies or adapts more than every other country with differences that are "
    "significant after Holm."
)


def novelty_sentences(shares, differences, labels: dict, leaders: dict) -> list[str]:
    """'Norway copies most: 34% of its latest innovations (31–37%), the highest share, each
    difference significant after Holm within the 10 country pairs of ...' for each category
    with a leader (`analysis.nordic.leader`), as a tested claim; where no country leads, says
    so. In every language of the build."""
    sentences = []
    for category in NOVELTY_SENTENCES:
        country = leaders.get(category)
        if country is None:
            continue
        row = shares[(shares["group"] == country) & (shares["category"] == category)].iloc[0]
        pairs = differences[differences["category"] == category]
        mine = pairs[(pairs["first"] == country) | (pairs["second"] == country)]
        others = tuple(s if f == country else f for f, s in zip(mine["first"], mine["second"]))
        family = str(pairs["family"].iloc[0])
        crossing = [
            s if f == country else f
            for f, s, cross in zip(mine["first"], mine["second"], mine["cross_unit"])
            if cross
        ]
        claim = Claim("highest", country, others, family)
        sentences.append(
            _every_language(
                functools.partial(
                    _novelty_sentence, category, country, row, family, crossing, labels, claim
                )
            )
        )
    if not sentences:
        sentences.append(_every_language(lambda: Finding(_(NO_NOVELTY_LEADER))))
    return sentences


def _novelty_sentence(category, country, row, family, crossing, labels, claim) -> Finding:
    """One novelty leader's sentence in the current language."""
    text = _(NOVELTY_SENTENCES[category]).format(
        country=_name(labels, country),
        share=percent(row.estimate),
        interval=percent_range(row.ci_lower, row.ci_upper),
        family=family_text(family),
    )
    if crossing:
        text += " " + _("The difference with {countries} is between different units.").format(
            countries=", ".join(_name(labels, c) for c in crossing)
        )
    return Finding(text, [claim])


def collaboration_sentence(shares, labels: dict) -> str:
    """'In every country most innovations are made in collaboration: from 69% (Denmark) to 95%
    (Finland (municipal organisations)), each 95% interval above one half.' as a tested finding
    (each interval excludes one half); nothing when one does not."""
    rows = shares[(shares["indicator"] == "collaborated_any") & ~shares["suppressed"]]
    if rows.empty or not (rows["ci_lower"] > 0.5).all():
        return ""
    low, high = rows.loc[rows["estimate"].idxmin()], rows.loc[rows["estimate"].idxmax()]
    return _every_language(
        lambda: Finding(
            _(
                "In every country most innovations are made in collaboration: from {low} "
                "({low_country}) to {high} ({high_country}), each 95% interval above one half."
            ).format(
                low=percent(low.estimate),
                low_country=_name(labels, low.group),
                high=percent(high.estimate),
                high_country=_name(labels, high.group),
            )
        )
    )


@language.in_every_language
def nordic_figure_sentence(figure, others, labels: dict) -> str:
    """'Nordic figure, the mean of the shares of Denmark, Norway, ... (each answering per
    workplace): 78% (77–79%). Finland (municipal organisations), shown beside it and not pooled:
    95% (...).'"""
    if figure is None:
        return ""
    text = _(
        "Nordic figure, the mean of the shares of {countries} (each answering per workplace): "
        "{share} ({interval})."
    ).format(
        countries=", ".join(_name(labels, c) for c in figure["countries"]),
        share=percent(figure["estimate"]),
        interval=percent_range(figure["ci_lower"], figure["ci_upper"]),
    )
    for row in others.itertuples(index=False):
        if row.suppressed:
            continue
        text += " " + _("{country}, shown beside it and not pooled: {share} ({interval}).").format(
            country=_name(labels, row.group),
            share=percent(row.estimate),
            interval=percent_range(row.ci_lower, row.ci_upper),
        )
    return text


@language.in_every_language
def _outside_sentence(row) -> str:
    return _(
        "{label}, {edition} ({estimated_from}): published {published}, outside the interval of "
        "the estimate ({interval}). Why: {reason}."
    ).format(
        label=label_text(row.label),
        edition=row.published_edition,
        estimated_from=row.estimated_from,
        published=percent(row.published),
        interval=percent_range(row.ci_lower, row.ci_upper),
        reason=rendered(row.reason, language.current()),
    )


def outside_sentences(outside) -> list[str]:
    """One sentence per published figure outside its interval, naming it and the reason (its
    `reason` a `language.Text`, `analysis.nordic.outside_interval`)."""
    return [_outside_sentence(row) for row in outside.itertuples(index=False)]


# What `show_round_changes` passes to `change_sentences` as the editions compared.
BETWEEN_ROUNDS = N_("the two rounds")


def show_round_changes(changes, previous_round: str) -> None:
    """The changes since the previous round: sentences (significant ones after Holm), the table
    (to the CSV as `round_changes`); says why there is none."""
    # lazy: the trend report's sentences and the sections' tables are shared here (sections and
    # trends import this module)
    from innobarometer.report.sections import show_differences
    from innobarometer.report.sentences import show_sentences
    from innobarometer.report.trends import change_sentences

    if not previous_round:
        show_html(_round_change_text(FIRST_ROUND, ""))
        return
    if changes.empty:
        show_html(_round_change_text(NO_ROUND_CHANGE, previous_round))
        return
    show_html(_round_change_text(SINCE_ROUND, previous_round))
    show_sentences(*change_sentences(changes, BETWEEN_ROUNDS))
    show_differences(changes, "round_changes", f"Change since round {previous_round}", figure=False)


FIRST_ROUND = N_("This is the first round in data/rounds.yaml: there is no earlier round.")
NO_ROUND_CHANGE = N_(
    "No country's edition differs between round {round} and this one, so there is no change to "
    "show."
)
SINCE_ROUND = N_("Since round {round}:")


@language.in_every_language
def _round_change_text(template: str, previous_round: str) -> str:
    text = _(template).format(round=previous_round)
    return f"<p>{html.escape(text, quote=False)}</p>"


@language.in_every_language
def cross_unit_sentence(differences, labels: dict) -> str:
    """How many of the differences compare countries that answer for different units (shown in
    the table and the matrix, marked, never described as the largest)."""
    if differences.empty or "cross_unit" not in differences:
        return ""
    crossing = differences[differences["cross_unit"].astype(bool)]
    if crossing.empty:
        return ""
    # The countries whose label names their unit (those not answering per workplace).
    codes = sorted(
        {c[:2] for c in (*crossing["first"], *crossing["second"])}
        & {c for c in labels if "(" in str(labels[c])},
        key=lambda c: str(labels[c]),
    )
    return ngettext(
        "{n} of the differences compares {countries} with countries that answer per workplace: "
        "it is shown and marked (≠ unit) but not described, since the units differ.",
        "{n} of the differences compare {countries} with countries that answer per workplace: "
        "they are shown and marked (≠ unit) but not described, since the units differ.",
        len(crossing),
    ).format(n=len(crossing), countries=_joined([_name(labels, c) for c in codes]))


def _cell_colour(value: float, limit: float) -> str:
    """A diverging colour for a difference: blue below zero, red above, white at zero."""
    weight = min(abs(value) / limit, 1.0) * 0.6
    end = (178, 24, 43) if value > 0 else (33, 102, 172)
    mixed = [round((255 + (c - 255) * weight) / 17) for c in end]
    return "#" + "".join(f"{c:x}" for c in mixed)  # three hex digits: the page stays small


MATRIX_KEY = N_(
    "row country minus column country, percentage points; * significant after Holm (the country "
    "pairs of one indicator); ≠ different units"
)


@language.in_every_language
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
                tds.append(
                    f'<td style="background:{_cell_colour(value, limit)}">'
                    f"{language.signed(value, 0)}{html.escape(mark)}</td>"
                )
            body.append(f"<tr><th>{html.escape(first)}</th>{''.join(tds)}</tr>")
        panels.append(
            '<div style="overflow-x:auto;max-width:100%">'
            f'<table class="matrix"><caption>{html.escape(localised(panel))}</caption>'
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
    codes = list(dict.fromkeys([*data["row"], *data["column"]]))
    key = "; ".join(
        _("{code}: {country}").format(code=c, country=_name(labels, c))
        for c in codes
        if "(" in str(labels.get(c, ""))
    )
    caption = _("{key} ({units}).").format(key=_(MATRIX_KEY), units=key) if key else None
    caption = caption or _("{key}.").format(key=_(MATRIX_KEY))
    if title:
        caption = _("{title}: {caption}").format(title=localised(title), caption=caption)
    return (
        f'<figure class="difference-matrix"><figcaption>{html.escape(caption)}</figcaption>'
        '<div style="display:flex;flex-wrap:wrap;gap:0.75em">'
        f"{''.join(panels)}</div></figure>"
    )


def show_difference_matrices(differences, labels: dict, title: str = "") -> None:
    """Display `difference_matrices_html` (nothing without rows)."""
    show_html(difference_matrices_html(differences, labels, title))


def _share_label(table) -> list[str]:
    """What each row of a by-country table is a share of (option, category or item), in the
    current language."""
    # lazy: the analysis layer is only needed once a table is shown
    from innobarometer.analysis.nordic import share_label

    return [share_label(i, c) for i, c in zip(table["indicator"], table["category"])]


def compact_shares(shares, labels: dict):
    """Shares as readers compare them, in the current language: one row per share, one column
    per country (its unit named), '52% (49–55)' with the 95% interval, or 'suppressed'."""
    rows = shares.assign(share=_share_label(shares))
    text = [
        _(SUPPRESSED_TEXT)
        if s
        else _("{share} ({interval})").format(share=percent(e), interval=interval_text(lo, hi))
        for e, lo, hi, s in zip(
            rows["estimate"], rows["ci_lower"], rows["ci_upper"], rows["suppressed"].astype(bool)
        )
    ]
    pivot = (
        rows.assign(text=text)
        .pivot_table(index="share", columns="group", values="text", aggfunc="first", sort=False)
        .reindex(columns=list(dict.fromkeys(rows["group"])))
    )
    pivot.columns = [_name(labels, c) for c in pivot.columns]
    return pd.DataFrame(pivot).reset_index().rename(columns={"share": _("Share of")}).fillna("")


def summarise_differences(differences) -> list[dict]:
    """Per share (per Holm family: `pairwise_by_country`'s or `country_differences`'s): its
    label, how many country pairs differ significantly after Holm, how many of those compare
    different units, and the country higher than every other where the tests say so. Computed
    once; `compact_differences` puts it in words per language."""
    # lazy: the analysis layer is only needed once a table is shown
    from innobarometer.analysis.nordic import leader_of_pairs

    summary = []
    for _family, pairs in differences.groupby("family", sort=False):
        shown = pairs[~pairs["suppressed"].astype(bool)]
        significant = shown[shown["p_holm"] < 0.05]
        cross = significant.get("cross_unit", pd.Series(False, index=significant.index))
        summary.append(
            {
                # Each pair's label is "<share>: <country> vs <country>".
                "share": str(pairs["label"].iloc[0]).rsplit(": ", 1)[0],
                "significant": len(significant),
                "pairs": len(pairs),
                "cross_unit": int(cross.astype(bool).sum()),
                "leader": leader_of_pairs(pairs),
            }
        )
    return summary


def compact_differences(summary: list[dict], labels: dict):
    """`summarise_differences` as a table in the current language."""
    return pd.DataFrame(
        [
            {
                _("Share of"): localised(row["share"]),
                _("Pairs significant after Holm"): _("{k} of {n}").format(
                    k=row["significant"], n=row["pairs"]
                ),
                _("of which different units"): row["cross_unit"],
                _("Higher than every other country"): (
                    _name(labels, row["leader"]) if row["leader"] else _("none")
                ),
            }
            for row in summary
        ]
    )


def show_by_country(
    shares, differences, name: str, title: str, labels: dict, figure: bool = False
) -> None:
    """One comparison of the Nordic report, compact: the shares by country (a table with a
    column per country, each share with its interval), then for the pairwise differences a
    summary per share; the CSV gets every share and every pair (tables `<name>_by_country` and
    `<name>_differences`). `figure`: the shares drawn with their intervals above the table. Each
    in every language of the build (`title`, given in English, translated)."""
    if shares.empty:
        return
    if figure:
        # lazy: plotting loads only when a figure is drawn
        from innobarometer.report.figures import COUNTRY_COLOURS, plot_estimates, show_figure

        drawn = shares[shares["ci_method"] != "t"]
        show_figure(
            lambda: plot_estimates(
                drawn,
                pd.Series(_share_label(drawn), index=drawn.index),
                title,
                colours=COUNTRY_COLOURS,
                group_labels=labels,
            ),
            f"{name}_by_country",
        )
    show_table(
        shares, f"{name}_by_country", shown=lambda: compact_shares(shares, labels), caption=title
    )
    if not differences.empty:
        summary = summarise_differences(differences)
        show_table(
            differences,
            f"{name}_differences",
            shown=lambda: compact_differences(summary, labels),
            caption="",
        )


@language.in_every_language
def copiers_sentence(spread, labels: dict | None = None) -> str:
    """Whether copiers spread their innovation less than originators, country by country
    (`analysis.nordic.copiers_spread_less`, Holm over the countries); `labels`: the countries'
    labels (`analysis.country_labels`)."""
    shown = spread[~spread["suppressed"].astype(bool)]
    if shown.empty:
        return ""
    less = shown[(shown["estimate"] > 0) & (shown["p_holm"] < 0.05)]
    countries = [_name(labels or {}, code) for code in less["country"]]
    values = {"k": len(less), "n": len(shown), "countries": ", ".join(countries)}
    if countries:
        return _(
            "Innovations that were the workplace's own idea are spread actively more often than "
            "copied ones in {k} of {n} countries, significantly after Holm ({countries})."
        ).format(**values)
    return _(
        "Innovations that were the workplace's own idea are spread actively more often than "
        "copied ones in {k} of {n} countries, significantly after Holm."
    ).format(**values)
