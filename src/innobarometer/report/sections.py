"""What theme notebooks call to show results: tables, figures, sentences and notices.

Every table a report shows goes through `show_table`, which emits two renderings of one display
output: HTML for readers, and the unrounded table as JSON under `TABLE_MIME`, which the build
collects into the report's CSV (one `section` column per table). Figures and sentences read the same
tidy tables, so a suppressed cell is blank in the table, absent from the figure and unnamed in
the text.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np
import pandas as pd

from innobarometer.report import figures as render

TABLE_MIME = "application/vnd.innobarometer.table+json"

COUNTRY_NAMES = {
    "DK": "Denmark",
    "NO": "Norway",
    "SE": "Sweden",
    "FI": "Finland",
    "IS": "Iceland",
}
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
COUNTRY_COLOURS = {
    "DK": "#D55E00",
    "NO": "#0072B2",
    "SE": "#E69F00",
    "FI": "#56B4E9",
    "IS": "#009E73",
}
# The rest of the Okabe-Ito palette, for groups drawn beside a country's own colour.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SUPPRESSED_TEXT = "suppressed"
NON_SUBSTANTIVE_CATEGORIES = ("8", "9")  # don't know, not relevant
FIGURE_WIDTH = 8.5
FIGURE_DPI = 84
FOLDED_ROWS = 25
# Charts grow 0.32 in per row so labels never overlap; the cap only stops a runaway table
# (about 180 rows) from making an image taller than a browser will show.
MAX_FIGURE_HEIGHT = 60.0


def percent(value: float, digits: int = 0) -> str:
    """A proportion as a percentage for prose and tables ('83%'); blank for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{100 * value:.{digits}f}%"


def _interval(lower: float, upper: float) -> str:
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f"{100 * lower:.0f}–{100 * upper:.0f}"


def estimate_text(row, digits: int = 0) -> str:
    """'61%, 95% CI 57–65%' for one unsuppressed tidy row (', unreliable' when flagged)."""
    text = percent(row.estimate, digits)
    if pd.notna(row.ci_lower) and pd.notna(row.ci_upper):
        text += f", 95% CI {_interval(row.ci_lower, row.ci_upper)}%"
    if getattr(row, "flag", "") == "unreliable":
        text += ", unreliable"
    return text


def format_estimates(
    table: pd.DataFrame, label: pd.Series | None = None, group_labels: dict | None = None
) -> pd.DataFrame:
    """The tidy table as readers see it: percentages with intervals, n, and a note per row.

    `label` (aligned with `table`) replaces indicator/category codes with codebook labels and
    `group_labels` group codes with names; means (interval method t, e.g. options ticked) are
    shown as numbers, not percentages.
    """
    shown = pd.DataFrame(index=table.index)
    shown["Item"] = label if label is not None else table["indicator"]
    if (table["group"] != "").any():
        names = group_labels or {}
        shown["Group"] = [names.get(g, g) if g else "all" for g in table["group"]]
    is_mean = (table["ci_method"] == "t").to_numpy()
    shown["Estimate"] = [
        "" if s else (f"{e:.2f}" if m else percent(e, 1))
        for e, s, m in zip(table["estimate"], table["suppressed"], is_mean)
    ]
    shown[f"{_level_text(table)} interval"] = [
        "" if s else (f"{lo:.2f}–{hi:.2f}" if m else _interval(lo, hi))
        for lo, hi, s, m in zip(table["ci_lower"], table["ci_upper"], table["suppressed"], is_mean)
    ]
    shown["n"] = table["n_unweighted"].astype(int)
    notes = np.where(table["suppressed"], SUPPRESSED_TEXT, table["flag"].fillna(""))
    shown["Note"] = notes
    return shown.reset_index(drop=True)


def _level_text(table: pd.DataFrame) -> str:
    methods = sorted(set(table["ci_method"].dropna()))
    return "95% " + "/".join(methods) if methods else "95%"


