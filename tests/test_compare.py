"""Comparisons against R's survey package (tests/data/ORIGIN.md) and hand computations."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from innobarometer.survey.compare import (
    COMPARISON_COLUMNS,
    contrast,
    difference_independent,
    group_contrast,
    holm,
    option_difference,
    rao_scott,
    reciprocal_condition,
)


def _matches(row, oracle_row):
    assert row["estimate"] == pytest.approx(oracle_row["estimate"], rel=1e-6)
    assert row["se"] == pytest.approx(oracle_row["se"], rel=1e-6)


def test_group_contrast_between_strata(strat, api_strat, oracle):
    result = group_contrast(strat, api_strat["sch.wide"] == "Yes", api_strat["stype"], "E", "H")
    assert list(result.columns) == COMPARISON_COLUMNS
    _matches(result.iloc[0], oracle.loc["T10-EminusH"])
    # Strata are independent samples: the contrast's se is the independent formula here.
    se_e, se_h = oracle.loc["T10-E", "se"], oracle.loc["T10-H", "se"]
    assert result["se"].iloc[0] == pytest.approx(np.hypot(se_e, se_h), rel=1e-6)


def test_group_contrast_within_clusters(clus1, api_clus1, oracle):
    result = group_contrast(clus1, api_clus1["sch.wide"] == "Yes", api_clus1["stype"], "E", "H")
    _matches(result.iloc[0], oracle.loc["T13-EminusH"])
    row = result.iloc[0]
    # Units of E or H fall in all 15 clusters of the one stratum: df 14.
    assert row["df"] == 14
    quantile = stats.t.ppf(0.975, 14)
    assert row["ci_lower"] == pytest.approx(row["estimate"] - quantile * row["se"], rel=1e-12)
    assert row["p"] == pytest.approx(2 * stats.t.sf(row["estimate"] / row["se"], 14), rel=1e-12)


def test_group_contrast_keeps_units_with_missing_answers_in_the_design(clus1, api_clus1, oracle):
    y = (api_clus1["sch.wide"] == "Yes").astype("Int8")
    y[api_clus1["stype"] == "M"] = pd.NA
    result = group_contrast(clus1, y, api_clus1["stype"], "E", "H")
    _matches(result.iloc[0], oracle.loc["T13-EminusH"])


def test_option_difference_uses_the_covariance(clus1, api_clus1, oracle):
    awards = api_clus1["awards"] == "Yes"
    sch_wide = api_clus1["sch.wide"] == "Yes"
    result = option_difference(clus1, awards, sch_wide)
    _matches(result.iloc[0], oracle.loc["T11"])
    ones = np.ones(clus1.n)
    _, covariance = clus1.ratios(np.c_[awards, sch_wide].astype(float), np.c_[ones, ones])
    naive = np.sqrt(np.trace(covariance))
    assert 1.8 < naive / oracle.loc["T11", "se"] < 2.0


def test_option_difference_in_a_domain_is_the_group_share(clus1, api_clus1):
    elementary = api_clus1["stype"] == "E"
    awards = (api_clus1["awards"] == "Yes").to_numpy()
    sch_wide = (api_clus1["sch.wide"] == "Yes").to_numpy()
    result = option_difference(clus1, awards, sch_wide, domain=elementary)
    w = api_clus1["pw"].to_numpy()[elementary]
    by_hand = (w * (awards[elementary].astype(float) - sch_wide[elementary])).sum() / w.sum()
    assert result["estimate"].iloc[0] == pytest.approx(by_hand, rel=1e-12)


def test_rao_scott_second_order_matches_r(clus1, api_clus1, oracle):
    test = rao_scott(clus1, api_clus1["sch.wide"], api_clus1["stype"])
    assert test.f == pytest.approx(oracle.loc["T1-F", "estimate"], rel=1e-6)
    assert test.ndf == pytest.approx(oracle.loc["T1-ndf", "estimate"], rel=1e-6)
    assert test.ddf == pytest.approx(oracle.loc["T1-ddf", "estimate"], rel=1e-6)
    assert test.p == pytest.approx(oracle.loc["T1-p", "estimate"], rel=1e-6)
    # Pearson's X2 on the weighted table scaled to the number of units.
    table = pd.crosstab(
        api_clus1["sch.wide"], api_clus1["stype"], values=api_clus1["pw"], aggfunc="sum"
    )
    scaled = table.to_numpy() / table.to_numpy().sum() * len(api_clus1)
    expected = stats.chi2_contingency(scaled, correction=False)[0]
    assert test.pearson == pytest.approx(expected, rel=1e-12)


def test_rao_scott_with_an_empty_cell_matches_r(strat, api_strat):
    """One structurally empty cell (no high school with an award) leaves the test defined.
    R 4.1, survey 4.1.1: d$aw <- ifelse(d$stype == "H" & d$awards == "Yes", "No", d$awards);
    svychisq(~aw + stype, svydesign(ids=~1, strata=~stype, fpc=~fpc, weights=~pw, data=d))."""
    awards = api_strat["awards"].where(
        ~((api_strat["stype"] == "H") & (api_strat["awards"] == "Yes")), "No"
    )
    test = rao_scott(strat, awards, api_strat["stype"])
    assert test.reason == ""
    assert test.f == pytest.approx(37.1490892380747, rel=1e-6)
    assert test.ndf == pytest.approx(1.72999308618601, rel=1e-6)
    assert test.ddf == pytest.approx(340.808637978645, rel=1e-6)
    assert test.p == pytest.approx(9.53137820376142e-14, rel=1e-5)


def test_rao_scott_gives_no_statistic_on_a_singular_table(strat, api_strat):
    """A table whose cells are empty off the diagonal: R refuses it (svychisq(~stype + s2) with
    s2 a copy of stype: "system is computationally singular: reciprocal condition number =
    3.01584e-33"), and so does the package, saying why, instead of an F of rounding noise."""
    test = rao_scott(strat, api_strat["stype"], api_strat["stype"].copy())
    assert np.isnan([test.f, test.ndf, test.ddf, test.p]).all()
    assert "singular" in test.reason and "6 of its 9 cells are empty" in test.reason
    assert test.pearson > 0


def test_reciprocal_condition_is_lapacks_estimate():
    assert reciprocal_condition(np.eye(3)) == 1.0
    assert reciprocal_condition(np.diag([1.0, 1e-20])) == pytest.approx(1e-20)
    assert reciprocal_condition(np.ones((2, 2))) == 0.0


def test_rao_scott_needs_two_levels(clus1, api_clus1):
    with pytest.raises(ValueError, match="two levels"):
        rao_scott(clus1, np.repeat("a", clus1.n), api_clus1["stype"])


def test_difference_independent_by_hand():
    result = difference_independent([0.5, 0.5], [0.03, 0.03], [20, np.inf], 0.4, 0.04, 30)
    # v1 = 0.0009, v2 = 0.0016: se = 0.05, df = 0.0025^2 / (0.0009^2 / 20 + 0.0016^2 / 30).
    assert result["estimate"].to_numpy() == pytest.approx([0.1, 0.1])
    assert result["se"].to_numpy() == pytest.approx([0.05, 0.05])
    assert result["df"].iloc[0] == pytest.approx(6.25 / (0.0405 + 0.256 / 3), rel=1e-12)
    assert result["df"].iloc[1] == pytest.approx(6.25 / (0.256 / 3), rel=1e-12)
    quantile = stats.t.ppf(0.975, result["df"].iloc[0])
    assert result["ci_upper"].iloc[0] == pytest.approx(0.1 + quantile * 0.05, rel=1e-12)
    assert result["t"].to_numpy() == pytest.approx([2.0, 2.0])


def test_contrast_matrix_by_hand():
    estimates = np.array([0.2, 0.5, 0.7])
    covariance = np.array([[0.04, 0.01, 0.0], [0.01, 0.09, 0.02], [0.0, 0.02, 0.16]])
    result = contrast(estimates, covariance, [[1, -1, 0], [0, 1, -1]], df=10, names=["a", "b"])
    # var(x1 - x2) = 0.04 + 0.09 - 2 * 0.01; var(x2 - x3) = 0.09 + 0.16 - 2 * 0.02.
    assert result["contrast"].tolist() == ["a", "b"]
    assert result["estimate"].to_numpy() == pytest.approx([-0.3, -0.2])
    assert result["se"].to_numpy() == pytest.approx(np.sqrt([0.11, 0.21]))
    with pytest.raises(ValueError, match="must match the 3 estimates"):
        contrast(estimates, covariance, [1, -1], df=10)


def test_holm_by_hand():
    # Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 -> running max.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    adjusted = holm([np.nan, 0.2, 0.6])
    assert np.isnan(adjusted[0])
    assert adjusted[1:] == pytest.approx([0.4, 0.6])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_codes_other_than_yes_no_are_refused(strat, api_strat):
    y = np.where(api_strat["sch.wide"] == "Yes", 1, 8)
    with pytest.raises(ValueError, match=r"column 'y' must be 1 \(yes\), 0 \(no\) .* has 8 in"):
        group_contrast(strat, y, api_strat["stype"], "E", "H")
    with pytest.raises(ValueError, match="group 'X' has no unit"):
        group_contrast(strat, api_strat["sch.wide"] == "Yes", api_strat["stype"], "E", "X")


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_holm_never_lowers_a_p_value_and_keeps_their_order(p_values):
    adjusted = holm(p_values)
    raw = np.asarray(p_values)
    assert np.all(adjusted >= raw) and np.all(adjusted <= 1)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= 0)
    assert adjusted.min() == pytest.approx(min(1.0, raw.min() * len(raw)))
