"""Sentences, tables and figures of `report` on hand-made tidy tables: numbers formatted as
expected, and a suppressed cell never named, shown or drawn."""

from __future__ import annotations

import itertools
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from test_claims import pairs_of

from innobarometer import report
from innobarometer.report import figures, notices, sentences, tables
from innobarometer.survey.estimate import TIDY_COLUMNS

matplotlib.use("Agg")


def tidy(rows) -> pd.DataFrame:
    """A tidy table from (indicator, category, group, estimate, lower, upper, n, suppressed)."""
    table = pd.DataFrame(
        [
            {
                "indicator": i,
                "category": c,
                "domain": "all",
                "group": g,
                "estimate": np.nan if s else e,
                "se": np.nan if s else 0.01,
                "ci_lower": np.nan if s else lo,
                "ci_upper": np.nan if s else hi,
                "ci_method": "logit",
                "n_unweighted": n,
                "deff": np.nan if s else 1.0,
                "suppressed": s,
                "flag": "",
            }
            for i, c, g, e, lo, hi, n, s in rows
        ],
        columns=TIDY_COLUMNS,
    )
    return table


INITIATORS = tidy(
    [
        ("initiator", "employees", "", 0.612, 0.571, 0.652, 400, False),
        ("initiator", "own_manager", "", 0.389, 0.35, 0.43, 400, False),
        ("initiator", "foundations", "", 0.9, 0.8, 0.95, 3, True),
        ("initiator", "citizens", "", 0.104, 0.08, 0.13, 400, False),
    ]
)
LABELS = pd.Series(["Employees", "Own manager", "Foundations", "Citizens"])


def test_share_sentence_states_share_and_interval_in_whole_percent():
    table = tidy([("innovative", "1", "", 0.8302, 0.8091, 0.8496, 1611, False)])
    assert report.share_sentence(table, "introduced an innovation", "workplaces") == (
        "83% of workplaces introduced an innovation (95% CI 81–85%)."
    )


def test_a_suppressed_share_is_never_given_a_number():
    table = tidy([("innovative", "1", "", 0.83, 0.81, 0.85, 3, True)])
    sentence = report.share_sentence(table, "introduced an innovation", "organisations")
    assert "not shown" in sentence and not re.search(r"\d", sentence)


ALL_SIGNIFICANT = {
    frozenset(p) for p in itertools.combinations(["employees", "own_manager", "citizens"], 2)
}


def initiator_pairs(significant=ALL_SIGNIFICANT, table=INITIATORS):
    return pairs_of(
        table["category"].tolist(),
        table["estimate"].tolist(),
        significant,
        "the {m} pairs of initiators",
        table["suppressed"].tolist(),
    )


def test_ranking_names_the_first_two_and_the_last_shown_never_a_suppressed_item():
    sentence = report.ranking_sentence(INITIATORS, LABELS, "initiator", initiator_pairs())
    assert sentence == (
        "The most common initiator is Employees (61%, 95% CI 57–65%), ahead of every other "
        "initiator, the nearest being Own manager (39%); the least common is Citizens (10%); "
        "each at the 5% level after Holm's adjustment over the 3 pairs of initiators. Items "
        "with too few answers are not shown."
    )
    assert "Foundations" not in sentence and "90%" not in sentence


def test_ranking_leaves_out_dont_know_and_means():
    table = pd.concat(
        [
            INITIATORS.iloc[:2],
            tidy([("initiator", "8", "", 0.95, 0.9, 0.97, 400, False)]),
            tidy([("initiator", "options_ticked", "", 1.7, 1.6, 1.8, 400, False)]).assign(
                ci_method="t"
            ),
        ],
        ignore_index=True,
    )
    labels = pd.Series(["Employees", "Own manager", "don't know", "number ticked"])
    pairs = initiator_pairs(table=INITIATORS.iloc[:2])
    sentence = report.ranking_sentence(table, labels, "initiator", pairs)
    assert "don't know" not in sentence and "ticked" not in sentence
    assert sentence.startswith("The most common initiator is Employees")


