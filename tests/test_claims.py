"""Every ranking sentence is backed by a test: sentences generated from tables whose significance
is known (hand-made pairs with chosen Holm p-values), each claim checked against the pairs by a
checker written here, and the pairs the analysis computes checked against the tested contrasts
of `survey.compare`.

`check_claims` is the rule of issue 12: a subject is called highest, lowest, most common, least
common, ahead of or higher only when every difference the claim asserts is significant at 5%
after Holm within the family the sentence names, in the claimed direction, and the subject is
neither suppressed nor unreliable; a sentence with none of those words' claims uses none of
them.
"""

from __future__ import annotations

import itertools
import json
import re
from html import unescape

import numpy as np
import pandas as pd
import pytest

from innobarometer import analysis, report
from innobarometer.analysis.differences import PAIR_COLUMNS
from innobarometer.report import export, sentences
from innobarometer.survey.compare import group_contrast, holm, option_difference
from innobarometer.survey.estimate import TIDY_COLUMNS

# The words of a ranking claim; a generated sentence using any of them must carry claims.
CLAIM_WORDS = re.compile(r"\b(highest|lowest|most common|least common|ahead of|higher for)\b")
ABOVE = {"highest", "most common", "higher"}


def tidy(keys, estimates, *, column="group", flags=None, suppressed=None) -> pd.DataFrame:
    """Share rows of one indicator: by group (`column` "group") or items ("category")."""
    flags = flags or [""] * len(keys)
    suppressed = suppressed or [False] * len(keys)
    rows = []
    for key, estimate, flag, hidden in zip(keys, estimates, flags, suppressed):
        rows.append(
            {
                "indicator": "item",
                "category": key if column == "category" else "1",
                "domain": "all",
                "group": key if column == "group" else "",
                "estimate": np.nan if hidden else estimate,
                "se": 0.01,
                "ci_lower": np.nan if hidden else estimate - 0.02,
                "ci_upper": np.nan if hidden else estimate + 0.02,
                "ci_method": "logit",
                "n_unweighted": 3 if hidden else 200,
                "deff": 1.0,
                "suppressed": hidden,
                "flag": flag,
            }
        )
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def pairs_of(keys, estimates, significant, family="the {m} pairs of groups", suppressed=None):
    """Every pair of `keys` with the difference of their estimates and a Holm p-value of 0.001
    for the pairs in `significant` (frozensets of two keys), 0.4 for the others."""
    suppressed = suppressed or [False] * len(keys)
    rows = []
    for i, j in itertools.combinations(range(len(keys)), 2):
        hidden = suppressed[i] or suppressed[j]
        p = 0.001 if frozenset((keys[i], keys[j])) in significant else 0.4
        rows.append(
            {
                "label": f"{keys[i]} vs {keys[j]}",
                "first": keys[i],
                "second": keys[j],
                "estimate": np.nan if hidden else estimates[i] - estimates[j],
                "se": 0.01,
                "ci_lower": np.nan,
                "ci_upper": np.nan,
                "p": np.nan if hidden else p,
                "p_holm": np.nan if hidden else p,
                "n_first": 200,
                "n_second": 200,
                "suppressed": hidden,
                "family": family,
                "flag_first": "",
                "flag_second": "",
            }
        )
    table = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    tested = int(table["p"].notna().sum())
    name = family.replace("{m}", str(tested))
    return table.assign(family=name.replace("the 1 pairs", "the 1 pair"))


def check_claims(sentence: str, table: pd.DataFrame, pairs: pd.DataFrame) -> None:
    """Fail unless every claim of `sentence` is backed by `pairs`, its family is named in the
    sentence, its subject is shown and reliable, and claim words come only with claims."""
    claims = getattr(sentence, "claims", ())
    assert bool(CLAIM_WORDS.search(sentence)) == bool(claims), sentence
    assert "“" not in sentence and "”" not in sentence and "−0.0" not in sentence
    keyed = table.assign(key=np.where(table["group"] != "", table["group"], table["category"]))
    for claim in claims:
        assert claim.family in sentence or "within each group" in sentence, sentence
        subject = keyed[keyed["key"] == claim.subject].iloc[0]
        assert not subject.suppressed and subject.flag != "unreliable", sentence
        shown = keyed[~keyed["suppressed"] & (keyed["key"] != claim.subject)]
        assert set(claim.others) == set(shown["key"]), sentence
        for other in claim.others:
            row = pairs[
                ((pairs["first"] == claim.subject) & (pairs["second"] == other))
                | ((pairs["first"] == other) & (pairs["second"] == claim.subject))
            ].iloc[0]
            assert row.family == claim.family and row.p_holm < 0.05, sentence
            direction = 1 if row["first"] == claim.subject else -1
            assert (direction * row.estimate > 0) == (claim.kind in ABOVE), sentence


