"""The codebook: fixed names and codes (the contract), lookups, universes, the printed table, and
clear errors for a broken codebook file. Expected names and codes are the issue's fixed list."""

import pickle
import textwrap

import numpy as np
import pandas as pd
import pytest

from innobarometer.__main__ import main
from innobarometer.codebook import (
    Balance,
    CodebookError,
    load_codebook,
    parse_codebook,
    print_codebook,
    universe_mask,
)

DESIGN_AND_BACKGROUND = [
    "unit_id",
    "country",
    "edition",
    "unit_level",
    "gov_level",
    "sector",
    "size_class",
    "region",
    "stratum",
    "stratum_population",
    "weight",
]
FACTORS = [
    "factor_employee_participation",
    "factor_management_support",
    "factor_cross_workplace_collaboration",
    "factor_safe_operation_focus",
    "factor_limited_economic_resources",
    "factor_lack_of_time",
    "factor_rules_legislation",
    "factor_politicians",
    "factor_citizens",
    "factor_private_firms",
    "factor_voluntary_associations",
    "factor_new_technology",
    "factor_risk_aversion",
    "factor_user_involvement",
]
EFFECTS = [
    "effect_quality",
    "effect_efficiency",
    "effect_citizen_involvement",
    "effect_employee_satisfaction",
    "effect_political_goals",
]
CULTURE = [
    "culture_welcomed",
    "culture_mistakes_accepted",
    "culture_time_for_development",
    "culture_management_encourages",
]
INTRODUCED = [
    "introduced_product",
    "introduced_service",
    "introduced_process",
    "introduced_communication",
]
# Multiple response items and their options, as fixed in the issue.
OPTIONS = {
    "innovation_type": ["product", "service", "process", "communication"],
    "inspiration": [
        "professional_network",
        "other_workplaces",
        "conferences",
        "media",
        "users",
        "private_firms",
        "research",
        "other",
    ],
    "initiator": [
        "employees",
        "own_manager",
        "political_leadership",
        "economic_pressure",
        "citizens",
        "legislation",
        "private_firms",
        "foundations",
        "other_countries",
        "other",
    ],
    "partner": [
        "own_organisation",
        "public_same_sector",
        "public_other_sector",
        "private_firms",
        "citizens",
        "knowledge_institutions",
        "voluntary",
        "foundations",
        "foreign",
    ],
    "collaboration_phase": ["idea", "development", "implementation", "spreading"],
    "financing": ["own_budget", "external_funds", "foundations", "other"],
}
# Coded items: (substantive codes, non-substantive codes, universe).
CODED = {
    **{name: ([1, 0], [8], "all") for name in INTRODUCED},
    "innovative": ([1, 0], [], "all"),
    "ongoing_development": ([1, 0], [8], "non_innovators"),
    "novelty": ([1, 2, 3], [8], "innovators"),
    "break_with_practice": ([1, 2], [8], "innovators"),
    **{name: ([1, 2, 3, 4, 5], [8, 9], "innovators") for name in FACTORS},
    **{name: ([1, 0], [8], "innovators") for name in EFFECTS},
    "evaluation": ([1, 2, 3, 4, 5], [8], "innovators"),
    "spread_actively": ([1, 0], [8], "innovators"),
    "technology": ([1, 2, 3, 4], [8], "innovators"),
    **{name: ([1, 2, 3, 4, 5], [8, 9], "all") for name in CULTURE},
}
BACKGROUND_CODES = {
    "country": ["DK", "NO", "SE", "FI", "IS"],
    "unit_level": ["workplace", "organisation"],
    "gov_level": ["state", "regional", "municipal"],
    "sector": [
        "administration",
        "education",
        "day_care",
        "health",
        "elder_disability_care",
        "social_services",
        "culture_leisure",
        "technical_environment",
        "justice_police",
        "other",
    ],
    "size_class": ["1-9", "10-49", "50-99", "100+"],
}
UNIVERSES = {
    "innovation_type": "innovators",
    "inspiration": "adapters_and_copiers",
    "initiator": "innovators",
    "partner": "innovators",
    "collaboration_phase": "collaborators",
    "financing": "innovators",
}
ALL_NAMES = DESIGN_AND_BACKGROUND + list(CODED) + list(OPTIONS)


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def test_codebook_defines_exactly_the_fixed_names(codebook):
    assert sorted(codebook.variables) == sorted(ALL_NAMES)


@pytest.mark.parametrize("name", list(CODED))
def test_coded_item_codes_and_universe(codebook, name):
    substantive, non_substantive, universe = CODED[name]
    var = codebook[name]
    assert sorted(var.categories) == sorted(substantive)
    assert list(var.non_substantive) == non_substantive
    assert var.universe == universe
    assert var.columns == [name]


@pytest.mark.parametrize("name", list(OPTIONS))
def test_multiple_response_columns(codebook, name):
    var = codebook[name]
    assert var.type == "multiple"
    assert var.universe == UNIVERSES[name]
    assert var.columns == [f"{name}_{option}" for option in OPTIONS[name]]
    assert all(label.strip() for label in var.options.values())


