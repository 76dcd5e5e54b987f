"""The mapping schema: a valid mapping loads; every kind of mistake is reported at once, each with
the mapping file, the key path and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.ingest.project import MAPPING_TEXT, make_project

from innobarometer.harmonise.mapping import MappingError, check_mapping, read_mapping

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "mappings" / "example.yaml.txt"


def problems_of(tmp_path, monkeypatch, text: str, name: str = "DK-2023") -> list[str]:
    path = make_project(tmp_path, monkeypatch, mapping=text, edition_id=name)
    _, problems = check_mapping(path)
    return [p.format() for p in problems]


def test_fixture_mapping_loads(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch)
    mapping = read_mapping(path)
    assert (mapping.country, mapping.edition, mapping.edition_id) == ("DK", 2023, "DK-2023")
    assert mapping.synthetic is False and mapping.unit_level == "workplace"
    assert mapping.source_path == (tmp_path / "data" / "raw" / "DK-2023.csv").resolve()
    assert mapping.source_path.is_absolute() and mapping.format == "csv"
    assert mapping.delimiter == ";" and mapping.caveats == ("Hand-made test data.",)
    assert mapping.path == path.resolve()
    assert mapping.missing_values == ("99",)
    factor = mapping.columns["factor_lack_of_time"]
    assert factor.recode == {"1": 5, "2": 4, "3": 3, "4": 3, "5": 2, "6": 1}
    assert factor.rule.startswith("1-6")
    assert mapping.columns["partner"].options == {"own_organisation": "q9a", "citizens": "q9e"}
    assert mapping.columns["initiator"].codes == {"1": "employees", "2": "own_manager"}
    assert mapping.derives_innovative
    with pytest.raises(AttributeError):
        mapping.country = "NO"


def test_norway_is_not_read_as_false(tmp_path, monkeypatch):
    text = MAPPING_TEXT.replace("country: DK", "country: NO")
    path = make_project(tmp_path, monkeypatch, mapping=text, edition_id="NO-2023")
    assert read_mapping(path).country == "NO"


def test_example_in_the_docs_is_a_valid_mapping(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch, mapping=EXAMPLE.read_text(encoding="utf-8"))
    (tmp_path / "data" / "raw" / "DK-2023.sav").write_bytes(b"")
    mapping, problems = check_mapping(path)
    assert problems == [] and mapping.format == "spss"
    assert mapping.constants == {"gov_level": "municipal"}


# Each case: a mistake, and the fragments its message must contain (key path and fix).
MISTAKES = {
    "misspelt top key": (
        ("caveats:", "caveat:"),
        ["key caveat", "unknown key 'caveat'", "did you mean 'caveats'?"],
    ),
    "misspelt nested option": (
        ("citizens: q9e", "citizen: q9e"),
        ["key columns.partner.options.citizen", "did you mean 'citizens'?", "own_organisation"],
    ),
    "misspelt column key": (
        ("column: q14f", "colum: q14f"),
        ["key columns.factor_lack_of_time.colum", "did you mean 'column'?"],
    ),
    "missing required key": (
        ("unit_level: workplace\n", ""),
        ["key unit_level", "missing required key"],
    ),
    "wrong type": (
        ("edition: 2023", 'edition: "2023"'),
        ["key edition", "must be the survey year as a number, not text ('2023')"],
    ),
    "synthetic not a boolean": (
        ("synthetic: false", "synthetic: no"),
        ["key synthetic", "must be true or false"],
    ),
    "file name and edition disagree": (
        ("edition: 2023", "edition: 2022"),
        ["key edition", "2022 does not agree with the file name DK-2023.yaml"],
    ),
    "file name and country disagree": (
        ("country: DK", "country: SE"),
        ["key country", "SE does not agree with the file name"],
    ),
    "unknown country": (
        ("country: DK", "country: DE"),
        ["key country", "unknown country 'DE'", "DK, NO, SE, FI, IS"],
    ),
    "unknown codebook variable": (
        ("  novelty: q5", "  novlety: q5"),
        ["key columns.novlety", "unknown codebook variable 'novlety'", "did you mean 'novelty'?"],
    ),
    "recode to a code the codebook does not define": (
        ("5: 2, 6: 1}", "5: 2, 6: 6}"),
        ["key columns.factor_lack_of_time.recode.6", "6 is not a code of factor_lack_of_time"],
    ),
    "one national code written twice in a recode": (
        ("5: 2, 6: 1}", "5: 2, 6: 1, '06': 5}"),
        ["key columns.factor_lack_of_time.recode.06", "same national code as an earlier key (6)"],
    ),
    "background recode to an unknown value": (
        ("3: municipal}", "3: munincipal}"),
        ["key columns.gov_level.recode.3", "did you mean 'municipal'?"],
    ),
    "a multiple-response option the codebook does not define": (
        ("2: own_manager}", "2: manager}"),
        ["key columns.initiator.codes.2", "'manager' is not an option of initiator"],
    ),
    "a multiple-response item given as one plain column": (
        ("  novelty: q5", "  novelty: q5\n  financing: q11"),
        ["key columns.financing", "multiple-response item", "options:"],
    ),
    "a required design column not mapped": (
        ("  weight: vaegt\n", ""),
        ["key columns.weight", "required design column", "add `weight: <national column>`"],
    ),
    "an option column mapped as a variable": (
        ("  novelty: q5", "  novelty: q5\n  partner_foreign: q9i"),
        ["key columns.partner_foreign", "one option of the multiple-response item partner"],
    ),
    "unknown format": (
        ('delimiter: ";"', 'delimiter: ";"\n  format: sdf'),
        ["key source.format", "unknown format 'sdf'"],
    ),
    "a CSV option on an SPSS file": (
        ("../raw/DK-2023.csv", "../raw/DK-2023.sav"),
        ["key source.delimiter", "applies to CSV files only", "key source.file"],
    ),
    "an empty selected list (nothing could mean ticked)": (
        ("selected: [1]", "selected: []"),
        ["key columns.partner.selected", "is empty", "selected: [1]"],
    ),
    "one code both ticked and not ticked": (
        ("selected: [1]", "selected: [1]\n    not_selected: [0, 1]"),
        ["key columns.partner.not_selected", "1 is listed under both selected and not_selected"],
    ),
    "a blank code (a blank cell is never a code)": (
        ("selected: [1]", 'selected: [1, ""]'),
        ["key columns.partner.selected[1]", "a blank code means nothing here", "remove it"],
    ),
    "no option at all": (
        ("options: {own_organisation: q9a, citizens: q9e}", "options: {}"),
        ["key columns.partner.options", "is empty", "leave partner out"],
    ),
    "ticked coded 0 with the default not_selected": (
        ("selected: [1]", "selected: [0]"),
        ["key columns.partner.not_selected", "not_selected defaults to [0]", "not_selected: [1]"],
    ),
    "a not-ticked code that is also a missing code": (
        ("selected: [1]", "selected: [1]\n    not_selected: [0, 99]"),  # the file's missing: [99]
        ["key columns.partner", "99 is a missing code", "keep it in one place"],
    ),
    "duplicate key": (
        ("  novelty: q5", "  novelty: q5\n  novelty: q6"),
        ["line 22", "duplicate key 'novelty'", "keep one"],
    ),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_each_mistake_is_named_with_key_path_and_fix(tmp_path, monkeypatch, case):
    (old, new), fragments = MISTAKES[case]
    assert old in MAPPING_TEXT
    messages = problems_of(tmp_path, monkeypatch, MAPPING_TEXT.replace(old, new, 1))
    text = "\n".join(messages)
    assert "DK-2023.yaml" in text
    for fragment in fragments:
        assert fragment in text, f"{case}: {fragment!r} not in\n{text}"


def test_all_problems_are_reported_at_once(tmp_path, monkeypatch):
    text = (
        MAPPING_TEXT.replace("caveats:", "caveat:")
        .replace("  novelty: q5", "  novlety: q5")
        .replace("5: 2, 6: 1}", "5: 2, 6: 6}")
        .replace("edition: 2023", "edition: 2022")
    )
    path = make_project(tmp_path, monkeypatch, mapping=text)
    with pytest.raises(MappingError) as caught:
        read_mapping(path)
    assert len(caught.value.problems) == 4
    assert str(caught.value).startswith("4 problems:")
    for key in ("key caveat", "key columns.novlety", "recode.6", "key edition"):
        assert key in str(caught.value)


def test_a_file_not_named_as_a_mapping_is_reported(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch)
    renamed = path.rename(path.with_name("denmark.yaml"))
    _, problems = check_mapping(renamed)
    assert "is not named <CC>-<YYYY>.yaml" in problems[0].format()


def test_yaml_syntax_error_names_the_line(tmp_path, monkeypatch):
    text = MAPPING_TEXT.replace("  novelty: q5", "  novelty: [q5")
    (message,) = problems_of(tmp_path, monkeypatch, text)
    assert "DK-2023.yaml: line" in message and "not valid YAML" in message