def clear_extremes(keys, estimates, significant, flags, suppressed):
    """Whether the largest and the smallest shown estimate differ significantly from every other
    shown one, and are reliable (what the sentences may claim)."""
    shown = [(e, k, f) for k, e, f, s in zip(keys, estimates, flags, suppressed) if not s]
    shown.sort(reverse=True)
    if len(shown) < 2:
        return False, False
    top, bottom = shown[0], shown[-1]

    def beats_all(cell):
        others = [k for _, k, _ in shown if k != cell[1]]
        return cell[2] != "unreliable" and all(
            frozenset((cell[1], o)) in significant for o in others
        )

    return beats_all(top), beats_all(bottom) and len(shown) > 2


@pytest.mark.parametrize("seed", range(60))
def test_generated_sentences_claim_only_what_their_pairs_support(seed):
    """Random tables of 2 to 6 groups or items with known significant pairs, unreliable and
    suppressed cells: every claim is backed (soundness), and a group that differs from every
    other is named (the sentence says what the tests found)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    keys = [f"g{i}" for i in range(k)]
    estimates = list(np.round(rng.uniform(0.05, 0.95, k), 3))
    flags = ["unreliable" if rng.random() < 0.15 else "" for _ in keys]
    suppressed = [bool(rng.random() < 0.1) for _ in keys]
    all_pairs = [frozenset(p) for p in itertools.combinations(keys, 2)]
    significant = {p for p in all_pairs if rng.random() < rng.uniform(0.2, 1.0)}
    names = {key: key.upper() for key in keys}
    top, bottom = clear_extremes(keys, estimates, significant, flags, suppressed)

    groups = tidy(keys, estimates, flags=flags, suppressed=suppressed)
    pairs = pairs_of(keys, estimates, significant, suppressed=suppressed)
    sentence = report.group_sentence(groups, names, "By group", pairs)
    check_claims(sentence, groups, pairs)
    kinds = {c.kind for c in getattr(sentence, "claims", ())}
    assert bool(kinds & {"highest", "higher"}) == top
    assert ("lowest" in kinds) == bottom

    items = tidy(keys, estimates, column="category", flags=flags, suppressed=suppressed)
    pairs = pairs_of(keys, estimates, significant, "the {m} pairs of items", suppressed)
    sentence = report.ranking_sentence(items, items["category"].str.upper(), "item", pairs)
    check_claims(sentence, items, pairs)
    kinds = {c.kind for c in getattr(sentence, "claims", ())}
    assert ("most common" in kinds) == top
    assert ("least common" in kinds) == bottom


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.usefixtures("no_catalogs")
def test_the_claims_are_the_same_in_every_language(seed, monkeypatch):
    """Rendered in English and Norwegian at once, a sentence's claims are those of English
    alone, and each language's words (English templates until nb's catalog has them, nb
    numbers) claim only what the pairs support."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    keys = [f"g{i}" for i in range(k)]
    estimates = list(np.round(rng.uniform(0.05, 0.95, k), 3))
    significant = {frozenset(p) for p in itertools.combinations(keys, 2) if rng.random() < 0.7}
    groups = tidy(keys, estimates)
    pairs = pairs_of(keys, estimates, significant)
    english = report.group_sentence(groups, {}, "By group", pairs)
    monkeypatch.setenv("INNOBAROMETER_LANGUAGES", "en,nb")
    both = report.group_sentence(groups, {}, "By group", pairs)
    assert both == english and both.claims == english.claims and both.tested == english.tested
    norwegian = sentences.Finding(both.in_language("nb"), both.claims)
    check_claims(norwegian, groups, pairs)


