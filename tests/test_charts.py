"""Charts: one colour per group in every report, codebook order, plain odds-ratio ticks, alt text
with the numbers, the suppression line, and SVGs whose bytes depend only on what is drawn."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

from innobarometer.report import export
from innobarometer.report import figures as render

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LEVELS = {"state": "State", "regional": "Regional", "municipal": "Municipal"}
SIZES = {"1-9": "1-9 employees", "10-49": "10-49", "50-99": "50-99", "100+": "100 or more"}


def tidy(groups, estimates, suppressed=(), domain="innovators", suppression=None) -> pd.DataFrame:
    """A tidy share table of one indicator by `groups` (as the estimator sorts them: as text)."""
    rows = pd.DataFrame(
        {
            "indicator": "innovative",
            "category": "1",
            "domain": domain,
            "group": list(groups),
            "estimate": list(estimates),
            "ci_lower": [e - 0.05 for e in estimates],
            "ci_upper": [e + 0.05 for e in estimates],
            "ci_method": "logit",
            "n_unweighted": 50,
            "suppressed": [g in suppressed for g in groups],
            "flag": "",
        }
    )
    if suppression is not None:
        rows["suppression"] = [suppression.get(g, "") for g in groups]
    hidden = rows["suppressed"]
    rows.loc[hidden, ["estimate", "ci_lower", "ci_upper"]] = float("nan")
    return rows


def point_colours(fig) -> dict[float, str]:
    """Each drawn point's y position -> its colour (hex)."""
    colours = {}
    for collection in fig.axes[0].collections:
        if type(collection).__name__ == "PathCollection" and len(collection.get_offsets()):
            colour = matplotlib.colors.to_hex(collection.get_facecolor()[0])
            for _, y in collection.get_offsets():
                colours[round(float(y), 6)] = colour
    return colours


def tick_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


@pytest.fixture(autouse=True)
def style():
    render.use_report_style()
    yield
    plt.close("all")


def test_a_group_has_the_same_colour_whatever_the_country_and_the_groups_beside_it():
    whole = render.group_colours(["", "municipal", "regional", "state"], "#D55E00", LEVELS)
    norway = render.group_colours(["", "municipal", "regional"], "#0072B2", LEVELS)
    assert whole["municipal"] == norway["municipal"] == render.GROUP_COLOURS[2]
    assert whole["state"] == render.GROUP_COLOURS[0]
    assert whole[""] == render.WHOLE_DOMAIN_COLOUR
    # Alone, the whole domain keeps the report's own colour.
    assert render.group_colours([""], "#D55E00", LEVELS) == {"": "#D55E00"}
    # A group outside the codebook's order takes a colour no other group of the chart has.
    mixed = render.group_colours(["state", "elsewhere"], None, LEVELS)
    assert len(set(mixed.values())) == 2


def test_the_drawn_colours_follow_the_codebook_not_the_country():
    table = tidy(["", "municipal", "regional", "state"], [0.8, 0.7, 0.6, 0.9])
    for country_colour in ("#D55E00", "#0072B2"):
        fig = render.plot_estimates(table, title="t", colours=country_colour, group_labels=LEVELS)
        ticks = tick_texts(fig)
        assert ticks == ["All", "State", "Regional", "Municipal"]
        by_row = dict(zip(ticks, sorted(point_colours(fig).items())))
        assert by_row["Municipal"][1] == render.GROUP_COLOURS[2].lower()
        assert by_row["All"][1] == render.WHOLE_DOMAIN_COLOUR.lower()


def test_ordered_categories_keep_the_codebook_order_not_the_text_order():
    table = tidy(sorted(SIZES), [0.6, 0.7, 0.9, 0.8])  # 1-9, 10-49, 100+, 50-99
    fig = render.plot_estimates(table, title="By size", group_labels=SIZES)
    assert tick_texts(fig) == list(SIZES.values())
    terms = pd.Series(["size_class[10-49]", "size_class[100+]", "size_class[50-99]", "other"])
    assert [terms[i] for i in render.in_codebook_order(terms)] == [
        "size_class[10-49]",
        "size_class[50-99]",
        "size_class[100+]",
        "other",
    ]


