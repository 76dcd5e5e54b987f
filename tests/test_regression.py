"""Survey GLMs against R's svyglm (tests/data/ORIGIN.md) and hand computations."""

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from innobarometer.survey.calibrate import post_stratify
from innobarometer.survey.regression import (
    REGRESSION_COLUMNS,
    RegressionError,
    formula_variables,
    svyglm,
)
from tests.conftest import DATA

TERMS = ["Intercept", "ell", "meals", "mobility"]
# R's model -> (formula here, family, sample, domain stype)
MODELS = {
    "L-dstrat": ("api00 ~ ell + meals + mobility", "gaussian", "strat", None),
    "L-dclus1": ("api00 ~ ell + meals + mobility", "gaussian", "clus1", None),
    "L-dstrat-E": ("api00 ~ ell + meals + mobility", "gaussian", "strat", "E"),
    "L-dstrat-factor": ("api00 ~ stype + meals", "gaussian", "strat", None),
    "Q-dstrat": ("enroll ~ ell + meals + mobility", "poisson", "strat", None),
    "Q-dclus1": ("enroll ~ ell + meals + mobility", "poisson", "clus1", None),
    "B-dstrat-E": ("I(Q('sch.wide') == 'Yes') ~ ell + meals", "binomial", "strat", "E"),
}


@pytest.fixture(scope="module")
def models_oracle() -> pd.DataFrame:
    return pd.read_csv(DATA / "r_survey_models.csv")


def _r_term(term: str) -> str:
    """patsy's term name as R's: Intercept -> (Intercept), stype[T.H] -> stypeH."""
    return "(Intercept)" if term == "Intercept" else term.replace("[T.", "").rstrip("]")


@pytest.mark.parametrize("model", list(MODELS))
def test_every_model_of_the_r_oracle(model, models_oracle, request):
    """Gaussian, quasipoisson, quasibinomial; stratified, cluster, domain, factor: every row."""
    formula, family, sample, stype = MODELS[model]
    data = request.getfixturevalue(f"api_{sample}")
    design = request.getfixturevalue(sample)
    domain = None if stype is None else data["stype"] == stype
    result = svyglm(formula, data, design, family=family, domain=domain).table
    expected = models_oracle[models_oracle["id"].str.fullmatch(f"{model}-[^-]+")]
    assert len(expected) == len(result) > 0
    assert [_r_term(t) for t in result["term"]] == expected["term"].tolist()
    assert result["coef"].to_numpy() == pytest.approx(expected["estimate"].to_numpy(), rel=1e-6)
    for ours, r in [("se", "se"), ("t", "t"), ("p", "p"), ("ci_lower", "lower")]:
        assert result[ours].to_numpy() == pytest.approx(expected[r].to_numpy(), rel=1e-5), ours
    assert result["ci_upper"].to_numpy() == pytest.approx(expected["upper"].to_numpy(), rel=1e-5)
    assert (result["df"].to_numpy() == expected["df"].to_numpy()).all()


def test_factor_reference_level_is_named_not_given_a_row(strat, api_strat):
    result = svyglm("api00 ~ stype + meals", api_strat, strat, family="gaussian").table
    assert list(result.columns) == REGRESSION_COLUMNS
    assert result["reference"].tolist() == ["", "E", "E", ""]
    # Gaussian coefficients are differences, not ratios: no exp columns.
    assert result[["exp_coef", "exp_lower", "exp_upper"]].isna().all().all()
    reordered = api_strat.assign(stype=pd.Categorical(api_strat["stype"], ["M", "E", "H"]))
    other = svyglm("api00 ~ stype + meals", reordered, strat, family="gaussian").table
    assert other["term"].tolist() == ["Intercept", "stype[T.E]", "stype[T.H]", "meals"]
    assert (other["reference"].iloc[1:3] == "M").all()


def _logistic(design, data, terms="ell + meals + mobility", **options):
    data = data.assign(y=(data["sch.wide"] == "Yes").astype(float))
    return svyglm(f"y ~ {terms}", data, design, family="binomial", **options)