def test_groups_that_do_not_differ_are_said_not_to_differ_clearly_with_their_range():
    keys, estimates = ["state", "regional", "municipal"], [0.87, 0.85, 0.82]
    table = tidy(keys, estimates)
    names = {"state": "State", "regional": "Regional", "municipal": "Municipal"}
    pairs = pairs_of(keys, estimates, set(), "the {m} pairs of government levels")
    assert report.group_sentence(table, names, "By government level", pairs) == (
        "By government level, the groups do not differ clearly: the shares range from 82% to "
        "87%, and none of the 3 pairs of government levels differs at the 5% level after Holm's "
        "adjustment."
    )
    # The top differs from the bottom only: still no group is above all the others.
    pairs = pairs_of(keys, estimates, {frozenset(("state", "municipal"))}, "the {m} pairs")
    sentence = report.group_sentence(table, names, "By level", pairs)
    assert "do not differ clearly" in sentence and "1 of the 3 pairs differs" in sentence


def test_a_significant_top_group_is_named_with_its_family():
    keys, estimates = ["state", "regional", "municipal"], [0.87, 0.75, 0.74]
    table = tidy(keys, estimates)
    names = {"state": "State", "regional": "Regional", "municipal": "Municipal"}
    above = {frozenset(("state", "regional")), frozenset(("state", "municipal"))}
    pairs = pairs_of(keys, estimates, above, "the {m} pairs of government levels")
    sentence = report.group_sentence(table, names, "By government level", pairs)
    assert sentence == (
        "By government level, the share is highest for State (87%, 95% CI 85–89%), above every "
        "other group at the 5% level after Holm's adjustment over the 3 pairs of government "
        "levels; the others range from 74% to 75%."
    )
    assert [(c.kind, c.subject, c.others) for c in sentence.claims] == [
        ("highest", "state", ("regional", "municipal"))
    ]
    # The same top, unreliable: never the subject of a claim.
    flagged = tidy(keys, estimates, flags=["unreliable", "", ""])
    assert "highest" not in report.group_sentence(flagged, names, "By level", pairs)


def test_ranking_names_the_most_common_item_ahead_of_every_other_never_a_suppressed_one():
    keys = ["employees", "own_manager", "foundations", "citizens"]
    estimates = [0.612, 0.389, 0.9, 0.104]
    items = tidy(keys, estimates, column="category", suppressed=[False, False, True, False])
    labels = pd.Series(["Employees", "Own manager", "Foundations", "Citizens"])
    every = {frozenset(p) for p in itertools.combinations(keys, 2)}
    pairs = pairs_of(keys, estimates, every, "the {m} pairs of initiators", [0, 0, 1, 0])
    sentence = report.ranking_sentence(items, labels, "initiator", pairs)
    assert sentence == (
        "The most common initiator is Employees (61%, 95% CI 59–63%), ahead of every other "
        "initiator, the nearest being Own manager (39%); the least common is Citizens (10%); "
        "each at the 5% level after Holm's adjustment over the 3 pairs of initiators. Items "
        "with too few answers are not shown."
    )
    check_claims(sentence, items, pairs)
    # Employees and Own manager do not differ: nothing is called most common or ahead.
    pairs = pairs_of(keys, estimates, every - {frozenset(keys[:2])}, "the {m} pairs", [0, 0, 1, 0])
    sentence = report.ranking_sentence(items, labels, "initiator", pairs)
    assert sentence.startswith("The least common initiator is Citizens (10%, 95% CI 8–12%)")
    assert "most common" not in sentence and "ahead of" not in sentence


