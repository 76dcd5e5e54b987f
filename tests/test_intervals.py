"""Share intervals against R's svyciprop (oracle rows P1, P2) and hand computations."""

import math

import numpy as np
import pytest
from scipy import stats

from innobarometer.survey.intervals import effective_n_cap, share_interval, t_interval, t_test

# qt(0.975, 20) in R (and in printed t tables: 2.086).
T_975_20 = 2.0859634472658644


@pytest.mark.parametrize("row, df, n", [("P1", 15 - 1, 183), ("P2", 200 - 3, 200)])
@pytest.mark.parametrize("method", ["logit", "beta"])
def test_matches_r_svyciprop(oracle, row, df, n, method):
    ref = oracle.loc[f"{row}-{method}"]
    lower, upper = share_interval(
        ref["estimate"], ref["se"], df, n, method=method, cap_effective_n=False
    )
    assert lower == pytest.approx(ref["lower"], rel=1e-6)
    assert upper == pytest.approx(ref["upper"], rel=1e-6)


def test_korn_graubard_caps_the_effective_n_at_n(oracle):
    """P1 (design effect above 1): the cap changes nothing, so the default is R's interval.
    P2 (n* = 0.828 * 0.172 / 0.02434^2 = 240.4 > n = 200): capped at n, so the interval is
    wider than R's and equals Clopper-Pearson on 200 * (t(199) / t(197))^2 units."""
    p1 = oracle.loc["P1-beta"]
    assert share_interval(p1["estimate"], p1["se"], 14, 183, method="beta") == pytest.approx(
        (p1["lower"], p1["upper"]), rel=1e-6
    )
    p2 = oracle.loc["P2-beta"]
    p = p2["estimate"]
    assert p * (1 - p) / p2["se"] ** 2 == pytest.approx(240.4, abs=0.1)
    lower, upper = share_interval(p, p2["se"], 197, 200, method="beta")
    assert lower < p2["lower"] and upper > p2["upper"]
    n_star = 200 * (stats.t.ppf(0.975, 199) / stats.t.ppf(0.975, 197)) ** 2
    expected = (
        stats.beta.ppf(0.025, n_star * p, n_star * (1 - p) + 1),
        stats.beta.ppf(0.975, n_star * p + 1, n_star * (1 - p)),
    )
    assert (lower, upper) == pytest.approx(expected, rel=1e-9)


def test_korn_graubard_cap_keeps_the_sampling_fraction(oracle):
    """The cap is n / (1 - f), f = n / N-hat. P2: apistrat, 200 of 6,194 schools, so the cap is
    200 * 6194 / 5994 = 206.7 units: it still binds on R's n* = 240.4, less than a cap at n."""
    p2 = oracle.loc["P2-beta"]
    p, se = p2["estimate"], p2["se"]
    lower, upper = share_interval(p, se, 197, 200, method="beta", population=6194)
    n_star = 200 * 6194 / 5994 * (stats.t.ppf(0.975, 199) / stats.t.ppf(0.975, 197)) ** 2
    expected = (
        stats.beta.ppf(0.025, n_star * p, n_star * (1 - p) + 1),
        stats.beta.ppf(0.975, n_star * p + 1, n_star * (1 - p)),
    )
    assert (lower, upper) == pytest.approx(expected, rel=1e-9)
    at_n = share_interval(p, se, 197, 200, method="beta")
    assert at_n[0] < lower < p2["lower"] and p2["upper"] < upper < at_n[1]


def test_korn_graubard_does_not_cap_a_census_base(oracle):
    """A base that is the whole population (N-hat <= n) is not capped: R's interval."""
    p2 = oracle.loc["P2-beta"]
    for population in (200, 150):
        interval = share_interval(p2["estimate"], p2["se"], 197, 200, "beta", population=population)
        assert interval == pytest.approx((p2["lower"], p2["upper"]), rel=1e-6)
    assert effective_n_cap([10, 10, 10], [1e12, 20, 10]).tolist() == pytest.approx(
        [10, 20, math.inf]
    )


def test_wilson_by_hand():
    # p = 0.3, se = 0.05: effective n = 0.3 * 0.7 / 0.05^2 = 84; z = t(20).
    z2 = T_975_20**2
    centre = (0.3 + z2 / (2 * 84)) / (1 + z2 / 84)
    half = T_975_20 / (1 + z2 / 84) * math.sqrt(0.21 / 84 + z2 / (4 * 84**2))
    lower, upper = share_interval(0.3, 0.05, 20, 500, method="wilson")
    assert (lower, upper) == pytest.approx((centre - half, centre + half), rel=1e-12)
    # Worked out: centre 0.30985, half-width 0.10217.
    assert (lower, upper) == pytest.approx((0.20768, 0.41203), abs=1e-5)


def test_vectorised_over_arrays():
    p = np.array([0.3, 0.3])
    lower, upper = share_interval(p, np.array([0.05, 0.05]), 20, 500, method="wilson")
    assert lower.shape == (2,) and lower[0] == lower[1] and upper[0] == upper[1]


@pytest.mark.parametrize("method", ["logit", "beta", "wilson"])
def test_zero_and_one_use_clopper_pearson_on_n(method):
    # With x = 0 of n = 20 the exact upper bound solves (1 - u)^20 = 0.025.
    lower, upper = share_interval(np.array([0.0, 1.0]), 0.0, 10, 20, method=method)
    assert lower[0] == 0.0 and upper[1] == 1.0
    assert upper[0] == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-9)
    assert lower[1] == pytest.approx(0.025 ** (1 / 20), rel=1e-9)


def test_census_share_has_no_width():
    lower, upper = share_interval(0.4, 0.0, 10, 20, method="beta")
    assert lower == upper == 0.4


def test_no_degrees_of_freedom_gives_no_interval():
    lower, upper = share_interval(0.4, 0.1, 0, 20, method="logit")
    assert np.isnan(lower) and np.isnan(upper)


def test_t_interval_matches_r_confint(oracle):
    # R: confint(svymean(~api00, dclus1), df = degf(dclus1)) -> 593.676314463326, 694.662483350882
    lower, upper = t_interval(oracle.loc["M5", "estimate"], oracle.loc["M5", "se"], 14)
    assert (lower, upper) == pytest.approx((593.676314463326, 694.662483350882), rel=1e-9)


def test_t_interval_has_none_without_degrees_of_freedom():
    lower, upper = t_interval([1.0, 1.0], [0.1, 0.1], [0, np.inf])
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    # Infinite df: the normal quantile 1.959963984540054 (R: qnorm(0.975)).
    assert (lower[1], upper[1]) == pytest.approx((1 - 0.1959963984540054, 1.1959963984540054))


def test_t_test_matches_r_pt():
    # R: 2 * pt(-2, 10) -> 0.0733880347707404; 2 * pt(-1.5, Inf) -> 0.133614402537716.
    t, p = t_test([0.2, -0.3], [0.1, 0.2], [10, np.inf])
    assert t == pytest.approx([2.0, -1.5])
    assert p == pytest.approx([0.0733880347707404, 0.133614402537716], rel=1e-12)


def test_rejects_unknown_method_and_level():
    with pytest.raises(ValueError, match="logit, beta, wilson"):
        share_interval(0.5, 0.1, 10, 20, method="wald")
    with pytest.raises(ValueError, match="level"):
        share_interval(0.5, 0.1, 10, 20, level=95)