@pytest.mark.parametrize(
    "sample, prefix, df", [("strat", "G-dstrat", 194), ("clus1", "G-dclus1", 11)]
)
def test_logistic_rows_of_the_first_oracle(sample, prefix, df, oracle, request):
    """Every logistic row of r_survey_reference.csv, with the t intervals built on df."""
    data = request.getfixturevalue(f"api_{sample}")
    result = _logistic(request.getfixturevalue(sample), data).table
    expected = oracle.loc[[f"{prefix}-{_r_term(term)}" for term in TERMS]]
    assert result["term"].tolist() == TERMS
    assert result["coef"].to_numpy() == pytest.approx(expected["estimate"].to_numpy(), rel=1e-6)
    assert result["se"].to_numpy() == pytest.approx(expected["se"].to_numpy(), rel=1e-5)
    assert (result["df"] == df).all() and (result["n"] == len(data)).all()
    row = result.iloc[3]
    quantile = stats.t.ppf(0.975, df)
    assert row["ci_upper"] == pytest.approx(row["coef"] + quantile * row["se"], rel=1e-12)
    assert row["exp_lower"] == pytest.approx(np.exp(row["coef"] - quantile * row["se"]), rel=1e-12)
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(row["coef"] / row["se"]), df), rel=1e-12)


def test_intercept_only_model_is_the_logit_of_the_share(strat, api_strat, oracle):
    """Intercept-only: coef = logit(p) and se = se(p) / (p (1 - p)) exactly (R's P2 row)."""
    result = _logistic(strat, api_strat, "1").table
    p, se = oracle.loc["P2-logit", "estimate"], oracle.loc["P2-logit", "se"]
    assert result["coef"].iloc[0] == pytest.approx(special.logit(p), rel=1e-7)
    assert result["se"].iloc[0] == pytest.approx(se / (p * (1 - p)), rel=1e-7)
    assert result["df"].iloc[0] == 197


def test_domain_and_missing_outcome_keep_the_design(strat, api_strat, oracle):
    """A domain (stype E, R's T10-E) and the same units picked by missing y give one answer."""
    elementary = api_strat["stype"] == "E"
    in_domain = _logistic(strat, api_strat, "1", domain=elementary).table
    p, se = oracle.loc["T10-E", "estimate"], oracle.loc["T10-E", "se"]
    assert in_domain["coef"].iloc[0] == pytest.approx(special.logit(p), rel=1e-9)
    assert in_domain["se"].iloc[0] == pytest.approx(se / (p * (1 - p)), rel=1e-7)
    # 100 elementary schools in one stratum: domain df 99, minus 1 term plus 1.
    assert in_domain["df"].iloc[0] == 99 and in_domain["n"].iloc[0] == 100
    y_missing = (api_strat["sch.wide"] == "Yes").astype(float).where(elementary)
    by_missing = svyglm("y ~ 1", api_strat.assign(y=y_missing), strat, family="binomial").table
    pd.testing.assert_frame_equal(by_missing, in_domain)


def test_levels_with_no_units_in_the_domain_are_dropped(strat, api_strat):
    """stype has only E among elementary schools: its dummies go, as R's glm aliases them."""
    elementary = api_strat["stype"] == "E"
    with_factor = _logistic(strat, api_strat, "ell + stype", domain=elementary).table
    without = _logistic(strat, api_strat, "ell", domain=elementary).table
    pd.testing.assert_frame_equal(with_factor, without)


def test_design_from_the_frame_columns_and_summary(strat, api_strat):
    columns = {"weight": "pw", "strata": "stype", "population": "fpc"}
    by_columns = svyglm("api00 ~ meals", api_strat, columns, family="gaussian")
    by_design = svyglm("api00 ~ meals", api_strat, strat, family="gaussian")
    pd.testing.assert_frame_equal(by_columns.table, by_design.table)
    text = _logistic(strat, api_strat, "stype", domain_name="all schools").summary()
    assert "Family: quasibinomial (logit link)" in text
    assert "Design: 3 strata, each unit its own PSU, finite population correction" in text
    assert "domain: all schools" in text and "stype: reference level E" in text
    assert "Residual design df: 195" in text