def test_group_sentence_compares_shown_groups_only():
    table = tidy(
        [
            ("innovative", "1", "", 0.80, 0.78, 0.82, 900, False),
            ("innovative", "1", "state", 0.87, 0.83, 0.90, 300, False),
            ("innovative", "1", "regional", 0.99, 0.95, 1.0, 4, True),
            ("innovative", "1", "municipal", 0.78, 0.75, 0.81, 596, False),
        ]
    )
    names = {"state": "State", "regional": "Regional", "municipal": "Municipal"}
    groups = table.iloc[1:]
    pairs = pairs_of(
        groups["group"].tolist(),
        groups["estimate"].tolist(),
        {frozenset(("state", "municipal"))},
        "the {m} pairs of government levels",
        groups["suppressed"].tolist(),
    )
    sentence = report.group_sentence(table, names, "By government level", pairs)
    assert sentence == (
        "By government level, the share is higher for State (87%, 95% CI 83–90%) than for "
        "Municipal (78%, 95% CI 75–81%), at the 5% level after Holm's adjustment over the 1 pair "
        "of government levels. Groups with too few answers are not shown."
    )
    alone = table[table["group"].isin(["", "regional", "state"])]
    assert "fewer than two groups" in report.group_sentence(alone, names, "By level", pairs)
    # One group in the data (a Nordic report of one country) is not a disclosure matter.
    single = table[table["group"].isin(["", "state"])]
    assert report.group_sentence(single, names, "For Innovative", pairs) == (
        "For Innovative, the data hold a single group, so there is nothing to compare."
    )
    # Groups whose difference is not significant are not called higher or lower.
    unclear = pairs.assign(p_holm=0.2)
    assert report.group_sentence(table, names, "By level", unclear) == (
        "By level, the groups do not differ clearly: the shares range from 78% to 87%, and none "
        "of the 1 pair of government levels differs at the 5% level after Holm's adjustment. "
        "Groups with too few answers are not shown."
    )


def test_ranking_does_not_put_an_item_ahead_of_an_equal_one():
    zeros = INITIATORS.assign(estimate=[0.0, 0.0, 0.9, 0.0])
    pairs = initiator_pairs(set(), zeros)
    assert report.ranking_sentence(zeros, LABELS, "type", pairs) == (
        "No type is clearly more common than the others: the shares are all 0%, and "
        "none of the 3 pairs of initiators differs at the 5% level after Holm's adjustment. "
        "Items with too few answers are not shown."
    )


def test_top_by_group_sentence_names_each_groups_leader_unless_suppressed():
    table = tidy(
        [
            ("partner", "citizens", "state", 0.5, 0.4, 0.6, 100, False),
            ("partner", "firms", "state", 0.3, 0.2, 0.4, 100, False),
            ("partner", "citizens", "municipal", 0.2, 0.1, 0.3, 100, False),
            ("partner", "firms", "municipal", 0.6, 0.5, 0.7, 100, False),
            ("partner", "citizens", "regional", 0.9, 0.8, 0.95, 2, True),
            ("partner", "firms", "regional", 0.1, 0.0, 0.2, 2, True),
        ]
    )
    labels = pd.Series(["Citizens", "Firms"] * 3)
    both = {frozenset(("citizens", "firms"))}
    pairs = pd.concat(
        [
            pairs_of(
                ["citizens", "firms"], [0.5, 0.3], both, "the {m} pairs of partners within State"
            ),
            pairs_of(
                ["citizens", "firms"],
                [0.2, 0.6],
                both,
                "the {m} pairs of partners within Municipal",
            ),
        ],
        ignore_index=True,
    )
    sentence = report.top_by_group_sentence(
        table, labels, {"state": "State", "municipal": "Municipal"}, "partner", pairs
    )
    assert sentence == (
        "The most common partner is Citizens for State (50%); Firms for Municipal (60%), each "
        "ahead of every other partner of its group at the 5% level after Holm's adjustment over "
        "the 1 pair of partners within each group. Cells with too few answers are not shown."
    )
    assert "regional" not in sentence and "90" not in sentence