def test_many_groups_are_named_on_the_axis_under_each_item_in_one_colour():
    sectors = {f"s{i}": f"Sector {i}" for i in range(11)}
    one = tidy(list(sectors), [0.5 + i / 40 for i in range(11)])
    two = pd.concat([one, one.assign(indicator="collaborated")])
    labels = two["indicator"].str.capitalize()
    fig = render.plot_estimates(two, labels, "By sector", group_labels=sectors)
    ticks = tick_texts(fig)
    assert ticks == ["Innovative", *sectors.values(), "Collaborated", *sectors.values()]
    bold = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Innovative", "Collaborated"]
    assert set(point_colours(fig).values()) == {render.ON_AXIS_COLOUR.lower()}
    assert fig.axes[0].get_legend() is None


def test_a_few_groups_of_several_items_get_a_legend_with_distinct_colours():
    one = tidy(list(LEVELS), [0.5, 0.6, 0.7])
    two = pd.concat([one, one.assign(indicator="collaborated")])
    fig = render.plot_estimates(two, two["indicator"], "t", "#D55E00", group_labels=LEVELS)
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(LEVELS.values())
    assert len(set(point_colours(fig).values())) == 3


def test_odds_ratios_have_plain_ticks_on_a_log_axis():
    assert render.odds_ratio_ticks(0.45, 5.4) == [0.5, 1.0, 2.0, 4.0]
    assert render.odds_ratio_ticks(0.01, 90) == [0.01, 0.1, 1.0, 10.0]
    table = pd.DataFrame(
        {
            "term": ["size_class[100+]", "size_class[10-49]"],
            "label": ["Size: 100 or more", "Size: 10-49"],
            "odds_ratio": [3.1, 1.5],
            "ci_lower": [2.1, 1.1],
            "ci_upper": [4.7, 1.9],
            "p": [0.001, 0.01],
        }
    )
    fig = render.plot_odds_ratios(SimpleNamespace(message="", table=table), "Odds")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    fig.canvas.draw()
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert shown == ["0.5", "1", "2", "4"]
    assert not any("10^" in t or "\\times" in t or "$" in t for t in shown)
    assert tick_texts(fig) == ["Size: 10-49", "Size: 100 or more"]
    assert "Size: 10-49: 1.50 (95% interval 1.10–1.90)" in fig.innobarometer_alt


def test_the_alt_text_states_every_number_and_what_is_hidden():
    table = tidy(["", "municipal", "state"], [0.83, 0.82, 0.87], suppressed={"state"})
    fig = render.plot_estimates(
        table, title="Innovative by level", xlabel="Share of innovators (%)", group_labels=LEVELS
    )
    alt = fig.innobarometer_alt
    assert alt.startswith("Chart: Innovative by level. Share of innovators (%): ")
    assert "All 83% (95% interval 78–88%)" in alt
    assert "Municipal 82% (95% interval 77–87%)" in alt
    assert "State suppressed" in alt


def test_differences_read_as_signed_points_never_minus_zero():
    differences = pd.DataFrame(
        {
            "label": ["A vs B", "C vs D"],
            "estimate": [-0.0001, 0.032],
            "ci_lower": [-0.02, 0.01],
            "ci_upper": [0.02, 0.05],
            "suppressed": [False, False],
        }
    )
    alt = render.plot_differences(differences, "Changes").innobarometer_alt
    hidden = differences.assign(suppressed=[True, False])  # differences have no group column
    assert render.suppression_note(hidden, hidden["label"], None) == (
        "Not shown: A vs B (reason not recorded)."
    )
    assert "A vs B: 0.0 points (95% interval −2.0 to +2.0)" in alt
    assert "C vs D: +3.2 points" in alt and "-0.0" not in alt


