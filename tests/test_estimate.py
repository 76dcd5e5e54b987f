"""Estimators against R's survey package (oracle rows in tests/data, and R output quoted with the
call that produced it) and against hand computations on tiny data."""

import numpy as np
import pandas as pd
import pytest

from innobarometer.survey.compare import option_difference
from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.estimate import (
    OPTIONS_TICKED,
    TIDY_COLUMNS,
    as_zero_one,
    estimate_distribution,
    estimate_means,
    estimate_multiple_response,
    estimate_ordinal_battery,
    estimate_shares,
    estimate_totals,
)
from innobarometer.survey.intervals import effective_n_cap, share_interval

REL = 1e-6
# The codebook's codes (codebook.yaml), passed explicitly: the core knows no survey codes.
NON_SUBSTANTIVE = (8, 9)
PROMOTED, HINDERED = (1, 2), (4, 5)
SCALE = dict(promoted=PROMOTED, hindered=HINDERED, non_substantive=NON_SUBSTANTIVE)


@pytest.fixture(scope="module")
def dstrat(api_strat):
    return SurveyDesign.from_frame(api_strat, weight="pw", strata="stype", population="fpc")


@pytest.fixture(scope="module")
def dclus1(api_clus1):
    return SurveyDesign.from_frame(
        api_clus1, weight="pw", strata=None, population="fpc", psu="dnum"
    )


def _yes(frame, column, name=None):
    return pd.DataFrame({name or column: (frame[column] == "Yes").astype(float)})


def _row(table, group=""):
    rows = table[table["group"] == group]
    assert len(rows) == 1
    return rows.iloc[0]


def test_tidy_columns_are_the_contract():
    assert (
        TIDY_COLUMNS
        == (
            "indicator category domain group estimate se ci_lower ci_upper ci_method n_unweighted "
            "deff suppressed flag suppression group_label category_label"
        ).split()
    )


def test_stratified_mean_and_its_deff(dstrat, api_strat, oracle):
    table = estimate_means(dstrat, api_strat[["api00"]])
    assert list(table.columns) == TIDY_COLUMNS
    row = _row(table)
    assert row["estimate"] == pytest.approx(oracle.loc["M1", "estimate"], rel=REL)
    assert row["se"] == pytest.approx(oracle.loc["M1", "se"], rel=REL)
    assert row["deff"] == pytest.approx(oracle.loc["M4-deff", "estimate"], rel=REL)
    assert (row["category"], row["domain"], row["ci_method"]) == ("mean", "all", "t")
    assert row["n_unweighted"] == 200


def test_cluster_mean(dclus1, api_clus1, oracle):
    row = _row(estimate_means(dclus1, api_clus1[["api00"]]))
    assert row["estimate"] == pytest.approx(oracle.loc["M5", "estimate"], rel=REL)
    assert row["se"] == pytest.approx(oracle.loc["M5", "se"], rel=REL)
    # R: confint(svymean(~api00, dclus1), df = degf(dclus1))
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(
        (593.676314463326, 694.662483350882), rel=REL
    )


def test_srs_mean(api_srs, oracle):
    design = SurveyDesign.from_frame(api_srs, weight="pw", strata=None, population="fpc")
    row = _row(estimate_means(design, api_srs[["api00"]]))
    assert row["estimate"] == pytest.approx(oracle.loc["M16", "estimate"], rel=REL)
    assert row["se"] == pytest.approx(oracle.loc["M16", "se"], rel=REL)


@pytest.mark.parametrize("frame, row_id", [("api_strat", "M2"), ("api_clus1", "M8")])
def test_totals(request, frame, row_id, oracle, dstrat, dclus1):
    data = request.getfixturevalue(frame)
    design = dstrat if frame == "api_strat" else dclus1
    row = _row(estimate_totals(design, data[["enroll"]]))
    assert row["estimate"] == pytest.approx(oracle.loc[row_id, "estimate"], rel=REL)
    assert row["se"] == pytest.approx(oracle.loc[row_id, "se"], rel=REL)
    assert row["category"] == "total"


