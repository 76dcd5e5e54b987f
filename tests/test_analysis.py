"""Codebook-aware estimation and the theme helpers on a tiny hand-made frame, with expected shares
worked out by hand, and the checks of report parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innobarometer import analysis
from innobarometer.analysis import editions, published
from innobarometer.data_set import READS_ENV, DataSetError, EditionFacts
from innobarometer.survey.design import SurveyDesign

# Eight workplaces in one stratum of a large population (finite population correction ~1).
# Weights 1, 2, 1, 1, 3, 2, 1, 1 (total 12); units 5 and 8 are not innovative.
FRAME = pd.DataFrame(
    {
        "unit_id": [f"u{i}" for i in range(1, 9)],
        "unit_level": ["workplace"] * 8,
        "stratum": ["s"] * 8,
        "stratum_population": [1e9] * 8,
        "weight": [1.0, 2.0, 1.0, 1.0, 3.0, 2.0, 1.0, 1.0],
        "gov_level": [
            "state",
            "state",
            "municipal",
            "municipal",
            "municipal",
            "state",
            "state",
            "municipal",
        ],
        "sector": ["health", "education"] * 4,
        "size_class": ["1-9", "10-49", "10-49", "1-9"] * 2,
        "innovative": pd.array([1, 1, 1, 1, 0, 1, 1, 0], dtype="Int8"),
        # Innovators only: 1 own, 2 adapted, 3 copied, 8 don't know.
        "novelty": pd.array([1, 1, 3, 3, None, 2, 8, None], dtype="Int8"),
        "spread_actively": pd.array([1, 1, 0, 1, None, 0, 8, None], dtype="Int8"),
        "evaluation": pd.array([1, 2, 5, 4, None, 3, 8, None], dtype="Int8"),
    }
)
PARTNERS = {
    # own_organisation and citizens ticked; the other seven options never ticked.
    "own_organisation": [1, 0, 1, 1, None, 0, 1, None],
    "citizens": [1, 1, 0, 0, None, 0, 1, None],
}


def make_edition(frame: pd.DataFrame = FRAME) -> analysis.Edition:
    from innobarometer.codebook import load_codebook

    frame = frame.copy()
    for column in load_codebook()["partner"].columns:
        option = column.removeprefix("partner_")
        values = PARTNERS.get(option, [0, 0, 0, 0, None, 0, 0, None])
        frame[column] = pd.array(values, dtype="Int8")
    # A mapping that provides every codebook column: what was asked is what the data hold.
    facts = EditionFacts(
        "DK", 2023, "workplace", True, ("A caveat.",), frozenset(load_codebook().columns()), {}
    )
    return analysis.Edition("DK-2023", frame, SurveyDesign.from_frame(frame), facts)


def whole(table: pd.DataFrame, category: str = "1") -> pd.Series:
    return table[(table["group"] == "") & (table["category"] == category)].iloc[0]


def test_share_innovative_is_the_weighted_share():
    table = analysis.estimate_variable(make_edition(), "innovative", by="gov_level", threshold=1)
    # (1 + 2 + 1 + 1 + 2 + 1) / 12 = 8 / 12.
    assert whole(table).estimate == pytest.approx(8 / 12)
    by_group = table.set_index("group")["estimate"]
    # state: units 1, 2, 6, 7 all innovative; municipal: 3, 4 of weights 1, 1, 3, 1 -> 2 / 6.
    assert by_group["state"] == pytest.approx(1.0)
    assert by_group["municipal"] == pytest.approx(2 / 6)


def test_a_coarse_national_class_is_estimated_and_the_classes_it_spans_are_not():
    # size_class "50+" spans 50-99 and 100+ (codebook coarsenings): an edition whose file holds
    # it has no 50-99 or 100+ row (not measured there), and the 50+ share is the weighted share.
    frame = FRAME.assign(size_class=["1-9", "10-49", "50+", "1-9"] * 2)
    table = analysis.estimate_variable(make_edition(frame), "size_class", ci_method="wilson")
    assert list(table["category"]) == ["1-9", "10-49", "50+"]
    weights = frame["weight"]
    expected = weights[frame["size_class"] == "50+"].sum() / weights.sum()
    assert table.loc[table["category"] == "50+", "estimate"].item() == pytest.approx(expected)
    assert table["estimate"].sum() == pytest.approx(1.0)


def test_spread_share_leaves_dont_know_and_non_innovators_out_of_the_base():
    table = analysis.estimate_variable(make_edition(), "spread_actively", threshold=1)
    # Base: units 1, 2, 3, 4, 6 (weights 1, 2, 1, 1, 2 = 7); yes: units 1, 2, 4 -> 4 / 7.
    assert whole(table).estimate == pytest.approx(4 / 7)
    assert whole(table).n_unweighted == 5


def test_number_of_partner_types_is_a_distribution_over_innovators():
    edition = make_edition()
    table = analysis.estimate_option_count(edition, "partner", top=2, threshold=1)
    shares = dict(zip(table["category"], table["estimate"]))
    # Counts: u1 2, u2 1, u3 1, u4 1, u6 0, u7 2; weights 1, 2, 1, 1, 2, 1 (total 8).
    assert shares == pytest.approx({"0": 2 / 8, "1": 4 / 8, "2": 2 / 8})
    labels = analysis.count_labels(table, "partner type", top=2)
    assert list(labels) == ["None", "One partner type", "Two or more partner types"]


def test_copiers_against_originators_is_the_difference_of_weighted_shares():
    edition = make_edition()
    spread = analysis.binary_values(edition, "spread_actively")
    origin = analysis.substantive_groups(edition, "novelty")
    assert list(origin.fillna("-")) == ["1", "1", "3", "3", "-", "2", "-", "-"]
    names = analysis.category_labels("novelty")
    table = analysis.group_differences(edition, spread, origin, [("3", "1")], names, threshold=1)
    # Copiers: units 3 (no) and 4 (yes), weights 1, 1 -> 1/2; originators: units 1, 2 -> 1.
    assert table["estimate"].iloc[0] == pytest.approx(0.5 - 1.0)
    assert table["label"].iloc[0] == f"{names['3']} vs {names['1']}"
    suppressed = analysis.group_differences(edition, spread, origin, [("3", "1")], names, 3)
    assert suppressed["suppressed"].iloc[0] and np.isnan(suppressed["estimate"].iloc[0])


def test_evaluation_groups_follow_the_evaluated_indicator():
    groups = analysis.evaluation_groups(make_edition())
    assert list(groups.fillna("-")) == [
        "evaluated",
        "evaluated",
        "not_evaluated",
        "not_evaluated",
        "-",
        "not_evaluated",
        "-",
        "-",
    ]


def test_shares_by_explicit_groups_keep_ungrouped_units_in_the_whole_domain_only():
    edition = make_edition()
    spread = analysis.binary_values(edition, "spread_actively")
    groups = analysis.evaluation_groups(edition)
    table = analysis.estimate_shares_by(edition, spread, groups, "spread_actively", threshold=1)
    by_group = table.set_index("group")["estimate"]
    # Evaluated: units 1, 2 both yes; not evaluated: 3 no (w1), 4 yes (w1), 6 no (w2) -> 1 / 4.
    assert by_group[""] == pytest.approx(4 / 7)
    assert by_group["evaluated"] == pytest.approx(1.0)
    assert by_group["not_evaluated"] == pytest.approx(1 / 4)


def test_option_differences_rank_options_and_test_adjacent_pairs():
    shares, differences = analysis.option_differences(make_edition(), "partner", threshold=1)
    own = whole(shares, "own_organisation").estimate
    citizens = whole(shares, "citizens").estimate
    # own: units 1, 3, 4, 7 (weights 1, 1, 1, 1) of 8 -> 4/8; citizens: 1, 2, 7 -> 4/8 as well.
    assert own == pytest.approx(0.5) and citizens == pytest.approx(0.5)
    first = differences.iloc[0]
    assert {first["first"], first["second"]} == {"own_organisation", "citizens"}
    assert first["estimate"] == pytest.approx(0.0, abs=1e-12)
    tested = differences.dropna(subset=["p"])
    assert (tested["p_holm"] >= tested["p"]).all()


def test_a_battery_without_promoted_and_hindered_codes_in_the_codebook_is_refused():
    # The codebook's `balance` defines them for the factors battery only.
    with pytest.raises(analysis.AnalysisError, match="'factors' only, not for 'culture'"):
        analysis.estimate_battery(make_edition(), "culture")


def test_a_model_without_enough_events_says_so():
    edition = make_edition()
    formula = "innovative ~ C(gov_level) + C(sector) + C(size_class)"
    model = analysis.fit(edition, formula, threshold=1)
    assert model.message.startswith("The model cannot be estimated")
    assert model.table.empty


# ----------------------------------------------------------------------------- parameters


@pytest.fixture
def active(tmp_path, monkeypatch):
    """An active demo set of five editions (mapping names are all the checks read)."""
    folder = tmp_path / "data" / "demo" / "mappings"
    folder.mkdir(parents=True)
    for edition in ("DK-2020", "DK-2023", "NO-2024", "FI-2018", "FI-2022"):
        (folder / f"{edition}.yaml").write_text("# name only\n")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(tmp_path))
    monkeypatch.delenv("DATA", raising=False)
    return tmp_path


def test_parameters_name_the_edition_id(active):
    assert editions.check_parameters("DK", 2023, 5, "logit") == "DK-2023"
    assert analysis.country_editions("FI") == ["FI-2018", "FI-2022"]


@pytest.mark.parametrize(
    "country, edition, threshold, method, message",
    [
        ("dk", 2023, 5, "logit", "did you mean 'DK'"),
        ("XX", 2023, 5, "logit", "use one of DK, NO, SE, FI, IS"),
        ("DK", 2019, 5, "logit", "editions of DK: DK-2020, DK-2023"),
        ("DK", "2023", 5, "logit", "editions of DK"),
        ("DK", 2023, 0, "logit", "threshold must be a whole number of at least 1"),
        ("DK", 2023, 5, "wald", "wald"),
    ],
)
def test_unknown_parameters_are_refused_with_what_to_pass(
    active, country, edition, threshold, method, message
):
    with pytest.raises(ValueError, match=message):
        editions.check_parameters(country, edition, threshold, method)


def test_latest_editions_are_each_countrys_newest_in_nordic_order(active):
    assert editions.resolve_editions("latest") == ["DK-2023", "NO-2024", "FI-2022"]
    assert editions.resolve_editions(["FI-2018"]) == ["FI-2018"]
    with pytest.raises(analysis.AnalysisError, match="not active editions: SE-2018"):
        editions.resolve_editions(["SE-2018"])
    with pytest.raises(analysis.AnalysisError, match="list of edition ids"):
        editions.resolve_editions("DK-2023")


def test_a_report_that_reads_an_edition_it_does_not_declare_fails_naming_the_fix(
    active, monkeypatch
):
    """The build sets, for each report's kernel, the editions the plan hashed for it: reading
    another (a trend in a notebook whose reads cell does not say "country") fails instead of
    leaving a report the build would not rebuild when that edition changes."""
    monkeypatch.setenv(READS_ENV, "DK-2023")
    # The declared edition gets past the check (to the data, which this set does not have).
    with pytest.raises(DataSetError, match="run `make data`"):
        analysis.load_edition("DK-2023")
    with pytest.raises(
        analysis.AnalysisError,
        match=r"reads DK-2020, which its notebook does not declare.*declares DK-2023\. "
        r'Add the scope to the notebook.s reads cell: reads = \["edition", "country"\]',
    ):
        analysis.trend("DK")


def test_a_difference_never_reveals_a_group_hidden_by_secondary_suppression():
    """Groups a (1 unit), b (2 units), c (5 units), threshold 2: a is hidden by the threshold, and
    b beside it by secondary suppression (else the whole row and b would give a away). So 'b vs c'
    must be suppressed too: with c's share published, the difference would reveal b."""
    edition = make_edition()
    values = np.array([1, 0, 1, 1, 0, 1, 0, 1], dtype=float)
    groups = pd.Series(["a", "b", "b", "c", "c", "c", "c", "c"])
    table = analysis.group_differences(
        edition, values, groups, [("b", "c"), ("c", "a")], {}, threshold=2
    )
    assert table["suppressed"].tolist() == [True, True]
    assert table["estimate"].isna().all()
    with_larger_b = pd.Series(["a", "b", "b", "b", "c", "c", "c", "c"])
    table = analysis.group_differences(
        edition, values, with_larger_b, [("b", "c")], {}, threshold=1
    )
    assert table["suppressed"].tolist() == [False]


