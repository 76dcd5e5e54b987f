"""A report section's figure, table and sentences together, from one tidy table.

Figures and sentences read the same tidy tables as the tables, so a suppressed cell is blank in the
table, absent from the figure and unnamed in the text.

Every block is rendered in each language of the build from numbers computed once: the figures and
tables are drawn by functions called per language (`show_figure`, `show_table`), and text a
notebook passes in English (titles, names) is translated there (`tables.localised`).
"""

from __future__ import annotations

import html

import pandas as pd

from innobarometer import language
from innobarometer.analysis.estimates import labels as codebook_labels
from innobarometer.analysis.published import published_for_theme, published_indicators
from innobarometer.codebook import load_codebook
from innobarometer.language import N_, _, in_every_language, ngettext
from innobarometer.report.figures import (
    COUNTRY_COLOURS,
    country_names,
    plot_differences,
    plot_distribution,
    plot_estimates,
    plot_odds_ratios,
    plot_published,
    show_figure,
    suppression_note,
    whose_share,
)
from innobarometer.report.nordic import compact_differences, summarise_differences
from innobarometer.report.notices import show_not_asked
from innobarometer.report.sentences import (
    NO_PUBLISHED_FIGURE,
    country_sentences,
    differences_sentence,
    family_text,
    published_sentence,
    show_sentences,
)
from innobarometer.report.tables import (
    format_differences,
    format_estimates,
    format_model,
    format_published,
    localised,
    show_html,
    show_table,
)


def show_estimates(
    table: pd.DataFrame,
    name: str,
    title: str,
    *,
    labels: pd.Series | None = None,
    group_labels: dict | None = None,
    colours: dict | str | None = None,
    groups_as_rows: bool = False,
) -> None:
    """A section's figure (shares with intervals; means left out) and the table behind it.

    `groups_as_rows` draws each group on a row of its own (editions of a trend) rather than
    side by side within each item's row. Nothing for a table with no rows (not asked).
    """

    if table.empty:
        return
    given = labels
    shares = table["ci_method"] != "t"
    drawn = table[shares]
    if groups_as_rows:
        drawn = drawn.assign(group="")

    def item_labels() -> pd.Series:
        """The rows' labels in the language being rendered."""
        if groups_as_rows:
            names = group_labels or {}
            return pd.Series([localised(names.get(g, g)) for g in table["group"]], table.index)
        return codebook_labels(table) if given is None else given

    if not drawn.empty:
        show_chart(
            lambda: plot_estimates(
                drawn,
                item_labels()[shares],
                title,
                colours=colours,
                xlabel=share_axis_label(drawn),
                group_labels=None if groups_as_rows else group_labels,
            ),
            name,
            lambda: suppression_note(drawn, item_labels()[shares], group_labels),
        )
    show_table(table, name, shown=lambda: format_estimates(table, item_labels(), group_labels))


# A share axis's label (`share_axis_label`'s `what`): with whose share it is, and without.
SHARE_AXIS_LABELS = {
    "Share": (N_("Share of {whose} (%)"), N_("Share (%)")),
    "Share of substantive answers": (
        N_("Share of substantive answers of {whose} (%)"),
        N_("Share of substantive answers (%)"),
    ),
}


def share_axis_label(table: pd.DataFrame, what: str = "Share") -> str:
    """'Share of innovators (%)': whose percentage a chart shows, from the table's domain, in the
    current language."""
    whose = whose_share(table)
    of_whom, alone = SHARE_AXIS_LABELS[what]
    return _(of_whom).format(whose=whose) if whose else _(alone)


def show_chart(fig, name: str, note="") -> None:
    """A figure under its name (its SVG's file name), and the line saying what is not shown and
    why, when something is suppressed. `fig` and `note` may be functions, called in each
    language of the build (`show_figure`)."""
    show_figure(fig, name)
    show_html(figure_note(note))


