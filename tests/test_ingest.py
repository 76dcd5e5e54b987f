"""Readers and harmonisation: every format gives the same frame, worked out by hand from the
fixture (tests/fixtures/ingest/raw/DK-2023.csv and its mapping)."""

from __future__ import annotations

import shutil

import pandas as pd
import pyreadstat
import pytest
from fixtures.ingest.project import (
    CSV_TEXT,
    FIXTURES,
    MAPPING_TEXT,
    make_project,
    national_frame,
)

from innobarometer.harmonise.ingest import SourceError, harmonise, read_source
from innobarometer.harmonise.mapping import read_mapping
from innobarometer.harmonise.validate import find_problems

NA = pd.NA
# The fixture's rows recoded by hand: q1* 1 yes / 2 no / 3 don't know -> 1/0/8, 99 missing;
# innovative = any introduced_* is 1 (1), else any is 0 (0), else missing; q14f's 1-6 scale
# reversed onto 1-5 (1->5, 2->4, 6->1); partner ticked = 1; initiator "1,2" = both options.
EXPECTED = {
    "unit_id": ["101", "102", "103", "104", "105", "106", "107"],
    "gov_level": ["state", "municipal", "regional", "state", "municipal", "municipal", "regional"],
    "stratum": ["A", "A", "A", "B", "B", "C", "C"],
    "stratum_population": [10.0, 10, 10, 4, 4, 6, 6],
    "weight": [2.5, 2.5, 2.5, 2, 2, 3, 3],
    "introduced_product": [1, 0, 0, 0, 1, 8, 0],
    "introduced_service": [0, 0, 1, 0, 1, 8, NA],
    "introduced_process": [0, 0, 8, 0, 1, 8, 0],
    "introduced_communication": [0, 0, 0, 0, 1, 8, 8],
    "innovative": [1, 0, 1, 0, 1, NA, 0],
    "ongoing_development": [NA, 1, NA, 0, NA, NA, NA],
    "novelty": [1, NA, 2, NA, 3, NA, NA],
    "partner_own_organisation": [1, NA, 0, NA, 1, NA, NA],
    "partner_citizens": [0, NA, 0, NA, 1, NA, NA],
    "initiator_employees": [1, NA, 1, NA, 0, NA, NA],
    "initiator_own_manager": [0, NA, 1, NA, 1, NA, NA],
    "factor_lack_of_time": [5, NA, 1, NA, 4, NA, NA],
}
CODED = [c for c in EXPECTED if c.startswith(("introduced", "innov", "ongoing", "novelty"))] + [
    "partner_own_organisation",
    "partner_citizens",
    "initiator_employees",
    "initiator_own_manager",
    "factor_lack_of_time",
]
VALUE_LABELS = {
    "sektor": {1: "Stat", 2: "Region", 3: "Kommune"},
    "q14f": {1: "Hæmmede meget", 6: "Fremmede meget"},
}


def harmonised(mapping_path):
    mapping = read_mapping(mapping_path)
    source = read_source(mapping)
    frame, problems = harmonise(source, mapping)
    assert problems == []
    return frame, source


def assert_expected(frame: pd.DataFrame) -> None:
    for column, values in EXPECTED.items():
        got = frame[column].reset_index(drop=True)
        if column in CODED:
            assert str(got.dtype) == "Int8", column
            expected = pd.Series(values, dtype="Int8", name=column)
        elif column in ("weight", "stratum_population"):
            expected = pd.Series(values, dtype="float64", name=column)
        else:
            got = got.astype(str)
            expected = pd.Series(values, dtype=str, name=column)
        pd.testing.assert_series_equal(got, expected, check_names=False)


def test_csv_fixture_harmonises_to_the_hand_recoded_frame(tmp_path, monkeypatch):
    frame, source = harmonised(make_project(tmp_path, monkeypatch))
    assert_expected(frame)
    # CSV line numbers count the header as line 1 and the blank line 6.
    assert list(frame.index) == [2, 3, 4, 5, 7, 8, 9]
    assert frame["country"].astype(str).unique().tolist() == ["DK"]
    assert frame["edition"].unique().tolist() == [2023]
    assert frame["unit_level"].astype(str).unique().tolist() == ["workplace"]
    assert isinstance(frame["gov_level"].dtype, pd.CategoricalDtype)
    assert list(frame["gov_level"].cat.categories) == ["state", "regional", "municipal"]
    # Options the mapping leaves out are absent (missing), not "not ticked".
    assert frame["partner_foreign"].isna().all()
    assert frame["effect_quality"].isna().all()


