"""Post-stratification and raking against R's survey package (tests/data/ORIGIN.md)."""

import numpy as np
import pytest

from innobarometer.survey.calibrate import CalibratedDesign, CalibrationError, post_stratify, rake

STYPE = {"E": 4421, "H": 755, "M": 1018}
SCH_WIDE = {"No": 1072, "Yes": 5122}


def _mean(design, y):
    estimate, covariance = design.ratios(y, np.ones_like(y))
    return estimate[0], np.sqrt(covariance[0, 0])


def test_post_stratification_matches_r(clus1, api_clus1, oracle):
    calibrated = post_stratify(clus1, api_clus1["stype"], STYPE)
    y = api_clus1["api00"].to_numpy(float)
    mean, se = _mean(calibrated, y)
    assert mean == pytest.approx(oracle.loc["W1", "estimate"], rel=1e-9)
    assert se == pytest.approx(oracle.loc["W1", "se"], rel=1e-9)
    # The diagonal-only variance goes through the same calibration residuals.
    _, scores = calibrated.ratio_scores(y, np.ones_like(y))
    assert np.sqrt(calibrated.variance(scores)[0]) == pytest.approx(se, rel=1e-12)
    assert calibrated.degrees_of_freedom == clus1.degrees_of_freedom


def test_raking_matches_r(clus1, api_clus1, oracle):
    calibrated = rake(
        clus1, api_clus1[["stype", "sch.wide"]], {"stype": STYPE, "sch.wide": SCH_WIDE}
    )
    mean, se = _mean(calibrated, api_clus1["api00"].to_numpy(float))
    assert mean == pytest.approx(oracle.loc["W3", "estimate"], rel=1e-9)
    assert se == pytest.approx(oracle.loc["W3", "se"], rel=1e-9)


def test_calibrated_weights_meet_every_margin(clus1, api_clus1):
    calibrated = rake(
        clus1, api_clus1[["stype", "sch.wide"]], {"stype": STYPE, "sch.wide": SCH_WIDE}
    )
    for column, counts in (("stype", STYPE), ("sch.wide", SCH_WIDE)):
        totals = {
            label: calibrated.weights[(api_clus1[column] == label).to_numpy()].sum()
            for label in counts
        }
        assert totals == pytest.approx(counts, rel=1e-10)


def test_calibration_residuals_use_the_design_weights(strat, api_strat):
    """Unequal design weights: the residual regression is weighted by the pre-calibration weights.

    Expected values from R 4.1 survey (not in the vendored oracle, whose calibrations all start
    from equal weights): with d <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc,
    data=apistrat), svymean(~api00, postStratify(d, ~awards, data.frame(awards=c("No","Yes"),
    Freq=c(2500,3694)))) and svymean(~api00, calibrate(d, ~awards+sch.wide,
    c(`(Intercept)`=6194, awardsYes=3694, sch.wideYes=5122), calfun="raking", epsilon=1e-13)).
    R's rake() on the same margins gives SE 9.37794: it backfits unweighted means (10 sweeps in
    svyrecvar), which is not the regression residual once design weights differ within a margin.
    """
    y = api_strat["api00"].to_numpy(float)
    awards = {"No": 2500, "Yes": 3694}
    post = post_stratify(strat, api_strat["awards"], awards)
    assert _mean(post, y) == pytest.approx((660.3858000465397, 9.3897986059429), rel=1e-9)
    raked = rake(
        strat,
        api_strat[["awards", "sch.wide"]],
        {"awards": awards, "sch.wide": SCH_WIDE},
        tol=1e-13,
    )
    assert _mean(raked, y) == pytest.approx((661.85688905916936, 9.36956177833162), rel=1e-9)


def test_sample_category_without_population_count(clus1, api_clus1):
    with pytest.raises(CalibrationError, match=r"'stype'.*\['M'\].*rows .*no population count"):
        post_stratify(clus1, api_clus1["stype"], {"E": 4421, "H": 755})


def test_population_category_without_sampled_units(clus1, api_clus1):
    with pytest.raises(CalibrationError, match=r"\{'X': 10\.0\}.*no sampled unit.*collapse"):
        rake(
            clus1,
            api_clus1[["stype", "sch.wide"]],
            {"stype": {**STYPE, "X": 10}, "sch.wide": SCH_WIDE},
        )


def test_margins_of_different_populations_are_refused(clus1, api_clus1):
    with pytest.raises(CalibrationError, match="stype 6194, sch.wide 6195"):
        rake(
            clus1,
            api_clus1[["stype", "sch.wide"]],
            {"stype": STYPE, "sch.wide": {"No": 1073, "Yes": 5122}},
        )


def test_raking_that_does_not_converge_says_so(clus1, api_clus1):
    with pytest.raises(CalibrationError, match="did not converge in 1 sweeps.*max_iter"):
        rake(
            clus1,
            api_clus1[["stype", "sch.wide"]],
            {"stype": STYPE, "sch.wide": SCH_WIDE},
            max_iter=1,
        )


def test_missing_margin_and_repeated_calibration_are_refused(clus1, api_clus1):
    stype = api_clus1["stype"].copy()
    stype.iloc[[3, 7]] = None
    with pytest.raises(CalibrationError, match="missing for rows 3, 7"):
        post_stratify(clus1, stype, STYPE)
    calibrated = post_stratify(clus1, api_clus1["stype"], STYPE)
    assert isinstance(calibrated, CalibratedDesign)
    with pytest.raises(CalibrationError, match="already calibrated"):
        post_stratify(calibrated, api_clus1["stype"], STYPE)
    with pytest.raises(CalibrationError, match="name the same variables"):
        rake(clus1, api_clus1[["stype"]], {"stype": STYPE, "sch.wide": SCH_WIDE})


def test_raking_on_one_margin_is_post_stratification(clus1, api_clus1):
    raked = rake(clus1, api_clus1[["stype"]], {"stype": STYPE})
    post = post_stratify(clus1, api_clus1["stype"], STYPE)
    np.testing.assert_allclose(raked.weights, post.weights, rtol=1e-12)
    y = api_clus1["api00"].to_numpy(float)
    assert _mean(raked, y) == pytest.approx(_mean(post, y), rel=1e-12)
