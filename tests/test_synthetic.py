"""The synthetic demo: calibration to the published figures, the relationships the sources
describe, the sampling design, determinism, and the round trip through the demo mappings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from innobarometer.codebook import load_codebook, universe_mask
from innobarometer.harmonise.synthetic import EDITIONS, generate_edition
from innobarometer.indicators import indicator_values, published_figures, scope_mask
from innobarometer.survey.compare import difference_independent, holm
from innobarometer.survey.design import SurveyDesign

BIG = 1000  # editions with at least this many respondents must show relationships significantly
Z = stats.norm.ppf(0.975)
FACTORS = [v.name for v in load_codebook().variables.values() if v.name.startswith("factor_")]
EFFECTS = [v.name for v in load_codebook().variables.values() if v.name.startswith("effect_")]
INITIATORS = load_codebook()["initiator"].columns


@pytest.fixture(scope="module")
def frames() -> dict[tuple[str, int], pd.DataFrame]:
    return {key: generate_edition(*key) for key in EDITIONS}


def shares(frame: pd.DataFrame, yes: dict, base: dict) -> tuple[np.ndarray, np.ndarray]:
    """Weighted shares yes[k] / base[k] (boolean unit masks) with their joint covariance."""
    names = list(yes)
    num = np.column_stack([yes[k] & base[k] for k in names]).astype(float)
    den = np.column_stack([base[k] for k in names]).astype(float)
    return SurveyDesign.from_frame(frame).ratios(num, den)


def answered(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    return (values.notna() & ~values.isin([8, 9])).to_numpy(bool)


def coded(frame: pd.DataFrame, column: str, codes) -> np.ndarray:
    return frame[column].isin(codes).fillna(False).to_numpy(bool)


def assert_greater(frame, estimates, covariance, first: int, second: int, what: str) -> None:
    """Point estimate first > second; in editions of >= 1,000 the 95% interval excludes zero."""
    difference = estimates[first] - estimates[second]
    assert difference > 0, f"{what}: {estimates[first]:.3f} <= {estimates[second]:.3f}"
    if len(frame) >= BIG:
        contrast = np.zeros(len(estimates))
        contrast[[first, second]] = 1, -1
        se = np.sqrt(contrast @ covariance @ contrast)
        assert difference - Z * se > 0, f"{what}: interval of {difference:.3f} +/- {Z * se:.3f}"


# --- calibration --------------------------------------------------------------------------------


def targets() -> list[tuple]:
    figures = published_figures()
    numeric = figures[[isinstance(e, int) for e in figures["edition"]]]
    return list(numeric[["country", "edition", "indicator", "scope", "share"]].itertuples(False))


@pytest.mark.parametrize("target", targets(), ids=lambda t: f"{t[0]}-{t[1]}-{t[2]}-{t[3]}")
def test_every_published_figure_is_met(frames, target):
    country, edition, indicator, scope, published = target
    frame = frames[(country, edition)]
    values = indicator_values(frame, indicator).to_numpy()
    base = ~np.isnan(values) & scope_mask(frame, scope)
    estimate, covariance = SurveyDesign.from_frame(frame).ratios(
        np.where(base, values, 0.0), base.astype(float)
    )
    se = np.sqrt(covariance[0, 0])
    assert abs(estimate[0] - published) <= 0.03
    assert abs(estimate[0] - published) <= 2.5 * se


def test_all_numeric_editions_are_generated():
    figures = published_figures()
    numeric = {(c, e) for c, e in zip(figures["country"], figures["edition"]) if isinstance(e, int)}
    assert numeric <= set(EDITIONS)
    assert len(EDITIONS) == 12


# --- relationships ------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_employees_the_most_common_initiator(frames, key):
    frame = frames[key]
    innovators = universe_mask(frame, "innovators") & frame[INITIATORS[0]].notna().to_numpy()
    yes = {c: coded(frame, c, [1]) for c in INITIATORS}
    estimates, covariance = shares(frame, yes, dict.fromkeys(INITIATORS, innovators))
    assert INITIATORS[0] == "initiator_employees"
    runner_up = 1 + int(np.argmax(estimates[1:]))
    assert_greater(frame, estimates, covariance, 0, runner_up, f"{key} employees vs next")


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_collaboration_is_the_norm(frames, key):
    """About 4 in 5 innovations collaborate: a clear majority (interval above one half)."""
    frame = frames[key]
    values = indicator_values(frame, "collaborated_any").to_numpy()
    base = ~np.isnan(values)
    estimate, covariance = SurveyDesign.from_frame(frame).ratios(
        np.where(base, values, 0.0), base.astype(float)
    )
    assert 0.65 <= estimate[0] <= 0.97
    if len(frame) >= BIG:
        assert estimate[0] - Z * np.sqrt(covariance[0, 0]) > 0.5


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_copiers_spread_less_than_originators(frames, key):
    frame = frames[key]
    spread, base = coded(frame, "spread_actively", [1]), answered(frame, "spread_actively")
    groups = {"own": coded(frame, "novelty", [1]), "copied": coded(frame, "novelty", [3])}
    estimates, covariance = shares(
        frame, dict.fromkeys(groups, spread), {k: base & g for k, g in groups.items()}
    )
    assert_greater(frame, estimates, covariance, 0, 1, f"{key} spread own vs copied")


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_evaluated_innovations_are_shared_more(frames, key):
    frame = frames[key]
    spread, base = coded(frame, "spread_actively", [1]), answered(frame, "spread_actively")
    groups = {
        "evaluated": coded(frame, "evaluation", [1, 2]),
        "not evaluated": coded(frame, "evaluation", [3, 4, 5]),
    }
    estimates, covariance = shares(
        frame, dict.fromkeys(groups, spread), {k: base & g for k, g in groups.items()}
    )
    assert_greater(frame, estimates, covariance, 0, 1, f"{key} spread evaluated vs not")


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_limited_resources_the_most_common_barrier(frames, key):
    frame = frames[key]
    yes = {f: coded(frame, f, [4, 5]) for f in FACTORS}
    estimates, covariance = shares(frame, yes, {f: answered(frame, f) for f in FACTORS})
    first = FACTORS.index("factor_limited_economic_resources")
    others = np.delete(np.arange(len(FACTORS)), first)
    runner_up = others[np.argmax(estimates[others])]
    assert_greater(frame, estimates, covariance, first, runner_up, f"{key} hindered")


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_quality_the_most_common_effect(frames, key):
    frame = frames[key]
    yes = {e: coded(frame, e, [1]) for e in EFFECTS}
    estimates, covariance = shares(frame, yes, {e: answered(frame, e) for e in EFFECTS})
    first = EFFECTS.index("effect_quality")
    others = np.delete(np.arange(len(EFFECTS)), first)
    runner_up = others[np.argmax(estimates[others])]
    assert_greater(frame, estimates, covariance, first, runner_up, f"{key} effects")


def novelty_share(frame: pd.DataFrame, code: int) -> tuple[float, float]:
    """A novelty category's share of everyone who answered, don't know included: the one base
    of the Nordic report's distribution (`analysis.estimate_variable`)."""
    base = frame["novelty"].notna().to_numpy(bool)
    estimate, covariance = shares(frame, {0: coded(frame, "novelty", [code])}, {0: base})
    return estimate[0], np.sqrt(covariance[0, 0])