@pytest.mark.parametrize("name", list(BACKGROUND_CODES))
def test_background_codes(codebook, name):
    assert list(codebook[name].categories) == BACKGROUND_CODES[name]


def test_every_variable_has_label_question_and_theme(codebook):
    themes = {"overview", "collaboration", "diffusion", "drivers", "barriers", "background"}
    for var in codebook.variables.values():
        assert var.label and var.question
        assert var.theme in themes | {"design"}
        assert (var.theme in ("background", "design")) == (not var.is_item)


def test_required_design_columns(codebook):
    required = {v.name for v in codebook.variables.values() if v.required}
    assert {"unit_id", "weight", "stratum", "stratum_population", "innovative"} <= required
    assert codebook["edition"].dtype == "integer"
    assert codebook["weight"].dtype == "float"


def test_battery_groups_the_factors_in_order(codebook):
    assert [v.name for v in codebook.battery("factors")] == FACTORS
    assert [v.name for v in codebook.battery("culture")] == CULTURE
    with pytest.raises(KeyError, match="known: "):
        codebook.battery("nope")


def test_initiator_allows_up_to_three(codebook):
    assert codebook["initiator"].max_choices == 3


def test_columns_are_unique_and_cover_every_variable(codebook):
    columns = codebook.columns()
    assert len(columns) == len(set(columns))
    multiple_columns = sum(len(o) for o in OPTIONS.values())
    assert len(columns) == len(ALL_NAMES) - len(OPTIONS) + multiple_columns
    assert columns[0] == "unit_id"
    assert "partner" not in columns and "partner_citizens" in columns


def test_variable_of_and_labels(codebook):
    assert codebook.variable_of("partner_citizens").name == "partner"
    assert codebook.variable_of("collaboration_phase_idea").name == "collaboration_phase"
    assert codebook.variable_of("novelty").name == "novelty"
    with pytest.raises(KeyError, match="partner_nobody"):
        codebook.variable_of("partner_nobody")
    assert codebook.label("novelty", 8) == "don't know"
    assert codebook.label("factor_politicians", 9) == "not relevant"
    assert codebook.label("factor_politicians", 1) == "Promoted strongly"
    assert codebook.label("country", "NO") == "Norway"  # YAML would read an unquoted NO as False
    assert codebook.label("partner", "citizens") == "Citizens or users"
    assert codebook.label("novelty") == codebook["novelty"].label
    with pytest.raises(KeyError, match="novelty: code 9"):
        codebook.label("novelty", 9)
    with pytest.raises(KeyError, match="not a codebook variable"):
        codebook["no_such_variable"]


def test_load_codebook_is_cached():
    assert load_codebook() is load_codebook()


def test_codebook_pickles_for_worker_processes(codebook):
    copy = pickle.loads(pickle.dumps(codebook))
    assert copy.columns() == codebook.columns()
    assert copy.variable_of("partner_foreign").name == "partner"


def _int8(values):
    return pd.array(values, dtype="Int8")