def test_total_deff_matches_r(dclus1, api_clus1):
    # R: deff(svytotal(~enroll, dclus1, deff = TRUE))
    row = _row(estimate_totals(dclus1, api_clus1[["enroll"]]))
    assert row["deff"] == pytest.approx(31.3106560943494, rel=REL)


def test_missing_answers_leave_the_base_not_the_design(nhanes, oracle):
    design = SurveyDesign.from_frame(
        nhanes, weight="WTMEC2YR", strata="SDMVSTRA", psu="SDMVPSU", population=None
    )
    row = _row(estimate_shares(design, nhanes[["HI_CHOL"]]))
    assert row["estimate"] == pytest.approx(oracle.loc["M20", "estimate"], rel=REL)
    assert row["se"] == pytest.approx(oracle.loc["M20", "se"], rel=REL)
    assert row["n_unweighted"] == nhanes["HI_CHOL"].notna().sum()
    # R: deff(svymean(~HI_CHOL, dnhanes, na.rm = TRUE, deff = TRUE))
    assert row["deff"] == pytest.approx(2.33679682739023, rel=REL)


@pytest.mark.parametrize(
    "frame, design_name, column, value, row_id",
    [
        ("api_clus1", "dclus1", "ell", 0, "P1"),
        ("api_strat", "dstrat", "sch.wide", "Yes", "P2"),
    ],
)
@pytest.mark.parametrize("method", ["logit", "beta"])
def test_share_intervals_match_r(
    request, frame, design_name, column, value, row_id, method, oracle
):
    data = request.getfixturevalue(frame)
    design = request.getfixturevalue(design_name)
    indicator = pd.DataFrame({"y": (data[column] == value).astype(float)})
    row = _row(estimate_shares(design, indicator, ci_method=method))
    ref = oracle.loc[f"{row_id}-{method}"]
    assert row["estimate"] == pytest.approx(ref["estimate"], rel=REL)
    assert row["se"] == pytest.approx(ref["se"], rel=REL)
    _assert_interval_is_rs(
        row,
        (ref["lower"], ref["upper"]),
        method,
        design.n,
        design.degrees_of_freedom,
        design.weights.sum(),
    )
    assert row["ci_method"] == method


def _assert_interval_is_rs(row, r_interval, method, n, df, population):
    """R's interval, except where Korn-Graubard's effective n exceeds the cap n / (1 - n / N-hat)
    (`population`: N-hat, the base's summed weights): then the package caps it
    (tests/test_intervals.py checks that formula by hand), which widens R's interval."""
    p, se = row["estimate"], row["se"]
    if method == "beta" and p * (1 - p) / se**2 > effective_n_cap(n, population):
        assert row["ci_lower"] < r_interval[0] and row["ci_upper"] > r_interval[1]
        capped = share_interval(p, se, df, n, method="beta", population=population)
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(capped, rel=REL)
    else:
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(r_interval, rel=REL)


def test_groups_in_one_call_stratified(dstrat, api_strat, oracle):
    table = estimate_shares(dstrat, _yes(api_strat, "sch.wide"), groups=api_strat["stype"])
    assert table["group"].tolist() == ["", "E", "H", "M"]
    for group in "EHM":
        row = _row(table, group)
        assert row["estimate"] == pytest.approx(oracle.loc[f"T10-{group}", "estimate"], rel=REL)
        assert row["se"] == pytest.approx(oracle.loc[f"T10-{group}", "se"], rel=REL)
    whole = _row(table)
    assert whole["estimate"] == pytest.approx(oracle.loc["P2-logit", "estimate"], rel=REL)


