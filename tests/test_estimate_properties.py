"""Properties every design-based share must have, on random small stratified samples."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.estimate import estimate_shares

SETTINGS = settings(max_examples=25, deadline=None)


@st.composite
def samples(draw):
    """A stratified sample (2-3 strata, 2-8 units each) with two 0/1 indicators, some missing."""
    sizes = draw(st.lists(st.integers(2, 8), min_size=2, max_size=3))
    n = sum(sizes)
    strata = np.repeat(np.arange(len(sizes)), sizes)
    weights = np.array(draw(st.lists(st.floats(1, 20), min_size=n, max_size=n)))
    answers = st.sampled_from([0.0, 1.0, np.nan])
    y = np.array(draw(st.lists(st.tuples(answers, answers), min_size=n, max_size=n)))
    groups = np.array(draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n)))
    frame = pd.DataFrame({"y1": y[:, 0], "y2": y[:, 1]})
    return SurveyDesign(weights, strata), frame, groups


def _shares(design, frame, groups, **kwargs):
    return estimate_shares(design, frame, groups=groups, threshold=0, **kwargs)


@SETTINGS
@given(samples(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_results(sample, random):
    design, frame, groups = sample
    order = np.array(random.sample(range(len(frame)), len(frame)))
    shuffled = SurveyDesign(design.weights[order], np.asarray(design.strata)[order])
    before = _shares(design, frame, groups)
    after = _shares(shuffled, frame.iloc[order].reset_index(drop=True), groups[order])
    pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-9, atol=1e-12)


@SETTINGS
@given(samples(), st.floats(0.01, 1000))
def test_scaling_weights_leaves_shares_unchanged(sample, factor):
    design, frame, groups = sample
    scaled = SurveyDesign(design.weights * factor, design.strata)
    before = _shares(design, frame, groups)
    after = _shares(scaled, frame, groups)
    # Without an fpc the SRS reference variance uses 1 - n / N_hat, which moves with the scale:
    # compare every column except deff.
    numbers = ["estimate", "se", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(after[numbers], before[numbers], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(samples())
def test_domain_point_estimate_is_the_share_on_the_domain_rows(sample):
    design, frame, groups = sample
    domain = groups == "a"
    table = estimate_shares(design, frame, domain=domain, domain_name="a", threshold=0)
    inside = frame[domain]
    w = design.weights[domain]
    for column in frame.columns:
        answered = inside[column].notna().to_numpy()
        expected = (
            (w[answered] * inside[column].to_numpy()[answered]).sum() / w[answered].sum()
            if answered.any()
            else np.nan
        )
        got = table.loc[table["indicator"] == column, "estimate"].iloc[0]
        assert got == pytest.approx(expected, rel=1e-12, nan_ok=True)
