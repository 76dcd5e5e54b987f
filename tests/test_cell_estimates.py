"""The estimator at the floor: weighted sums per stratum (per PSU) give what unit scores give."""

import numpy as np
import pytest

from innobarometer.survey.calibrate import post_stratify
from innobarometer.survey.design import SurveyDesign


def _by_scores(design, values, answered, cells, n_cells, ratio):
    """Each cell's unit scores and `SurveyDesign.variance`: the row-level definition."""
    rows = []
    for cell in range(-1, n_cells):
        mask = (cells >= 0) if cell < 0 else (cells == cell)
        base = answered * mask[:, None]
        if ratio:
            estimate, scores = design.ratio_scores(values * mask[:, None], base)
        else:
            scores = design.weights[:, None] * values * base
            estimate = scores.sum(axis=0)
        rows.append((estimate, design.variance(scores), base.sum(axis=0)))
    return [np.array(part) for part in zip(*rows)]


def _sample(seed, clusters, lonely_psu="adjust", offset=0.0):
    rng = np.random.default_rng(seed)
    n = 600
    strata = rng.integers(0, 7, n)
    strata[:1] = 7  # a stratum of one unit (one PSU): the lonely-PSU rule
    psu = rng.integers(0, 12, n) if clusters else None
    population = np.bincount(strata)[strata] * rng.uniform(2, 4, 8)[strata]
    if clusters:
        population = np.full(n, 40.0)[strata] + 100 * strata
    design = SurveyDesign(rng.uniform(1, 30, n), strata, psu, population, lonely_psu)
    answered = rng.random((n, 5)) > 0.2
    values = np.where(rng.random((n, 5)) < 0.4, 1.0, 0.0)
    values[:, 3] = offset + rng.normal(0, 1, n)  # a mean far from zero
    values[:, 4] = 0.0  # nobody says yes
    answered[:, 2] = False  # nobody answered
    cells = rng.integers(-1, 4, n)  # outside the domain, three groups and the ungrouped
    return design, np.where(answered, values, 0.0), answered.astype(float), cells


@pytest.mark.parametrize("clusters", [False, True])
@pytest.mark.parametrize("lonely_psu", ["adjust", "certainty"])
@pytest.mark.parametrize("ratio", [True, False])
def test_cell_sums_give_the_row_level_numbers(clusters, lonely_psu, ratio):
    design, values, answered, cells = _sample(1, clusters, lonely_psu, offset=1e4 * ratio)
    result = design.cell_estimates(values, answered, cells, 4, ratio=ratio)
    estimate, variance, n = _by_scores(design, values, answered, cells, 4, ratio)
    np.testing.assert_allclose(result.estimate, estimate, rtol=1e-12, atol=0)
    assert np.isnan(result.estimate[:, 2]).all() == ratio
    np.testing.assert_allclose(result.variance, variance, rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(result.n, n)
    # Shares of exactly 0 stay exactly 0 (their intervals depend on it).
    assert (result.estimate[:, 4] == 0).all()


def test_a_calibrated_design_takes_the_unit_scores():
    design, values, answered, cells = _sample(2, clusters=False)
    calibrated = post_stratify(design, cells >= 1, {True: 5000.0, False: 3000.0})
    result = calibrated.cell_estimates(values, answered, cells, 4)
    estimate, variance, _ = _by_scores(calibrated, values, answered, cells, 4, True)
    np.testing.assert_allclose(result.estimate, estimate, rtol=1e-12)
    np.testing.assert_allclose(result.variance, variance, rtol=1e-12)