def difference(estimate, lower, upper, suppressed=False, p=0.01):
    return pd.DataFrame(
        {
            "label": ["A vs B"],
            "first": ["a"],
            "second": ["b"],
            "estimate": [np.nan if suppressed else estimate],
            "se": [0.01],
            "ci_lower": [np.nan if suppressed else lower],
            "ci_upper": [np.nan if suppressed else upper],
            "p": [np.nan if suppressed else p],
            "p_holm": [np.nan if suppressed else p],
            "n_first": [50],
            "n_second": [3 if suppressed else 60],
            "suppressed": [suppressed],
        }
    )


def test_difference_sentence_says_whether_holm_finds_the_difference():
    lower = report.difference_sentence(
        difference(-0.123, -0.19, -0.05).iloc[0], "among copiers", "among originators", "the share"
    )
    assert lower == (
        "The share is 12.3 percentage points lower among copiers than among originators (95% CI "
        "−19.0 to −5.0 points, unadjusted); significant at the 5% level after Holm's adjustment "
        "over the 1 comparison of its table (p = 0.010)."
    )
    unclear = report.difference_sentence(
        difference(0.02, -0.006, 0.046, p=0.2), "in 2023", "in 2020", "the share"
    )
    assert "2.0 percentage points higher" in unclear and "do not show a clear" in unclear
    hidden = report.difference_sentence(
        difference(0.3, 0.1, 0.5, suppressed=True).iloc[0], "x", "y", "the share"
    )
    assert "cannot be shown" in hidden and not re.search(r"\d", hidden)


def test_differences_sentence_counts_holm_significant_and_names_the_largest():
    table = pd.concat(
        [difference(0.05, 0.01, 0.09, p=0.01), difference(-0.2, -0.3, -0.1, p=0.001)]
    ).assign(label=["A vs B", "C vs D"], family="the 2 pairs of things")
    table["p_holm"] = [0.02, 0.002]
    assert report.differences_sentence(table, "pairs") == (
        "Of 2 differences between pairs tested, 2 are significant at the 5% level after Holm's "
        "adjustment over the 2 pairs of things; the largest is C vs D (−20.0 points, 95% CI "
        "−30.0 to −10.0, unadjusted)."
    )
    one = report.differences_sentence(table.iloc[1:], "pairs")
    assert one == (
        "The one difference between pairs tested, C vs D (−20.0 points, 95% CI −30.0 to −10.0, "
        "unadjusted), is significant at the 5% level."
    )
    table["p_holm"] = [0.2, 0.3]
    assert report.differences_sentence(table.iloc[:1], "pairs") == (
        "The one difference between pairs tested is not significant at the 5% level."
    )


def test_format_estimates_percentages_with_intervals_and_blank_suppressed_cells():
    shown = tables.format_estimates(INITIATORS, LABELS)
    assert list(shown["Estimate"]) == ["61.2%", "38.9%", "", "10.4%"]
    assert list(shown["95% logit interval"]) == ["57–65", "35–43", "", "8–13"]
    assert list(shown["Note"]) == ["", "", "suppressed", ""]
    mean = tidy([("partner", "options_ticked", "", 1.684, 1.61, 1.76, 90, False)])
    shown = tables.format_estimates(mean.assign(ci_method="t"))
    assert shown["Estimate"].iloc[0] == "1.68" and shown.iloc[0, 2] == "1.61–1.76"


def test_table_bundle_records_the_unrounded_table_with_blanks_for_suppressed_cells():
    bundle = tables.table_bundle(INITIATORS, "initiators", INITIATORS)
    payload = bundle[tables.TABLE_MIME]
    assert payload["table"] == "initiators" and "section" not in payload
    estimate = payload["columns"].index("estimate")
    assert [row[estimate] for row in payload["data"]] == [0.612, 0.389, None, 0.104]