# R: svyby(~I(sch.wide == "Yes"), ~stype, dclus1, svyciprop, method = m, vartype = c("se", "ci"))
R_T13_INTERVALS = {
    "logit": {
        "E": (0.859206537056401, 0.951986801472120),
        "H": (0.503687967865637, 0.929812572364626),
        "M": (0.412455444697252, 0.865456261651120),
    },
    "beta": {
        "E": (0.859765358737351, 0.955816623310151),
        "H": (0.521760971207249, 0.943907693670807),
        "M": (0.405708991672240, 0.885241289543765),
    },
}
# R: svyby(~I(sch.wide == "Yes"), ~stype, dclus1, svymean, deff = TRUE)
R_T13_DEFF = {"E": 0.849412051533822, "H": 0.665565020516984, "M": 1.362771041083076}


@pytest.mark.parametrize("method", ["logit", "beta"])
def test_groups_within_clusters_use_their_own_df_and_n(dclus1, api_clus1, oracle, method):
    table = estimate_shares(
        dclus1, _yes(api_clus1, "sch.wide"), groups=api_clus1["stype"], ci_method=method
    )
    for group in "EHM":
        row = _row(table, group)
        assert row["estimate"] == pytest.approx(oracle.loc[f"T13-{group}", "estimate"], rel=REL)
        assert row["se"] == pytest.approx(oracle.loc[f"T13-{group}", "se"], rel=REL)
        in_group = (api_clus1["stype"] == group).to_numpy()
        df = dclus1.domain_degrees_of_freedom(in_group)
        population = dclus1.weights[in_group].sum()
        interval = R_T13_INTERVALS[method][group]
        _assert_interval_is_rs(row, interval, method, in_group.sum(), df, population)
        assert row["deff"] == pytest.approx(R_T13_DEFF[group], rel=REL)
    assert _row(table, "H")["n_unweighted"] == (api_clus1["stype"] == "H").sum()


def test_domain_mean_that_is_not_a_stratum(dstrat, api_strat, oracle):
    awarded = api_strat["awards"] == "Yes"
    row = _row(estimate_means(dstrat, api_strat[["api00"]], domain=awarded, domain_name="awarded"))
    assert row["domain"] == "awarded"
    assert row["estimate"] == pytest.approx(oracle.loc["T12-awardsYes", "estimate"], rel=REL)
    assert row["se"] == pytest.approx(oracle.loc["T12-awardsYes", "se"], rel=REL)
    # R: svyby(~api00, ~awards, dstrat, svymean, deff = TRUE); s <- subset(dstrat, awards ==
    # "Yes"); confint(svymean(~api00, s), df = degf(s)), with degf(s) = 110.
    assert row["deff"] == pytest.approx(1.14283550355144, rel=REL)
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(
        (654.925345960466, 701.91946526841), rel=REL
    )


def test_groups_within_a_domain(dstrat, api_strat, oracle):
    # The whole design is one domain here, so each group is T12's; the domain row is M1.
    everyone = np.ones(len(api_strat), bool)
    table = estimate_means(
        dstrat,
        api_strat[["api00"]],
        domain=everyone,
        domain_name="schools",
        groups=api_strat["awards"],
    )
    assert table["group"].tolist() == ["", "No", "Yes"]
    assert _row(table)["estimate"] == pytest.approx(oracle.loc["M1", "estimate"], rel=REL)
    assert _row(table, "No")["se"] == pytest.approx(oracle.loc["T12-awardsNo", "se"], rel=REL)


def test_multiple_response_options(dclus1, api_clus1):
    options = pd.concat([_yes(api_clus1, "awards"), _yes(api_clus1, "sch.wide")], axis=1)
    table = estimate_multiple_response(dclus1, options, "recognition")
    assert table["indicator"].unique().tolist() == ["recognition"]
    assert table["category"].tolist() == ["awards", "sch.wide", OPTIONS_TICKED]
    # The mean count of options ticked is the sum of the option shares (every unit answered all).
    shares = table["estimate"].iloc[:2].sum()
    assert table["estimate"].iloc[2] == pytest.approx(shares, rel=1e-12)
    assert table["ci_method"].tolist() == ["logit", "logit", "t"]