def table_html(shown: pd.DataFrame, caption: str | None = None) -> str:
    """A small, plain HTML table (no index, escaped), styled by the report stylesheet.

    A table longer than `FOLDED_ROWS` is folded into a <details> element (no script needed): the
    figure and the sentence above it carry the message, the full numbers stay one click away.
    """
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in record)
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = (
        f'<table class="estimates">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    if len(rows) > FOLDED_ROWS:
        return f"<details><summary>The numbers ({len(rows)} rows)</summary>{table}</details>"
    return table


def _json_value(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if value is pd.NA or value is None:
        return None
    return str(value) if not isinstance(value, (int, str)) else value


def table_bundle(table: pd.DataFrame, section: str, name: str, shown: pd.DataFrame, caption=None):
    """The display bundle of one table: HTML for readers, the unrounded rows for the CSV."""
    payload = {
        "section": section,
        "table": name,
        "columns": [str(c) for c in table.columns],
        "data": [[_json_value(v) for v in row] for row in table.itertuples(index=False)],
    }
    return {"text/html": table_html(shown, caption), TABLE_MIME: json.loads(json.dumps(payload))}


def show_table(
    table: pd.DataFrame,
    section: str,
    name: str,
    shown: pd.DataFrame | None = None,
    caption: str | None = None,
) -> None:
    """Display a table in the notebook and record it, unrounded, for the report's CSV; a table
    with no rows is neither shown nor recorded."""
    from IPython.display import display

    if table.empty:
        return

    if shown is None:
        shown = format_estimates(table) if "estimate" in table else table
    display(table_bundle(table, section, name, shown, caption), raw=True)


def show_html(markup: str) -> None:
    """Display a piece of HTML (headings, notices, sentences) as the report shows it."""
    from IPython.display import HTML, display

    if markup:
        display(HTML(markup))


def synthetic_notice_html(synthetic: bool, edition_label: str) -> str:
    """The banner every report carries, naming which data it shows."""
    if synthetic:
        return (
            '<div class="notice synthetic"><strong>Synthetic demo data.</strong> '
            f"These numbers for {html.escape(edition_label)} are generated by the package's "
            "synthetic model, calibrated to published headline figures. They are not survey "
            "results and must not be quoted as such.</div>"
        )
    return (
        '<div class="notice real"><strong>National survey data.</strong> '
        f"Estimates for {html.escape(edition_label)} from the national microdata, weighted to the "
        "population; cells from fewer units than the disclosure threshold are suppressed.</div>"
    )


def caveats_html(caveats: list[str]) -> str:
    """The mapping's comparability caveats as a list."""
    if not caveats:
        return '<p class="caveats">No caveats recorded in the mapping.</p>'
    items = "".join(f"<li>{html.escape(c)}</li>" for c in caveats)
    return f'<ul class="caveats">{items}</ul>'


def use_report_style() -> None:
    """One look for every figure: seaborn's white grid, page-sized, compact PNGs."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.9)
    mpl.rcParams.update(
        {
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": (FIGURE_WIDTH, 3.5),
            "svg.hashsalt": "innobarometer",
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            # A fixed title height: matplotlib's automatic one measures every y tick label again
            # at each draw to keep the title clear of x ticks on top, and ours are at the bottom.
            "axes.titley": 1.0,
        }
    )


def plot_estimates(
    table: pd.DataFrame,
    labels: pd.Series | None = None,
    title: str = "",
    colours: dict[str, str] | str | None = None,
    xlabel: str = "Share (%)",
    scale: float = 100.0,
    group_labels: dict | None = None,
):
    """Estimates with their intervals as a dot-and-whisker chart, one row per item.

    Several groups (the tidy `group` column) are drawn side by side in each row, in `colours` (a
    dict group -> colour, or one colour: the whole domain's, with the other Okabe-Ito colours for
    the groups). Suppressed cells are never plotted: their place says 'suppressed'. Returns the
    matplotlib figure.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = table.assign(item=labels if labels is not None else table["indicator"]).reset_index()
    items = list(dict.fromkeys(data["item"]))
    groups = list(dict.fromkeys(data["group"]))
    if isinstance(colours, str):
        others = [c for c in OKABE_ITO if c != colours]
        colour_of = {
            g: colours if g == "" else others[i % len(others)] for i, g in enumerate(groups)
        }
    elif colours is None:
        palette = sns.color_palette("colorblind", len(groups))
        colour_of = {g: palette[i] for i, g in enumerate(groups)}
    else:
        colour_of = {g: colours.get(g, "#555555") for g in groups}
    offsets = np.linspace(-0.28, 0.28, len(groups)) if len(groups) > 1 else np.zeros(1)
    height = 1.4 + 0.32 * len(items) * (1 + 0.45 * (len(groups) - 1))
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, min(height, MAX_FIGURE_HEIGHT)))
    for offset, group in zip(offsets, groups):
        rows = data[data["group"] == group]
        y = np.array([items.index(i) for i in rows["item"]]) + offset
        shown = ~rows["suppressed"].to_numpy(bool)
        name = (group_labels or {}).get(group, group) if group != "" else "all"
        ax.hlines(
            y[shown],
            scale * rows["ci_lower"].to_numpy(float)[shown],
            scale * rows["ci_upper"].to_numpy(float)[shown],
            color=colour_of[group],
            linewidth=2,
            alpha=0.7,
        )
        # Points drawn by matplotlib in seaborn's theme: sns.scatterplot costs ten times more
        # (it builds a data frame and a legend per call), which every report pays per figure.
        ax.scatter(
            scale * rows["estimate"].to_numpy(float)[shown],
            y[shown],
            color=colour_of[group],
            s=45,
            label=name if len(groups) > 1 else None,
            zorder=3,
        )
        for y_hidden in y[~shown]:
            ax.text(1, y_hidden, SUPPRESSED_TEXT, va="center", fontsize=8, color="#777777")
    ax.set_yticks(range(len(items)), items)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlim(0, scale)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    if len(groups) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


# ----------------------------------------------------------------------------- front matter

CI_METHOD_NAMES = {
    "logit": "logit interval",
    "beta": "Korn-Graubard interval",
    "wilson": "Wilson interval",
}


def unit_noun(edition, plural: bool = True) -> str:
    """What one responding unit is ('workplaces' or 'organisations'), from the frame."""
    levels = set(edition.frame["unit_level"].astype("string").dropna())
    noun = "organisation" if levels == {"organisation"} else "workplace"
    return f"{noun}s" if plural else noun