def _write_other_format(tmp_path, monkeypatch, fmt: str):
    """The fixture's table written as `fmt` beside a mapping that points at it."""
    path = make_project(tmp_path, monkeypatch)
    raw = path.parent.parent / "raw"
    table = national_frame()
    source_lines = 'file: ../raw/DK-2023.csv\n  delimiter: ";"'
    if fmt == "excel":
        target = raw / "DK-2023.xlsx"
        with pd.ExcelWriter(target, engine="openpyxl") as writer:
            pd.DataFrame({"note": ["other sheet"]}).to_excel(writer, sheet_name="readme")
            table.to_excel(writer, sheet_name="data", index=False)
        new_source = "file: ../raw/DK-2023.xlsx\n  sheet: data"
    elif fmt == "spss":
        target = raw / "DK-2023.sav"
        pyreadstat.write_sav(table, target, variable_value_labels=VALUE_LABELS)
        new_source = "file: ../raw/DK-2023.sav"
    elif fmt == "stata":
        target = raw / "DK-2023.dta"
        pyreadstat.write_dta(table, target, variable_value_labels=VALUE_LABELS)
        new_source = "file: ../raw/DK-2023.dta"
    elif fmt == "sas":
        # Written by R haven from the fixture CSV (see tests/fixtures/ingest/README.md): nothing
        # in Python writes sas7bdat files.
        shutil.copy(FIXTURES / "raw" / "DK-2023.sas7bdat", raw / "DK-2023.sas7bdat")
        new_source = "file: ../raw/DK-2023.sas7bdat"
    elif fmt == "xport":
        pyreadstat.write_xport(table, raw / "DK-2023.xpt")
        new_source = "file: ../raw/DK-2023.xpt"
    else:
        target = raw / "DK-2023.parquet"
        table.to_parquet(target)
        new_source = "file: ../raw/DK-2023.parquet"
    path.write_text(MAPPING_TEXT.replace(source_lines, new_source), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("fmt", "first_rows"),
    [
        ("excel", [2, 3, 4]),
        ("spss", [1, 2, 3]),
        ("stata", [1, 2, 3]),
        ("sas", [1, 2, 3]),
        ("xport", [1, 2, 3]),
        ("parquet", [1, 2, 3]),
    ],
)
def test_every_format_loads_to_the_same_frame(tmp_path, monkeypatch, fmt, first_rows):
    frame, source = harmonised(_write_other_format(tmp_path, monkeypatch, fmt))
    assert source.format == fmt
    assert_expected(frame)
    # Rows are numbered as the user sees them: sheet rows under the header, case numbers.
    assert list(frame.index[:3]) == first_rows


@pytest.mark.parametrize("fmt", ["spss", "stata"])
def test_value_labels_are_read_and_named_in_messages(tmp_path, monkeypatch, fmt):
    path = _write_other_format(tmp_path, monkeypatch, fmt)
    mapping = read_mapping(path)
    source = read_source(mapping)
    assert source.value_labels["q14f"]["6"] == "Fremmede meget"
    # A recode that forgets code 6: the message shows the code with its label and the case.
    text = path.read_text(encoding="utf-8").replace("5: 2, 6: 1}", "5: 2}")
    path.write_text(text, encoding="utf-8")
    mapping = read_mapping(path)
    _, problems = harmonise(read_source(mapping), mapping)
    (problem,) = problems
    message = problem.format()
    assert "column q14f (columns.factor_lack_of_time)" in message
    assert "cases 3" in message
    assert "'6' ('Fremmede meget')" in message
    assert "columns.factor_lack_of_time.recode" in message


