"""Published indicators: every CSV name and scope is defined; unit values on a hand-made frame
follow the base rules (don't know out of the base, universe, any_of); the published table; each
theme's indicators."""

import re
import textwrap

import numpy as np
import pandas as pd
import pytest

from innobarometer.indicators import (
    HEADLINE_FIGURES_PATH,
    IndicatorError,
    indicator_values,
    load_indicators,
    parse_indicators,
    published_figures,
    scope_mask,
)

NAN = np.nan


@pytest.fixture(scope="module")
def csv():
    return pd.read_csv(HEADLINE_FIGURES_PATH, dtype=str, keep_default_na=False)


def test_every_published_indicator_is_defined(csv):
    indicators = load_indicators()
    missing = sorted(set(csv["indicator"]) - set(indicators.indicators))
    assert missing == []


def test_every_published_scope_maps(csv):
    indicators = load_indicators()
    for scope in set(csv["scope"]):
        indicators.scope(scope)  # raises KeyError when unmapped


def _columns(name):
    return {c.column: c.codes for c in load_indicators()[name].conditions}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # The brief's suggested definitions, written out by hand.
        ("innovative", {"innovative": (1,)}),
        ("novelty_reused", {"novelty": (2, 3)}),
        ("new_approach", {"break_with_practice": (2,)}),
        (
            "partner_other_public",
            {"partner_public_same_sector": (1,), "partner_public_other_sector": (1,)},
        ),
        (
            "citizens_any_role",
            {"partner_citizens": (1,), "initiator_citizens": (1,), "inspiration_users": (1,)},
        ),
        (
            "private_firms_any_role",
            {
                "partner_private_firms": (1,),
                "initiator_private_firms": (1,),
                "inspiration_private_firms": (1,),
            },
        ),
        (
            "employees_key_role",
            {"initiator_employees": (1,), "factor_employee_participation": (1,)},
        ),
        (
            "politicians_initiated_or_promoted",
            {"initiator_political_leadership": (1,), "factor_politicians": (1, 2)},
        ),
        ("promoted_by_employee_participation", {"factor_employee_participation": (1, 2)}),
        (
            "hindered_by_cross_workplace_collaboration",
            {"factor_cross_workplace_collaboration": (4, 5)},
        ),
        ("limited_economy_played_a_role", {"factor_limited_economic_resources": (1, 2, 4, 5)}),
        ("effect_citizen_insight", {"effect_citizen_involvement": (1,)}),
        ("evaluated", {"evaluation": (1, 2)}),
        ("externally_financed", {"financing_external_funds": (1,), "financing_foundations": (1,)}),
        ("technology_is_the_solution", {"technology": (1,)}),
        ("technology_important_part", {"technology": (2,)}),
        ("technology_none", {"technology": (4,)}),
    ],
)
def test_definitions(name, expected):
    assert _columns(name) == expected


def test_collaborated_any_counts_every_partner():
    columns = set(_columns("collaborated_any"))
    assert len(columns) == 9 and all(c.startswith("partner_") for c in columns)


def test_universes_and_default_base():
    indicators = load_indicators()
    assert indicators["innovative"].universe == "all"
    others = [i for n, i in indicators.indicators.items() if n != "innovative"]
    assert {i.universe for i in others} == {"innovators"}
    assert {i.exclude_from_base for i in indicators.indicators.values()} == {(8, 9)}


def _int8(values):
    return pd.array(values, dtype="Int8")


@pytest.fixture
def frame():
    """Seven units worked by hand; comments say what each tests."""
    return pd.DataFrame(
        {
            # 0 adapter; 1 originator; 2 non-innovator; 3 innovator answering don't know;
            # 4 copier; 5 innovative unknown; 6 non-innovator with stray answers (outside universe)
            "innovative": _int8([1, 1, 0, 1, 1, None, 0]),
            "novelty": _int8([2, 1, None, 8, 3, None, 2]),
            "partner_citizens": _int8([0, 0, None, None, 1, None, 1]),
            "initiator_citizens": _int8([0, 0, None, None, 0, None, 0]),
            "inspiration_users": _int8([1, None, None, None, 0, None, 1]),
            "initiator_employees": _int8([0, 1, None, None, None, None, 1]),
            "factor_employee_participation": _int8([9, 8, None, 2, 8, None, 1]),
            "spread_actively": _int8([1, 8, None, 0, None, None, 1]),
        },
        index=pd.Index([10, 11, 12, 13, 14, 15, 16], name="line"),
    )