def test_each_groups_leader_is_named_only_where_it_leads_its_own_family():
    rows = []
    for group, (a, b) in {"state": (0.5, 0.3), "municipal": (0.2, 0.6)}.items():
        rows.append(tidy(["citizens", "firms"], [a, b], column="category").assign(group=group))
    table = pd.concat(rows, ignore_index=True)
    labels = pd.Series(["Citizens", "Firms"] * 2)
    names = {"state": "State", "municipal": "Municipal"}
    pairs = pd.concat(
        [
            pairs_of(
                ["citizens", "firms"],
                [0.5, 0.3],
                {frozenset(("citizens", "firms"))},
                "the {m} pairs of partners within State",
            ),
            pairs_of(
                ["citizens", "firms"],
                [0.2, 0.6],
                set(),
                "the {m} pairs of partners within Municipal",
            ),
        ],
        ignore_index=True,
    )
    sentence = report.top_by_group_sentence(table, labels, names, "partner", pairs)
    assert sentence == (
        "The most common partner is Citizens for State (50%), ahead of every other partner of "
        "its group at the 5% level after Holm's adjustment over the 1 pair of partners "
        "within each group. In Municipal, no partner is clearly more common than all the others."
    )
    (claim,) = sentence.claims
    assert (claim.subject, claim.others, claim.family) == (
        "citizens",
        ("firms",),
        "the 1 pair of partners within State",
    )


def test_no_minus_zero_and_no_quotes_in_differences():
    assert sentences.signed_points(-0.0004) == "0.0"
    assert sentences.signed_points(-0.123) == "−12.3"
    row = pd.Series(
        {
            "estimate": -0.0003,
            "ci_lower": -0.02,
            "ci_upper": 0.02,
            "p": 0.9,
            "p_holm": 0.9,
            "suppressed": False,
            "family": "the 1 change between consecutive editions",
        }
    )
    text = sentences.difference_sentence(row, "in 2023", "in 2020", "the share")
    assert "−0.0" not in text and "same to 0.1 percentage points" in text
    assert "after Holm's adjustment over the 1 change between consecutive editions" in text


def test_a_difference_is_judged_by_its_holm_p_value_not_its_unadjusted_interval():
    row = pd.Series(
        {
            "estimate": -0.123,
            "ci_lower": -0.19,
            "ci_upper": -0.05,
            "p": 0.02,
            "p_holm": 0.08,
            "suppressed": False,
            "family": "the 2 comparisons with originators",
        }
    )
    text = sentences.difference_sentence(row, "among copiers", "among originators", "the share")
    assert text == (
        "The share is 12.3 percentage points lower among copiers than among originators (95% CI "
        "−19.0 to −5.0 points, unadjusted); the data do not show a clear difference after Holm's "
        "adjustment over the 2 comparisons with originators (p = 0.080)."
    )


def test_key_findings_are_three_to_five_of_the_tested_sentences_claims_first():
    keys, estimates = ["a", "b", "c"], [0.8, 0.5, 0.2]
    every = {frozenset(p) for p in itertools.combinations(keys, 2)}
    claim = report.group_sentence(
        tidy(keys, estimates), {}, "By x", pairs_of(keys, estimates, every)
    )
    unclear = report.group_sentence(
        tidy(keys, estimates), {}, "By y", pairs_of(keys, estimates, set())
    )
    untested = report.share_sentence(tidy(["a"], [0.5]).assign(group=""), "did it")
    chosen = sentences.key_findings([untested, unclear, claim, claim, unclear])
    assert chosen == [claim, unclear]
    html = sentences.key_findings_html(chosen)
    data = re.search(r'data-claims="([^"]*)"', html)[1]
    assert json.loads(unescape(data))[0]["kind"] == "highest"
    assert sentences.key_findings([untested]) == []


def test_the_export_moves_the_key_findings_after_the_front_matter():
    from nbformat.v4 import new_code_cell, new_markdown_cell

    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("front matter"),
        new_markdown_cell("## A section"),
        new_code_cell("findings", metadata={"tags": ["key-findings"]}),
    ]
    moved = export.key_findings_first(cells)
    assert [c.source for c in moved] == ["# Title", "front matter", "findings", "## A section"]


# The pairs the analysis computes, checked against the tested contrasts of `survey.compare`.