def test_wrong_encoding_names_file_line_and_the_encoding_key(tmp_path, monkeypatch):
    latin1 = CSV_TEXT.replace(";ok", ";Sødal").encode("latin-1")
    path = make_project(tmp_path, monkeypatch, csv=latin1)
    with pytest.raises(SourceError) as caught:
        read_source(read_mapping(path))
    message = str(caught.value)
    assert "DK-2023.csv" in message and "line 2" in message
    assert "encoding: cp1252" in message


def test_line_numbers_are_physical_lines_after_a_field_that_spans_lines(tmp_path, monkeypatch):
    # Unit 101's free-text q20 spans lines 2-4, so every later record sits two lines lower: unit
    # 102 on line 5, the blank line is 8, and 105's novelty 5 (out of range) is on line 9.
    csv = CSV_TEXT.replace(";1;1;ok\n", ';1;1;"first\nsecond\nthird"\n')
    csv = csv.replace(";1;1;1;1;;3;", ";1;1;1;1;;5;")
    path = make_project(tmp_path, monkeypatch, csv=csv)
    mapping = read_mapping(path)
    source = read_source(mapping)
    assert list(source.frame.index) == [2, 5, 6, 7, 9, 10, 11]
    assert source.frame.loc[2, "q20"] == "first\nsecond\nthird"
    frame, problems = harmonise(source, mapping)
    (problem,) = find_problems(frame, mapping, source) + problems
    assert "column novelty (national column q5)" in problem.format()
    assert "lines 9; values '5' x1" in problem.format()


def test_a_malformed_record_after_a_field_that_spans_lines_names_its_physical_line(
    tmp_path, monkeypatch
):
    # pandas counts records (unit 104's is the 5th, header included); in the file it starts on
    # line 7, below the three lines of unit 101's q20.
    csv = CSV_TEXT.replace(";1;1;ok\n", ';1;1;"first\nsecond\nthird"\n')
    csv = csv.replace("104;2;B;4;1;2;2;2;2;2;;;;;;", "104;2;B;4;1;2;2;2;2;2;;;;;;;")
    path = make_project(tmp_path, monkeypatch, csv=csv)
    with pytest.raises(SourceError) as caught:
        read_source(read_mapping(path))
    assert "Expected 16 fields in line 7, saw 17" in str(caught.value)


def test_a_stray_quote_that_swallows_records_is_named_not_read(tmp_path, monkeypatch):
    # Unit 101's free text opens a quote it never closes: pandas would read units 102 and 103 as
    # part of that text, and two respondents would vanish without a word.
    csv = CSV_TEXT.replace(";1;1;ok\n", ';1;1;"12 inch screen\n', 1)
    csv = csv.replace("1,2;6;\n", '1,2;6;a closing quote"\n', 1)
    path = make_project(tmp_path, monkeypatch, csv=csv)
    with pytest.raises(SourceError) as caught:
        read_source(read_mapping(path))
    message = str(caught.value)
    assert "line 2" in message and "column q20" in message
    assert "look like whole records" in message and '""' in message


def test_declared_latin1_encoding_reads_the_file(tmp_path, monkeypatch):
    latin1 = CSV_TEXT.replace(";ok", ";Sødal").encode("latin-1")
    mapping = MAPPING_TEXT.replace('delimiter: ";"', 'delimiter: ";"\n  encoding: latin-1')
    frame, source = harmonised(make_project(tmp_path, monkeypatch, csv=latin1, mapping=mapping))
    assert source.frame.loc[2, "q20"] == "Sødal"
    assert_expected(frame)


def test_wrong_delimiter_suggests_the_delimiter_key(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch, mapping=MAPPING_TEXT.replace('delimiter: ";"', ""))
    with pytest.raises(SourceError) as caught:
        read_source(read_mapping(path))
    message = str(caught.value)
    assert "DK-2023.csv" in message and "line 4" in message
    assert "set `delimiter: ';'`" in message


def test_one_column_file_suggests_the_delimiter_key(tmp_path, monkeypatch):
    # Without the "1,2" cell the file parses as one column: every mapped column is missing.
    csv = CSV_TEXT.replace(";1,2;", ";1;")
    path = make_project(
        tmp_path, monkeypatch, csv=csv, mapping=MAPPING_TEXT.replace('delimiter: ";"', "")
    )
    mapping = read_mapping(path)
    _, problems = harmonise(read_source(mapping), mapping)
    (problem,) = problems
    assert "DK-2023.csv" in problem.format() and "lbnr;vaegt" in problem.format()
    assert "set `delimiter: ';'`" in problem.format()


