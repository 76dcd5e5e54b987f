"""Figures as compact PNGs (drawn once, cropped to what was drawn, stored as 8-bit palettes), each
with its SVG for download, sized for a phone, coloured the same in every report.

`savefig(bbox_inches="tight")` lays a figure out twice: once to find the extent of what it draws,
then again, on a new renderer of the cropped size, to draw it, so every label is measured twice.
`figure_png` gives the figure a wide blank margin instead, draws it once, and crops the pixels to
the same extent (the drawn artists plus `savefig.pad_inches`), which costs about a quarter less per
figure. The margin keeps every axes where it was in inches, so nothing moves relative to anything
else; only figure-level artists (a suptitle, a figure legend) would, and a figure with any of those
takes matplotlib's own path, as does one whose labels reach beyond the margin.

Charts have few colours, so a 256-colour palette (no dithering) looks the same at a third of the
size of RGBA; `palette_png` is also what the build applies to any other PNG a report shows.

A figure is drawn once per language of the build (`show_figure` given a function that draws it):
its words come from the catalogs and the codebook in that language (`tables.localised` for text
a notebook passes in English), its tick labels and alt text write numbers as the language does.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import io
import textwrap
from collections.abc import Iterator, Mapping
from types import SimpleNamespace

import numpy as np
import pandas as pd

from innobarometer import language
from innobarometer.codebook import countries, country_name, load_codebook
from innobarometer.language import N_, _
from innobarometer.report.export import FIGURE_SVG_MIME, palette_png
from innobarometer.report.languages import show_in_every_language
from innobarometer.report.tables import SUPPRESSED_TEXT, localised, localised_comparison

MARGIN_INCHES = (4.0, 2.5, 3.0, 1.0)  # left, bottom, right, top: y labels, legend below


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
    # The SVG is cropped to the same extent (`figure_svg`), without laying the figure out again;
    # `restore_geometry` takes the margin away again (a figure relabelled and drawn once more).
    fig.innobarometer_extent = extent
    fig.innobarometer_geometry = (width, height, boxes)
    return palette_png(pixels[y0:y1, x0:x1])


def restore_geometry(fig) -> None:
    """The figure's size and axes as they were before `figure_png` added its margin."""
    geometry = fig.__dict__.pop("innobarometer_geometry", None)
    fig.__dict__.pop("innobarometer_extent", None)
    if geometry is not None:
        width, height, boxes = geometry
        fig.set_size_inches(width, height)
        for ax, box in zip(fig.axes, boxes):
            ax.set_position(box)


def _tight_png(fig, dpi: float) -> bytes:
    """matplotlib's own tight crop (two layouts), stored as a palette PNG."""
    # lazy: plotting libraries load only when a figure is drawn
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(
        buffer, format="png", dpi=dpi, bbox_inches="tight", pil_kwargs={"compress_level": 0}
    )
    return palette_png(np.asarray(Image.open(buffer).convert("RGBA")))


def country_names() -> dict[str, str]:
    """Country codes -> names as the codebook gives them in the current language, for legends,
    headings and sentences."""
    return {code: country_name(code) for code in countries()}


class _CountryNames(Mapping):
    """`country_names()` read at each use, so a name follows the language being rendered."""

    def __getitem__(self, code: str) -> str:
        return country_names()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(countries())

    def __len__(self) -> int:
        return len(countries())


# The country names as a mapping (for code that looks names up): in the current language.
COUNTRY_NAMES = _CountryNames()


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


# A group's colour is fixed by its place in the codebook's order of its variable (`group_labels`),
# whatever the report's country, so the same category has one colour in every report. Black is
# the whole domain's beside its groups; yellow is left out (faint on white).
GROUP_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
WHOLE_DOMAIN_COLOUR = "#000000"
# More groups than this are drawn one per row and named on the axis, in one colour, since colour
# alone cannot tell that many apart.
MAX_LEGEND_GROUPS = 5
ON_AXIS_COLOUR = GROUP_COLOURS[0]


# Sizes in inches, chosen for a phone: a figure is about 5 in (420 px) wide with its labels, so on
# a 390 px screen (358 px for the page's text) its 10 pt (11.7 px) text stays at about 9 px or
# more; at 1280 px it is shown at its own size.
AXES_WIDTH = 2.9
FIGURE_WIDTH = AXES_WIDTH + 0.2  # y labels reach into `figure_png`'s left margin
LABEL_CHARACTERS = 24  # axis labels wrap at this width, so the label column stays narrow
TITLE_CHARACTERS = 34  # a bold title as wide as the axes
FONT_POINTS = 10
LINE_INCHES = 0.19  # one line of 10 pt text and its leading
TITLE_SPACE = 0.12  # above the axes, besides the title's lines
XAXIS_SPACE = 0.55  # below the axes: tick labels and the axis label


