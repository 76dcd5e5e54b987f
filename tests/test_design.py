"""The linearised variance primitive against R's survey package (tests/data/ORIGIN.md)."""

import numpy as np
import pandas as pd
import pytest

from innobarometer.survey.design import DesignError, SurveyDesign


def _mean_scores(design, y):
    w = design.weights
    mean = (w * y).sum() / w.sum()
    return mean, w * (y - mean) / w.sum()


def test_stratified_mean_matches_r(api_strat, oracle):
    design = SurveyDesign.from_frame(api_strat, weight="pw", strata="stype", population="fpc")
    mean, z = _mean_scores(design, api_strat["api00"].to_numpy(float))
    assert mean == pytest.approx(oracle.loc["M1", "estimate"], rel=1e-9)
    assert np.sqrt(design.variance(z)[0]) == pytest.approx(oracle.loc["M1", "se"], rel=1e-9)
    assert design.degrees_of_freedom == 200 - 3


def test_cluster_mean_matches_r(api_clus1, oracle):
    design = SurveyDesign.from_frame(
        api_clus1, weight="pw", strata=None, population="fpc", psu="dnum"
    )
    mean, z = _mean_scores(design, api_clus1["api00"].to_numpy(float))
    assert mean == pytest.approx(oracle.loc["M5", "estimate"], rel=1e-9)
    assert np.sqrt(design.variance(z)[0]) == pytest.approx(oracle.loc["M5", "se"], rel=1e-9)
    assert design.degrees_of_freedom == 15 - 1


def test_design_effect_is_against_srs_without_replacement(api_strat, oracle):
    design = SurveyDesign.from_frame(api_strat, weight="pw", strata="stype", population="fpc")
    y = api_strat["api00"].to_numpy(float)
    _, z = _mean_scores(design, y)
    deff = design.variance(z)[0] / design.srs_variance_of_mean(y)
    assert deff == pytest.approx(oracle.loc["M4-deff", "estimate"], rel=1e-7)


def test_single_psu_stratum_rules():
    weights = np.array([1.0, 1.0, 1.0])
    strata = np.array(["a", "a", "b"])
    scores = np.array([1.0, 3.0, 5.0])
    certainty = SurveyDesign(weights, strata, lonely_psu="certainty").variance(scores)[0]
    adjust = SurveyDesign(weights, strata, lonely_psu="adjust").variance(scores)[0]
    # Stratum a: deviations -1, +1, times 2/(2-1) = 4. Stratum b alone: 'certainty' adds nothing;
    # 'adjust' adds its PSU total squared, 5^2 = 25, as R 4.1 does: with options(survey.lonely.psu
    # = "adjust"), vcov(svytotal(~y, svydesign(id=~1, strata=~s, weights=~w, data=d))) is 29 for
    # d = data.frame(y = c(1, 3, 5), w = 1, s = c("a", "a", "b")) (scores w*y with w = 1 here).
    assert certainty == pytest.approx(4.0)
    assert adjust == pytest.approx(29.0)
    with pytest.raises(DesignError, match="single PSU"):
        SurveyDesign(weights, strata, lonely_psu="fail")


def test_rejects_bad_weights_and_overfull_strata():
    with pytest.raises(DesignError, match="positive"):
        SurveyDesign(np.array([1.0, 0.0]))
    with pytest.raises(DesignError, match="more sampled PSUs"):
        SurveyDesign(np.ones(3), np.array([1, 1, 1]), population=np.array([2, 2, 2]))


def test_domain_ratio_keeps_the_full_design(api_strat, oracle):
    """A domain that is not a stratum: R's svyby(~api00, ~awards) (T12), not a subset's SE."""
    design = SurveyDesign.from_frame(api_strat, weight="pw", strata="stype", population="fpc")
    y = api_strat["api00"].to_numpy(float)
    d = np.c_[api_strat["awards"] == "Yes", api_strat["awards"] == "No"].astype(float)
    estimates, covariance = design.ratios(y[:, None] * d, d)
    assert estimates == pytest.approx(
        [oracle.loc["T12-awardsYes", "estimate"], oracle.loc["T12-awardsNo", "estimate"]], rel=1e-9
    )
    assert np.sqrt(np.diag(covariance)) == pytest.approx(
        [oracle.loc["T12-awardsYes", "se"], oracle.loc["T12-awardsNo", "se"]], rel=1e-7
    )


def test_a_population_count_that_varies_within_a_stratum_is_refused():
    """R stops with "fpc varies within strata"; taking one row's count would depend on row order."""
    with pytest.raises(DesignError, match="varies within strata a"):
        SurveyDesign(np.ones(3), np.array(["a", "a", "b"]), population=np.array([10, 11, 5]))


def test_values_per_unit_are_checked_against_the_design():
    design = SurveyDesign(np.ones(3))
    assert design.per_unit(pd.Series([5, 6, 7], index=[9, 8, 7]), "x").index.tolist() == [0, 1, 2]
    assert design.unit_mask([True, None, 1], "domain").tolist() == [True, False, True]
    with pytest.raises(DesignError, match="groups has 2 values for a design of 3 units"):
        design.per_unit(["a", "b"], "groups")
