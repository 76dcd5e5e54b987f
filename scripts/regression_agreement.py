"""Print how far `svyglm` is from R's svyglm on every model row of the vendored oracle.

    .venv/bin/python scripts/regression_agreement.py

Fits each model of tests/data/r_survey_models.csv (gaussian, quasipoisson, quasibinomial; the
stratified and the cluster API sample, a domain, a factor) and the logistic rows of
r_survey_reference.csv, and prints the largest relative difference of each column and whether
every residual df equals R's. tests/test_regression.py asserts the same at 1e-6 (coefficients)
and 1e-5 (the rest); this shows the margin.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.regression import svyglm

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SCHOOL_WIDE = "I(Q('sch.wide') == 'Yes')"
# R's model id -> (formula, family, sample, domain stype)
MODELS = {
    "L-dstrat": ("api00 ~ ell + meals + mobility", "gaussian", "apistrat", None),
    "L-dclus1": ("api00 ~ ell + meals + mobility", "gaussian", "apiclus1", None),
    "L-dstrat-E": ("api00 ~ ell + meals + mobility", "gaussian", "apistrat", "E"),
    "L-dstrat-factor": ("api00 ~ stype + meals", "gaussian", "apistrat", None),
    "Q-dstrat": ("enroll ~ ell + meals + mobility", "poisson", "apistrat", None),
    "Q-dclus1": ("enroll ~ ell + meals + mobility", "poisson", "apiclus1", None),
    "B-dstrat-E": (f"{SCHOOL_WIDE} ~ ell + meals", "binomial", "apistrat", "E"),
    "G-dstrat": (f"{SCHOOL_WIDE} ~ ell + meals + mobility", "binomial", "apistrat", None),
    "G-dclus1": (f"{SCHOOL_WIDE} ~ ell + meals + mobility", "binomial", "apiclus1", None),
}
DESIGNS = {
    "apistrat": {"weight": "pw", "strata": "stype", "population": "fpc"},
    "apiclus1": {"weight": "pw", "strata": None, "population": "fpc", "psu": "dnum"},
}
COLUMNS = {"coef": "estimate", "se": "se", "t": "t", "p": "p", "ci_lower": "lower"}
COLUMNS["ci_upper"] = "upper"


def main() -> None:
    oracle = pd.concat(
        [pd.read_csv(DATA / "r_survey_models.csv"), pd.read_csv(DATA / "r_survey_reference.csv")]
    )
    worst = dict.fromkeys(COLUMNS, 0.0)
    rows, df_equal = 0, True
    for model, (formula, family, sample, stype) in MODELS.items():
        data = pd.read_csv(DATA / f"{sample}.csv")
        design = SurveyDesign.from_frame(data, **DESIGNS[sample])
        domain = None if stype is None else data["stype"] == stype
        table = svyglm(formula, data, design, family=family, domain=domain).table
        expected = oracle[oracle["id"].str.fullmatch(f"{model}-[^-]+")]
        rows += len(expected)
        for ours, r in COLUMNS.items():
            if r in expected and expected[r].notna().all():
                ratio = table[ours].to_numpy() / expected[r].to_numpy(dtype=float)
                worst[ours] = max(worst[ours], float(np.abs(ratio - 1).max()))
        if expected["df"].notna().all():
            df_equal &= bool((table["df"].to_numpy() == expected["df"].to_numpy()).all())
    print(f"{len(MODELS)} models, {rows} R rows")
    print("max relative difference to R: " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
    print(f"residual df equal to R's in every model row with a df: {df_equal}")


if __name__ == "__main__":
    main()