def test_formula_variables_and_formula_errors(strat, api_strat):
    assert formula_variables("y ~ C(gov_level) + np.log(size) + I(a * 2)") == [
        "y",
        "gov_level",
        "size",
        "a",
    ]
    with pytest.raises(RegressionError, match=r"cannot read the formula 'y ~ ell \+': expected"):
        formula_variables("y ~ ell +")
    with pytest.raises(RegressionError, match="names 'elll', not a column of the data"):
        svyglm("api00 ~ elll", api_strat, strat, family="gaussian")
    with pytest.raises(RegressionError, match="unknown family 'logit': use one of binomial"):
        svyglm("api00 ~ ell", api_strat, strat, family="logit")
    with pytest.raises(RegressionError, match="no '~'"):
        svyglm("api00", api_strat, strat, family="gaussian")
    with pytest.raises(RegressionError, match="negative values"):
        svyglm("I(-enroll) ~ ell", api_strat, strat, family="poisson")


def test_refuses_bad_outcome_and_separation(strat, api_strat):
    bad = api_strat.assign(y=np.where(api_strat["sch.wide"] == "Yes", 1, 8))
    with pytest.raises(RegressionError, match=r"column 'y' must be 1 \(yes\), 0 \(no\) .* has 8"):
        svyglm("y ~ ell", bad, strat)
    separated = api_strat.assign(y=(api_strat["ell"] > 20).astype(float))
    with pytest.raises(RegressionError, match="did not converge.*'ell'.*separated"):
        svyglm("y ~ ell", separated, strat)
    constant = api_strat.assign(y=1.0)
    with pytest.raises(RegressionError, match="y is 1 for every unit in the domain"):
        svyglm("y ~ ell", constant, strat)


SINGULAR = "the design matrix is singular in the domain: "
FIX = r"\. Drop a constant term; of collinear terms drop one, or merge them into one variable"


@pytest.mark.parametrize(
    "extra, message",
    [
        ("three", r"'three' is constant \(every unit has 3\)"),
        ("zero", r"'zero' is constant \(every unit has 0\)"),
        ("I(2 * ell)", r"'I\(2 \* ell\)' is collinear with 'ell'"),
        ("I(ell + meals)", r"'I\(ell \+ meals\)' is collinear with 'ell' and 'meals'"),
        # Off ell by 1e-9 (relative 3e-11): full rank to numpy's default tolerance, yet singular
        # to R's: named, not left to the iterations to fail as "separated by 'ell'".
        ("near", "'near' is collinear with 'ell'"),
        # Both halves of a split beside the intercept.
        ("E + other", r"'other' is collinear with 'Intercept' and 'E'"),
    ],
)
def test_singular_design_matrix_names_the_terms(strat, api_strat, extra, message):
    alternating = (-1.0) ** np.arange(len(api_strat))
    data = api_strat.assign(
        three=3.0,
        zero=0.0,
        near=api_strat["ell"] + 1e-9 * alternating,
        E=(api_strat["stype"] == "E").astype(float),
        other=(api_strat["stype"] != "E").astype(float),
    )
    with pytest.raises(RegressionError, match=SINGULAR + message + FIX):
        _logistic(strat, data, f"ell + meals + {extra}")


def test_not_converged_says_why(strat, api_strat):
    # Off ell by 1e-5 (relative 3e-7): not singular, but too near it for the steps to settle.
    data = api_strat.assign(near=api_strat["ell"] + 1e-5 * (-1.0) ** np.arange(len(api_strat)))
    near = "did not converge in 3 iterations: the design matrix is nearly singular in the domain: "
    with pytest.raises(RegressionError, match=near + "'near' is collinear with 'ell'" + FIX):
        _logistic(strat, data, "ell + meals + near", max_iter=3)
    with pytest.raises(RegressionError, match=r"in 2 iterations \(largest .*'ell'.*\): raise max_"):
        _logistic(strat, data, "ell + meals", max_iter=2)


