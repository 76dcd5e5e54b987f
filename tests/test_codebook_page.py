"""build/codebook.html: every variable and indicator, which editions map each variable, which data
set it describes, offline-safe and byte-stable."""

import csv
import re
from pathlib import Path

import pytest

from innobarometer.codebook import load_codebook
from innobarometer.indicators import load_indicators
from innobarometer.pipeline.codebook_page import render_codebook_page, write_codebook_page

ROOT = Path(__file__).parent.parent
HEADLINE_FIGURES = ROOT / "src" / "innobarometer" / "reference" / "headline_figures.csv"

# Two small mappings (their national files need not exist for the page).
DK_2023 = """\
country: DK
edition: 2023
synthetic: false
unit_level: workplace
source: {file: ../raw/DK-2023.csv}
columns:
  unit_id: lbnr
  weight: vaegt
  stratum: strat
  stratum_population: popsize
  introduced_product: q1a
  introduced_service: q1b
  partner: {options: {citizens: q9e, private_firms: q9d}}
"""
NO_2020 = """\
country: NO
edition: 2020
synthetic: false
unit_level: workplace
source: {file: ../raw/NO-2020.csv}
constants:
  gov_level: state
columns:
  unit_id: id
  weight: w
  stratum: s
  stratum_population: n
  innovative: inno
  novelty: q5
"""


@pytest.fixture
def real_project(tmp_path, monkeypatch):
    """A project whose active set is two real mappings, DK-2023 and NO-2020."""
    mappings = tmp_path / "data" / "mappings"
    mappings.mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (mappings / "DK-2023.yaml").write_text(DK_2023, encoding="utf-8")
    (mappings / "NO-2020.yaml").write_text(NO_2020, encoding="utf-8")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(tmp_path))
    monkeypatch.delenv("DATA", raising=False)
    return tmp_path


def _mapped_in(page: str) -> dict[str, str]:
    """Variable name -> the text of its `Mapped in` cell."""
    rows = re.findall(r'<tr id="var-([a-z0-9_]+)">.*?<td class="mapped">(.*?)</td>', page)
    return {name: re.sub(r"<[^>]+>", "", cell) for name, cell in rows}


def test_mapped_in_lists_each_edition_that_provides_the_variable(real_project):
    mapped = _mapped_in(render_codebook_page())
    # Worked out from the two mappings above.
    assert mapped["unit_id"] == "DK-2023, NO-2020"
    assert mapped["introduced_product"] == "DK-2023"
    assert mapped["introduced_process"] == "not mapped"
    assert mapped["innovative"] == "DK-2023 (derived), NO-2020"
    assert mapped["gov_level"] == "NO-2020 (constant)"
    assert mapped["novelty"] == "NO-2020"
    assert mapped["partner"] == "DK-2023"
    assert mapped["effect_quality"] == "not mapped"
    assert mapped["country"] == "DK-2023 (set by the mapping), NO-2020 (set by the mapping)"


def test_innovative_is_not_derived_where_no_introduced_item_is_mapped(real_project):
    mappings = real_project / "data" / "mappings"
    text = NO_2020.replace("  innovative: inno\n", "  introduced_process: q1c\n")
    (mappings / "NO-2020.yaml").write_text(text, encoding="utf-8")
    (mappings / "DK-2023.yaml").write_text(
        DK_2023.replace("  introduced_product: q1a\n  introduced_service: q1b\n", ""),
        encoding="utf-8",
    )
    mapped = _mapped_in(render_codebook_page())
    assert mapped["innovative"] == "NO-2020 (derived)"


def test_a_mapping_too_broken_to_read_is_named_and_not_counted(real_project):
    (real_project / "data" / "mappings" / "NO-2020.yaml").write_text("country: [\n")
    page = render_codebook_page()
    assert "Mappings that could not be read, so not counted: NO-2020" in page
    assert _mapped_in(page)["unit_id"] == "DK-2023"


def test_the_page_says_which_data_set_it_describes(real_project):
    real = render_codebook_page()
    assert "National survey data" in real and "Synthetic demo data" not in real
    assert "Editions of the real data set: DK-2023, NO-2020." in real


def test_every_variable_and_indicator_has_a_row_on_the_demo_page():
    page = render_codebook_page("demo")
    assert "Synthetic demo data" in page
    variables = re.findall(r'<tr id="var-([a-z0-9_]+)">', page)
    indicators = re.findall(r'<tr id="ind-([a-z0-9_]+)">', page)
    assert sorted(variables) == sorted(load_codebook().variables)
    assert sorted(indicators) == sorted(load_indicators().indicators)
    for variable in load_codebook().variables.values():
        row = re.search(rf'<tr id="var-{variable.name}">.*?</tr>', page).group(0)
        assert variable.type in row and variable.universe in row


def test_every_published_figure_is_listed_under_its_indicator_with_its_source():
    page = render_codebook_page("demo")
    rows = {
        name: row
        for name, row in re.findall(r'<tr id="ind-([a-z0-9_]+)">(.*?)</tr>', page, flags=re.S)
    }
    with HEADLINE_FIGURES.open(encoding="utf-8") as handle:
        figures = list(csv.DictReader(handle))
    assert figures
    for figure in figures:
        value = float(figure["value_pct"])
        shown = f"{figure['country']} {figure['edition']}: {value:g}%"
        row = rows[figure["indicator"]]
        assert shown in row, f"{shown} missing from {figure['indicator']}"
        assert f">{figure['source_key']}</a>" in row
    # Iceland 2021's partner figures are main-partner shares: listed, and marked as not compared.
    private = rows["partner_private_firms"]
    marked = re.findall(r"(\w\w \d{4}): [^<]*?\(not compared", private)
    assert marked == ["IS 2021"]


def test_the_page_is_offline_safe(real_project):
    page = render_codebook_page()
    assert not re.search(r"<script|<link|<iframe|<img", page, flags=re.I)
    assert not re.search(r"@import|url\(", page)
    # Links out (sources of published figures) are plain anchors, never loaded resources.
    assert not re.search(r'\bsrc\s*=\s*["\']?https?:', page, flags=re.I)
    assert page.count("<style>") == 1


def test_the_page_is_byte_stable_and_rewritten_only_when_it_changes(real_project, tmp_path):
    target = tmp_path / "build" / "codebook.html"
    assert write_codebook_page(target) is True
    first = target.read_bytes()
    assert write_codebook_page(target) is False
    assert target.read_bytes() == first == render_codebook_page().encode("utf-8")
    mapping = real_project / "data" / "mappings" / "NO-2020.yaml"
    mapping.write_text(NO_2020 + "  effect_quality: q10\n", encoding="utf-8")
    assert write_codebook_page(target) is True
    assert _mapped_in(target.read_text(encoding="utf-8"))["effect_quality"] == "NO-2020"
    assert [p.name for p in target.parent.iterdir()] == ["codebook.html"]