def test_universe_masks_by_hand():
    frame = pd.DataFrame(
        {
            "innovative": _int8([1, 1, 0, None, 1]),
            "novelty": _int8([2, 3, None, None, 8]),
            **{f"partner_{o}": _int8([0, 0, None, None, 0]) for o in OPTIONS["partner"]},
        }
    )
    frame.loc[1, "partner_foreign"] = 1
    np.testing.assert_array_equal(universe_mask(frame, "all"), [True] * 5)
    np.testing.assert_array_equal(universe_mask(frame, "innovators"), [1, 1, 0, 0, 1])
    np.testing.assert_array_equal(universe_mask(frame, "non_innovators"), [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(universe_mask(frame, "adapters_and_copiers"), [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(universe_mask(frame, "collaborators"), [0, 1, 0, 0, 0])
    assert universe_mask(frame, "innovators").dtype == bool
    with pytest.raises(ValueError, match="unknown universe 'experts'"):
        universe_mask(frame, "experts")
    with pytest.raises(KeyError, match="'novelty'"):
        universe_mask(frame.drop(columns="novelty"), "adapters_and_copiers")


def test_print_codebook_lists_every_variable(capsys):
    assert print_codebook() == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["variable", "type", "universe", "theme", "label", "categories"]
    names = {line.split()[0] for line in lines[2:]}
    assert names == set(ALL_NAMES)
    assert "3=Largely a copy" in out and "options: product, service" in out


def test_cli_codebook_command(capsys):
    assert main(["codebook"]) == 0
    assert "factor_user_involvement" in capsys.readouterr().out


VALID = """\
non_substantive_codes:
  8: don't know
batteries:
  effects: Effects
variables:
  - name: novelty
    label: Novelty
    question: Was it new?
    type: single
    categories:
      1: Own
      2: Adapted
    non_substantive: [8]
    universe: innovators
    theme: overview
  - name: partner
    label: Partners
    question: Who took part?
    type: multiple
    options:
      citizens: Citizens
      firms: Firms
    universe: innovators
    theme: collaboration
  - name: effect_quality
    label: Quality
    question: Better quality?
    type: binary
    categories: {1: "Yes", 0: "No"}
    universe: innovators
    theme: overview
    battery: effects
"""


def _write(tmp_path, text):
    path = tmp_path / "codebook.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_valid_minimal_codebook_parses(tmp_path):
    book = parse_codebook(_write(tmp_path, VALID))
    assert book.columns() == ["novelty", "partner_citizens", "partner_firms", "effect_quality"]


BROKEN = {
    "unknown type": (("type: single", "type: scale"), ["'novelty'", "unknown type 'scale'"]),
    "duplicate code": (
        ("      2: Adapted", "      2: Adapted\n      2: Copied"),
        ["'novelty'", "line 13", "key 2 is given twice"],
    ),
    "option without label": (("      firms: Firms", "      firms:"), ["'partner'", "firms"]),
    "unknown universe": (
        (
            "universe: innovators\n    theme: overview\n  - name: partner",
            "universe: experts\n    theme: overview\n  - name: partner",
        ),
        ["'novelty'", "universe 'experts'"],
    ),
    "non-substantive code not declared": (
        ("non_substantive: [8]", "non_substantive: [9]"),
        ["'novelty'", "non_substantive"],
    ),
    "code clashes with don't know": (("      2: Adapted", "      8: Adapted"), ["'novelty'", "8"]),
    "undeclared battery": (("battery: effects", "battery: value"), ["'effect_quality'", "value"]),
    "unquoted YAML boolean label": (
        ('{1: "Yes", 0: "No"}', "{1: Yes, 0: No}"),
        ["'effect_quality'", "quote"],
    ),
    "missing question": (("    question: Who took part?\n", ""), ["'partner'", "question"]),
    "unknown key": (
        ("    theme: collaboration", "    theme: collaboration\n    colour: red"),
        ["'partner'", "colour"],
    ),
    "column collision": (
        ("  - name: effect_quality", "  - name: partner_firms"),
        ["'partner_firms'", "also a column of 'partner'"],
    ),
    "categories on multiple": (
        ("      firms: Firms", "      firms: Firms\n    categories: {1: a}"),
        ["'partner'", "categories"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_codebook_gives_clear_error(tmp_path, case):
    (old, new), expected = BROKEN[case]
    assert old in VALID
    path = _write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(CodebookError) as error:
        parse_codebook(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


BALANCED = """\
batteries:
  factors: Factors
balance:
  battery: factors
  promoted: [1, 2]
  hindered: [4, 5]
variables:
  - name: factor_time
    label: Time
    question: Did time promote or hinder it?
    type: ordinal
    categories: {1: Promoted strongly, 2: Promoted, 3: Neither, 4: Hindered, 5: Hindered strongly}
    non_substantive: [8]
    universe: innovators
    theme: barriers
    battery: factors
"""


def test_balance_block_is_read(tmp_path, codebook):
    assert codebook.balance == Balance(battery="factors", promoted=(1, 2), hindered=(4, 5))
    assert parse_codebook(_write(tmp_path, BALANCED)).balance == codebook.balance
    assert parse_codebook(_write(tmp_path, VALID)).balance is None


BAD_BALANCE = {
    "code not in the scale": (("promoted: [1, 2]", "promoted: [1, 6]"), ["[6]", "'factor_time'"]),
    "non-substantive code": (("hindered: [4, 5]", "hindered: [4, 8]"), ["[8]", "'factor_time'"]),
    "unknown battery": (("battery: factors\n  p", "battery: culture\n  p"), ["'culture'"]),
    "promoted and hindered": (("hindered: [4, 5]", "hindered: [2, 5]"), ["[2]", "both"]),
    "missing key": (("  hindered: [4, 5]\n", ""), ["hindered"]),
}


@pytest.mark.parametrize("case", list(BAD_BALANCE))
def test_bad_balance_is_refused_naming_it(tmp_path, case):
    (old, new), expected = BAD_BALANCE[case]
    assert old in BALANCED
    path = _write(tmp_path, BALANCED.replace(old, new, 1))
    with pytest.raises(CodebookError) as error:
        parse_codebook(path)
    message = str(error.value)
    assert f"{path}: balance" in message
    for fragment in expected:
        assert fragment in message


def test_duplicate_variable_is_an_error(tmp_path):
    text = VALID + VALID[VALID.index("  - name: novelty") : VALID.index("  - name: partner")]
    with pytest.raises(CodebookError, match="'novelty' is defined twice"):
        parse_codebook(_write(tmp_path, text))


def test_not_yaml_is_an_error(tmp_path):
    with pytest.raises(CodebookError, match="not valid YAML"):
        parse_codebook(_write(tmp_path, "variables: [\n"))