FIGURE_DPI = 84


# Charts grow with their rows so labels never overlap; the cap only stops a runaway table
# (about 180 rows) from making an image taller than a browser will show.
MAX_FIGURE_HEIGHT = 60.0


# Whose percentage a chart shows, by the tidy table's `domain` (the codebook's universes).
DOMAIN_NOUNS = {
    "all": N_("all units"),
    "innovators": N_("innovators"),
    "non_innovators": N_("non-innovators"),
    "adapters_and_copiers": N_("innovators who adapted or copied"),
    "collaborators": N_("collaborating innovators"),
}


# Why a cell is blank, by the tidy table's `suppression` column.
SUPPRESSION_REASONS = {
    "primary": N_("fewer answers than the disclosure threshold"),
    "secondary": N_("hidden so that another suppressed cell cannot be worked out"),
}
REASON_NOT_RECORDED = N_("reason not recorded")


def use_report_style() -> None:
    """One look for every figure: seaborn's white grid, 10 pt text, compact PNGs, SVGs whose
    bytes depend only on what is drawn."""
    # lazy: plotting libraries load only when a figure is drawn
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    mpl.rcParams.update(
        {
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": (FIGURE_WIDTH, 3.5),
            "font.size": FONT_POINTS,
            "axes.labelsize": FONT_POINTS,
            "axes.titlesize": FONT_POINTS + 1,
            "xtick.labelsize": FONT_POINTS,
            "ytick.labelsize": FONT_POINTS,
            "legend.fontsize": FONT_POINTS,
            # SVG ids are hashes salted with this, not random; text stays text (small, searchable).
            "svg.hashsalt": "innobarometer",
            "svg.fonttype": "none",
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            # A fixed title height: matplotlib's automatic one measures every y tick label again
            # at each draw to keep the title clear of x ticks on top, and ours are at the bottom.
            "axes.titley": 1.0,
        }
    )


def wrapped(text, width: int = LABEL_CHARACTERS) -> str:
    """A label broken into lines of at most `width` characters (a longer word stays whole)."""
    return textwrap.fill(str(text), width, break_long_words=False) or str(text)


def _figure(axes_height: float, title: str = ""):
    """A figure whose axes are `AXES_WIDTH` by `axes_height` inches, with room for the title
    above and the x axis below (the labels on the left and a legend below go into the margin
    that `figure_png` adds and crops)."""
    # lazy: plotting libraries load only when a figure is drawn
    import matplotlib.pyplot as plt

    title = wrapped(localised(title), TITLE_CHARACTERS) if title else ""
    top = TITLE_SPACE + LINE_INCHES * (title.count("\n") + 1 if title else 0)
    height = min(axes_height + top + XAXIS_SPACE, MAX_FIGURE_HEIGHT)
    fig = plt.figure(figsize=(FIGURE_WIDTH, height))
    ax = fig.add_axes(
        [
            0.1 / FIGURE_WIDTH,
            XAXIS_SPACE / height,
            AXES_WIDTH / FIGURE_WIDTH,
            (height - top - XAXIS_SPACE) / height,
        ]
    )
    if title:
        ax.set_title(title)
    ax.xaxis.set_major_formatter(locale_numbers())
    return fig, ax


def axis_number(value: float, digits: int) -> str:
    """A tick label: the number as the current language writes it, with matplotlib's minus sign
    ('−10', nb '2,5')."""
    return language.number(value, digits).replace("-", "\u2212")


def _decimals(value: float) -> int:
    """How many decimals a tick value needs (0.25 -> 2, 20.0 -> 0)."""
    text = f"{value:.10g}"
    return len(text.partition(".")[2]) if "e" not in text else 0