def test_multiple_response_by_hand():
    # Equal weights, one stratum, no fpc: share = count / n; mean ticked over fully answered units.
    options = pd.DataFrame(
        {"a": [1, 1, 0, 1, 0, 1, np.nan], "b": [0, 1, 0, 1, 1, 1, np.nan]}, dtype=float
    )
    design = SurveyDesign(np.ones(7))
    table = estimate_multiple_response(design, options, "q", threshold=0)
    assert table["estimate"].tolist() == pytest.approx([4 / 6, 4 / 6, 8 / 6])
    assert table["n_unweighted"].tolist() == [6, 6, 6]


def test_distribution_by_hand():
    # Codes: 1 x3, 2 x2, 3 x1, don't know x2, not relevant x1, one missing. Equal weights, one
    # stratum, no fpc, every unit its own PSU (n = 10). A base of m units is a domain: scores
    # (y - p) / m inside it and 0 outside, summing to 0, so V = n / (n - 1) * m p (1 - p) / m^2.
    codes = pd.Series([1, 1, 2, 3, 8, 9, pd.NA, 1, 2, 8], dtype="Int8", name="q")
    design = SurveyDesign(np.ones(10))
    table = estimate_distribution(
        design, codes, categories=[1, 2, 3, 4], non_substantive=NON_SUBSTANTIVE, threshold=0
    )
    assert table["category"].tolist() == ["1", "2", "3", "4", "8", "9"]
    assert table["estimate"].tolist() == pytest.approx([3 / 6, 2 / 6, 1 / 6, 0, 2 / 9, 1 / 9])
    assert table["n_unweighted"].tolist() == [6, 6, 6, 6, 9, 9]
    assert table["se"].iloc[0] == pytest.approx(np.sqrt(10 / 9 * 6 * 0.5 * 0.5 / 6**2))
    assert table["se"].iloc[4] == pytest.approx(np.sqrt(10 / 9 * 9 * 2 / 9 * 7 / 9 / 9**2))

    pooled = estimate_distribution(
        design,
        codes,
        categories=[1, 2, 3],
        non_substantive=NON_SUBSTANTIVE,
        separate_non_substantive=False,
        threshold=0,
    )
    assert pooled["estimate"].tolist() == pytest.approx([3 / 9, 2 / 9, 1 / 9, 2 / 9, 1 / 9])


def test_distribution_rejects_unlisted_codes():
    codes = pd.Series([1, 2, 5], name="q")
    with pytest.raises(ValueError, match=r"'q' has codes \[5\]"):
        estimate_distribution(
            SurveyDesign(np.ones(3)), codes, categories=[1, 2], non_substantive=NON_SUBSTANTIVE
        )


def test_ordinal_battery_by_hand_and_net_from_the_covariance(dstrat, api_strat):
    # Tiny: equal weights; answers 1 2 3 4 5 8 1 -> base of 6 substantive answers.
    items = pd.DataFrame({"q": [1, 2, 3, 4, 5, 8, 1]}, dtype="Int8")
    design = SurveyDesign(np.ones(7))
    table = estimate_ordinal_battery(design, items, **SCALE, threshold=0)
    assert table["category"].tolist() == ["promoted", "hindered", "net"]
    assert table["estimate"].tolist() == pytest.approx([3 / 6, 2 / 6, 1 / 6])
    assert table["ci_method"].tolist() == ["logit", "logit", "t"]

    # On a real design, the net balance's se is sqrt(v_p + v_h - 2 c) from the joint covariance:
    # compare.option_difference takes the same difference of two shares over one base.
    codes = pd.cut(api_strat["api00"], [0, 550, 650, 700, 800, 1000], labels=[1, 2, 3, 4, 5])
    items = pd.DataFrame({"api": codes.astype(int)})
    groups = api_strat["stype"]
    table = estimate_ordinal_battery(dstrat, items, **SCALE, groups=groups)
    promoted, hindered = codes.isin([1, 2]), codes.isin([4, 5])
    for group in ["", "E", "H", "M"]:
        domain = None if group == "" else groups == group
        difference = option_difference(dstrat, promoted, hindered, domain=domain).iloc[0]
        net = table[(table["category"] == "net") & (table["group"] == group)].iloc[0]
        assert net["estimate"] == pytest.approx(difference["estimate"], rel=1e-12)
        assert net["se"] == pytest.approx(difference["se"], rel=1e-9)