def test_the_line_under_a_chart_says_why_cells_are_hidden():
    table = tidy(
        ["", "regional", "state"],
        [0.8, 0.7, 0.6],
        suppressed={"regional", "state"},
        suppression={"regional": "primary", "state": "secondary"},
    )
    labels = pd.Series("Innovative", index=table.index)
    note = render.suppression_note(table, labels, LEVELS)
    assert "Innovative, Regional (fewer answers than the disclosure threshold)" in note
    assert "Innovative, State (hidden so that another suppressed cell cannot be worked out)" in note
    # Without the tidy `suppression` column the reason is not guessed.
    unexplained = render.suppression_note(table.drop(columns="suppression"), labels, LEVELS)
    assert unexplained == (
        "Not shown: Innovative, Regional; Innovative, State (reason not recorded)."
    )
    assert render.suppression_note(tidy([""], [0.5]), labels, LEVELS) == ""


def test_whose_percentage_a_chart_shows_comes_from_the_domain():
    assert render.whose_share(tidy([""], [0.5], domain="all")) == "all units"
    assert render.whose_share(tidy([""], [0.5], domain="collaborators")) == (
        "collaborating innovators"
    )


def test_text_is_at_least_ten_points_and_figures_are_phone_sized():
    table = tidy(["", "municipal", "regional", "state"], [0.8, 0.7, 0.6, 0.9])
    two = pd.concat([table, table.assign(indicator="Collaboration across workplaces")])
    fig = render.plot_estimates(two, two["indicator"], "A title", group_labels=LEVELS)
    svg = render.figure_svg(fig)
    sizes = [float(s) for s in re.findall(r"font-size: ([0-9.]+)px", svg)]
    assert sizes and min(sizes) >= render.FONT_POINTS
    width_points = float(re.search(r'width="([0-9.]+)pt"', svg).group(1))
    # About 5 in wide: shown on a 390 px phone (358 px of text width) text stays near 9 px.
    assert width_points * render.FIGURE_DPI / 72 < 470


SVG_SCRIPT = """
import sys
import pandas as pd
from innobarometer.report import figures as render
render.use_report_style()
table = pd.DataFrame({"indicator": "i", "category": "1", "domain": "all",
    "group": ["", "state"], "estimate": [0.5, 0.6], "ci_lower": [0.4, 0.5],
    "ci_upper": [0.6, 0.7], "ci_method": "logit", "n_unweighted": 9,
    "suppressed": False, "flag": ""})
fig = render.plot_estimates(table, title="Same bytes", group_labels={"state": "State"})
sys.stdout.write(render.figure_svg(fig))
"""


def test_two_builds_give_the_same_svg_bytes():
    runs = [
        subprocess.run(
            [sys.executable, "-c", SVG_SCRIPT],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg"},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert b"<svg" in runs[0] and b"Same bytes" in runs[0]
    assert b"<dc:date>" not in runs[0]


def test_the_export_names_each_figures_svg_and_the_page_links_it():
    png = base64.b64encode(export.palette_png(np.full((4, 4, 4), 255, np.uint8))).decode()

    def figure(name):
        return nbformat.v4.new_output(
            "display_data",
            data={"image/png": png, export.FIGURE_SVG_MIME: f"<svg>{name}</svg>"},
            metadata={"innobarometer": {"alt": f"Chart: {name}", "name": name}},
        )

    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [figure("types"), figure("types"), figure("by level/size")]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    files = export.figure_svgs(notebook, "DK-2023")
    assert files == [
        ("DK-2023.types.svg", {"en": "<svg>types</svg>"}),
        ("DK-2023.types-2.svg", {"en": "<svg>types</svg>"}),
        ("DK-2023.by-level-size.svg", {"en": "<svg>by level/size</svg>"}),
    ]
    page = export.export_html(notebook, "Overview: DK-2023", ())
    for name, _ in files:
        assert f'<a href="{name}" download>' in page
    assert "<svg>" not in page  # the SVG is a download, not a second copy of the figure