@in_every_language
def figure_note(note) -> str:
    """The line under a figure (`note`, or what the function `note` returns), as markup; empty
    for none."""
    text = note() if callable(note) else localised(note)
    return f'<p class="figure-note">{html.escape(text)}</p>' if text else ""


def show_differences(differences: pd.DataFrame, name: str, title: str, figure: bool = True) -> None:
    """A set of differences: the figure around zero (unless `figure` is false: long sets read
    better as a table) and the table; nothing when there are none."""
    if differences.empty:
        return
    if figure:
        labels = differences["label"] if "label" in differences else differences.index.to_series()
        show_chart(
            lambda: plot_differences(differences, title),
            name,
            lambda: suppression_note(differences, labels, None),
        )
    show_table(differences, name, shown=lambda: format_differences(differences))


# A table of pairs longer than this shows each family's leading item against its nearest
# rivals only (`RIVALS_SHOWN` of them, the closest calls); the CSV has every pair.
PAIRS_SHOWN = 45
RIVALS_SHOWN = 2


def show_pairs(pairs: pd.DataFrame, name: str) -> None:
    """The pairs behind a section's claims (`analysis.group_pairs`, `item_pairs`,
    `item_pairs_by_group`): every row for the CSV; on the page all of them, or for a long table
    each family's leading item (by point estimate) against its nearest rivals, the caption says
    so; with several families shown, a column names each row's family (e.g. its sector)."""
    if pairs.empty:
        return
    shown = pairs if len(pairs) <= PAIRS_SHOWN else _leaders_pairs(pairs)

    def caption() -> str:
        return ngettext(
            "Each family's leading item against its {rivals} nearest rivals (the closest "
            "calls): {shown} of {total} pair; every pair is in the report's CSV.",
            "Each family's leading item against its {rivals} nearest rivals (the closest "
            "calls): {shown} of {total} pairs; every pair is in the report's CSV.",
            len(pairs),
        ).format(rivals=RIVALS_SHOWN, shown=len(shown), total=len(pairs))

    def formatted() -> pd.DataFrame:
        table = format_differences(shown)
        if shown["family"].nunique() > 1:
            # English drops the article ('91 pairs of barriers within Health'); the other
            # languages name the family by its whole template.
            english = language.current() == language.ENGLISH
            families = [
                str(f).removeprefix("the ") if english else family_text(str(f))
                for f in shown["family"]
            ]
            table.insert(0, _("Holm family"), families)
        return table

    show_table(pairs, name, shown=formatted, caption=caption if len(shown) < len(pairs) else None)


def _leaders_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The rows of each family's item that is larger than the most others, against the
    `RIVALS_SHOWN` items closest to it (smallest difference), in the table's order."""
    parts = []
    for _key, family in pairs.groupby("family", sort=False):
        tested = family[~family["suppressed"].astype(bool)]
        wins = pd.concat(
            [
                tested.loc[tested["estimate"] > 0, "first"],
                tested.loc[tested["estimate"] < 0, "second"],
            ]
        ).value_counts()
        if wins.empty:
            continue
        leader = wins.index[0]
        mine = tested[(tested["first"] == leader) | (tested["second"] == leader)]
        nearest = mine["estimate"].abs().sort_values(kind="stable").index[:RIVALS_SHOWN]
        parts.append(mine.loc[sorted(nearest)])
    return pd.concat(parts) if parts else pairs.iloc[0:0]


def show_model(model, name: str, title: str) -> None:
    """A survey logistic model: odds-ratio figure and table, or the reason there is none (nothing
    when the edition did not ask what it needs: the section's notice says so)."""
    if model.not_asked:
        return
    if model.message:
        show_html(_notice(model.message))
        return
    show_chart(lambda: plot_odds_ratios(model, title), name)
    show_table(model.table, name, shown=lambda: format_model(model))


@in_every_language
def _notice(message: str) -> str:
    """A notice paragraph (why there is no model) in the current language."""
    return f'<p class="notice">{html.escape(localised(message))}</p>'