def test_survey_codes_are_arguments_without_defaults():
    # What a code means (don't know, promoted) is the codebook's to say, not the core's.
    design, items = SurveyDesign(np.ones(2)), pd.DataFrame({"q": [1, 4]})
    with pytest.raises(TypeError, match="non_substantive"):
        estimate_distribution(design, items["q"])
    with pytest.raises(TypeError, match="promoted"):
        estimate_ordinal_battery(design, items, hindered=HINDERED, non_substantive=NON_SUBSTANTIVE)


def test_small_groups_are_suppressed_by_the_estimators(dclus1, api_clus1):
    table = estimate_shares(
        dclus1, _yes(api_clus1, "sch.wide"), groups=api_clus1["stype"], threshold=20
    )
    # H has 14 schools (< 20): suppressed; M (25) is the next-smallest group: suppressed too.
    assert table["suppressed"].tolist() == [False, False, True, True]
    assert table.loc[table["suppressed"], "estimate"].isna().all()


def test_zero_one_values_by_hand():
    values = pd.Series([1, 0, None, True, False], dtype=object)
    np.testing.assert_array_equal(as_zero_one(values), [1, 0, np.nan, 1, 0])
    np.testing.assert_array_equal(as_zero_one(pd.array([0, pd.NA], dtype="Int8")), [0, np.nan])
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": pd.array([pd.NA, 0], dtype="Int8")})
    np.testing.assert_array_equal(as_zero_one(frame), [[1, np.nan], [np.nan, 0]])


def test_zero_one_refuses_other_codes_naming_column_values_and_rows():
    codes = pd.Series([1, 8, 0, 9, 8], index=[10, 11, 12, 13, 14], name="q")
    expected = (
        r"column 'q' must be 1 \(yes\), 0 \(no\) or missing, but has 8, 9 in rows 11, 13, 14: "
    )
    guidance = r"recode yes to 1 and no to 0, and set don't know, not relevant and units outside"
    with pytest.raises(ValueError, match=expected + guidance):
        as_zero_one(codes)
    with pytest.raises(ValueError, match="column 'y' .* has 'yes' in rows 1: "):
        as_zero_one([1, "yes", None])
    many = pd.DataFrame({"fine": np.ones(8), "late": [0, 2, 2, 3, 4, 5, 6, 7]})
    with pytest.raises(ValueError, match="'late' .* has 2, 3, 4, 5, 6 and 1 more in rows 1, 2, "):
        as_zero_one(many)


def test_clear_errors(dstrat, api_strat):
    with pytest.raises(ValueError, match=r"column 'enroll' must be 1 \(yes\), 0 \(no\) or missing"):
        estimate_shares(dstrat, api_strat[["enroll"]])
    with pytest.raises(ValueError, match="logit, beta, wilson"):
        estimate_shares(dstrat, _yes(api_strat, "sch.wide"), ci_method="wald")
    with pytest.raises(ValueError, match="domain_name"):
        estimate_shares(dstrat, _yes(api_strat, "sch.wide"), domain=api_strat["awards"] == "Yes")
    with pytest.raises(ValueError, match="rows for a design of 200 units"):
        estimate_shares(dstrat, _yes(api_strat, "sch.wide").iloc[:10])
