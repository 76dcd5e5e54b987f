"""Comparability breaks in a mapping (`comparability:`): checked like every mapping key, carried
into the edition's facts, and shown first by the trend report."""

from __future__ import annotations

import pytest
from fixtures.ingest.project import MAPPING_TEXT, make_project

from innobarometer.data_set import EditionFacts
from innobarometer.harmonise.datasets import facts_of_mapping
from innobarometer.harmonise.mapping import check_mapping, read_mapping

BREAKS = """comparability:
  - variable: factors
    changed: scale
    note: asked on 1-6 instead of 1-5
  - variable: all
    changed: coverage
    note: adds social units
"""


def test_breaks_are_read_and_carried_into_the_facts(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch, mapping=MAPPING_TEXT + BREAKS)
    mapping = read_mapping(path)
    assert mapping.comparability == (
        {"variable": "factors", "changed": "scale", "note": "asked on 1-6 instead of 1-5"},
        {"variable": "all", "changed": "coverage", "note": "adds social units"},
    )
    from innobarometer.codebook import load_codebook

    facts = facts_of_mapping(mapping, load_codebook())
    assert EditionFacts.from_json(facts.to_json()).comparability == mapping.comparability


def test_facts_written_before_breaks_existed_still_load():
    facts = EditionFacts("DK", 2023, "workplace", True, (), frozenset(), {})
    text = facts.to_json().replace('"comparability": [],\n', "")
    assert "comparability" not in text
    assert EditionFacts.from_json(text).comparability == ()


@pytest.mark.parametrize(
    "entry, fragments",
    [
        ("  - {variable: factorz, changed: scale}\n", ["comparability[0].variable", "factors"]),
        ("  - {variable: novelty, changed: wordng}\n", ["comparability[0].changed", "wording"]),
        ("  - {variable: novelty, changed: scale, why: x}\n", ["comparability[0].why"]),
        ("  - novelty\n", ["comparability[0]", "`variable:`"]),
    ],
)
def test_a_mistaken_break_is_named_with_key_path_and_fix(tmp_path, monkeypatch, entry, fragments):
    path = make_project(tmp_path, monkeypatch, mapping=MAPPING_TEXT + "comparability:\n" + entry)
    _, problems = check_mapping(path)
    text = "\n".join(p.format() for p in problems)
    for fragment in fragments:
        assert fragment in text, text
