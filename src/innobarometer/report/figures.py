"""Figures as compact PNGs: drawn once, cropped to what was drawn, stored as 8-bit palettes.

`savefig(bbox_inches="tight")` lays a figure out twice: once to find the extent of what it draws,
then again, on a new renderer of the cropped size, to draw it, so every label is measured twice.
`figure_png` gives the figure a wide blank margin instead, draws it once, and crops the pixels to
the same extent (the drawn artists plus `savefig.pad_inches`), which costs about a quarter less per
figure. The margin keeps every axes where it was in inches, so nothing moves relative to anything
else; only figure-level artists (a suptitle, a figure legend) would, and a figure with any of those
takes matplotlib's own path, as does one whose labels reach beyond the margin.

Charts have few colours, so a 256-colour palette (no dithering) looks the same at a third of the
size of RGBA; `palette_png` is also what the build applies to any other PNG a report shows.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd

from innobarometer.codebook import countries, country_name
from innobarometer.report.export import palette_png
from innobarometer.report.tables import SUPPRESSED_TEXT

MARGIN_INCHES = (5.0, 1.0, 3.0, 1.0)  # left, bottom, right, top: y labels are the long ones


def figure_png(fig, dpi: float) -> bytes:
    """The figure as a palette PNG cropped to its drawn extent, as `bbox_inches="tight"` crops."""
    # lazy: plotting libraries load only when a figure is drawn
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.texts or fig.legends or fig.images or fig.subfigs or fig.get_layout_engine():
        return _tight_png(fig, dpi)
    width, height = fig.get_size_inches()
    left, bottom, right, top = MARGIN_INCHES
    canvas_width, canvas_height = width + left + right, height + bottom + top
    boxes = [ax.get_position(original=True) for ax in fig.axes]
    for ax, box in zip(fig.axes, boxes):
        ax.set_position(
            [
                (box.x0 * width + left) / canvas_width,
                (box.y0 * height + bottom) / canvas_height,
                box.width * width / canvas_width,
                box.height * height / canvas_height,
            ]
        )
    fig.set_size_inches(canvas_width, canvas_height)
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    # The extent from the renderer that drew the figure: its text measurements are cached.
    extent = fig.get_tightbbox(canvas.get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])
    pixels = np.asarray(canvas.buffer_rgba())
    rows, columns = pixels.shape[:2]
    x0, x1 = int(np.floor(extent.x0 * dpi)), int(np.ceil(extent.x1 * dpi))
    y0, y1 = rows - int(np.ceil(extent.y1 * dpi)), rows - int(np.floor(extent.y0 * dpi))
    if x0 <= 0 or y0 <= 0 or x1 >= columns or y1 >= rows:
        # Something reaches the canvas's edge: the margin was too small for this figure.
        fig.set_size_inches(width, height)
        for ax, box in zip(fig.axes, boxes):
            ax.set_position(box)
        return _tight_png(fig, dpi)
    return palette_png(pixels[y0:y1, x0:x1])


def _tight_png(fig, dpi: float) -> bytes:
    """matplotlib's own tight crop (two layouts), stored as a palette PNG."""
    # lazy: plotting libraries load only when a figure is drawn
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(
        buffer, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 0}
    )
    return palette_png(np.asarray(Image.open(buffer).convert("RGBA")))


# Country names as the codebook gives them, for legends, headings and sentences.
COUNTRY_NAMES = {code: country_name(code) for code in countries()}


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


FIGURE_WIDTH = 8.5


FIGURE_DPI = 84


# Charts grow 0.32 in per row so labels never overlap; the cap only stops a runaway table
# (about 180 rows) from making an image taller than a browser will show.
MAX_FIGURE_HEIGHT = 60.0


def use_report_style() -> None:
    """One look for every figure: seaborn's white grid, page-sized, compact PNGs."""
    # lazy: plotting libraries load only when a figure is drawn
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
    # lazy: plotting libraries load only when a figure is drawn
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


def show_figure(fig) -> None:
    """Display a figure as a compact PNG and close it; the metadata lists the values drawn (x
    positions of points and ends of bars) so tests can check what a reader sees, and the alt text
    the page gives the image."""

    # lazy: plotting libraries load only when a figure is drawn
    import matplotlib.pyplot as plt
    from IPython.display import display

    png = figure_png(fig, FIGURE_DPI)
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
    # lazy: plotting libraries load only when a figure is drawn
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
    # lazy: plotting libraries load only when a figure is drawn
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
    # lazy: plotting libraries load only when a figure is drawn
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