def edition_heading_html(edition, question: str) -> str:
    """'Denmark, 2023 edition: 1,611 workplaces answered.' followed by the theme's question."""
    name = COUNTRY_NAMES.get(edition.country, edition.country)
    return (
        f'<p class="lead"><strong>{html.escape(name)}, {edition.year} edition</strong>: '
        f"{len(edition.frame):,} {unit_noun(edition)} answered. {html.escape(question)}</p>"
    )


def how_to_read_html(ci_method: str, threshold: int) -> str:
    """The reader's note on shares, intervals, suppression and flags, with this run's settings."""
    method = CI_METHOD_NAMES.get(ci_method, ci_method)
    return (
        '<div class="notice how-to-read"><strong>How to read this.</strong> Each percentage is an '
        "estimate for all units of the population, weighted by the survey design; the range after "
        f"it is its 95% confidence interval ({html.escape(method)}). A difference whose interval "
        "excludes zero is unlikely to be chance alone. Cells based on fewer than "
        f"{int(threshold)} responding units are suppressed: blank in tables, absent from figures "
        "and never named in the text. “unreliable” marks an estimate resting on too few "
        "effective units to lean on.</div>"
    )


def show_front_matter(edition, question: str, ci_method: str, threshold: int) -> None:
    """Edition line, synthetic-data notice and 'how to read this' note: the top of every report."""
    show_html(edition_heading_html(edition, question))
    show_html(synthetic_notice_html(edition.synthetic, edition.edition_id))
    show_html(no_innovators_html([edition]))
    show_html(how_to_read_html(ci_method, threshold))


def no_innovators_html(editions) -> str:
    """A notice naming the editions in which no unit innovated (empty when every edition has
    innovators): their sections on innovations have nothing to show, and say so."""
    from innobarometer.analysis.estimates import innovator_count

    empty = [e for e in editions if innovator_count(e) == 0]
    if not empty:
        return ""
    names = ", ".join(f"{e.edition_id} ({len(e.frame):,} {unit_noun(e)})" for e in empty)
    return (
        '<div class="notice no-innovators"><strong>No innovators.</strong> In '
        f"{html.escape(names)} none of the units introduced an innovation, so every estimate "
        "about innovations (their type, partners, origin, effects, drivers and barriers) has "
        "no base and is left blank.</div>"
    )


def show_caveats(edition) -> None:
    """The mapping's caveats under a line naming the edition they belong to."""
    show_html(f"<p>Caveats recorded in the mapping of {html.escape(edition.edition_id)}:</p>")
    show_html(caveats_html(edition.caveats))


def not_asked_html(edition_id: str, names: list[str]) -> str:
    """'Not asked in DK-2023: Evaluation; Spread actively (evaluation, spread_actively).' for
    what an edition did not ask (`analysis.not_asked`); empty when it asked everything."""
    from innobarometer.analysis.estimates import not_asked_text

    if not names:
        return ""
    labels = not_asked_text(names)
    return (
        f'<div class="notice not-asked"><strong>Not asked in {html.escape(edition_id)}:</strong> '
        f"{html.escape(labels)} ({html.escape(', '.join(names))}). The edition has no answers "
        "to these questions, so what rests on them is left out here.</div>"
    )


def show_not_asked(edition, names) -> None:
    """The notice of a section that needs the codebook variables or indicators `names`, naming
    those the edition did not ask; nothing when it asked them all."""
    from innobarometer.analysis.estimates import not_asked

    show_html(not_asked_html(edition.edition_id, not_asked(edition, names)))


def left_out_html(lacking: dict[str, list[str]], comparison: str) -> str:
    """A notice naming the editions left out of a comparison because they did not ask what it
    needs (`analysis.editions_not_asked`); empty when none was left out."""
    from innobarometer.analysis.estimates import not_asked_text

    if not lacking:
        return ""
    parts = [
        f"{edition_id} did not ask {not_asked_text(names)} ({', '.join(names)})"
        for edition_id, names in lacking.items()
    ]
    return (
        f'<div class="notice not-asked"><strong>Left out of {html.escape(comparison)}:</strong> '
        f"{html.escape('. '.join(parts))}.</div>"
    )


def show_left_out(lacking: dict[str, list[str]], comparison: str) -> None:
    """Display `left_out_html`."""
    show_html(left_out_html(lacking, comparison))


def show_sentences(*sentences: str) -> None:
    """Generated findings as one paragraph."""
    text = " ".join(s for s in sentences if s)
    if not text:
        return
    show_html(f'<p class="finding">{html.escape(text)}</p>')


# ----------------------------------------------------------------------------- sentences