# Expected values, worked by hand from the definitions (see the fixture's comments).
EXPECTED = {
    "innovative": [1, 1, 0, 1, 1, NAN, 0],
    # 3 answered don't know: out of the base.
    "novelty_reused": [1, 0, NAN, NAN, 1, NAN, NAN],
    # 0 yes through inspiration only; 1 not asked inspiration (originator), partner answered: 0;
    # 3 innovator with no answers at all: outside the base.
    "citizens_any_role": [1, 0, NAN, NAN, 1, NAN, NAN],
    # 0: initiator no, factor not relevant -> 0 (one component substantive);
    # 1: initiator yes; 3: factor 2 is not "strongly" -> 0;
    # 4: initiator unanswered, factor don't know -> no substantive answer: out.
    "employees_key_role": [0, 1, NAN, 0, NAN, NAN, NAN],
    "promoted_by_employee_participation": [NAN, NAN, NAN, 1, NAN, NAN, NAN],
    "spread_actively": [1, NAN, NAN, 0, NAN, NAN, NAN],
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_indicator_values_by_hand(frame, name):
    values = EXPECTED[name]
    got = indicator_values(frame, name)
    assert got.dtype == float and got.name == name
    assert got.index.equals(frame.index)
    np.testing.assert_array_equal(got.to_numpy(), values)


def test_missing_column_is_named(frame):
    with pytest.raises(KeyError, match="inspiration_users"):
        indicator_values(frame.drop(columns="inspiration_users"), "citizens_any_role")


def test_unknown_indicator_is_named(frame):
    with pytest.raises(KeyError, match="'share_happy' is not an indicator"):
        indicator_values(frame, "share_happy")


HEADER = "scopes:\n  all public sector: {}\nindicators:\n"


def _parse(tmp_path, body):
    """The indicators of `body` in a file of their own, all in the overview theme."""
    body = textwrap.dedent(body)
    names = re.findall(r"^(\w+):", body, flags=re.MULTILINE)
    themes = f"themes:\n  overview: {{indicators: [{', '.join(names)}]}}\n"
    path = tmp_path / "indicators.yaml"
    path.write_text(HEADER + textwrap.indent(body, "  ") + themes, encoding="utf-8")
    return parse_indicators(path)


def test_dont_know_counts_as_no_when_not_excluded(tmp_path, frame):
    defined = _parse(
        tmp_path,
        """\
        spread_dk_as_no:
          label: Spread, don't know counted as no
          universe: innovators
          when: {variable: spread_actively, codes: [1]}
          exclude_from_base: []
        """,
    )
    indicator = defined["spread_dk_as_no"]
    np.testing.assert_array_equal(
        indicator_values(frame, indicator).to_numpy(), [1, 0, NAN, 0, NAN, NAN, NAN]
    )


def _one(universe, when):
    """One indicator `x` with the given universe and condition (YAML flow text)."""
    return f"x:\n  label: X\n  universe: {universe}\n" + (f"  when: {when}\n" if when else "")


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (_one("innovators", "{variable: nope, codes: [1]}"), ["'x'", "nope"]),
        (
            _one("innovators", "{variable: partner, options: [aliens]}"),
            ["'x'", "aliens", "known: own_organisation"],
        ),
        (_one("innovators", "{variable: novelty, codes: [8]}"), ["'x'", "code(s) [8]"]),
        (_one("innovators", "{variable: partner, codes: [1]}"), ["'x'", "options"]),
        (_one("experts", "{variable: novelty, codes: [1]}"), ["'x'", "experts"]),
        (_one("all", ""), ["'x'", "exactly one of `when`"]),
        ("x:\n  universe: all\n  when: {variable: novelty, codes: [1]}\n", ["'x'", "label"]),
    ],
)
def test_broken_indicator_gives_clear_error(tmp_path, body, fragments):
    with pytest.raises(IndicatorError) as error:
        _parse(tmp_path, body)
    message = str(error.value)
    assert str(tmp_path / "indicators.yaml") in message
    for fragment in fragments:
        assert fragment in message