def test_group_pairs_are_the_design_contrasts_of_every_pair_with_holm_over_the_family():
    from test_analysis import make_edition

    edition = make_edition()
    table = analysis.estimate_variable(edition, "innovative", by="sector", threshold=1)
    pairs = analysis.group_pairs(edition, table, "sector", {}, "sectors")
    assert pairs["family"].tolist() == ["the 1 pair of sectors"]
    row = pairs.iloc[0]
    values = analysis.binary_values(edition, "innovative")
    expected = group_contrast(
        edition.design, values, edition.frame["sector"], row["first"], row["second"]
    ).iloc[0]
    for column in ("estimate", "se", "ci_lower", "ci_upper", "p"):
        assert row[column] == pytest.approx(expected[column], rel=1e-12)
    assert row.p_holm == pytest.approx(row.p)


def test_item_pairs_are_the_option_contrasts_with_holm_over_all_pairs():
    from test_analysis import make_edition

    edition = make_edition()
    partners = analysis.estimate_variable(edition, "partner", threshold=1)
    pairs = analysis.item_pairs(edition, partners, "partners")
    options = partners[(partners["group"] == "") & (partners["ci_method"] != "t")]
    k = len(options)
    assert len(pairs) == k * (k - 1) // 2
    assert pairs["family"].iloc[0] == f"the {pairs['p'].notna().sum()} pairs of partners"
    assert np.allclose(pairs["p_holm"], holm(pairs["p"].to_numpy()), equal_nan=True)
    row = pairs[(pairs["first"] == "own_organisation") & (pairs["second"] == "citizens")].iloc[0]
    frame = edition.frame
    innovators = (frame["innovative"] == 1).fillna(False).to_numpy()
    expected = option_difference(
        edition.design,
        frame["partner_own_organisation"].astype(float),
        frame["partner_citizens"].astype(float),
        domain=innovators,
    ).iloc[0]
    for column in ("estimate", "se", "p"):
        assert row[column] == pytest.approx(expected[column], rel=1e-9, abs=1e-12)


def test_pairs_refuse_a_table_whose_numbers_they_cannot_reproduce():
    from test_analysis import make_edition

    edition = make_edition()
    table = analysis.estimate_variable(edition, "innovative", by="sector", threshold=1)
    wrong = table.assign(estimate=table["estimate"] + 0.01)
    with pytest.raises(analysis.AnalysisError, match="cannot be computed on the table's base"):
        analysis.group_pairs(edition, wrong, "sector", {}, "sectors")


def test_country_sentences_test_each_indicator_against_its_own_country_pairs():
    from innobarometer.indicators import load_indicators

    label = load_indicators()["innovative"].label
    keys, estimates = ["DK", "FI", "IS"], [0.83, 0.96, 0.73]
    shares = tidy(keys, estimates).assign(indicator="innovative")
    every = {frozenset(p) for p in itertools.combinations(keys, 2)}
    pairs = pairs_of(keys, estimates, every, "the {m} country pairs of " + label)
    pairs["label"] = label + ": " + pairs["label"]
    other = pairs.assign(label="Other: x", family="the 3 country pairs of Other", p_holm=0.5)
    (sentence,) = sentences.country_sentences(
        shares, pd.Series(["Innovative"] * 3), pd.concat([other, pairs], ignore_index=True)
    )
    assert sentence.startswith("For Innovative, the share is highest for Finland (96%")
    check_claims(sentence, shares, pairs)


def test_a_long_table_of_pairs_shows_each_familys_leader_against_the_others():
    from innobarometer.report.sections import _leaders_pairs

    first = pairs_of(["a", "b", "c"], [0.2, 0.9, 0.5], set(), "the {m} pairs within X")
    second = pairs_of(["a", "b", "c"], [0.7, 0.1, 0.5], set(), "the {m} pairs within Y")
    shown = _leaders_pairs(pd.concat([first, second], ignore_index=True))
    assert shown["label"].tolist() == ["a vs b", "b vs c", "a vs b", "a vs c"]


def test_a_long_table_of_pairs_shows_the_leader_against_its_nearest_rivals_only():
    from innobarometer.report.sections import RIVALS_SHOWN, _leaders_pairs

    pairs = pairs_of(["a", "b", "c", "d"], [0.9, 0.2, 0.8, 0.7], set(), "the {m} pairs within X")
    shown = _leaders_pairs(pairs)
    assert RIVALS_SHOWN == 2 and shown["label"].tolist() == ["a vs c", "a vs d"]
