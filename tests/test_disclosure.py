"""Suppression and reliability rules on hand-made tables, expected rows worked out by hand."""

import numpy as np
import pandas as pd

from innobarometer.survey.disclosure import apply_disclosure
from innobarometer.survey.estimate import TIDY_COLUMNS


def _table(rows):
    """Tidy rows from (indicator, group, estimate, se, n, ci_method, deff) tuples."""
    frame = pd.DataFrame(
        rows, columns=["indicator", "group", "estimate", "se", "n_unweighted", "ci_method", "deff"]
    )
    return frame.assign(
        category="1",
        domain="all",
        ci_lower=frame["estimate"] - 0.01,
        ci_upper=frame["estimate"] + 0.01,
        suppressed=False,
        flag="",
        suppression="",
        group_label="",
        category_label="",
    )[TIDY_COLUMNS]


def _precise(indicator, group, n):
    """A share row whose effective n (0.25 / 0.01^2 = 2500) is far above every flag limit."""
    return (indicator, group, 0.5, 0.01, n, "logit", 1.0)


def test_primary_and_secondary_suppression():
    table = _table(
        [
            _precise("x", "", 41),
            _precise("x", "a", 3),  # under 5: primary
            _precise("x", "b", 10),
            _precise("x", "c", 8),  # next-smallest group: secondary
            _precise("x", "d", 20),
        ]
    )
    out = apply_disclosure(table, threshold=5)
    assert out["suppressed"].tolist() == [False, True, False, True, False]
    assert out.loc[[1, 3], ["estimate", "se", "ci_lower", "ci_upper", "deff"]].isna().all().all()
    assert out.loc[[0, 2, 4], "estimate"].tolist() == [0.5, 0.5, 0.5]
    assert out["n_unweighted"].tolist() == [41, 3, 10, 8, 20]  # counts always published
    assert list(out.columns) == TIDY_COLUMNS
    assert out["suppression"].tolist() == ["", "primary", "", "secondary", ""]


def test_each_row_keeps_its_reason_when_applied_again():
    table = _table([_precise("x", "", 41), _precise("x", "a", 3), _precise("x", "b", 10)])
    table = table.assign(**{"group": ["", "a", "b"]})
    once = apply_disclosure(table, threshold=5)
    assert once["suppression"].tolist() == ["", "primary", "secondary"]
    twice = apply_disclosure(once, threshold=5)
    assert twice["suppression"].tolist() == ["", "primary", "secondary"]
    # A row suppressed by its caller without a reason counts as primary.
    given = _table([_precise("x", "", 41)]).assign(suppressed=True)
    assert apply_disclosure(given)["suppression"].tolist() == ["primary"]


def test_threshold_is_a_parameter():
    table = _table([_precise("x", "", 41), _precise("x", "a", 3), _precise("x", "b", 38)])
    assert not apply_disclosure(table, threshold=3)["suppressed"].any()
    # At 4, group a (3 units) goes and b, the only other group, follows it.
    assert apply_disclosure(table, threshold=4)["suppressed"].tolist() == [False, True, True]


def test_no_secondary_when_two_groups_or_no_margin_or_margin_suppressed():
    two_small = _table(
        [_precise("x", "", 30), _precise("x", "a", 3), _precise("x", "b", 4)]
        + [_precise("x", "c", 23)]
    )
    assert apply_disclosure(two_small)["suppressed"].tolist() == [False, True, True, False]
    no_margin = _table([_precise("x", "a", 3), _precise("x", "b", 10), _precise("x", "c", 8)])
    assert apply_disclosure(no_margin)["suppressed"].tolist() == [True, False, False]
    small_margin = _table([_precise("x", "", 4), _precise("x", "a", 3), _precise("x", "b", 1)])
    assert apply_disclosure(small_margin)["suppressed"].tolist() == [True, True, True]