def show_published(
    comparison: pd.DataFrame,
    synthetic: bool,
    plotted: pd.Series | None = None,
    none_text: str = NO_PUBLISHED_FIGURE,
) -> None:
    """The published figures beside the package's estimates: sentence, figure (of the `plotted`
    rows, default all; none when no row is plotted) and table."""
    show_sentences(published_sentence(comparison, synthetic, none_text))
    if comparison.empty:
        return
    drawn = comparison if plotted is None else comparison[plotted]
    if not drawn.empty:
        show_chart(lambda: plot_published(drawn, _(PUBLISHED_TITLE)), "published")
    show_table(comparison, "published", shown=lambda: format_published(comparison))


PUBLISHED_TITLE = N_("Estimates (dots) and published figures (diamonds)")


def show_theme_published(edition, theme: str, **options) -> None:
    """A theme report's "Beside the published figures" section: a notice naming the figures the
    edition did not ask, then the others beside the package's estimates."""

    show_not_asked(edition, published_indicators(edition, theme))
    published = published_for_theme(edition, theme, **options)
    show_published(published, edition.synthetic)


def show_distribution(table, name, title, category_labels: dict) -> None:
    """A battery's full answer distribution: stacked bars and the table behind them (nothing for
    a table with no rows)."""

    if table.empty:
        return

    def item_labels() -> pd.Series:
        """Each row's item (the battery variable's label) in the language being rendered."""
        return pd.Series([load_label(i) for i in table["indicator"]], table.index, name="label")

    shown_items = table["category"].isin(list(category_labels))
    show_chart(
        lambda: plot_distribution(
            table,
            item_labels(),
            category_labels,
            title,
            share_axis_label(table, "Share of substantive answers"),
        ),
        name,
        lambda: suppression_note(table[shown_items & (table["group"] == "")], item_labels(), None),
    )
    show_table(
        table,
        name,
        shown=lambda: format_estimates(table, item_labels() + ": " + codebook_labels(table)),
    )


def load_label(variable: str) -> str:
    """A codebook variable's label."""

    return load_codebook()[variable].label


def show_country_comparison(
    shares: pd.DataFrame, differences: pd.DataFrame, theme: str, group_labels: dict | None = None
) -> None:
    """One theme of the Nordic report (`theme`: its title, e.g. 'Overview'): sentences,
    countries side by side (`group_labels`: the countries' names, default `country_names()`),
    tested differences summarised per indicator (`compact_differences`)."""

    # Differences between countries answering for different units (Finland's organisations
    # against workplaces) stay in the table, marked, but are never the one described.
    cross = differences["cross_unit"].astype(bool) if "cross_unit" in differences else None
    described = differences if cross is None or not cross.any() else differences[~cross]
    what = (
        N_("countries") if described is differences else N_("countries answering for the same unit")
    )
    show_sentences(
        *country_sentences(shares, codebook_labels(shares), described, group_labels),
        differences_sentence(described, what),
    )
    key = theme.lower().replace(" ", "_")
    show_estimates(
        shares,
        f"{key}_by_country",
        country_title(theme),
        group_labels=group_labels or country_names(),
        colours=COUNTRY_COLOURS,
    )
    # The page summarises the pairs per indicator; the difference matrices the notebook shows
    # next give each pair, and the CSV every row (a 30-row table per theme repeated them).
    if not differences.empty:
        summary = summarise_differences(differences)
        show_table(
            differences,
            f"{key}_differences",
            shown=lambda: compact_differences(
                summary, {c: localised(n) for c, n in (group_labels or country_names()).items()}
            ),
        )


@in_every_language
def country_title(theme: str) -> str:
    """The title of a Nordic theme's figure of countries side by side ('Overview: headline
    indicators by country'), the theme's name translated."""
    return _("{theme}: headline indicators by country").format(theme=localised(theme))
