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
SUPPRESSED_TEXT = "suppressed"
FIGURE_WIDTH = 7.0
FIGURE_DPI = 80


def percent(value: float, digits: int = 0) -> str:
    """A proportion as a percentage for prose and tables ('83%'); blank for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{100 * value:.{digits}f}%"


def _interval(lower: float, upper: float) -> str:
    if pd.isna(lower) or pd.isna(upper):
        return ""
    return f"{100 * lower:.0f}–{100 * upper:.0f}"


def format_estimates(table: pd.DataFrame, label: pd.Series | None = None) -> pd.DataFrame:
    """The tidy table as readers see it: percentages with intervals, n, and a note per row.

    `label` (aligned with `table`) replaces indicator/category codes with codebook labels.
    """
    shown = pd.DataFrame(index=table.index)
    shown["Item"] = label if label is not None else table["indicator"]
    if (table["group"] != "").any():
        shown["Group"] = table["group"].replace("", "all")
    shown["Estimate"] = [
        "" if s else percent(e, 1) for e, s in zip(table["estimate"], table["suppressed"])
    ]
    shown[f"{_level_text(table)} interval"] = [
        "" if s else _interval(lo, hi)
        for lo, hi, s in zip(table["ci_lower"], table["ci_upper"], table["suppressed"])
    ]
    shown["n"] = table["n_unweighted"].astype(int)
    notes = np.where(table["suppressed"], SUPPRESSED_TEXT, table["flag"].fillna(""))
    shown["Note"] = notes
    return shown.reset_index(drop=True)


def _level_text(table: pd.DataFrame) -> str:
    methods = sorted(set(table["ci_method"].dropna()))
    return "95% " + "/".join(methods) if methods else "95%"


def table_html(shown: pd.DataFrame, caption: str | None = None) -> str:
    """A small, plain HTML table (no index, escaped), styled by the report stylesheet."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in record)
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="estimates">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


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
    """Display a table in the notebook and record it, unrounded, for the report's CSV."""
    from IPython.display import display

    if shown is None:
        shown = format_estimates(table) if "estimate" in table else table
    display(table_bundle(table, section, name, shown, caption), raw=True)


def show_html(markup: str) -> None:
    """Display a piece of HTML (headings, notices, sentences) as the report shows it."""
    from IPython.display import HTML, display

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
        }
    )


def plot_estimates(
    table: pd.DataFrame,
    labels: pd.Series | None = None,
    title: str = "",
    colours: dict[str, str] | str | None = None,
    xlabel: str = "Share (%)",
    scale: float = 100.0,
):
    """Estimates with their intervals as a dot-and-whisker chart, one row per item.

    Several groups (the tidy `group` column) are drawn side by side in each row, in `colours` (a
    dict group -> colour, or one colour). Suppressed cells are never plotted: their place says
    'suppressed'. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = table.assign(item=labels if labels is not None else table["indicator"]).reset_index()
    items = list(dict.fromkeys(data["item"]))
    groups = list(dict.fromkeys(data["group"]))
    if isinstance(colours, str) or colours is None:
        palette = sns.color_palette("colorblind", len(groups))
        colour_of = {g: (colours or palette[i]) for i, g in enumerate(groups)}
        if colours is None and len(groups) == 1:
            colour_of = {groups[0]: palette[0]}
    else:
        colour_of = {g: colours.get(g, "#555555") for g in groups}
    offsets = np.linspace(-0.28, 0.28, len(groups)) if len(groups) > 1 else np.zeros(1)
    height = 1.4 + 0.32 * len(items) * (1 + 0.45 * (len(groups) - 1))
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, min(height, 12)))
    for offset, group in zip(offsets, groups):
        rows = data[data["group"] == group]
        y = np.array([items.index(i) for i in rows["item"]]) + offset
        shown = ~rows["suppressed"].to_numpy(bool)
        name = group if group != "" else "all"
        ax.hlines(
            y[shown],
            scale * rows["ci_lower"].to_numpy(float)[shown],
            scale * rows["ci_upper"].to_numpy(float)[shown],
            color=colour_of[group],
            linewidth=2,
            alpha=0.7,
        )
        sns.scatterplot(
            x=scale * rows["estimate"].to_numpy(float)[shown],
            y=y[shown],
            color=colour_of[group],
            s=45,
            ax=ax,
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
        ax.legend(loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig
