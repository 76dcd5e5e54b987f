"""Broken national data, end to end through `build_data`: every problem named with file, column,
rows and fix, all at once, and nothing written."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures.ingest.project import CSV_TEXT, MAPPING_TEXT, built_files, make_project

from innobarometer.harmonise.datasets import DataBuildError, build_data
from innobarometer.harmonise.validate import DataValidationError, validate_frame


def edit_line(number: int, old: str, new: str, csv: str = CSV_TEXT) -> str:
    """The CSV with one field changed on one line (the header is line 1, line 6 is blank)."""
    lines = csv.splitlines()
    assert old in lines[number - 1], (number, old)
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


def build_error(tmp_path, monkeypatch, *, csv=CSV_TEXT, mapping=MAPPING_TEXT) -> str:
    """Build the broken fixture; return the error text, asserting that nothing was written."""
    make_project(tmp_path, monkeypatch, csv=csv, mapping=mapping)
    with pytest.raises(DataBuildError) as caught:
        build_data(progress=lambda line: None)
    assert built_files(tmp_path) == []
    return str(caught.value)


BROKEN_DATA = {
    "unknown code (5 on novelty's 1-3 scale)": (
        edit_line(7, ";1;1;1;1;;3;", ";1;1;1;1;;5;"),
        MAPPING_TEXT,
        ["column novelty (national column q5)", "lines 7", "'5' x1", "add one", "missing_values"],
    ),
    "a 1-6 scale where the codebook's 1-5 is declared (no recode)": (
        CSV_TEXT,
        MAPPING_TEXT.replace(
            MAPPING_TEXT[
                MAPPING_TEXT.index("  factor_lack_of_time:") : MAPPING_TEXT.index("caveats:")
            ],
            "  factor_lack_of_time: q14f\n",
        ),
        [
            "column factor_lack_of_time (national column q14f)",
            "lines 4",
            "'6' x1",
            "scale conversion",
        ],
    ),
    "a code the recode does not cover": (
        edit_line(2, "101;2.5;A;10;1;1;", "101;2.5;A;10;1;4;"),
        MAPPING_TEXT,
        [
            "column q1a (columns.introduced_product)",
            "lines 2",
            "'4' x1",
            "columns.introduced_product.recode",
        ],
    ),
    "text in an item column": (
        edit_line(7, ";1;1;1;1;;3;", ";1;1;1;1;;ja;"),
        MAPPING_TEXT,
        ["column novelty (national column q5)", "lines 7", "'ja' x1", "recode"],
    ),
    "text in the weight column (decimal comma)": (
        edit_line(2, "101;2.5;", "101;2,5;"),
        MAPPING_TEXT,
        ["column weight (national column vaegt)", "lines 2", "'2,5' x1", "decimal comma"],
    ),
    "missing weight": (
        edit_line(3, "102;2.5;", "102;;"),
        MAPPING_TEXT,
        ["column weight (national column vaegt)", "have no weight", "lines 3"],
    ),
    "zero and negative weights": (
        edit_line(5, "104;2;", "104;0;", edit_line(7, "105;2;", "105;-2;")),
        MAPPING_TEXT,
        ["column weight", "zero, negative", "lines 5, 7", "'0' x1", "'-2' x1"],
    ),
    "duplicate unit_id": (
        edit_line(3, "102;", "101;"),
        MAPPING_TEXT,
        ["column unit_id (national column lbnr)", "share their unit_id", "lines 2, 3", "'101' x2"],
    ),
    "a stratum with more respondents than its population": (
        edit_line(5, "104;2;B;4;", "104;2;B;1;", edit_line(7, "105;2;B;4;", "105;2;B;1;")),
        MAPPING_TEXT,
        [
            "column stratum_population",
            "more respondents than stratum_population",
            "lines 5, 7",
            "'B (2 respondents, population 1.0)' x2",
        ],
    ),
    "stratum_population not constant within a stratum": (
        edit_line(4, "103;2.5;A;10;", "103;2.5;A;11;"),
        MAPPING_TEXT,
        ["column stratum_population (national column popsize)", "not constant", "lines 2, 3, 4"],
    ),
    "an innovator-only answer from a non-innovator": (
        edit_line(3, "102;2.5;A;10;3;2;2;2;2;1;;", "102;2.5;A;10;3;2;2;2;2;1;2;"),
        MAPPING_TEXT,
        ["column novelty", "asked of innovators only", "lines 3", "routing"],
    ),
    "a non-innovator ticking a partner": (
        edit_line(5, "104;2;B;4;1;2;2;2;2;2;;;", "104;2;B;4;1;2;2;2;2;2;;1;"),
        MAPPING_TEXT,
        ["column partner_own_organisation", "asked of innovators only", "lines 5"],
    ),
    "a non-innovator ticking only the second partner option": (
        edit_line(5, "104;2;B;4;1;2;2;2;2;2;;;;", "104;2;B;4;1;2;2;2;2;2;;0;1"),
        MAPPING_TEXT,
        [
            "column partner_citizens (national column q9e):",
            "asked of innovators only",
            "lines 5; values '1' x1",
        ],
    ),
    "an option column holding a code that is neither ticked nor not ticked": (
        edit_line(4, ";2;0;0;1,2;6;", ";2;x;9;1,2;6;"),
        MAPPING_TEXT,
        [
            "column q9a (columns.partner)",
            "column q9e (columns.partner)",
            "listed neither under selected nor under not_selected",
            "lines 4; values 'x' x1",
            "lines 4; values '9' x1",
            "columns.partner.not_selected (not ticked)",
        ],
    ),
    "more initiators ticked than the item allows": (
        edit_line(2, ";1;1;0;1;1;ok", ";1;1;0;1,2,3,4;1;ok"),
        MAPPING_TEXT.replace("2: own_manager}", "2: own_manager, 3: economic_pressure, 4: other}"),
        ["column initiator_employees", "tick more than 3 options of initiator", "lines 2"],
    ),
    "an empty file (header only)": (
        CSV_TEXT.splitlines()[0] + "\n",
        MAPPING_TEXT,
        ["DK-2023.csv", "has no data rows"],
    ),
    "a mapped column missing from the file": (
        CSV_TEXT.replace(";q5;", ";q5x;"),
        MAPPING_TEXT,
        [
            "DK-2023.csv",
            "column q5",
            "not in the file (mapped at columns.novelty)",
            "did you mean 'q5x'",
        ],
    ),
    "a wrong encoding": (
        CSV_TEXT.replace(";ok", ";Sødal").encode("cp1252"),
        MAPPING_TEXT,
        ["DK-2023.csv", "line 2", "not valid utf-8", "encoding: cp1252"],
    ),
    "a mapping pointing at a missing file": (
        CSV_TEXT,
        MAPPING_TEXT.replace("../raw/DK-2023.csv", "../raw/DK-2023-final.csv"),
        ["DK-2023.yaml", "key source.file", "DK-2023-final.csv does not exist"],
    ),
    "a misspelt mapping key": (
        CSV_TEXT,
        MAPPING_TEXT.replace("missing_values: [99]", "missing_value: [99]"),
        ["DK-2023.yaml", "key missing_value", "did you mean 'missing_values'"],
    ),
    "an unreadable file": (
        b"\x00\x01garbage",
        MAPPING_TEXT.replace(
            '../raw/DK-2023.csv\n  delimiter: ";"', "../raw/DK-2023.csv\n  format: spss"
        ),
        ["DK-2023.csv", "cannot be read as spss", "format:"],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_DATA))
def test_broken_input_is_reported_with_file_column_rows_and_fix(tmp_path, monkeypatch, case):
    csv, mapping, expected = BROKEN_DATA[case]
    message = build_error(tmp_path, monkeypatch, csv=csv, mapping=mapping)
    assert "DK-2023" in message
    for part in expected:
        assert part in message, f"{case}: {part!r} not in\n{message}"
    assert "fix:" in message


def test_every_problem_is_reported_at_once(tmp_path, monkeypatch):
    csv = edit_line(3, "102;", "101;", edit_line(2, "101;2.5;", "101;-1;"))
    csv = edit_line(7, ";1;1;1;1;;3;", ";1;1;1;1;;5;", csv)
    message = build_error(tmp_path, monkeypatch, csv=csv)
    assert message.count("fix:") == 3
    for column in ("column weight", "column unit_id", "column novelty"):
        assert column in message


def test_a_failed_rebuild_leaves_the_earlier_product_untouched(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    (written,) = build_data(progress=lambda line: None)
    before = written.read_bytes()
    broken = edit_line(3, "102;", "101;")
    (tmp_path / "data" / "raw" / "DK-2023.csv").write_text(broken, encoding="utf-8")
    with pytest.raises(DataBuildError):
        build_data(progress=lambda line: None)
    assert written.read_bytes() == before
    assert [p.name for p in built_files(tmp_path)] == [
        "DK-2023.facts.json",
        "DK-2023.inputs.json",
        "DK-2023.parquet",
    ]


def test_an_edition_with_no_innovators_is_valid(tmp_path, monkeypatch):
    lines = CSV_TEXT.splitlines()
    header, rows = lines[0], [line for line in lines[1:] if line]
    # Every introduced_* item 'no' (2), no module answers: a valid edition without innovators.
    rows = [";".join(r.split(";")[:5] + ["2", "2", "2", "2", "2"] + [""] * 6) for r in rows]
    make_project(tmp_path, monkeypatch, csv="\n".join([header, *rows]) + "\n")
    (written,) = build_data(progress=lambda line: None)
    frame = pd.read_parquet(written)
    assert (frame["innovative"] == 0).all()
    assert frame["novelty"].isna().all()


def test_unknown_country_in_a_frame(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    (written,) = build_data(progress=lambda line: None)
    frame = pd.read_parquet(written)
    frame["country"] = frame["country"].astype(str).where(frame.index != 2, "XX")
    with pytest.raises(DataValidationError) as caught:
        validate_frame(frame)
    message = str(caught.value)
    assert "column country" in message and "rows 2" in message and "'XX' x1" in message
    assert "DK, NO, SE, FI, IS" in message


def test_a_valid_frame_passes(tmp_path, monkeypatch):
    make_project(tmp_path, monkeypatch)
    (written,) = build_data(progress=lambda line: None)
    validate_frame(pd.read_parquet(written))


def test_unticked_codes_come_from_not_selected(tmp_path, monkeypatch):
    # Partner columns coded 1 ticked / 2 not ticked: with `not_selected: [2]` the 2s are "not
    # ticked" and the 0s of line 4 (unit 103) an error; with the default [0] the 2s would be.
    csv = edit_line(2, ";1;1;0;1;1;ok", ";1;1;2;1;1;ok")
    mapping = MAPPING_TEXT.replace("selected: [1]", "selected: [1]\n    not_selected: [2]")
    message = build_error(tmp_path, monkeypatch, csv=csv, mapping=mapping)
    assert "column q9a (columns.partner): 1 rows hold codes listed neither" in message
    assert "lines 4; values '0' x1" in message
    assert "lines 2" not in message


def test_messages_take_codes_and_labels_from_the_codebook(tmp_path, monkeypatch):
    """Labels in a message are the codebook's, so a relabelled code cannot drift from it."""
    from dataclasses import replace

    from innobarometer.codebook import load_codebook

    codebook = load_codebook()
    variables = dict(codebook.variables)
    variables["novelty"] = replace(variables["novelty"], categories={1: "Own", 2: "Borrowed"})
    variables["country"] = replace(variables["country"], categories={"DK": "Denmark"})
    relabelled = replace(codebook, variables=variables)
    make_project(tmp_path, monkeypatch)
    (written,) = build_data(progress=lambda line: None)
    frame = pd.read_parquet(written)
    frame["country"] = frame["country"].astype(str).where(frame.index != 0, "NO")
    with pytest.raises(DataValidationError) as caught:
        validate_frame(frame, codebook=relabelled)
    message = str(caught.value)
    # Unit 105 answered novelty 3, which the relabelled codebook no longer defines.
    assert "codebook does not define for novelty (1 Own, 2 Borrowed, 8 don't know)" in message
    assert "column country: 1 rows hold values that are not codes of country (DK)" in message


def test_a_blank_option_cell_is_not_ticked_when_the_row_answers_the_item(tmp_path, monkeypatch):
    """Files often leave unticked boxes empty: unit 101 ticked q9a and left q9e blank (not
    ticked); unit 103 left both blank (not asked)."""
    csv = edit_line(2, ";1;1;0;1;1;ok", ";1;1;;1;1;ok")
    csv = edit_line(4, ";2;0;0;1,2;6;", ";2;;;1,2;6;", csv=csv)
    make_project(tmp_path, monkeypatch, csv=csv)
    (written,) = build_data(progress=lambda line: None)
    frame = pd.read_parquet(written).set_index("unit_id")
    assert frame.loc["101", "partner_own_organisation"] == 1
    assert frame.loc["101", "partner_citizens"] == 0
    assert frame.loc["103", ["partner_own_organisation", "partner_citizens"]].isna().all()