def test_logistic_on_a_calibrated_design(clus1, api_clus1):
    """The sandwich goes through the calibrated design's covariance unchanged.

    Expected values from R 4.1 survey (not in the vendored oracle): svyglm(sch.wide ~ ell + meals
    + mobility, design=postStratify(dclus1, ~stype, data.frame(stype=c("E","H","M"),
    Freq=c(4421,755,1018))), family=quasibinomial, control=glm.control(epsilon=1e-14)).
    """
    calibrated = post_stratify(clus1, api_clus1["stype"], {"E": 4421, "H": 755, "M": 1018})
    result = _logistic(calibrated, api_clus1)
    coef = [1.5093212104089577, 0.0431857061346419, -0.0214159469931741, 0.0191439628968664]
    se = [0.6873400063846983, 0.0154408469948402, 0.0109775531567353, 0.0256558191711144]
    assert result.table["coef"].to_numpy() == pytest.approx(coef, rel=1e-6)
    assert result.table["se"].to_numpy() == pytest.approx(se, rel=1e-5)
    assert "calibrated weights" in result.summary()


# ----------------------------------------------------------------------------- an edition's models

INNOVATIVE = "innovative ~ C(gov_level) + C(size_class)"


@pytest.fixture
def in_demo(demo_root, monkeypatch):
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(demo_root))
    monkeypatch.delenv("DATA", raising=False)
    return demo_root


def test_a_notebook_fit_and_the_model_command_give_the_same_table(in_demo, capsys):
    from innobarometer import analysis
    from innobarometer.__main__ import main

    formula = "effect_quality ~ collaborated_any + C(gov_level) + C(size_class)"
    model = analysis.fit(analysis.load_edition("DK-2023"), formula, domain="innovators")
    assert not model.message
    assert main(["model", "DK-2023", formula, "--domain", "innovators"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    expected = model.coefficients.astype({"reference": object})
    pd.testing.assert_frame_equal(printed, expected, check_exact=True, check_dtype=False)


def test_fit_labels_levels_in_codebook_order_with_the_reference_named(in_demo):
    from innobarometer import analysis

    edition = analysis.load_edition("DK-2023")
    model = analysis.fit(edition, INNOVATIVE)
    table = model.coefficients.set_index("term")
    assert list(table.index) == [
        "Intercept",
        "C(gov_level)[T.regional]",
        "C(gov_level)[T.municipal]",
        "C(size_class)[T.10-49]",
        "C(size_class)[T.50-99]",
        "C(size_class)[T.100+]",
    ]
    assert table.loc["C(gov_level)[T.municipal]", "label"] == "Government level: Municipal"
    assert table.loc["C(gov_level)[T.municipal]", "reference"] == "State"
    assert table.loc["C(size_class)[T.100+]", "reference"] == "1-9 employees"
    # The report's view: odds ratios of the terms, without the intercept.
    assert model.table["odds_ratio"].tolist() == table["exp_coef"].iloc[1:].tolist()
    assert "Design: " in model.summary() and "domain: all" in model.summary()
    # Don't know (8) is outside the model, as in every estimate: the same fit as without it.
    formula = "effect_quality ~ C(gov_level)"
    frame = edition.frame.copy()
    codes = frame["effect_quality"].astype("Float64")
    frame["effect_quality"] = codes.where(frame.index % 7 != 0, 8).astype("Int8")
    innovators = {"domain": "innovators"}
    coded = analysis.fit(dataclasses.replace(edition, frame=frame), formula, **innovators)
    dropped = frame.assign(effect_quality=codes.where(frame.index % 7 != 0).astype("Int8"))
    missing = analysis.fit(dataclasses.replace(edition, frame=dropped), formula, **innovators)
    assert not coded.message
    pd.testing.assert_frame_equal(coded.coefficients, missing.coefficients)
    assert coded.n < analysis.fit(edition, formula, domain="innovators").n


@pytest.mark.parametrize(
    "args, message",
    [
        (["DK-2023", "innovativ ~ C(gov_level)"], "did you mean 'innovative'"),
        (["DK-2023", "innovative ~ C(gov_level) +"], "cannot read the formula"),
        (["DK-2023", "innovative ~ C(gov_level)", "--family", "logit"], "unknown family"),
        (["DK-2023", "innovative ~ partner"], "name one of its columns"),
        (["DK-2023", "innovative ~ C(gov_level) + I(gov_level == 'state')"], "singular"),
        (["DK-2023", "innovative ~ 1", "--domain", "innovator"], "did you mean 'innovators'"),
    ],
)
def test_the_model_command_explains_what_it_cannot_fit(in_demo, capsys, args, message):
    from innobarometer.__main__ import main

    assert main(["model", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    assert "Traceback" not in captured.err