def test_missing_values_and_recode_to_null(tmp_path, monkeypatch):
    # 'Don't know' (3) recoded to no answer for q1d; q2's 99 is missing by the global list.
    text = MAPPING_TEXT.replace(
        "q1d, recode: {1: 1, 2: 0, 3: 8}", "q1d, recode: {1: 1, 2: 0, 3: null}"
    )
    frame, _ = harmonised(make_project(tmp_path, monkeypatch, mapping=text))
    assert frame["introduced_communication"].tolist()[5:] == [NA, NA]
    # Row 106 stays missing on innovative; row 107 still 0 (q1a and q1c are 'no').
    assert frame["innovative"].tolist()[5:] == [NA, 0]


def test_multiple_response_outside_its_universe_with_nothing_ticked_is_not_asked(
    tmp_path, monkeypatch
):
    # Non-innovator 104 stored 0 (not ticked) for both partner options: not asked, so missing.
    csv = CSV_TEXT.replace("104;2;B;4;1;2;2;2;2;2;;;;", "104;2;B;4;1;2;2;2;2;2;;0;0")
    frame, _ = harmonised(make_project(tmp_path, monkeypatch, csv=csv))
    assert frame.loc[5, ["partner_own_organisation", "partner_citizens"]].isna().all()
    # Innovator 103 ticked nothing: no collaboration (0), inside the universe.
    assert frame.loc[4, ["partner_own_organisation", "partner_citizens"]].tolist() == [0, 0]


def test_innovative_mapped_directly_is_not_derived(tmp_path, monkeypatch):
    csv = CSV_TEXT.replace(";q20\n", ";q20;inno\n").replace(";ok\n", ";ok;1\n")
    csv = csv.replace("\n102;2.5;A;10;3;2;2;2;2;1;;;;;;\n", "\n102;2.5;A;10;3;2;2;2;2;1;;;;;;;0\n")
    mapping = MAPPING_TEXT.replace("  novelty: q5", "  novelty: q5\n  innovative: inno")
    frame, _ = harmonised(make_project(tmp_path, monkeypatch, csv=csv, mapping=mapping))
    assert frame["innovative"].tolist() == [1, 0, NA, NA, NA, NA, NA]


def test_file_wide_missing_codes_never_blank_design_values(tmp_path, monkeypatch):
    # The fixture declares 99 missing for every answer; a workplace numbered 99 keeps its id, and
    # a stratum of 99 workplaces its population (both are data, not answer codes).
    csv = CSV_TEXT.replace("\n101;2.5;A;10;", "\n99;2.5;A;99;").replace(
        "\n102;2.5;A;10;", "\n102;2.5;A;99;"
    )
    csv = csv.replace("\n103;2.5;A;10;", "\n103;2.5;A;99;")
    frame, _ = harmonised(make_project(tmp_path, monkeypatch, csv=csv))
    assert frame["unit_id"].tolist()[0] == "99"
    assert frame["stratum_population"].tolist()[:3] == [99.0, 99.0, 99.0]
    assert frame["introduced_service"].tolist()[6] is NA  # q1b's 99 on row 107: still missing


def test_text_identifiers_are_kept_as_written(tmp_path, monkeypatch):
    # Leading zeros and long ids are part of an id: "0101" is not "101", and two 17-digit ids
    # must not merge through floating point.
    csv = CSV_TEXT.replace("\n101;2.5;A;", "\n0101;2.5;A;").replace(
        "\n102;2.5;A;", "\n12345678901234561;2.5;A;"
    )
    csv = csv.replace("\n103;2.5;A;", "\n12345678901234560;2.5;A;")
    frame, _ = harmonised(make_project(tmp_path, monkeypatch, csv=csv))
    assert frame["unit_id"].tolist()[:3] == ["0101", "12345678901234561", "12345678901234560"]