def _locale_formatter():
    """The class of `locale_numbers`, made on first use (matplotlib loads only to draw)."""
    # lazy: plotting libraries load only when a figure is drawn
    from matplotlib.ticker import Formatter

    class Numbers(Formatter):
        """Tick labels as the language the figure is rendered in writes numbers (a figure
        relabelled in another language writes its ticks in that one), with as many decimals as
        the ticks need (all alike, as matplotlib's own labels are)."""

        def __init__(self):
            self.digits = 0

        def set_locs(self, locs):
            super().set_locs(locs)
            self.digits = max((_decimals(v) for v in locs), default=0)

        def __call__(self, value, pos=None):
            return axis_number(value, self.digits)

    return Numbers


def locale_numbers():
    """A tick formatter in the current language (`_locale_formatter`)."""
    return _locale_formatter()()


def _rows(labels: list[str], pitch: float) -> tuple[np.ndarray, float]:
    """The centre of each row (inches from the top) for wrapped labels, each row at least
    `pitch` tall and tall enough for its lines; and the height of them all."""
    heights = np.array(
        [max(pitch, LINE_INCHES * (label.count("\n") + 1) + 0.1) for label in labels]
    )
    return np.cumsum(heights) - heights / 2, float(heights.sum())


def _legend_below(ax, handles_labels=None) -> None:
    """The legend under the x axis, one entry per line (long group names fit a phone)."""
    height = ax.get_position().height * ax.figure.get_size_inches()[1]
    below = XAXIS_SPACE - 0.02 + LINE_INCHES * ax.get_xlabel().count("\n")
    handles, names = handles_labels or ax.get_legend_handles_labels()
    ax.legend(
        handles,
        [wrapped(n, 34) for n in names],
        loc="upper left",
        bbox_to_anchor=(-0.02, -below / height),
        frameon=False,
        borderaxespad=0,
        handletextpad=0.3,
    )


def describe(fig, text: str) -> None:
    """Give a figure its alt text: what it shows, with its numbers, in a sentence."""
    fig.innobarometer_alt = text


def _number(value: float, scale: float) -> str:
    """A drawn value in the current language: a percentage on a 0-100 axis ('62%'), else the
    number."""
    return language.percent(value) if scale == 100.0 else language.number(scale * value)


def _value_text(row, scale: float) -> str:
    """'62% (95% interval 55–68%)', or 'suppressed', in the current language."""
    if bool(row.suppressed) or pd.isna(row.estimate):
        return _(SUPPRESSED_TEXT)
    text = _number(row.estimate, scale)
    if pd.notna(row.ci_lower) and pd.notna(row.ci_upper):
        if scale == 100.0:
            interval = language.percent_range(row.ci_lower, row.ci_upper)
        else:
            interval = f"{_number(row.ci_lower, scale)}–{_number(row.ci_upper, scale)}"
        text = _("{estimate} (95% interval {interval})").format(estimate=text, interval=interval)
    return text


def chart_alt(title: str, values: str, axis: str = "") -> str:
    """A chart's alt text: 'Chart: <title>. <axis>: <values>.' in the current language."""
    if axis:
        return _("Chart: {title}. {axis}: {values}.").format(title=title, axis=axis, values=values)
    return _("Chart: {title}. {values}.").format(title=title, values=values)


def ordered_groups(groups, order=None) -> list[str]:
    """The whole domain ("") first, then the groups in `order` (the codebook's category order,
    as `group_labels` keys give it), then any other groups as they came."""
    present = list(dict.fromkeys(groups))
    known = [g for g in (order or {}) if g in present]
    return (
        ([""] if "" in present else []) + known + [g for g in present if g not in known and g != ""]
    )


def group_colours(groups: list[str], colours=None, order=None) -> dict[str, str]:
    """One colour per group, the same in every report.

    `colours` a dict gives each group its own (countries); one colour (a country's) is the whole
    domain's when drawn alone. Otherwise a group takes the colour of its place in `order` (the
    codebook's), the whole domain black; groups named on the axis (more than
    `MAX_LEGEND_GROUPS`) share one colour.
    """
    if isinstance(colours, dict):
        return {g: colours.get(g, WHOLE_DOMAIN_COLOUR) for g in groups}
    if groups == [""]:
        return {"": colours if isinstance(colours, str) else OKABE_ITO[0]}
    if len(groups) > MAX_LEGEND_GROUPS:
        return {g: WHOLE_DOMAIN_COLOUR if g == "" else ON_AXIS_COLOUR for g in groups}
    places = list(order or {})
    colour_of = {"": WHOLE_DOMAIN_COLOUR}
    for g in groups:
        if g in places and places.index(g) < len(GROUP_COLOURS):
            colour_of[g] = GROUP_COLOURS[places.index(g)]
    spare = [c for c in GROUP_COLOURS if c not in colour_of.values()]
    for g in groups:
        if g not in colour_of:
            colour_of[g] = spare.pop(0)
    return {g: colour_of[g] for g in groups}


class Words(SimpleNamespace):
    """The words of a chart in one language (`_estimate_words`), without the chart."""


# Set while `show_figure` asks a drawing function for its words in another language only.
_WORDS_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("words_only", default=False)


@contextlib.contextmanager
def _words_only():
    """Within the block, `plot_estimates` returns its `Words` instead of drawing."""
    token = _WORDS_ONLY.set(True)
    try:
        yield
    finally:
        _WORDS_ONLY.reset(token)


def _estimate_words(table, labels, title, xlabel, scale, group_labels) -> Words:
    """The words of `plot_estimates`'s figure in the current language, and what they lay out:
    its items and groups, tick labels (wrapped), title, axis label and alt text."""
    items = labels if labels is not None else table["indicator"]
    data = table.assign(item=[localised(i) for i in items]).reset_index(drop=True)
    items = list(dict.fromkeys(data["item"]))
    groups = ordered_groups(data["group"], group_labels)
    names = {g: localised((group_labels or {}).get(g, g)) if g else _("All") for g in groups}
    title, xlabel = localised(title), localised(xlabel)
    # Groups of one item need no legend: their names go on the axis, as do too many to colour.
    on_axis = len(groups) > MAX_LEGEND_GROUPS or (len(items) == 1 and len(groups) > 1)
    if on_axis:
        # One row per group, under a bold heading per item when there are several.
        ticks, keys = [], []
        for item in items:
            if len(items) > 1:
                ticks.append(wrapped(item))
                keys.append((item, None))
            ticks += [wrapped(names[g]) for g in groups]
            keys += [(item, g) for g in groups]
    else:
        ticks, keys = [wrapped(item) for item in items], []
    sentences = []
    for item in items:
        rows = data[data["item"] == item].drop_duplicates("group").set_index("group")
        values = [
            f"{names[g]} {_value_text(rows.loc[g], scale)}"
            if len(groups) > 1
            else _value_text(rows.loc[g], scale)
            for g in groups
            if g in rows.index
        ]
        sentences.append(f"{item}: {', '.join(values)}")
    return Words(
        data=data,
        items=items,
        groups=groups,
        names=names,
        on_axis=on_axis,
        ticks=ticks,
        keys=keys,
        title=title,
        xlabel=xlabel,
        alt=chart_alt(title or xlabel, "; ".join(sentences), xlabel),
    )


def _layout(words: SimpleNamespace) -> tuple:
    """What of a figure's words decides where everything is drawn: the rows and their lines, the
    title's and the axis label's lines, the groups (the legend is cropped, not laid out)."""
    lines = [text.count("\n") for text in words.ticks]
    title = wrapped(words.title, TITLE_CHARACTERS).count("\n") if words.title else -1
    return (len(words.items), words.groups, words.on_axis, lines, title, _xlabel(words))


def _xlabel(words: SimpleNamespace) -> int:
    """How many lines the axis label takes."""
    return wrapped(words.xlabel, 40).count("\n")


def _estimates_axes(table, labels, title, colours, xlabel, scale, group_labels):
    """`plot_estimates`'s figure, axes, and the row (inches from the top) of each (item, group).

    The figure can be relabelled in another language (`relabel`) without drawing it again."""
    words = _estimate_words(table, labels, title, xlabel, scale, group_labels)
    data, items, groups, names = words.data, words.items, words.groups, words.names
    colour_of = group_colours(groups, colours, group_labels)
    ticks, on_axis = words.ticks, words.on_axis
    if on_axis:
        centres, total = _rows(ticks, 0.26)
        row_of = dict(zip(words.keys, centres))
    else:
        pitch = 0.3 * (1 + 0.45 * (len(groups) - 1))
        centres, total = _rows(ticks, pitch)
        offsets = np.linspace(-0.3, 0.3, len(groups)) * pitch if len(groups) > 1 else [0.0]
        row_of = {
            (item, g): centre + offset
            for item, centre in zip(items, centres)
            for g, offset in zip(groups, offsets)
        }
    fig, ax = _figure(total, words.title)
    for group in groups:
        rows = data[data["group"] == group]
        y = np.array([row_of[(item, group)] for item in rows["item"]])
        shown = ~rows["suppressed"].to_numpy(bool)
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
            s=40,
            label=names[group] if len(groups) > 1 and not on_axis else None,
            zorder=3,
        )
        for y_hidden in y[~shown]:
            ax.text(
                1, y_hidden, _(SUPPRESSED_TEXT), va="center", fontsize=FONT_POINTS, color="#555555"
            )
    ax.set_yticks(centres, ticks)
    _bold_headings(ax, words)
    ax.set_ylim(total, 0)
    ax.set_xlim(0, scale)
    ax.set_xlabel(wrapped(words.xlabel, 40))
    ax.set_ylabel("")
    if len(groups) > 1 and not on_axis:
        _legend_below(ax)
    describe(fig, words.alt)

    def relabel(again: Words) -> bool:
        """The figure with the words of another language (`again`), where they lay out as the
        drawn ones do (True); False (nothing changed) where the figure must be drawn again."""
        if _layout(again) != _layout(words):
            return False
        if again.title:
            ax.set_title(wrapped(again.title, TITLE_CHARACTERS))
        ax.set_yticks(centres, again.ticks)
        _bold_headings(ax, again)
        ax.set_xlabel(wrapped(again.xlabel, 40))
        for text in ax.texts:
            text.set_text(_(SUPPRESSED_TEXT))
        legend = ax.get_legend()
        if legend is not None:
            for text, group in zip(legend.get_texts(), again.groups):
                text.set_text(wrapped(again.names[group], 34))
        describe(fig, again.alt)
        return True

    fig.innobarometer_relabel = relabel
    return fig, ax, row_of


def _bold_headings(ax, words: SimpleNamespace) -> None:
    """Each item's heading over its groups' rows in bold (groups named on the axis)."""
    labels = ax.get_yticklabels()
    for index, (_item, group) in enumerate(words.keys):
        if group is None:
            labels[index].set_fontweight("bold")


def plot_estimates(
    table: pd.DataFrame,
    labels: pd.Series | None = None,
    title: str = "",
    colours: dict[str, str] | str | None = None,
    xlabel: str = N_("Share (%)"),
    scale: float = 100.0,
    group_labels: dict | None = None,
):
    """Estimates with their intervals as a dot-and-whisker chart, one row per item.

    Groups (the tidy `group` column) come in `group_labels`' order (the codebook's) in colours
    that `group_colours` fixes; up to `MAX_LEGEND_GROUPS` side by side in each item's row with a
    legend, more (or the groups of a single item) one per row named on the axis. Suppressed cells
    are never plotted: their place says 'suppressed'. The alt text lists every value. Returns the
    matplotlib figure.
    """
    if _WORDS_ONLY.get():
        return _estimate_words(table, labels, title, xlabel, scale, group_labels)
    fig, _, _ = _estimates_axes(table, labels, title, colours, xlabel, scale, group_labels)
    return fig


def show_figure(fig, name: str = "figure") -> None:
    """Display a figure as a compact PNG and close it, with its SVG (`FIGURE_SVG_MIME`), which the
    build writes beside the report as `<report>.<name>.svg` and links under the figure.

    `fig` a function drawing the figure (returning what a `plot_*` function returns) gives each
    language of the build its own PNG, SVG and alt text: the figure is drawn in English; in each
    other language the function is called again for its words only (`plot_estimates` then
    returns `Words`, its arguments made in that language) and the figure relabelled where they
    lay out as the English ones do (drawing costs about a third of a figure's rendering), else
    drawn again in that language. A figure drawn already is shown as it is in every language.

    The metadata gives the alt text (the figure's own, from `describe`, else its titles), the
    values drawn (x positions of points and ends of bars, so tests can check what a reader sees)
    and the figure's name."""

    # lazy: IPython and plotting libraries load only in a notebook's kernel
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not callable(fig):
        bundle, metadata = figure_bundle(fig, name)
        plt.close(fig)
        display(bundle, raw=True, metadata=metadata)
        return
    drawn = []

    def render():
        if not drawn:
            drawn.append(fig())
        else:
            # The words the drawing function gives in this language (its arguments made again);
            # a figure where it cannot give words only.
            with _words_only():
                made = fig()
            relabel = getattr(drawn[-1], "innobarometer_relabel", None)
            if isinstance(made, Words) and not (relabel is not None and relabel(made)):
                made = fig()
            if not isinstance(made, Words):
                plt.close(drawn.pop())
                drawn.append(made)
        bundle = figure_bundle(drawn[-1], name)
        restore_geometry(drawn[-1])
        return bundle

    try:
        show_in_every_language(render)
    finally:
        for figure in drawn:
            plt.close(figure)


def figure_bundle(fig, name: str) -> tuple[dict, dict]:
    """A drawn figure's display bundle (PNG, SVG) and metadata (`show_figure`)."""
    png = figure_png(fig, FIGURE_DPI)
    svg = figure_svg(fig)
    bundle = {
        "image/png": base64.b64encode(png).decode("ascii"),
        FIGURE_SVG_MIME: svg,
        "text/plain": "<figure>",
    }
    titles = [t for ax in fig.axes for t in map(ax.get_title, ("left", "center", "right")) if t]
    alt = getattr(fig, "innobarometer_alt", "") or ("Chart: " + "; ".join(titles) if titles else "")
    described = {"drawn": drawn_values(fig), "alt": alt, "name": name}
    return bundle, {"innobarometer": described}


def figure_svg(fig) -> str:
    """The figure as SVG text cropped as the PNG is (to the extent `figure_png` found, which
    spares matplotlib a second layout of every label; else its own tight crop); the same figure
    gives the same bytes (ids salted by `svg.hashsalt`, no date)."""
    buffer = io.StringIO()
    extent = getattr(fig, "innobarometer_extent", None) or "tight"
    fig.savefig(buffer, format="svg", bbox_inches=extent, metadata={"Date": None})
    return buffer.getvalue()


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


def whose_share(table: pd.DataFrame) -> str:
    """Whose percentage a table's shares are, from its `domain` column ('innovators'), the
    domains joined when they differ; empty when the table names none."""
    domains = [d for d in dict.fromkeys(table.get("domain", pd.Series(dtype=str))) if d]
    nouns = [_(DOMAIN_NOUNS[d]) if d in DOMAIN_NOUNS else str(d).replace("_", " ") for d in domains]
    if len(nouns) < 2:
        return "".join(nouns)
    return _("{names} or {last}").format(names=", ".join(nouns[:-1]), last=nouns[-1])


def suppression_note(table: pd.DataFrame, labels: pd.Series, group_labels: dict | None) -> str:
    """The line under a chart with suppressed cells: which are not shown and why (the tidy
    `suppression` column: primary or secondary); empty when nothing is suppressed."""
    hidden = table[table["suppressed"].astype(bool)]
    if hidden.empty:
        return ""
    reasons = hidden["suppression"] if "suppression" in hidden else pd.Series("", hidden.index)
    names = group_labels or {}
    cells: dict[str, list[str]] = {}
    for index, row in hidden.iterrows():
        cell = localised_comparison(str(labels.loc[index]))
        group = row.get("group", "")
        if group:
            cell += f", {localised(names.get(group, group))}"
        reason = _(SUPPRESSION_REASONS.get(reasons.loc[index] or "", REASON_NOT_RECORDED))
        cells.setdefault(reason, []).append(cell)
    parts = [
        _("{cells} ({reason})").format(cells="; ".join(c), reason=reason)
        for reason, c in cells.items()
    ]
    return _("Not shown: {cells}.").format(cells="; ".join(parts))


def _signed(value: float) -> str:
    """'+3.2', '−1.0', '0.0' (never '-0.0'), in the current language."""
    return language.signed(value, 1).replace("-", "−")