def test_figures_draw_every_shown_cell_and_no_suppressed_one():
    figure = figures.plot_estimates(INITIATORS, LABELS)
    drawn = figures.drawn_values(figure)
    assert sorted(drawn) == pytest.approx([10.4, 38.9, 61.2])
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts == ["suppressed"]


def test_distribution_leaves_out_an_item_with_any_suppressed_category():
    table = tidy(
        [
            ("factor_a", "1", "", 0.25, 0.2, 0.3, 100, False),
            ("factor_a", "2", "", 0.75, 0.7, 0.8, 100, False),
            ("factor_b", "1", "", np.nan, np.nan, np.nan, 3, True),
            ("factor_b", "2", "", np.nan, np.nan, np.nan, 3, True),
        ]
    )
    labels = pd.Series(["A", "A", "B", "B"])
    figure = figures.plot_distribution(table, labels, {"1": "Promoted", "2": "Hindered"})
    assert sorted(figures.drawn_values(figure)) == pytest.approx([25.0, 75.0])
    assert [t.get_text() for t in figure.axes[0].texts] == ["suppressed"]


def test_how_to_read_names_the_method_and_the_threshold():
    note = notices.how_to_read_html("beta", 10)
    assert "Korn-Graubard" in note and "fewer than 10 responding units" in note


def test_published_sentence_counts_figures_inside_the_interval():
    comparison = pd.DataFrame(
        {"suppressed": [False, False, True], "published_inside_interval": [True, False, None]}
    )
    assert sentences.published_sentence(comparison, synthetic=False) == (
        "1 of 3 published figures lie inside the 95% interval of the package's estimate "
        "(1 estimates suppressed)."
    )
    assert "No published figure" in sentences.published_sentence(
        comparison.iloc[0:0], synthetic=True
    )


def test_an_edition_without_innovators_is_named_in_a_notice():
    from types import SimpleNamespace

    frame = pd.DataFrame(
        {"unit_level": ["workplace"] * 3, "innovative": pd.array([0, 0, None], dtype="Int8")}
    )
    empty = SimpleNamespace(edition_id="IS-2018", frame=frame)
    notice = notices.no_innovators_html([empty])
    assert "No innovators." in notice and "IS-2018 (3 workplaces) none of the units" in notice
    some = SimpleNamespace(edition_id="DK-2023", frame=frame.assign(innovative=[1, 0, 0]))
    assert notices.no_innovators_html([some]) == ""


def test_published_sentence_claims_agreement_by_design_only_for_calibration_targets():
    comparison = pd.DataFrame(
        {
            "suppressed": [False, False, False],
            "published_inside_interval": [True, True, False],
            "calibration_target": [True, True, False],
        }
    )
    sentence = sentences.published_sentence(comparison, synthetic=True)
    assert "calibrated to the 2 national figures" in sentence
    assert "the other 1 (the Nordic comparison report's) are comparisons only" in sentence
    only_targets = comparison.iloc[:2]
    assert "so agreement is by design." in sentences.published_sentence(only_targets, True)
    only_comparisons = comparison.iloc[2:]
    assert "comparisons only" in sentences.published_sentence(only_comparisons, True)
    assert "by design" not in sentences.published_sentence(only_comparisons, True)


def test_a_chart_of_many_items_grows_so_its_labels_do_not_overlap():
    import matplotlib.pyplot as plt

    rows = [(f"item_{i}", "", "", 0.5, 0.4, 0.6, 100, False) for i in range(60)]
    table = tidy(rows)
    fig = figures.plot_estimates(table, pd.Series([f"Item {i}" for i in range(60)]), "Many")
    height = fig.get_size_inches()[1]
    plt.close(fig)
    assert height >= 0.3 * 60  # the old 12-inch cap squeezed 60 labels into 0.2 in each