def test_an_edition_is_read_once_and_read_again_when_its_file_changes(
    demo_root, tmp_path, monkeypatch
):
    import os
    import shutil

    root = tmp_path / "project"
    shutil.copytree(demo_root / "data", root / "data")
    (root / "build" / "data").mkdir(parents=True)
    for path in (demo_root / "build" / "data").glob("DK-2023.*"):
        shutil.copy2(path, root / "build" / "data" / path.name)
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(root))
    monkeypatch.setenv("DATA", "demo")
    editions._read_edition.cache_clear()

    first = analysis.load_edition("DK-2023")
    second = analysis.load_edition("DK-2023")
    assert editions._read_edition.cache_info().hits == 1
    # Each call has a frame of its own: a notebook changing one changes no other.
    weights = second.frame["weight"].copy()
    first.frame["weight"] = 0.0
    first.frame.loc[0, "unit_id"] = "changed"
    pd.testing.assert_series_equal(second.frame["weight"], weights)
    assert analysis.load_edition("DK-2023").frame.loc[0, "unit_id"] != "changed"

    # `make data` rewrites the file: the next load reads it.
    parquet = root / "build" / "data" / "DK-2023.parquet"
    halved = second.frame.iloc[: len(second.frame) // 2]
    halved.to_parquet(parquet)
    later = parquet.stat().st_mtime_ns + 10**9
    os.utime(parquet, ns=(later, later))
    assert len(analysis.load_edition("DK-2023").frame) == len(halved)


def test_theme_lists_come_from_indicators_yaml():
    assert analysis.headline_indicators("overview") == ["innovative", "effect_quality", "evaluated"]
    with pytest.raises(KeyError, match="theme 'funding' is not under `themes`.*known: overview"):
        analysis.headline_indicators("funding")
    # A theme of the researcher's own (`make theme`) has no published figures to set beside.
    assert published.theme_indicators("funding") == []
    assert published.theme_indicators("diffusion") == [
        "novelty_reused",
        "evaluated",
        "spread_actively",
    ]


def test_code_labels_name_categories_options_statistics_and_counts():
    from innobarometer.analysis.estimates import code_label, with_labels
    from innobarometer.codebook import load_codebook

    assert code_label("evaluation", "8") == "Don't know"
    assert code_label("partner", "citizens") == load_codebook()["partner"].options["citizens"]
    assert code_label("factor_lack_of_time", "promoted") == "Promoted"
    assert code_label("partner", "options_ticked") == "Number of options ticked"
    assert code_label("innovative", "1") == "Yes"
    assert code_label("sector", "education") == "Education"
    assert code_label("nothing_known", "7") == "7"
    counts = pd.DataFrame(
        {"indicator": "partner_count", "category": ["0", "1", "3"], "group": ["", "state", ""]}
    )
    labelled = with_labels(counts, "gov_level")
    assert labelled["category_label"].tolist() == ["None", "One", "Three or more"]
    assert labelled["group_label"].tolist() == ["All", "State", "All"]


def test_category_labels_can_include_dont_know_and_not_relevant():
    labels = analysis.category_labels("factor_lack_of_time", non_substantive=True)
    assert list(labels)[-2:] == ["8", "9"]
    assert labels["8"] == "Don't know" and labels["9"] == "Not relevant"
    assert "8" not in analysis.category_labels("factor_lack_of_time")