def plot_differences(
    differences: pd.DataFrame,
    title: str = "",
    xlabel: str = N_("Difference (percentage points)"),
):
    """Differences with their intervals around a zero line, one row per difference; suppressed
    differences are not drawn."""
    data = differences.reset_index(drop=True)
    data = data.assign(label=[localised_comparison(label) for label in data["label"]])
    title, xlabel = localised(title), localised(xlabel)
    shown = ~data["suppressed"].astype(bool).to_numpy()
    ticks = [wrapped(label) for label in data["label"]]
    y, total = _rows(ticks, 0.3)
    fig, ax = _figure(total, title)
    colour = OKABE_ITO[0]
    ax.axvline(0, color="#333333", linewidth=1)
    ax.hlines(
        y[shown],
        100 * data["ci_lower"].to_numpy(float)[shown],
        100 * data["ci_upper"].to_numpy(float)[shown],
        color=colour,
        linewidth=2,
        alpha=0.7,
    )
    ax.scatter(
        100 * data["estimate"].to_numpy(float)[shown], y[shown], color=colour, s=40, zorder=3
    )
    for y_hidden in y[~shown]:
        ax.text(
            0,
            y_hidden,
            _(SUPPRESSED_TEXT),
            va="center",
            ha="center",
            fontsize=FONT_POINTS,
            color="#555555",
        )
    ax.set_yticks(y, ticks)
    ax.set_ylim(total, 0)
    ax.set_xlabel(wrapped(xlabel, 40))
    points = _("{difference} points (95% interval {lower} to {upper})")
    values = [
        f"{row.label}: "
        + (
            _(SUPPRESSED_TEXT)
            if not visible
            else points.format(
                difference=_signed(100 * row.estimate),
                lower=_signed(100 * row.ci_lower),
                upper=_signed(100 * row.ci_upper),
            )
        )
        for row, visible in zip(data.itertuples(), shown)
    ]
    describe(fig, chart_alt(title or xlabel, "; ".join(values)))
    return fig


# Plain ticks of an odds-ratio axis: halvings and doublings around one, or 1-2-5 steps, or
# powers of ten, whichever first gives at most `MAX_TICKS` over the axis.
TICK_SERIES = (
    [2.0**k for k in range(-6, 7)],
    [m * 10.0**k for k in range(-3, 4) for m in (1, 2, 5)],
    [10.0**k for k in range(-6, 7)],
)
MAX_TICKS = 7


def odds_ratio_ticks(low: float, high: float) -> list[float]:
    """Ticks for a log axis from `low` to `high`: plain numbers (0.5, 1, 2, 4), never powers."""
    for series in TICK_SERIES:
        ticks = [t for t in series if low <= t <= high]
        if len(ticks) <= MAX_TICKS:
            return ticks
    return ticks


def _plain(value: float) -> str:
    """An odds-ratio tick as a plain number in the current language ('0.5', nb '0,5')."""
    return axis_number(value, _decimals(value))


def in_codebook_order(terms: pd.Series) -> list[int]:
    """Positions of model terms (`column[level]`) with each variable's levels in the codebook's
    category order (size classes by size, not as text); variables keep their order."""
    codebook = load_codebook()

    def key(position: int):
        term = str(terms.iloc[position])
        column, _, level = term.rstrip("]").partition("[")
        order = [str(c) for c in codebook[column].categories] if column in codebook else []
        first = next(i for i, t in enumerate(terms) if str(t).partition("[")[0] == column)
        return (first, order.index(level) if level in order else len(order), position)

    return sorted(range(len(terms)), key=key)


