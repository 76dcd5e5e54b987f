"""Survey logistic regression against R's svyglm (tests/data/ORIGIN.md) and hand computations."""

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from innobarometer.survey.calibrate import post_stratify
from innobarometer.survey.regression import (
    REGRESSION_COLUMNS,
    RegressionError,
    model_matrix,
    survey_logistic,
)

TERMS = ["(Intercept)", "ell", "meals", "mobility"]


def _check_against_oracle(result, oracle, prefix):
    expected = oracle.loc[[f"{prefix}-{term}" for term in TERMS]]
    assert result["term"].tolist() == TERMS
    assert result["coef"].to_numpy() == pytest.approx(expected["estimate"].to_numpy(), rel=1e-6)
    assert result["se"].to_numpy() == pytest.approx(expected["se"].to_numpy(), rel=1e-5)


def test_stratified_logistic_matches_r(strat, api_strat, oracle):
    X = model_matrix(api_strat, ["ell", "meals", "mobility"])
    result = survey_logistic(strat, X, api_strat["sch.wide"] == "Yes")
    assert list(result.columns) == REGRESSION_COLUMNS
    _check_against_oracle(result, oracle, "G-dstrat")
    # Residual df: 200 units - 3 strata - 4 terms + 1.
    assert (result["df"] == 194).all() and (result["n"] == 200).all()
    row = result.iloc[3]
    quantile = stats.t.ppf(0.975, 194)
    assert row["ci_upper"] == pytest.approx(row["coef"] + quantile * row["se"], rel=1e-12)
    assert row["or_lower"] == pytest.approx(np.exp(row["coef"] - quantile * row["se"]), rel=1e-12)
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(row["coef"] / row["se"]), 194), rel=1e-12)


def test_cluster_logistic_matches_r(clus1, api_clus1, oracle):
    X = model_matrix(api_clus1, ["ell", "meals", "mobility"])
    result = survey_logistic(clus1, X, api_clus1["sch.wide"] == "Yes")
    _check_against_oracle(result, oracle, "G-dclus1")
    assert (result["df"] == 15 - 1 - 4 + 1).all()


def test_intercept_only_model_is_the_logit_of_the_share(strat, api_strat, oracle):
    """Intercept-only: coef = logit(p) and se = se(p) / (p (1 - p)) exactly (R's P2 row)."""
    X = model_matrix(api_strat, [])
    result = survey_logistic(strat, X, api_strat["sch.wide"] == "Yes")
    p, se = oracle.loc["P2-logit", "estimate"], oracle.loc["P2-logit", "se"]
    assert result["coef"].iloc[0] == pytest.approx(special.logit(p), rel=1e-7)
    assert result["se"].iloc[0] == pytest.approx(se / (p * (1 - p)), rel=1e-7)
    assert result["df"].iloc[0] == 197


def test_domain_and_missing_outcome_keep_the_design(strat, api_strat, oracle):
    """A domain (stype E, R's T10-E) and the same units picked by missing y give one answer."""
    X = model_matrix(api_strat, [])
    y = (api_strat["sch.wide"] == "Yes").astype("Int8")
    elementary = api_strat["stype"] == "E"
    in_domain = survey_logistic(strat, X, y, domain=elementary)
    p, se = oracle.loc["T10-E", "estimate"], oracle.loc["T10-E", "se"]
    assert in_domain["coef"].iloc[0] == pytest.approx(special.logit(p), rel=1e-9)
    assert in_domain["se"].iloc[0] == pytest.approx(se / (p * (1 - p)), rel=1e-7)
    # 100 elementary schools in one stratum: domain df 99, minus 1 term plus 1.
    assert in_domain["df"].iloc[0] == 99 and in_domain["n"].iloc[0] == 100
    y_missing = y.where(elementary)
    by_missing = survey_logistic(strat, X, y_missing)
    pd.testing.assert_frame_equal(by_missing, in_domain)


def test_model_matrix_dummies_by_hand():
    frame = pd.DataFrame(
        {
            "gov_level": pd.Categorical(
                ["state", "regional", None, "municipal"],
                categories=["state", "regional", "municipal"],
            ),
            "size": pd.array([1, 2, 3, None], dtype="Int8"),
            "share": [0.1, 0.5, np.nan, 0.9],
        }
    )
    X = model_matrix(
        frame, ["gov_level", "size", "share"], reference={"size": 2}, categorical=["size"]
    )
    assert X.columns.tolist() == [
        "(Intercept)",
        "gov_level[regional]",
        "gov_level[municipal]",
        "size[1]",
        "size[3]",
        "share",
    ]
    expected = np.array(
        [
            [1, 0, 0, 1, 0, 0.1],
            [1, 1, 0, 0, 0, 0.5],
            [1, np.nan, np.nan, 0, 1, np.nan],
            [1, 0, 1, np.nan, np.nan, 0.9],
        ]
    )
    np.testing.assert_array_equal(X.to_numpy(dtype=float), expected)