def _visible(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[~rows["suppressed"].astype(bool) & rows["estimate"].notna()]


def _whole_domain_shares(table: pd.DataFrame) -> pd.DataFrame:
    """The whole-domain share rows: no group rows, no means (options ticked), and no don't know
    or not relevant rows (their base includes them, unlike the substantive categories')."""
    return table[
        (table["group"] == "")
        & (table["ci_method"] != "t")
        & ~table["category"].isin(NON_SUBSTANTIVE_CATEGORIES)
    ]


def share_sentence(table: pd.DataFrame, statement: str, unit: str = "workplaces") -> str:
    """'83% of workplaces introduced an innovation (95% CI 81–85%).' from the first whole-domain
    share row; a suppressed share is never named; nothing for a table with no rows."""
    if table.empty:
        return ""
    row = _whole_domain_shares(table).iloc[0]
    if row.suppressed or pd.isna(row.estimate):
        return (
            f"The share of {unit} that {statement} is not shown: too few units answered "
            "(disclosure rule)."
        )
    interval = f" (95% CI {_interval(row.ci_lower, row.ci_upper)}%)"
    flag = " The estimate is unreliable." if row.flag == "unreliable" else ""
    return f"{percent(row.estimate)} of {unit} {statement}{interval}.{flag}"


def ranking_sentence(table: pd.DataFrame, labels: pd.Series, noun: str) -> str:
    """'The most common initiator is “Employees” (61%, 95% CI 57–65%), ahead of “Own manager”
    (39%); the least common is ...' over the whole-domain shares; suppressed items unnamed;
    nothing for a table with no rows."""
    if table.empty:
        return ""
    rows = _whole_domain_shares(table.assign(label=labels))
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    hidden = " Items with too few answers are not shown." if len(shown) < len(rows) else ""
    if shown.empty:
        return f"No {noun} can be shown: every item has too few answers."
    first = shown.iloc[0]
    if len(shown) > 1 and percent(first.estimate) == percent(shown.iloc[-1].estimate):
        return f"Every {noun} shown is as common as the others ({percent(first.estimate)}).{hidden}"
    text = f"The most common {noun} is “{first.label}” ({estimate_text(first)})"
    if len(shown) > 1:
        second = shown.iloc[1]
        level = "level with" if percent(second.estimate) == percent(first.estimate) else "ahead of"
        text += f", {level} “{second.label}” ({percent(second.estimate)})"
    if len(shown) > 2:
        last = shown.iloc[-1]
        text += f"; the least common is “{last.label}” ({percent(last.estimate)})"
    return text + "." + hidden


def group_sentence(table: pd.DataFrame, group_labels: dict, by_text: str) -> str:
    """'By government level, the share is highest for “Municipal” (85%, ...) and lowest for
    “State” (80%, ...).' over the first indicator's groups; suppressed groups unnamed; nothing
    for a table with no rows."""
    if table.empty:
        return ""
    first = table.iloc[0]
    rows = table[
        (table["indicator"] == first.indicator)
        & (table["category"] == first.category)
        & (table["group"] != "")
    ]
    shown = _visible(rows).sort_values("estimate", ascending=False, kind="stable")
    hidden = " Groups with too few answers are not shown." if len(shown) < len(rows) else ""
    if len(rows) < 2:
        return f"{by_text}, the data hold a single group, so there is nothing to compare."
    if len(shown) < 2:
        return f"{by_text}, fewer than two groups can be shown, so none is compared.{hidden}"
    top, bottom = shown.iloc[0], shown.iloc[-1]
    if percent(top.estimate) == percent(bottom.estimate):
        return (
            f"{by_text}, the share is the same to the whole per cent in every group shown "
            f"({percent(top.estimate)}).{hidden}"
        )
    return (
        f"{by_text}, the share is highest for “{group_labels.get(top.group, top.group)}” "
        f"({estimate_text(top)}) and lowest for "
        f"“{group_labels.get(bottom.group, bottom.group)}” ({estimate_text(bottom)}).{hidden}"
    )


def trend_sentence(shares: pd.DataFrame, changes: pd.DataFrame, unit: str = "workplaces") -> str:
    """The first and latest edition's shares and the latest change in words; one edition: says
    there is no trend; suppressed editions unnamed; nothing when no edition asked it."""
    if shares.empty:
        return ""
    shown = _visible(shares)
    if len(shares) < 2:
        return "This country has a single edition in the data set, so there is no trend to show."
    if len(shown) < 2:
        return "Fewer than two editions can be shown, so no trend is described."
    first, last = shown.iloc[0], shown.iloc[-1]
    text = (
        f"The share of innovative {unit} was {percent(first.estimate)} in {first.group} and "
        f"{percent(last.estimate)} in {last.group}."
    )
    latest = changes.iloc[-1]
    if not latest.suppressed:
        text += " " + difference_sentence(
            latest, f"in {latest['first']}", f"in {latest['second']}", "the share"
        )
    return text


def top_by_group_sentence(
    table: pd.DataFrame, labels: pd.Series, group_labels: dict, noun: str
) -> str:
    """'The most common partner is “A” in every group' or, group by group, 'the most common
    partner is “A” for “State” (52%) ...'; suppressed cells are never named; nothing for a table
    with no rows."""
    if table.empty:
        return ""
    rows = table.assign(label=labels)
    rows = rows[
        (rows["group"] != "")
        & (rows["ci_method"] != "t")
        & ~rows["category"].isin(NON_SUBSTANTIVE_CATEGORIES)
    ]
    shown = _visible(rows)
    if shown.empty:
        return f"No {noun} can be shown by group: too few answers."
    ranked = shown.sort_values("estimate", ascending=False, kind="stable")
    top = ranked.groupby("group", sort=False).head(1).set_index("group")
    top = top.reindex([g for g in dict.fromkeys(rows["group"]) if g in top.index])
    hidden = " Cells with too few answers are not shown." if len(shown) < len(rows) else ""
    if top["label"].nunique() == 1:
        return f"The most common {noun} is “{top['label'].iloc[0]}” in every group shown.{hidden}"
    parts = [
        f"“{row.label}” for “{group_labels.get(group, group)}” ({percent(row.estimate)})"
        for group, row in top.iterrows()
    ]
    return f"The most common {noun} is " + "; ".join(parts) + "." + hidden


def points(value: float) -> str:
    """A difference of proportions in percentage points ('12.3')."""
    return f"{100 * abs(value):.1f}"


def signed_points(value: float) -> str:
    """A signed difference in percentage points with a true minus sign ('−12.3', '4.0')."""
    return f"{100 * value:.1f}".replace("-", "−")


def difference_sentence(row, higher_text: str, lower_text: str, subject: str) -> str:
    """One difference (a row of an `analysis` differences table, or the table's first row) in
    words, saying whether its interval excludes zero; a difference involving a suppressed cell
    is not shown; nothing for a table with no rows."""
    if isinstance(row, pd.DataFrame):
        if row.empty:
            return ""
        row = row.iloc[0]
    if row.suppressed or pd.isna(row.estimate):
        return f"The difference in {subject} cannot be shown: a group has too few answers."
    direction = "higher" if row.estimate > 0 else "lower"
    excludes = row.ci_lower > 0 or row.ci_upper < 0
    verdict = (
        "the interval excludes zero, so the difference is unlikely to be chance alone"
        if excludes
        else "the interval includes zero, so the data do not show a clear difference"
    )
    return (
        f"{subject[0].upper()}{subject[1:]} is {points(row.estimate)} percentage points "
        f"{direction} {higher_text} than {lower_text} (95% CI {signed_points(row.ci_lower)} to "
        f"{signed_points(row.ci_upper)} points); {verdict}."
    )


def differences_sentence(differences: pd.DataFrame, what: str) -> str:
    """How many of a set of differences have intervals (Holm-adjusted p-values) excluding zero;
    nothing for a set with no rows."""
    if differences.empty:
        return ""
    shown = differences[~differences["suppressed"].astype(bool)]
    if shown.empty:
        return f"No difference between {what} can be shown: too few answers."
    significant = shown[shown["p_holm"] < 0.05] if "p_holm" in shown else shown.iloc[0:0]
    if len(shown) == 1 and significant.empty:
        return f"The one difference between {what} tested is not significant at the 5% level."
    if len(significant):
        row = significant.iloc[int(np.argmax(significant["estimate"].abs().to_numpy()))]
        described = (
            f"{row.label} ({'+' if row.estimate > 0 else '−'}{points(row.estimate)} points, "
            f"95% CI {signed_points(row.ci_lower)} to {signed_points(row.ci_upper)})"
        )
    if len(shown) == 1:
        return (
            f"The one difference between {what} tested, {described}, is significant at the 5% "
            "level."
        )
    text = (
        f"Of {len(shown)} differences between {what} tested, {len(significant)} "
        f"{'is' if len(significant) == 1 else 'are'} significant at the 5% level after "
        "Holm's adjustment for multiple tests"
    )
    if len(significant):
        text += f"; the largest is {described}"
    return text + "."


def test_sentence(p_value: float, what: str, test: str = "Rao-Scott test") -> str:
    """'A Rao-Scott test finds the shares differ between groups (p = 0.003).' or not."""
    if p_value is None or pd.isna(p_value):
        return f"The {test} of {what} cannot be computed on these data."
    shown = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
    verdict = "differs" if p_value < 0.05 else "does not differ significantly"
    return f"By the {test}, {what} {verdict} ({shown})."


def odds_ratio_sentence(model, term_label: str, outcome_text: str, adjusted_for: str) -> str:
    """'Made in collaboration goes with 1.8 times the odds of increased quality (95% CI 1.3–2.4
    ...), adjusted for ...'; nothing when there is no model (`show_model` says why)."""
    if model.message or model.not_asked:
        return ""
    rows = model.table[model.table["label"] == term_label]
    if rows.empty:
        return f"The model has no term for {term_label}."
    row = rows.iloc[0]
    verdict = (
        "the interval excludes one"
        if row.ci_lower > 1 or row.ci_upper < 1
        else "the interval includes one, so no clear association"
    )
    return (
        f"{term_label} goes with {row.odds_ratio:.2f} times the odds of {outcome_text} "
        f"(95% CI {row.ci_lower:.2f}–{row.ci_upper:.2f}; {verdict}), adjusted for {adjusted_for}."
    )


def model_sentence(model, outcome_text: str) -> str:
    """The term most strongly associated with the outcome among those whose interval excludes
    one, or that none does; nothing when there is no model (`show_model` says why)."""
    if model.message or model.not_asked:
        return ""
    table = model.table
    clear = table[(table["ci_lower"] > 1) | (table["ci_upper"] < 1)]
    if clear.empty:
        return (
            f"No characteristic in the model is clearly associated with {outcome_text}: every "
            "odds ratio's interval includes one."
        )
    row = clear.loc[np.log(clear["odds_ratio"]).abs().idxmax()]
    return (
        f"Of {len(table)} terms, {len(clear)} have intervals excluding one; the strongest is "
        f"{row.label}, with {row.odds_ratio:.2f} times the odds of {outcome_text} (95% CI "
        f"{row.ci_lower:.2f}–{row.ci_upper:.2f}) against its reference group."
    )


NO_PUBLISHED_FIGURE = (
    "No published figure of this theme can be set against an estimate of this edition."
)


def published_sentence(
    comparison: pd.DataFrame, synthetic: bool, none_text: str = NO_PUBLISHED_FIGURE
) -> str:
    """How the package's estimates sit against the published figures (`none_text` when no
    figure can be set against them)."""
    if comparison.empty:
        return none_text
    shown = comparison[~comparison["suppressed"].astype(bool)]
    inside = int(shown["published_inside_interval"].astype(bool).sum())
    text = (
        f"{inside} of {len(comparison)} published figures lie inside the 95% interval of the "
        "package's estimate"
    )
    if len(shown) < len(comparison):
        text += f" ({len(comparison) - len(shown)} estimates suppressed)"
    if synthetic:
        targets = comparison["calibration_target"].astype(bool)
        if targets.all():
            text += (
                "; the synthetic data are calibrated to these figures, so agreement is by design"
            )
        elif targets.any():
            text += (
                f"; the synthetic data are calibrated to the {int(targets.sum())} national "
                f"figures, so agreement there is by design; the other {int((~targets).sum())} "
                "(the Nordic comparison report's) are comparisons only"
            )
        else:
            text += "; these figures are comparisons only, not calibration targets"
    return text + "."


# ----------------------------------------------------------------------------- figures


def show_figure(fig) -> None:
    """Display a figure as a compact PNG and close it; the metadata lists the values drawn (x
    positions of points and ends of bars) so tests can check what a reader sees, and the alt text
    the page gives the image."""
    import base64

    import matplotlib.pyplot as plt
    from IPython.display import display

    png = render.figure_png(fig, FIGURE_DPI)
    plt.close(fig)
    bundle = {
        "image/png": base64.b64encode(png).decode("ascii"),
        "text/plain": "<figure>",
    }
    # The chart's own titles describe it for a screen reader (and for a page without images).
    titles = [t for ax in fig.axes for t in map(ax.get_title, ("left", "center", "right")) if t]
    described = {"drawn": drawn_values(fig), "alt": "Chart: " + "; ".join(titles) if titles else ""}
    display(bundle, raw=True, metadata={"innobarometer": described})


def drawn_values(fig) -> list[float]:
    """The data values a figure shows: scatter x positions and bar widths, rounded to 1e-6."""
    values = []
    for ax in fig.axes:
        for collection in ax.collections:
            offsets = collection.get_offsets()
            if len(offsets) and collection.__class__.__name__ == "PathCollection":
                values += [float(x) for x in np.asarray(offsets)[:, 0]]
        values += [float(p.get_width()) for p in ax.patches if p.get_width() > 0]
    return [round(v, 6) for v in values]


def plot_differences(
    differences: pd.DataFrame, title: str = "", xlabel: str = "Difference (percentage points)"
):
    """Differences with their intervals around a zero line, one row per difference; suppressed
    differences are not drawn."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = differences.reset_index(drop=True)
    shown = ~data["suppressed"].astype(bool).to_numpy()
    y = np.arange(len(data))
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, min(1.4 + 0.32 * len(data), MAX_FIGURE_HEIGHT)))
    ax.axvline(0, color="#333333", linewidth=1)
    ax.hlines(
        y[shown],
        100 * data["ci_lower"].to_numpy(float)[shown],
        100 * data["ci_upper"].to_numpy(float)[shown],
        color=sns.color_palette("colorblind")[0],
        linewidth=2,
        alpha=0.7,
    )
    ax.scatter(
        100 * data["estimate"].to_numpy(float)[shown],
        y[shown],
        color=sns.color_palette("colorblind")[0],
        s=45,
        zorder=3,
    )
    for y_hidden in y[~shown]:
        ax.text(0, y_hidden, SUPPRESSED_TEXT, va="center", ha="center", fontsize=8, color="#777777")
    ax.set_yticks(y, data["label"])
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig


def plot_odds_ratios(model, title: str = ""):
    """Odds ratios with their intervals on a log scale around one; None when no model."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if model.message:
        return None
    data = model.table.reset_index(drop=True)
    y = np.arange(len(data))
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, min(1.4 + 0.32 * len(data), MAX_FIGURE_HEIGHT)))
    colour = sns.color_palette("colorblind")[0]
    ax.axvline(1, color="#333333", linewidth=1)
    ax.hlines(y, data["ci_lower"], data["ci_upper"], color=colour, linewidth=2, alpha=0.7)
    ax.scatter(data["odds_ratio"].to_numpy(float), y, color=colour, s=45, zorder=3)
    ax.set_xscale("log")
    ax.set_yticks(y, data["label"])
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlabel("Odds ratio (log scale; 1 = no association)")
    if title:
        ax.set_title(title)
    return fig


