"""Real national layouts (issue 14): blank cells of multiple-response items, slot columns,
options not offered, merge keys, `unmapped`, decimal commas, SAS catalogs, knock-on problems,
Excel sheets, non-UTF-8 mappings and `estimate` on out-of-date data.

The partner shares of `KNOWN` are worked out from the generating rule, not from the package: a
file read through a delimited column or through slot columns must give them exactly.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures.ingest.project import MAPPING_TEXT, make_project

from innobarometer.__main__ import main
from innobarometer.harmonise.datasets import build_data, check_report
from innobarometer.harmonise.ingest import harmonise, read_source
from innobarometer.harmonise.mapping import check_mapping, read_mapping
from innobarometer.harmonise.validate import DataValidationError, validate_frame

ROOT_CODEBOOK = Path(__file__).resolve().parents[1] / "src" / "innobarometer" / "codebook.yaml"
PARTNER_CODES = {1: "own_organisation", 4: "private_firms", 5: "citizens"}
N_UNITS = 120


def _known_units() -> pd.DataFrame:
    """Units with a known partner set: every even unit innovated; innovator k ticked
    own_organisation when k % 3 == 0, private_firms when k % 7 == 0 and citizens when k % 5 == 0,
    so many innovators ticked nothing. Weights 1, 2, 3 in turn."""
    rows = []
    for i in range(1, N_UNITS + 1):
        innovator = i % 2 == 0
        k = i // 2
        ticked = {
            "own_organisation": innovator and k % 3 == 0,
            "private_firms": innovator and k % 7 == 0,
            "citizens": innovator and k % 5 == 0,
        }
        rows.append({"id": i, "w": 1 + i % 3, "innovator": innovator, **ticked})
    return pd.DataFrame(rows)


KNOWN = _known_units()


def _true_shares() -> dict[str, float]:
    """Weighted shares among innovators, from the generating rule."""
    innovators = KNOWN[KNOWN["innovator"]]
    weights = innovators["w"].to_numpy(float)
    return {
        option: float(np.sum(weights * innovators[option]) / np.sum(weights))
        for option in PARTNER_CODES.values()
    }


def _codes_of(row) -> list[int]:
    return [code for code, option in PARTNER_CODES.items() if row[option]]


def _csv(partner_columns) -> str:
    """The known units as a ';' CSV: design columns, q1 (1 yes / 2 no) and the partner layout
    `partner_columns(row)` -> {column: cell}."""
    lines = []
    for _, row in KNOWN.iterrows():
        cells = {
            "id": str(row["id"]),
            "w": str(row["w"]),
            "strat": "A",
            "pop": "1000",
            "q1": "1" if row["innovator"] else "2",
        }
        cells.update(partner_columns(row) if row["innovator"] else {})
        lines.append(cells)
    header = list(dict.fromkeys(k for line in lines for k in line))
    body = [";".join(line.get(h, "") for h in header) for line in lines]
    return "\n".join([";".join(header), *body]) + "\n"


HEAD = """country: DK
edition: 2023
synthetic: false
unit_level: workplace
source:
  file: ../raw/DK-2023.csv
  delimiter: ";"
columns:
  unit_id: id
  weight: w
  stratum: strat
  stratum_population: pop
  introduced_product: {column: q1, recode: {1: 1, 2: 0}}