def plot_odds_ratios(model, title: str = ""):
    """Odds ratios with their intervals on a log scale around one, ticks as plain numbers;
    None when no model."""
    # lazy: plotting libraries load only when a figure is drawn
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    if model.message:
        return None
    data = model.table.reset_index(drop=True)
    if "term" in data:
        data = data.iloc[in_codebook_order(data["term"])].reset_index(drop=True)
    data = data.assign(label=[localised_comparison(label) for label in data["label"]])
    title = localised(title)
    ticks = [wrapped(label) for label in data["label"]]
    y, total = _rows(ticks, 0.3)
    fig, ax = _figure(total, title)
    colour = OKABE_ITO[0]
    ax.axvline(1, color="#333333", linewidth=1)
    ax.hlines(y, data["ci_lower"], data["ci_upper"], color=colour, linewidth=2, alpha=0.7)
    ax.scatter(data["odds_ratio"].to_numpy(float), y, color=colour, s=40, zorder=3)
    ax.set_xscale("log")
    ends = np.concatenate([data["ci_lower"].to_numpy(float), data["ci_upper"].to_numpy(float)])
    ends = ends[np.isfinite(ends) & (ends > 0)]
    # At least 0.5 to 2, so the axis shows three plain ticks around one.
    low = min(0.45, float(ends.min()) / 1.15) if ends.size else 0.45
    high = max(2.2, float(ends.max()) * 1.15) if ends.size else 2.2
    ax.set_xlim(low, high)
    ax.xaxis.set_major_locator(FixedLocator(odds_ratio_ticks(low, high)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _plain(value)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_yticks(y, ticks)
    ax.set_ylim(total, 0)
    ax.set_xlabel(_("Odds ratio (log scale; 1 = no association)"))
    ratio = _("{ratio} (95% interval {interval})")
    values = [
        f"{row.label}: "
        + ratio.format(
            ratio=language.number(row.odds_ratio, 2),
            interval=f"{language.number(row.ci_lower, 2)}–{language.number(row.ci_upper, 2)}",
        )
        for row in data.itertuples()
    ]
    describe(fig, chart_alt(title or _("odds ratios"), "; ".join(values), _("Odds ratios")))
    return fig


def plot_distribution(
    table: pd.DataFrame,
    labels: pd.Series,
    category_labels: dict,
    title="",
    xlabel: str = N_("Share of substantive answers (%)"),
):
    """The full distribution of each item as one stacked bar (substantive answers, 100%).

    An item with any suppressed category is left out whole (a stacked bar would reveal the
    missing piece as the remainder) and marked 'suppressed'.
    """
    # lazy: plotting libraries load only when a figure is drawn
    import seaborn as sns

    data = table[(table["group"] == "") & table["category"].isin(list(category_labels))]
    data = data.assign(label=[localised(label) for label in labels.loc[data.index]])
    category_labels = {code: localised(text) for code, text in category_labels.items()}
    title, xlabel = localised(title), localised(xlabel)
    items = list(dict.fromkeys(data["label"]))
    hidden = set(data.loc[data["suppressed"].astype(bool), "label"])
    wide = data.pivot_table(index="label", columns="category", values="estimate", sort=False)
    wide = wide.reindex(index=items, columns=list(category_labels))
    colours = sns.color_palette("RdBu_r", len(category_labels))
    ticks = [wrapped(item) for item in items]
    y, total = _rows(ticks, 0.32)
    fig, ax = _figure(total, title)
    left = np.zeros(len(items))
    drawn = np.array([item not in hidden for item in items])
    for colour, (code, text) in zip(colours, category_labels.items()):
        width = 100 * wide[code].fillna(0).to_numpy(float)
        ax.barh(
            y[drawn],
            width[drawn],
            left=left[drawn],
            color=colour,
            label=text,
            height=0.22,
            edgecolor="#777777",
            linewidth=0.4,
        )
        left += width
    for y_hidden in y[~drawn]:
        ax.text(1, y_hidden, _(SUPPRESSED_TEXT), va="center", fontsize=FONT_POINTS, color="#555555")
    ax.set_yticks(y, ticks)
    ax.set_ylim(total, 0)
    ax.set_xlim(0, 100)
    ax.set_xlabel(wrapped(xlabel, 40))
    _legend_below(ax)
    sentences = [
        f"{item}: "
        + (
            _(SUPPRESSED_TEXT)
            if item in hidden
            else ", ".join(
                f"{text} {language.percent(wide.loc[item, code])}"
                for code, text in category_labels.items()
                if pd.notna(wide.loc[item, code])
            )
        )
        for item in items
    ]
    describe(fig, chart_alt(title or xlabel, "; ".join(sentences), xlabel))
    return fig


def plot_published(comparison: pd.DataFrame, title: str = "", xlabel: str = N_("Share (%)")):
    """The package's estimates with intervals (dots) and the published figures (diamonds)."""
    data = comparison.reset_index(drop=True)
    scoped = _("{indicator} ({scope})")
    labels = pd.Series(
        [
            scoped.format(indicator=localised(label), scope=localised(scope))
            for label, scope in zip(data["label"], data["scope"])
        ],
        index=data.index,
    )
    if "estimated_from" in data:
        labels = data["estimated_from"].map(localised) + ": " + labels
    fig, ax, row_of = _estimates_axes(
        data.assign(group="", ci_method="logit", flag=""),
        labels,
        title,
        OKABE_ITO[0],
        xlabel,
        100.0,
        None,
    )
    # Its legend is its own (estimate, published): drawn again in each language, not relabelled.
    fig.innobarometer_relabel = None
    ax.collections[-1].set_label(_("estimate"))
    ax.scatter(
        100 * data["published"],
        [row_of[(label, "")] for label in labels],
        marker="D",
        s=30,
        color="#000000",
        label=_("published"),
        zorder=4,
    )
    _legend_below(ax)
    published = "; ".join(
        _("{indicator}: published {share}").format(indicator=label, share=language.percent(value))
        for label, value in zip(labels, data["published"])
        if pd.notna(value)
    )
    described = _("{alt} Published figures: {values}.")
    describe(fig, described.format(alt=fig.innobarometer_alt, values=published))
    return fig