def test_scope_needs_a_known_column_and_codes(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_text(
        "indicators: {}\nthemes: {}\nscopes:\n  county:\n    where: {gov_level: [county]}\n",
        encoding="utf-8",
    )
    with pytest.raises(IndicatorError, match="scope 'county'.*state, regional, municipal"):
        parse_indicators(path)


def test_every_theme_report_has_published_indicators_and_headline_ones():
    themes = load_indicators().themes
    assert list(themes) == ["overview", "collaboration", "diffusion", "drivers", "barriers"]
    assert all(theme.indicators and theme.headline for theme in themes.values())
    assert themes["diffusion"].headline == ("novelty_reused", "spread_actively")


TWO_INDICATORS = (
    "scopes: {}\nindicators:\n"
    "  x: {label: X, universe: innovators, when: {variable: novelty, codes: [1]}}\n"
    "  y: {label: Y, universe: innovators, when: {variable: novelty, codes: [2]}}\n"
    "themes:\n"
)


@pytest.mark.parametrize(
    ("themes", "fragments"),
    [
        ("  overview: {indicators: [x]}\n", ["['y'] belong to no theme"]),
        ("  overview: {indicators: [x, y, nope]}\n", ["theme 'overview'", "['nope']"]),
        (
            "  overview: {indicators: [x], headline: [y]}\n  drivers: {indicators: [y]}\n",
            ["theme 'overview'", "headline ['y']"],
        ),
        ("  funding: {indicators: [x, y]}\n", ["theme 'funding'", "codebook theme"]),
        ("  overview: [x, y]\n", ["theme 'overview'", "`indicators`"]),
    ],
)
def test_broken_themes_give_clear_error(tmp_path, themes, fragments):
    path = tmp_path / "indicators.yaml"
    path.write_text(TWO_INDICATORS + themes, encoding="utf-8")
    with pytest.raises(IndicatorError) as error:
        parse_indicators(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_scope_masks():
    frame = pd.DataFrame(
        {"gov_level": pd.Categorical(["state", "regional", "municipal", None, "municipal"])}
    )
    cases = {
        "all public sector": [1, 1, 1, 1, 1],
        "municipal sector": [1, 1, 1, 1, 1],
        "municipal": [0, 0, 1, 0, 1],
        "municipal (KS)": [0, 0, 1, 0, 1],
        "municipal and county (KS)": [0, 1, 1, 0, 1],
        "state": [1, 0, 0, 0, 0],
        "regional": [0, 1, 0, 0, 0],
    }
    for scope, expected in cases.items():
        mask = scope_mask(frame, scope)
        assert mask.dtype == bool
        np.testing.assert_array_equal(mask, np.array(expected, dtype=bool), err_msg=scope)
    with pytest.raises(KeyError, match="scope 'county' is not under `scopes`"):
        scope_mask(frame, "county")


def test_published_figures_joins_definitions_and_sources(csv):
    figures = published_figures(include_not_compared=True)
    assert len(figures) == len(csv)
    editions = set(figures["edition"])
    assert {e for e in editions if isinstance(e, str)} == {"nordic-2019"}
    assert {2015, 2017, 2018, 2020, 2021, 2022, 2023} == {e for e in editions if isinstance(e, int)}
    assert figures["source_url"].str.startswith("http").all()
    assert (figures["label"].str.len() > 0).all() and (figures["definition"].str.len() > 0).all()
    # NO-10's address is written `same` in sources.csv: the NO-9 address above it.
    no10 = figures.loc[figures["source_key"] == "NO-10", "source_url"].iloc[0]
    assert no10.startswith("https://www.forskningsradet.no/indikatorrapporten/")
    national = figures["edition"] != "nordic-2019"
    assert (figures["calibration_target"] == (national & figures["compared"])).all()
    # 66 rows: 5 nordic-2019, and Iceland 2021's two main-partner shares not compared.
    assert figures["calibration_target"].sum() == 59
    first = figures.iloc[0]
    assert (first["country"], first["edition"], first["value_pct"]) == ("DK", "nordic-2019", 80.0)
    assert first["share"] == pytest.approx(0.80)


def test_published_figures_filters():
    # DK 2020 in the CSV: innovative (all, municipal, state, regional), new_approach,
    # effect_quality, effect_employee_satisfaction.
    dk2020 = published_figures("DK", 2020)
    assert len(dk2020) == 7
    assert published_figures("DK", "2020").equals(dk2020)
    innovative = dk2020[dk2020["indicator"] == "innovative"].set_index("scope")["value_pct"]
    assert innovative.to_dict() == {
        "all public sector": 81.0,
        "municipal": 80.0,
        "state": 84.0,
        "regional": 85.0,
    }
    assert dk2020.loc[dk2020["scope"] == "state", "scope_rule"].iloc[0] == "gov_level in {state}"
    nordic = published_figures(edition="nordic-2019")
    assert list(nordic["country"]) == ["DK", "NO", "SE", "FI", "IS"]
    assert published_figures("NO", 2024).empty
    with pytest.raises(ValueError, match="country 'XX'"):
        published_figures("XX")


def test_iceland_2021_main_partner_shares_are_neither_targets_nor_compared(csv):
    """IS-6 publishes the share naming each partner as the *main* one; the partner indicators
    count any partner ticked, so those two rows are kept out of calibration and comparison."""
    iceland = csv[(csv["country"] == "IS") & (csv["edition"] == "2021")]
    partner_rows = iceland[iceland["indicator"].str.startswith("partner_")]
    assert sorted(partner_rows["value_pct"]) == ["10", "38"]
    assert sorted(published_figures("IS", 2021)["indicator"]) == [
        "financed_own_budget",
        "innovative",
    ]
    every = published_figures("IS", 2021, include_not_compared=True)
    shown = every[every["indicator"].str.startswith("partner_")]
    assert not shown["compared"].any() and not shown["calibration_target"].any()
    for name in ("partner_private_firms", "partner_citizens"):
        indicator = load_indicators()[name]
        assert indicator.not_compared == ("IS-2021",)
        assert "main partner" in indicator.judgement
    # Every other partner figure (Denmark, Norway, Finland) is still compared.
    others = published_figures()
    assert (others["indicator"] == "partner_private_firms").sum() == 3


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("  not_compared: [IS-2021]\n", "needs a `judgement`"),
        ("  not_compared: [Iceland]\n  judgement: why\n", "edition ids such as IS-2021"),
    ],
)
def test_not_compared_needs_edition_ids_and_a_judgement(tmp_path, extra, fragment):
    with pytest.raises(IndicatorError, match=fragment):
        _parse(tmp_path, _one("innovators", "{variable: novelty, codes: [1]}") + extra)


def test_every_edition_kept_out_of_comparison_has_a_figure_of_that_indicator():
    """`not_compared: [IS-2012]` (a typo for IS-2021) would silently keep nothing out."""
    from innobarometer.indicators import load_indicators, published_figures

    figures = published_figures(include_not_compared=True)
    published = set(
        zip(figures["indicator"], figures["country"] + "-" + figures["edition"].astype(str))
    )
    listed = [
        (name, edition)
        for name, indicator in load_indicators().indicators.items()
        for edition in indicator.not_compared
    ]
    assert listed, "no indicator lists editions under not_compared"
    assert [pair for pair in listed if pair not in published] == []