"""
CODES = "{1: own_organisation, 4: private_firms, 5: citizens}"
OFFERED = "not_offered: [public_same_sector, public_other_sector, knowledge_institutions, " + (
    "voluntary, foundations, foreign]"
)


def delimited_cells(row) -> dict[str, str]:
    return {"q9": ",".join(str(c) for c in _codes_of(row))}


def slot_cells(row) -> dict[str, str]:
    codes = [str(c) for c in _codes_of(row)]
    return {f"q9_{i}": (codes[i - 1] if i <= len(codes) else "") for i in (1, 2, 3)}


DELIMITED = f"  partner: {{column: q9, delimiter: ',', codes: {CODES}, {OFFERED}}}\n"
SLOTS = f"  partner: {{columns: [q9_1, q9_2, q9_3], codes: {CODES}, {OFFERED}}}\n"


def _frame(tmp_path, monkeypatch, mapping: str, csv: str):
    path = make_project(tmp_path, monkeypatch, mapping=mapping, csv=csv)
    mapping_ = read_mapping(path)
    source = read_source(mapping_)
    frame, problems = harmonise(source, mapping_)
    validate_frame(frame, mapping_, source, earlier=problems)
    return frame, path


def _shares(frame: pd.DataFrame) -> dict[str, float]:
    """Weighted shares over the innovators who answered the item (its base)."""
    shares = {}
    for option in PARTNER_CODES.values():
        column = frame[f"partner_{option}"]
        base = (frame["innovative"] == 1).fillna(False) & column.notna()
        weights = frame.loc[base, "weight"].to_numpy(float)
        shares[option] = float(np.sum(weights * column[base].astype(float)) / np.sum(weights))
    return shares


@pytest.mark.parametrize(
    ("layout", "cells"), [(DELIMITED, delimited_cells), (SLOTS, slot_cells)], ids=["delim", "slots"]
)
def test_blank_cells_are_none_ticked_and_partner_shares_are_exact(
    tmp_path, monkeypatch, layout, cells
):
    frame, path = _frame(tmp_path, monkeypatch, HEAD + layout, _csv(cells))
    truth = _true_shares()
    assert _shares(frame) == pytest.approx(truth, abs=1e-12)
    # Every innovator is in the base; nobody else answers the item.
    innovators = (frame["innovative"] == 1).fillna(False)
    assert frame.loc[innovators, "partner_citizens"].notna().all()
    assert frame.loc[~innovators, "partner_citizens"].isna().all()
    blank = KNOWN["innovator"] & ~KNOWN[list(PARTNER_CODES.values())].any(axis=1)
    report, usable = check_report(path)
    assert usable, report
    assert (
        f"partner: a unit with every cell blank reads as none ticked: {int(blank.sum())} units of "
        "its universe (innovators)"
    ) in " ".join(report.split())


def test_blank_no_answer_drops_blank_units_from_the_base(tmp_path, monkeypatch):
    layout = DELIMITED.replace("codes:", "blank: no_answer, codes:")
    frame, path = _frame(tmp_path, monkeypatch, HEAD + layout, _csv(delimited_cells))
    innovators = KNOWN[KNOWN["innovator"]]
    answered = innovators[innovators[list(PARTNER_CODES.values())].any(axis=1)]
    weights = answered["w"].to_numpy(float)
    expected = float(np.sum(weights * answered["citizens"]) / np.sum(weights))
    assert _shares(frame)["citizens"] == pytest.approx(expected, abs=1e-12)
    assert _shares(frame)["citizens"] > _true_shares()["citizens"]
    assert "reads as no answer" in check_report(path)[0]


def test_options_layout_reads_all_blank_rows_as_no_answer_unless_told(tmp_path, monkeypatch):
    def option_cells(row):
        return {f"q9{c}": ("1" if row[o] else "") for c, o in PARTNER_CODES.items()}

    options = "{own_organisation: q91, private_firms: q94, citizens: q95}"
    layout = f"  partner: {{options: {options}, {OFFERED}}}\n"
    frame, _ = _frame(tmp_path, monkeypatch, HEAD + layout, _csv(option_cells))
    assert _shares(frame)["citizens"] > _true_shares()["citizens"]  # the blank rows dropped out
    told = layout.replace("options:", "blank: none_ticked, options:")
    frame, _ = _frame(tmp_path / "told", monkeypatch, HEAD + told, _csv(option_cells))
    assert _shares(frame) == pytest.approx(_true_shares(), abs=1e-12)


def test_slot_codes_repeated_count_once_and_more_than_max_choices_is_an_error(
    tmp_path, monkeypatch
):
    initiator = (
        "  initiator: {columns: [h1, h2, h3, h4], codes: {1: employees, 2: own_manager, "
        "3: citizens, 4: legislation}}\n"
    )

    def cells(row):
        k = int(row["id"]) // 2
        if k % 4 == 0:  # four distinct choices where at most three are allowed
            return {"h1": "1", "h2": "2", "h3": "3", "h4": "4"}
        return {"h1": "1", "h2": "1", "h3": "", "h4": ""}  # one choice written twice

    path = make_project(tmp_path, monkeypatch, mapping=HEAD + initiator, csv=_csv(cells))
    mapping = read_mapping(path)
    source = read_source(mapping)
    frame, problems = harmonise(source, mapping)
    assert problems == []
    twice = (frame["innovative"] == 1).fillna(False) & (frame["initiator_own_manager"] == 0)
    assert (frame.loc[twice, "initiator_employees"] == 1).all()
    with pytest.raises(DataValidationError) as raised:
        validate_frame(frame, mapping, source)
    message = str(raised.value)
    assert "tick more than 3 options of initiator, which allows at most 3" in message
    assert "national columns h1, h2, h3, h4" in message


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            "not_offered: [foundations, citizens,",
            ["columns.partner.not_offered", "citizens is listed as not offered but is also mapped"],
        ),
        ("not_offered: [fondations,", ["'fondations' is not an option of partner"]),
        ("blank: nothing, not_offered: [", ["columns.partner.blank", "'nothing' is not a reading"]),
    ],
)
def test_partner_schema_mistakes_are_named(tmp_path, monkeypatch, change, fragments):
    layout = DELIMITED.replace("not_offered: [", change)
    path = make_project(tmp_path, monkeypatch, mapping=HEAD + layout, csv=_csv(delimited_cells))
    _, problems = check_mapping(path)
    text = "\n".join(p.format() for p in problems)
    for fragment in fragments:
        assert fragment in text


def test_check_says_which_options_are_not_offered_and_which_not_known(tmp_path, monkeypatch):
    layout = DELIMITED.replace("voluntary, ", "")
    path = make_project(tmp_path, monkeypatch, mapping=HEAD + layout, csv=_csv(delimited_cells))
    report = " ".join(check_report(path)[0].split())
    assert "not offered by the national questionnaire: public_same_sector," in report
    assert "not known (neither mapped nor under not_offered): voluntary;" in report


def test_merge_keys_share_one_scale_and_check_prints_it_once(tmp_path, monkeypatch):
    scale = (
        "  factor_lack_of_time: &scale\n"
        "    column: f1\n"
        "    recode: {1: 5, 2: 4, 3: 3, 4: 3, 5: 2, 6: 1}\n"
        "    rule: 1-6 onto the 5-level scale; 3 and 4 -> neither\n"
        "  factor_politicians: {<<: *scale, column: f2}\n"
        "  factor_citizens:\n"
        "    <<: *scale\n"
        "    column: f3\n"
        "unmapped: [comment]\n"
    )

    def cells(row):
        return {"f1": "1", "f2": "6", "f3": "3", "comment": "x"}

    frame, path = _frame(tmp_path, monkeypatch, HEAD + scale, _csv(cells))
    innovators = (frame["innovative"] == 1).fillna(False)
    assert (frame.loc[innovators, "factor_lack_of_time"] == 5).all()
    assert (frame.loc[innovators, "factor_politicians"] == 1).all()
    assert (frame.loc[innovators, "factor_citizens"] == 3).all()
    report, usable = check_report(path)
    assert usable, report
    assert report.count("rule: 1-6 onto the 5-level scale") == 1
    assert "shared recode (A), 3 items" in report
    assert "factor_politicians                   <- f2  shared recode (A)" in report
    assert "Source columns not mapped (0)" in report
    assert "1 left out on purpose (listed under unmapped)" in report


def test_a_key_given_twice_in_one_block_is_still_refused(tmp_path, monkeypatch):
    text = HEAD + "  novelty: q5\n  novelty: q6\n"
    path = make_project(tmp_path, monkeypatch, mapping=text, csv=_csv(delimited_cells))
    _, problems = check_mapping(path)
    assert "duplicate key 'novelty'" in problems[0].format()


def test_decimal_commas_are_named_and_read_with_the_decimal_key(tmp_path, monkeypatch):
    csv = _csv(delimited_cells).replace(";1;A;", ";1,5;A;")
    mapping = HEAD + DELIMITED
    path = make_project(tmp_path, monkeypatch, mapping=mapping, csv=csv)
    report, usable = check_report(path)
    assert not usable
    assert "the file writes decimal commas (e.g. '1,5'): set `decimal: \",\"` under source" in (
        " ".join(report.split())
    )
    fixed = mapping.replace('delimiter: ";"', 'delimiter: ";"\n  decimal: ","')
    frame, _ = _frame(tmp_path / "fixed", monkeypatch, fixed, csv)
    assert set(frame["weight"]) == {1.5, 2.0, 3.0}


def test_problems_that_follow_from_a_label_recode_are_summarised(tmp_path, monkeypatch):
    # novelty recoded by its labels instead of its codes: inspiration (asked of adapters and
    # copiers only) would then report every answer as outside its routing.
    text = MAPPING_TEXT.replace("  novelty: q5\n", "  novelty: {column: q5, recode: {Own: 1}}\n")
    text = text.replace("caveats:", "  inspiration: {options: {media: q20}}\ncaveats:")
    csv = "\n".join(
        line + (";1" if line[:3] in ("103", "105") else ";")
        for line in (
            open(make_project(tmp_path, monkeypatch).parent.parent / "raw" / "DK-2023.csv")
            .read()
            .replace("q20", "q20x")
            .splitlines()
        )
    )
    csv = csv.replace("q20x;", "q20x;q20", 1) + "\n"
    path = make_project(tmp_path, monkeypatch, mapping=text, csv=csv)
    report, _ = check_report(path)
    assert "Problems (1):" in report
    assert "column q5 (columns.novelty): 3 rows hold codes the recode does not cover" in report
    assert "and 1 problem that follows from it (column inspiration_media" in report


def test_excel_with_data_on_another_sheet_names_the_sheet_read(tmp_path, monkeypatch):
    path = make_project(tmp_path, monkeypatch)
    table = pd.read_csv(path.parent.parent / "raw" / "DK-2023.csv", sep=";", dtype=str)
    with pd.ExcelWriter(path.parent.parent / "raw" / "DK-2023.xlsx") as writer:
        pd.DataFrame({"Om filen": ["Innovationsbarometeret 2023"]}).to_excel(
            writer, sheet_name="Info", index=False
        )
        table.to_excel(writer, sheet_name="Data", index=False)
    source = "file: ../raw/DK-2023.xlsx\n  format: excel"
    path.write_text(MAPPING_TEXT.replace('file: ../raw/DK-2023.csv\n  delimiter: ";"', source))
    report, usable = check_report(path)
    problems = report.split("Problems (")[1]
    assert problems.startswith("1):"), problems
    assert "(sheet 'Info'): (sheet): 15 of the 15 mapped columns are not on sheet 'Info'" in report
    assert "the workbook's sheets: 'Info', 'Data'" in report
    assert "set `sheet: 'Data'` (or the sheet that holds the data) under source" in report


def _run(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.err


def test_a_mapping_not_in_utf8_is_named_by_every_command(tmp_path, monkeypatch, capsys):
    path = make_project(tmp_path, monkeypatch)
    assert build_data(progress=lambda line: None)
    text = MAPPING_TEXT.replace("Hand-made test data.", "Håndlavede testdata.")
    path.write_bytes(text.encode("cp1252"))
    line = text.splitlines().index('  - "Håndlavede testdata."') + 1
    named = f"line {line}: the mapping is not UTF-8 text (byte 0xe5); it looks like cp1252"
    for argv in (["check", str(path)], ["data"], ["estimate", "DK-2023", "novelty"]):
        code = main(argv)
        captured = capsys.readouterr()
        assert code == 1, argv
        assert "Traceback" not in captured.err
        assert named in captured.out + captured.err, argv
        assert "save it as UTF-8" in captured.out + captured.err, argv


def test_estimate_refuses_data_older_than_its_mapping(tmp_path, monkeypatch, capsys):
    path = make_project(tmp_path, monkeypatch)
    build_data(progress=lambda line: None)
    code, err = _run(["estimate", "DK-2023", "novelty"], capsys)
    assert code == 0, err
    path.write_text(MAPPING_TEXT.replace("  novelty: q5\n", "  novelty: q55\n"), encoding="utf-8")
    code, err = _run(["data"], capsys)  # fails: q55 is not in the file
    assert code == 1 and "column q55: not in the file" in err
    code, err = _run(["estimate", "DK-2023", "novelty"], capsys)
    assert code == 1
    assert "error: DK-2023: the harmonised data in " in err
    assert "build/data/DK-2023.parquet is out of date: " in err
    assert "its mapping changed since it was made (or the last `make data` failed)" in err
    assert "Run `make data`" in err


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        (
            'delimiter: ";"\n  catalog: f.sas7bcat',
            "applies to SAS files (format: sas) only, not csv",
        ),
        ("delimiter: ','\n  decimal: ','", "',' is also the delimiter"),
        ('delimiter: ";"\n  decimal: "/"', "'/' is not a decimal mark"),
    ],
)
def test_source_keys_are_checked(tmp_path, monkeypatch, source, fragment):
    text = MAPPING_TEXT.replace('delimiter: ";"', source)
    path = make_project(tmp_path, monkeypatch, mapping=text)
    _, problems = check_mapping(path)
    assert fragment in "\n".join(p.format() for p in problems)


def test_a_sas_catalog_that_does_not_exist_is_named(tmp_path, monkeypatch):
    text = MAPPING_TEXT.replace(
        'file: ../raw/DK-2023.csv\n  delimiter: ";"',
        "file: ../raw/DK-2023.sas7bdat\n  catalog: ../raw/formats.sas7bcat",
    )
    path = make_project(tmp_path, monkeypatch, mapping=text)
    _, problems = check_mapping(path)
    text = "\n".join(p.format() for p in problems)
    assert "key source.catalog: ../raw/formats.sas7bcat does not exist" in text


def test_weights_without_strata_give_one_stratum_and_no_fpc(tmp_path, monkeypatch):
    from innobarometer.analysis.editions import load_edition
    from innobarometer.analysis.estimates import estimate_variable
    from innobarometer.report.notices import without_strata_html

    mapping = HEAD.replace("  stratum: strat\n  stratum_population: pop\n", "") + DELIMITED
    path = make_project(tmp_path, monkeypatch, mapping=mapping, csv=_csv(delimited_cells))
    report, usable = check_report(path)
    assert usable, report
    assert "design: weights only (no stratum, no stratum_population): one stratum and no" in report
    build_data(progress=lambda line: None)
    edition = load_edition("DK-2023")
    assert set(edition.frame["stratum"]) == {"all"}
    table = estimate_variable(edition, "partner")
    row = table[table["category"] == "citizens"].iloc[0]
    # With-replacement (R: svydesign(ids = ~1, weights = ~w)) linearisation of the ratio mean.
    innovators = KNOWN[KNOWN["innovator"]]
    w, y = innovators["w"].to_numpy(float), innovators["citizens"].to_numpy(float)
    share = np.sum(w * y) / np.sum(w)
    scores = np.zeros(N_UNITS)
    scores[innovators.index] = w * (y - share) / np.sum(w)
    variance = N_UNITS / (N_UNITS - 1) * np.sum((scores - scores.mean()) ** 2)
    assert row["estimate"] == pytest.approx(share, abs=1e-12)
    assert row["se"] == pytest.approx(np.sqrt(variance), rel=1e-9)
    assert "Weights only." in without_strata_html([edition])


def test_a_stratum_without_its_population_count_is_refused(tmp_path, monkeypatch):
    mapping = HEAD.replace("  stratum_population: pop\n", "") + DELIMITED
    path = make_project(tmp_path, monkeypatch, mapping=mapping, csv=_csv(delimited_cells))
    _, problems = check_mapping(path)
    (problem,) = problems
    assert "key columns.stratum_population: missing: stratum is mapped but" in problem.format()
    assert "leave both out for a file with weights only" in problem.format()


def test_the_codebook_declares_coarsenings_and_a_mapping_recodes_to_them(tmp_path, monkeypatch):
    from innobarometer.codebook import load_codebook

    size = load_codebook()["size_class"]
    assert size.coarsenings["50+"] == ("50-99", "100+")
    assert size.class_labels["50+"] == "50-99 employees or 100 or more employees"
    mapping = HEAD + "  size_class: {column: sz, recode: {1: 1-9, 2: 10-49, 3: 50+}}\n"

    def cells(row):
        return {"sz": str(1 + int(row["id"]) % 3)}

    frame, path = _frame(tmp_path, monkeypatch, mapping, _csv(cells))
    assert set(frame["size_class"].dropna()) == {"1-9", "10-49", "50+"}
    assert read_mapping(path).coarsened(load_codebook()) == {
        "size_class": {"50+": ["50-99", "100+"]}
    }
    wrong = mapping.replace("3: 50+", "3: 50-plus")
    path = make_project(tmp_path / "wrong", monkeypatch, mapping=wrong, csv=_csv(cells))
    _, problems = check_mapping(path)
    text = problems[0].format()
    assert "'50-plus' is not a code of size_class" in text
    assert "or, for a coarser national class, one of: 50+ (= 50-99 + 100+)" in text


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        # One edition fine, one coarse: the fine classes read as the coarse one.
        (
            [{"1-9", "10-49", "50-99", "100+"}, {"1-9", "10-49", "50+"}],
            {"1-9": "1-9", "10-49": "10-49", "50-99": "50+", "100+": "50+", "50+": "50+"},
        ),
        # Overlapping coarsenings merge: 10-99 and 50+ leave only 1-9 and 10+.
        (
            [{"1-9", "10-99", "100+"}, {"1-9", "10-49", "50+"}],
            {c: "10+" for c in ("10-99", "100+", "10-49", "50+")} | {"1-9": "1-9"},
        ),
        # The same fine classes everywhere: nothing changes.
        ([{"1-9", "100+"}, {"1-9"}], {"1-9": "1-9", "100+": "100+"}),
    ],
)
def test_comparisons_across_editions_use_the_finest_common_classes(classes, expected):
    from innobarometer.codebook import finest_common_classes, load_codebook

    assert finest_common_classes(load_codebook()["size_class"], classes) == expected


def test_coarsenings_are_refused_where_they_cannot_be(tmp_path):
    from innobarometer.codebook import CodebookError, parse_codebook

    text = (ROOT_CODEBOOK.read_text(encoding="utf-8")).replace(
        '"50+": ["50-99", "100+"]', '"50+": ["50-99", "200+"]'
    )
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match="coarsening '50\\+' must list two or more of the"):
        parse_codebook(path)


def test_conversions_and_options_not_offered_are_said_beside_the_items():
    from types import SimpleNamespace

    from innobarometer.analysis.estimates import not_measured
    from innobarometer.data_set import EditionFacts
    from innobarometer.report.notices import conversions_html, not_offered_html

    facts = EditionFacts(
        country="IS",
        edition=2021,
        unit_level="workplace",
        synthetic=False,
        caveats=(),
        columns=frozenset(),
        rules={"factor_limited_economic_resources": "1-4 with no middle"},
        not_offered={"partner": ["foundations"]},
        coarsened={"size_class": {"50+": ["50-99", "100+"]}},
        not_produced={"factor_limited_economic_resources": [3]},
    )
    edition = SimpleNamespace(edition_id="IS-2021", facts=facts)
    assert not_measured(edition, "limited_economy_played_a_role")
    assert not not_measured(edition, "collaborated_any")
    text = html.unescape(conversions_html(edition, ["limited_economy_played_a_role", "size_class"]))
    assert (
        "Limited economic resources: 1-4 with no middle (Neither promoted nor hindered: not "
        in (text)
    )
    assert "Size (employees): the national class 50+ covers 50-99 employees and 100 or more" in text
    assert "Limited economic resources played a role: not measured" in text
    said = re.sub("<[^>]+>", "", html.unescape(not_offered_html(edition, ["collaborated_any"])))
    assert "Not offered in IS-2021: Collaboration partners: Foundations." in said
    assert not_offered_html(edition, ["novelty"]) == ""
    assert conversions_html(edition, ["novelty"]) == ""


def test_common_class_groups_label_each_edition_in_the_common_classes():
    from types import SimpleNamespace

    from innobarometer.analysis.differences import common_class_groups

    fine = SimpleNamespace(
        edition_id="DK-2023", frame=pd.DataFrame({"size_class": ["1-9", "50-99", "100+", None]})
    )
    coarse = SimpleNamespace(edition_id="IS-2021", frame=pd.DataFrame({"size_class": ["50+"]}))
    groups = common_class_groups([fine, coarse], "size_class")
    assert groups["DK-2023"].fillna("(none)").tolist() == ["1-9", "50+", "50+", "(none)"]
    assert groups["IS-2021"].tolist() == ["50+"]
