"""The Nordic report's claim rule (analysis.nordic.leader): a country leads a category only when
each of its differences with the other countries is positive and significant after Holm."""

from __future__ import annotations

import pandas as pd

from innobarometer.analysis.nordic import leader

COUNTRIES = ["DK", "NO", "SE"]


def tables(p_holm: dict, estimates: dict):
    shares = pd.DataFrame({"category": "3", "group": COUNTRIES})
    pairs = [("DK", "NO"), ("DK", "SE"), ("NO", "SE")]
    differences = pd.DataFrame(
        {
            "category": "3",
            "first": [a for a, _ in pairs],
            "second": [b for _, b in pairs],
            "estimate": [estimates[p] for p in pairs],
            "p_holm": [p_holm[p] for p in pairs],
            "suppressed": False,
        }
    )
    return shares, differences


def test_a_leader_needs_every_difference_positive_and_significant():
    estimates = {("DK", "NO"): -0.10, ("DK", "SE"): 0.02, ("NO", "SE"): 0.12}
    significant = dict.fromkeys(estimates, 0.001)
    assert leader(*tables(significant, estimates), "3") == "NO"
    one_not = significant | {("DK", "NO"): 0.2}
    assert leader(*tables(one_not, estimates), "3") is None
    reversed_sign = estimates | {("NO", "SE"): -0.01}
    assert leader(*tables(significant, reversed_sign), "3") is None


def test_no_leader_when_a_pair_is_suppressed():
    estimates = {("DK", "NO"): -0.10, ("DK", "SE"): 0.02, ("NO", "SE"): 0.12}
    shares, differences = tables(dict.fromkeys(estimates, 0.001), estimates)
    differences.loc[0, "suppressed"] = True
    assert leader(shares, differences, "3") is None