def plot_distribution(table: pd.DataFrame, labels: pd.Series, category_labels: dict, title=""):
    """The full distribution of each item as one stacked bar (substantive answers, 100%).

    An item with any suppressed category is left out whole (a stacked bar would reveal the
    missing piece as the remainder) and marked 'suppressed'.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = table[(table["group"] == "") & table["category"].isin(list(category_labels))]
    data = data.assign(label=labels.loc[data.index])
    items = list(dict.fromkeys(data["label"]))
    hidden = set(data.loc[data["suppressed"].astype(bool), "label"])
    wide = data.pivot_table(index="label", columns="category", values="estimate", sort=False)
    wide = wide.reindex(index=items, columns=list(category_labels))
    colours = sns.color_palette("RdBu_r", len(category_labels))
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, min(1.6 + 0.32 * len(items), MAX_FIGURE_HEIGHT)))
    left = np.zeros(len(items))
    drawn = np.array([item not in hidden for item in items])
    y = np.arange(len(items))
    for colour, (code, text) in zip(colours, category_labels.items()):
        width = 100 * wide[code].fillna(0).to_numpy(float)
        ax.barh(y[drawn], width[drawn], left=left[drawn], color=colour, label=text, height=0.7)
        left += width
    for y_hidden in y[~drawn]:
        ax.text(1, y_hidden, SUPPRESSED_TEXT, va="center", fontsize=8, color="#777777")
    ax.set_yticks(y, items)
    ax.set_ylim(len(items) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of substantive answers (%)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return fig


# ----------------------------------------------------------------------------- section blocks


def show_estimates(
    table: pd.DataFrame,
    section: str,
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
    from innobarometer.analysis.estimates import labels as codebook_labels

    if table.empty:
        return
    labels = codebook_labels(table) if labels is None else labels
    shares = table["ci_method"] != "t"
    drawn = table[shares]
    if groups_as_rows:
        names = group_labels or {}
        labels = pd.Series([names.get(g, g) for g in table["group"]], index=table.index)
        drawn = drawn.assign(group="")
    show_figure(
        plot_estimates(drawn, labels[shares], title, colours=colours, group_labels=group_labels)
    )
    show_table(table, section, name, shown=format_estimates(table, labels, group_labels))


def format_differences(differences: pd.DataFrame) -> pd.DataFrame:
    """Differences as readers see them: points with intervals, p-values, suppressed marked."""
    hidden = differences["suppressed"].astype(bool)

    def signed(values):
        return ["" if h else f"{100 * v:+.1f}" for v, h in zip(values, hidden)]

    shown = pd.DataFrame(
        {
            "Comparison": differences["label"],
            "Difference (points)": signed(differences["estimate"]),
            "95% interval": [
                "" if h else f"{100 * lo:+.1f} to {100 * hi:+.1f}"
                for lo, hi, h in zip(differences["ci_lower"], differences["ci_upper"], hidden)
            ],
            "p": ["" if h else _p_text(p) for p, h in zip(differences["p"], hidden)],
            "p (Holm)": ["" if h else _p_text(p) for p, h in zip(differences["p_holm"], hidden)],
            "n": [f"{a} / {b}" for a, b in zip(differences["n_first"], differences["n_second"])],
            "Note": np.where(hidden, SUPPRESSED_TEXT, ""),
        }
    )
    return shown.reset_index(drop=True)


def _p_text(p: float) -> str:
    return "" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")


def show_differences(
    differences: pd.DataFrame, section: str, name: str, title: str, figure: bool = True
) -> None:
    """A set of differences: the figure around zero (unless `figure` is false: long sets read
    better as a table) and the table; nothing when there are none."""
    if differences.empty:
        return
    if figure:
        show_figure(plot_differences(differences, title))
    show_table(differences, section, name, shown=format_differences(differences))


def format_model(model) -> pd.DataFrame:
    """Odds ratios as readers see them."""
    table = model.table
    return pd.DataFrame(
        {
            "Term (against its reference)": table["label"],
            "Odds ratio": [f"{v:.2f}" for v in table["odds_ratio"]],
            "95% interval": [
                f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(table["ci_lower"], table["ci_upper"])
            ],
            "p": [_p_text(p) for p in table["p"]],
        }
    )


def show_model(model, section: str, name: str, title: str) -> None:
    """A survey logistic model: odds-ratio figure and table, or the reason there is none (nothing
    when the edition did not ask what it needs: the section's notice says so)."""
    if model.not_asked:
        return
    if model.message:
        show_html(f'<p class="notice">{html.escape(model.message)}</p>')
        return
    show_figure(plot_odds_ratios(model, title))
    show_table(model.table, section, name, shown=format_model(model))


def plot_published(comparison: pd.DataFrame, title: str = ""):
    """The package's estimates with intervals (dots) and the published figures (diamonds)."""
    data = comparison.reset_index(drop=True)
    labels = data["label"] + " (" + data["scope"] + ")"
    if "estimated_from" in data:
        labels = data["estimated_from"] + ": " + labels
    fig = plot_estimates(
        data.assign(group="", ci_method="logit", flag=""),
        labels,
        title,
        colours=OKABE_ITO[0],
    )
    ax = fig.axes[0]
    ax.scatter(
        100 * data["published"],
        np.arange(len(data)),
        marker="D",
        s=30,
        color="#000000",
        label="published",
        zorder=4,
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def format_published(comparison: pd.DataFrame) -> pd.DataFrame:
    """Published figures beside the estimates, as readers see them."""
    hidden = comparison["suppressed"].astype(bool)
    shown = pd.DataFrame(
        {
            "Indicator": comparison["label"],
            "Scope": comparison["scope"],
            "Published": [percent(v) for v in comparison["published"]],
            "Estimate": [
                "" if h else percent(v, 1) for v, h in zip(comparison["estimate"], hidden)
            ],
            "95% interval": [
                "" if h else _interval(lo, hi)
                for lo, hi, h in zip(comparison["ci_lower"], comparison["ci_upper"], hidden)
            ],
            "Inside": [
                "" if h else ("yes" if inside else "no")
                for inside, h in zip(comparison["published_inside_interval"], hidden)
            ],
            "Source": comparison["source_key"],
            "Note": np.where(hidden, SUPPRESSED_TEXT, ""),
        }
    )
    for column in ("set_against", "estimated_from"):
        if column in comparison:
            shown.insert(0, column.replace("_", " ").capitalize(), comparison[column])
    return shown


def show_published(
    comparison: pd.DataFrame,
    section: str,
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
        show_figure(plot_published(drawn, "Estimates (dots) and published figures (diamonds)"))
    show_table(comparison, section, "published", shown=format_published(comparison))


def show_theme_published(edition, theme: str, **options) -> None:
    """A theme report's "Beside the published figures" section: a notice naming the figures the
    edition did not ask, then the others beside the package's estimates."""
    from innobarometer import analysis

    show_not_asked(edition, analysis.published_indicators(edition, theme))
    published = analysis.published_for_theme(edition, theme, **options)
    show_published(published, "Beside the published figures", edition.synthetic)


def show_distribution(table, section, name, title, category_labels: dict) -> None:
    """A battery's full answer distribution: stacked bars and the table behind them (nothing for
    a table with no rows)."""
    from innobarometer.analysis.estimates import labels as codebook_labels

    if table.empty:
        return
    items = table.assign(label=codebook_labels(table))
    item_labels = pd.Series(
        [load_label(i) for i in items["indicator"]], index=items.index, name="label"
    )
    show_figure(plot_distribution(table, item_labels, category_labels, title))
    shown = format_estimates(table, item_labels + ": " + items["label"])
    show_table(table, section, name, shown=shown)


def load_label(variable: str) -> str:
    """A codebook variable's label."""
    from innobarometer.codebook import load_codebook

    return load_codebook()[variable].label


def show_nordic_front_matter(editions, ci_method: str, threshold: int) -> None:
    """Which editions the comparison sets side by side, the data notice and the reader's note."""
    names = ", ".join(
        f"{COUNTRY_NAMES.get(e.country, e.country)} {e.year} ({len(e.frame):,} {unit_noun(e)})"
        for e in editions
    )
    show_html(f'<p class="lead"><strong>Editions compared</strong>: {html.escape(names)}.</p>')
    synthetic = any(e.synthetic for e in editions)
    show_html(synthetic_notice_html(synthetic, ", ".join(e.edition_id for e in editions)))
    show_html(no_innovators_html(editions))
    show_html(how_to_read_html(ci_method, threshold))


def country_sentences(shares: pd.DataFrame, labels: pd.Series) -> list[str]:
    """For each indicator, the country with the highest and the lowest share (suppressed
    countries unnamed)."""
    return [
        group_sentence(shares[shares["indicator"] == indicator], COUNTRY_NAMES, f"For “{label}”")
        for indicator, label in dict(zip(shares["indicator"], labels)).items()
    ]


def show_comparability(editions) -> None:
    """Each edition's unit, coverage and caveats: what to weigh before comparing countries."""
    for edition in editions:
        show_html(f"<h3>{html.escape(edition.edition_id)}</h3>")
        show_html(caveats_html(edition.caveats))


def show_country_comparison(shares: pd.DataFrame, differences: pd.DataFrame, section: str) -> None:
    """One theme of the Nordic report: sentences, countries side by side, tested differences."""
    from innobarometer.analysis.estimates import labels as codebook_labels

    show_sentences(
        *country_sentences(shares, codebook_labels(shares)),
        differences_sentence(differences, "countries"),
    )
    key = section.lower().replace(" ", "_")
    show_estimates(
        shares,
        section,
        f"{key}_by_country",
        f"{section}: headline indicators by country",
        group_labels=COUNTRY_NAMES,
        colours=COUNTRY_COLOURS,
    )
    show_differences(
        differences, section, f"{key}_differences", "Differences between countries", figure=False
    )