def test_model_matrix_refuses_constant_empty_and_unknown_columns():
    frame = pd.DataFrame({"a": ["x", "x", None], "b": [np.nan] * 3, "c": [2.0, 2.0, 2.0]})
    with pytest.raises(RegressionError, match="'a' is constant .*'x'.*drop it"):
        model_matrix(frame, ["a"])
    with pytest.raises(RegressionError, match="'b' is empty"):
        model_matrix(frame, ["b"])
    with pytest.raises(RegressionError, match="'c' is constant .*2"):
        model_matrix(frame, ["c"])
    with pytest.raises(RegressionError, match="no column 'd'"):
        model_matrix(frame, ["d"])
    frame["a"] = ["x", "y", None]
    with pytest.raises(RegressionError, match="reference level 'z' .*\\['x', 'y'\\]"):
        model_matrix(frame, ["a"], reference={"a": "z"})


def test_refuses_bad_outcome_collinear_terms_and_separation(strat, api_strat):
    X = model_matrix(api_strat, ["ell"])
    y = np.where(api_strat["sch.wide"] == "Yes", 1, 8)
    with pytest.raises(RegressionError, match=r"column 'y' must be 1 \(yes\), 0 \(no\) .* has 8"):
        survey_logistic(strat, X, y)
    separated = (api_strat["ell"] > 20).astype(float)
    with pytest.raises(RegressionError, match="did not converge.*'ell'.*separated"):
        survey_logistic(strat, model_matrix(api_strat, ["ell"]), separated)


SINGULAR = "the design matrix is singular in the domain: "
FIX = r"\. Drop a constant term; of collinear terms drop one, or merge them into one variable"


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"c": 3.0}, r"'c' is constant \(every unit has 3\)"),
        ({"c": 0.0}, r"'c' is constant \(every unit has 0\)"),
        ({"ell_twice": "2 ell"}, "'ell_twice' is collinear with 'ell'"),
        ({"both": "ell + meals"}, "'both' is collinear with 'ell' and 'meals'"),
        # Off ell by 1e-9 (relative 3e-11): full rank to numpy's default tolerance, so this
        # used to reach Newton-Raphson and fail as "did not converge ... separated by 'ell'".
        ({"c": "ell + 1e-9"}, "'c' is collinear with 'ell'"),
        # Every level of a category beside the intercept.
        ({"a": "E", "b": "not E"}, r"'b' is collinear with '\(Intercept\)' and 'a'"),
    ],
)
def test_singular_design_matrix_names_the_terms(strat, api_strat, extra, message):
    X = model_matrix(api_strat, ["ell", "meals"])
    alternating = (-1.0) ** np.arange(len(X))
    columns = {
        "2 ell": 2 * X["ell"],
        "ell + meals": X["ell"] + X["meals"],
        "ell + 1e-9": X["ell"] + 1e-9 * alternating,
        "E": (api_strat["stype"] == "E").astype(float),
        "not E": (api_strat["stype"] != "E").astype(float),
    }
    X = X.assign(**{name: columns.get(how, how) for name, how in extra.items()})
    with pytest.raises(RegressionError, match=SINGULAR + message + FIX):
        survey_logistic(strat, X, api_strat["sch.wide"] == "Yes")


def test_singular_in_the_domain_only(strat, api_strat):
    """Dummies of stype are all 0 among elementary schools: constant in that domain."""
    X = model_matrix(api_strat, ["ell", "stype"])
    message = r"'stype\[H\]' is constant \(every unit has 0\); 'stype\[M\]' is constant"
    with pytest.raises(RegressionError, match=SINGULAR + message):
        survey_logistic(strat, X, api_strat["sch.wide"] == "Yes", domain=api_strat["stype"] == "E")


def test_not_converged_says_why(strat, api_strat):
    y = api_strat["sch.wide"] == "Yes"
    X = model_matrix(api_strat, ["ell", "meals"])
    # Off ell by 1e-5 (relative 3e-7): not singular, but too near it for the steps to settle.
    X["c"] = X["ell"] + 1e-5 * (-1.0) ** np.arange(len(X))
    near = "did not converge in 3 iterations: the design matrix is nearly singular in the domain: "
    with pytest.raises(RegressionError, match=near + "'c' is collinear with 'ell'" + FIX):
        survey_logistic(strat, X, y, max_iter=3)
    with pytest.raises(RegressionError, match=r"in 2 iterations \(largest .*'ell'.*\): raise max_"):
        survey_logistic(strat, X.drop(columns="c"), y, max_iter=2)


def test_logistic_on_a_calibrated_design(clus1, api_clus1):
    """The sandwich goes through the calibrated design's covariance unchanged.

    Expected values from R 4.1 survey (not in the vendored oracle): svyglm(sch.wide ~ ell + meals
    + mobility, design=postStratify(dclus1, ~stype, data.frame(stype=c("E","H","M"),
    Freq=c(4421,755,1018))), family=quasibinomial, control=glm.control(epsilon=1e-14)).
    """
    calibrated = post_stratify(clus1, api_clus1["stype"], {"E": 4421, "H": 755, "M": 1018})
    X = model_matrix(api_clus1, ["ell", "meals", "mobility"])
    result = survey_logistic(calibrated, X, api_clus1["sch.wide"] == "Yes")
    coef = [1.5093212104089577, 0.0431857061346419, -0.0214159469931741, 0.0191439628968664]
    se = [0.6873400063846983, 0.0154408469948402, 0.0109775531567353, 0.0256558191711144]
    assert result["coef"].to_numpy() == pytest.approx(coef, rel=1e-6)
    assert result["se"].to_numpy() == pytest.approx(se, rel=1e-5)