def test_secondary_is_per_indicator_and_ties_break_by_group_label():
    table = _table(
        [
            _precise("x", "", 30),
            _precise("x", "b", 9),
            _precise("x", "a", 9),  # tie with b at 9 units: a comes first
            _precise("x", "c", 2),
            _precise("y", "", 30),
            _precise("y", "a", 15),
            _precise("y", "b", 15),
        ]
    )
    out = apply_disclosure(table)
    assert out["suppressed"].tolist() == [False, False, True, True, False, False, False]


def test_unreliable_flags():
    table = _table(
        [
            # n_eff = 0.25 / 0.1^2 = 25 < 30: unreliable.
            ("small_neff", "", 0.5, 0.1, 200, "logit", 2.0),
            # n_eff = 0.25 / 0.05^2 = 100 and an exact interval on 100 units is about
            # 2 * 1.98 * 0.05 = 0.20 wide: reliable.
            ("fine", "", 0.5, 0.05, 200, "beta", 2.0),
            # n_eff = 0.25 / 0.08^2 = 39 >= 30, but the exact interval on 39 units is wider than
            # the Wald one, 2 * 1.96 * sqrt(0.25 / 39) = 0.314 > 0.30: unreliable by width.
            ("wide", "", 0.5, 0.08, 200, "wilson", 2.0),
            # Means: effective n = n / deff = 50 / 2 = 25 < 30; 100 / 2 = 50 is fine, and the
            # share-interval width rule does not apply to a mean.
            ("mean_small", "", 12.0, 5.0, 50, "t", 2.0),
            ("mean_fine", "", 12.0, 5.0, 100, "t", 2.0),
            # A share of 0 has se 0: its effective n is its 20 units, under 30.
            ("zero", "", 0.0, 0.0, 20, "logit", np.nan),
        ]
    )
    out = apply_disclosure(table)
    assert out["flag"].tolist() == ["unreliable", "", "unreliable", "unreliable", "", "unreliable"]


def test_suppressed_rows_carry_no_flag_and_reapplying_changes_nothing():
    table = _table([("x", "", 0.5, 0.2, 50, "logit", 1.0), ("x", "a", 0.5, 0.2, 2, "logit", 1.0)])
    once = apply_disclosure(table)
    assert once["flag"].tolist() == ["unreliable", ""]
    pd.testing.assert_frame_equal(apply_disclosure(once), once)


def test_suppressed_groups_together_must_reach_the_threshold():
    """Groups a (1) and b (2) are both under 5; beside the published total (33), c (30) would
    reveal a + b, a cell of 3 units: c is suppressed too. With threshold 10, a (1) and b (6) hold
    7 < 10 units together, so the next group is suppressed as well."""
    rows = [_precise("x", "", 33), _precise("x", "a", 1), _precise("x", "b", 2)]
    out = apply_disclosure(_table([*rows, _precise("x", "c", 30)]), threshold=5)
    assert out["suppressed"].tolist() == [False, True, True, True]
    rows = [_precise("x", "", 53), _precise("x", "a", 1), _precise("x", "b", 6)]
    out = apply_disclosure(
        _table([*rows, _precise("x", "c", 20), _precise("x", "d", 26)]), threshold=10
    )
    assert out["suppressed"].tolist() == [False, True, True, True, False]


def test_effective_n_is_capped_at_n_and_a_missing_interval_counts_as_wide():
    # p = 0.05, se = 0.035, n = 20: p(1-p)/se^2 = 38.8 > 30, but capped at n = 20 < 30.
    share = ("x", "", 0.05, 0.035, 20, "logit", 0.6)
    # A mean with deff 0.5 on 20 units: n/deff = 40, capped at 20 < 30.
    mean = ("y", "", 3.0, 0.1, 20, "t", 0.5)
    out = apply_disclosure(_table([share, mean]), threshold=5, df=19)
    assert out["flag"].tolist() == ["unreliable", "unreliable"]
    # A precise share whose domain has df 0 gets no interval: flagged, not waved through.
    out = apply_disclosure(_table([_precise("z", "", 2500)]), threshold=5, df=0)
    assert out["flag"].tolist() == ["unreliable"]