ROUND_2018 = [("DK", 2017), ("NO", 2018), ("SE", 2018), ("FI", 2018), ("IS", 2018)]


@pytest.mark.parametrize(
    "leader, code", [(("NO", 2018), 3), (("SE", 2018), 2)], ids=["NO copies most", "SE adapts most"]
)
def test_norway_copies_most_and_sweden_adapts_most(frames, leader, code):
    """Against the editions nearest in time (the 2018 round the Nordic report compared)."""
    first, first_se = novelty_share(frames[leader], code)
    for other in ROUND_2018:
        if other == leader:
            continue
        second, second_se = novelty_share(frames[other], code)
        assert first > second, f"{leader} vs {other}: {first:.3f} <= {second:.3f}"
        if min(len(frames[leader]), len(frames[other])) >= BIG:
            se = np.hypot(first_se, second_se)  # independent samples
            assert first - second - Z * se > 0, f"{leader} vs {other}"


ROUND_LATEST = [("DK", 2023), ("NO", 2024), ("SE", 2018), ("FI", 2022), ("IS", 2021)]


@pytest.mark.parametrize("round_", [ROUND_2018, ROUND_LATEST], ids=["round 2018", "latest"])
@pytest.mark.parametrize(
    "leader, code", [("NO", 3), ("SE", 2)], ids=["NO copies most", "SE adapts most"]
)
def test_the_leader_differs_from_every_country_after_holm(frames, round_, leader, code):
    """The rule the Nordic report claims by: the ten country pairs of one novelty category are
    one family; the leader's four differences are positive and significant after Holm."""
    estimated = {}
    for key in round_:
        frame = frames[key]
        base = frame["novelty"].notna().to_numpy(bool)
        estimate, se = novelty_share(frame, code)
        df = SurveyDesign.from_frame(frame).domain_degrees_of_freedom(base)
        estimated[key[0]] = (estimate, se, df)
    pairs = [(a, b) for i, a in enumerate(estimated) for b in list(estimated)[i + 1 :]]
    result = difference_independent(
        *(np.array([estimated[a][k] for a, _ in pairs]) for k in range(3)),
        *(np.array([estimated[b][k] for _, b in pairs]) for k in range(3)),
    )
    adjusted = holm(result["p"].to_numpy())
    for (a, b), difference, p in zip(pairs, result["estimate"], adjusted):
        if leader in (a, b):
            sign = 1 if a == leader else -1
            assert sign * difference > 0 and p < 0.05, f"{leader} vs {b if a == leader else a}"


def test_items_without_a_figure_differ_between_countries_and_editions(frames):
    """Spreading actively and hindrance by employees' participation (no figure outside DK 2015)
    differ between countries and between a country's editions; the spread is plausible."""
    spread = {
        key: shares(frame, {0: coded(frame, "spread_actively", [1])},
                    {0: answered(frame, "spread_actively")})[0][0]
        for key, frame in frames.items()
    }  # fmt: skip
    hindered = {
        key: shares(frame, {0: coded(frame, "factor_employee_participation", [4, 5])},
                    {0: answered(frame, "factor_employee_participation")})[0][0]
        for key, frame in frames.items()
    }  # fmt: skip
    for values in (spread, hindered):
        latest = [values[k] for k in ROUND_LATEST]
        assert max(latest) - min(latest) > 0.03
        assert abs(values[("NO", 2020)] - values[("NO", 2024)]) > 0.002
    assert 0.35 < min(spread.values()) and max(spread.values()) < 0.65
    assert 0.02 < min(hindered.values()) and max(hindered.values()) < 0.15


# --- sampling design ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_design_strata_and_weights(frames, key):
    frame = frames[key]
    respondents = frame.groupby("stratum", observed=True)["unit_id"].transform("size")
    assert respondents.min() >= 2
    assert np.allclose(frame["weight"], frame["stratum_population"] / respondents)
    assert (frame["stratum_population"] >= respondents).all()
    assert frame["unit_id"].is_unique
    assert set(frame["country"]) == {key[0]} and set(frame["edition"]) == {key[1]}


def test_published_respondent_counts(frames):
    facts = pd.read_csv(
        __import__("innobarometer.paths", fromlist=["x"]).REFERENCE_DIR / "survey_facts.csv"
    )
    published = facts[pd.to_numeric(facts["responses"], errors="coerce").notna()]
    for row in published.itertuples():
        assert len(frames[(row.country, row.edition)]) == int(row.responses)


def test_finland_is_organisations_and_norway_municipal_and_county(frames):
    for (country, _), frame in frames.items():
        levels = set(frame["unit_level"])
        assert levels == ({"organisation"} if country == "FI" else {"workplace"})
        if country == "NO":
            assert set(frame["gov_level"]) == {"municipal", "regional"}


def test_nonresponse_differs_by_stratum():
    from innobarometer.harmonise.synthetic import population_strata

    rates = population_strata("DK", 2023)["response_rate"]
    assert rates.max() - rates.min() > 0.2


def test_same_seed_same_frame_other_seed_other_frame():
    from innobarometer.harmonise.synthetic import _generate

    first = generate_edition("IS", 2018)
    _generate.cache_clear()
    again = generate_edition("IS", 2018)
    pd.testing.assert_frame_equal(first, again)
    other = generate_edition("IS", 2018, seed=7)
    assert not first.equals(other)


# --- national files, mappings and the round trip through the loader ---------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, frames):
    """The demo files written beside a copy of the committed demo mappings."""
    import shutil

    from innobarometer.harmonise.synthetic import write_demo_files
    from innobarometer.paths import demo_mappings_dir

    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(demo_mappings_dir(), root / "mappings")
    write_demo_files(root / "raw")
    return root


def test_files_in_every_format_and_repeatable(demo_dir, tmp_path):
    from innobarometer.harmonise.synthetic import write_demo_files

    written = {p.suffix for p in (demo_dir / "raw").iterdir()}
    assert {".sav", ".xlsx", ".dta", ".csv"} <= written
    again = write_demo_files(tmp_path)
    for path in again:
        assert path.read_bytes() == (demo_dir / "raw" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("key", list(EDITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_round_trip_through_the_demo_mapping(demo_dir, frames, key):
    from innobarometer.harmonise.datasets import harmonise_edition

    mapping, loaded = harmonise_edition(demo_dir / "mappings" / f"{key[0]}-{key[1]}.yaml")
    assert mapping.synthetic and any("SYNTHETIC" in c for c in mapping.caveats)
    pd.testing.assert_frame_equal(loaded.reset_index(drop=True), frames[key])


def test_committed_mappings_match_the_generator():
    """data/demo/mappings holds what the generator writes now: a generator change committed
    without its mappings fails here."""
    from innobarometer.harmonise.synthetic import demo_mapping_texts
    from innobarometer.paths import demo_mappings_dir

    committed = {p.name for p in demo_mappings_dir().glob("*.yaml")}
    texts = demo_mapping_texts()
    assert committed == set(texts), "run `make data`: it writes the demo mappings of every edition"
    for name, text in texts.items():
        assert (demo_mappings_dir() / name).read_text(encoding="utf-8") == text, (
            f"data/demo/mappings/{name} is not what the generator writes now: run `make data` "
            "(it rewrites the demo mappings) and commit data/demo/mappings/"
        )


def test_calibration_table(demo_dir):
    table = pd.read_csv(demo_dir / "raw" / "calibration.csv")
    expected = ["indicator", "country", "edition", "scope", "target", "source_key", "achieved"]
    assert list(table.columns) == [*expected, "se", "assumption"]
    published = table[~table["assumption"]]
    assert len(published) == len(targets())
    assert (published["source_key"] != "assumption").all()
    assert ((published["achieved"] - published["target"]).abs() <= 0.03).all()
    assumed = table[table["assumption"]]
    assert len(assumed) > 100 and (assumed["source_key"] == "assumption").all()
