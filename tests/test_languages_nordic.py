"""The Nordic round reports and the trend reports in every language of the build (issue 16): their
sentences and blocks render each language with its number formats (decimal comma, a no-break
space before %), the countries named in that language, the claims the same in every language;
the comparability box's texts are marked for the catalogs; a small build's Norwegian Nordic page
declares its language and writes no percentage with a decimal point."""

from __future__ import annotations

import csv
import re
from html import unescape
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import built_copy

from innobarometer import analysis, language, paths
from innobarometer.analysis import nordic as nordic_analysis
from innobarometer.codebook import country_name
from innobarometer.report import nordic, sentences, trends

NBSP = "\u00a0"
# A percentage written with a decimal point ('83.0%', '83.0 %'): never on a page in nb or fi.
DECIMAL_POINT_PERCENT = re.compile(r"\d\.\d+[\s\u00a0\u202f]?%")


@pytest.fixture
def three_languages(monkeypatch):
    """Render English, Norwegian Bokmål and Finnish (with the catalogs there are)."""
    monkeypatch.setenv(language.LANGUAGES_ENV, "en,nb,fi")


def edition(country: str, year: int, unit: str = "workplace"):
    """What `analysis.country_labels` and `comparability_facts` read of an edition."""
    return SimpleNamespace(
        country=country,
        year=year,
        edition_id=f"{country}-{year}",
        delivered=False,
        facts=SimpleNamespace(unit_level=unit),
    )


def local_name(code: str, language_code: str) -> str:
    with language.speaking(language_code):
        return country_name(code)


def novelty():
    """Norway copies most (category 3), ahead of Denmark and Finland after Holm; Finland answers
    for another unit."""
    labels = analysis.country_labels(
        [edition("NO", 2018), edition("DK", 2017), edition("FI", 2018, "organisation")]
    )
    shares = pd.DataFrame(
        {
            "group": ["NO", "DK", "FI"],
            "category": ["3", "3", "3"],
            "estimate": [0.334, 0.171, 0.142],
            "ci_lower": [0.311, 0.151, 0.104],
            "ci_upper": [0.362, 0.198, 0.183],
        }
    )
    family = "the 3 country pairs of Largely a copy"
    differences = pd.DataFrame(
        {
            "first": ["NO", "NO", "DK"],
            "second": ["DK", "FI", "FI"],
            "category": ["3", "3", "3"],
            "family": [family] * 3,
            "cross_unit": [False, True, True],
        }
    )
    return shares, differences, labels


def test_novelty_sentence_in_norwegian_and_finnish_keeps_its_claims(three_languages):
    shares, differences, labels = novelty()
    (sentence,) = nordic.novelty_sentences(shares, differences, labels, {"3": "NO"})
    assert sentence.startswith("Norway copies most: 33% of its latest innovations (31–36%)")
    assert "The difference with Finland (municipal organisations) is between" in sentence
    (claim,) = sentence.claims
    assert (claim.kind, claim.subject, set(claim.others)) == ("highest", "NO", {"DK", "FI"})
    norwegian, finnish = sentence.in_language("nb"), sentence.in_language("fi")
    assert f"33{NBSP}%" in norwegian and f"(31–36{NBSP}%)" in norwegian
    assert local_name("NO", "nb") in norwegian and "Norway" not in norwegian
    assert local_name("NO", "fi") in finnish and "Norway" not in finnish
    assert local_name("FI", "fi") in finnish
    # The page's span carries the same claims in every language.
    spans = {}
    for code in ("en", "nb", "fi"):
        with language.speaking(code):
            spans[code] = re.search(r'data-claims="([^"]*)"', sentences.sentence_html(sentence))
    assert spans["en"] and spans["en"][1] == spans["nb"][1] == spans["fi"][1]


def test_nordic_figure_and_collaboration_write_numbers_and_countries_per_language(
    three_languages,
):
    labels = analysis.country_labels([edition("DK", 2023), edition("FI", 2022, "organisation")])
    figure = {"estimate": 0.781, "ci_lower": 0.768, "ci_upper": 0.794, "countries": ["DK"]}
    others = pd.DataFrame(
        {"group": ["FI"], "estimate": [0.961], "ci_lower": [0.93], "ci_upper": [0.98]}
    ).assign(suppressed=False)
    text = nordic.nordic_figure_sentence(figure, others, labels)
    assert "Denmark (each answering per workplace): 78% (77–79%)" in text
    norwegian = text.in_language("nb")
    assert f"78{NBSP}% (77–79{NBSP}%)" in norwegian and local_name("DK", "nb") in norwegian
    assert labels["FI"].in_language("fi") in text.in_language("fi")
    shares = pd.DataFrame(
        {
            "indicator": "collaborated_any",
            "group": ["DK", "FI"],
            "estimate": [0.69, 0.952],
            "ci_lower": [0.66, 0.92],
            "ci_upper": [0.72, 0.97],
            "suppressed": False,
        }
    )
    sentence = nordic.collaboration_sentence(shares, labels)
    assert sentence.tested and "from 69% (Denmark) to 95%" in sentence
    assert f"69{NBSP}% ({local_name('DK', 'nb')})" in sentence.in_language("nb")
    # Finnish inflects the number ('69 %:sta (Tanska)'): the number and the name, each there.
    finnish = sentence.in_language("fi")
    assert f"69{NBSP}%" in finnish and f"({local_name('DK', 'fi')})" in finnish


def test_trend_changes_write_points_with_a_decimal_comma(three_languages):
    changes = pd.DataFrame(
        {
            "indicator": "innovative",
            "label": "Innovative (introduced at least one innovation): NO-2024 vs NO-2020",
            "first": ["NO-2024"],
            "second": ["NO-2020"],
            "estimate": [-0.055],
            "ci_lower": [-0.087],
            "ci_upper": [-0.023],
            "p_holm": [0.003],
            "suppressed": [False],
        }
    )
    (sentence,) = trends.change_sentences(changes)
    assert "from NO-2020 to NO-2024 -5.5 points (-8.7 to -2.3)" in sentence
    for code in ("nb", "fi"):
        assert "-5,5" in sentence.in_language(code) and "-8,7" in sentence.in_language(code)
        assert "-5.5" not in sentence.in_language(code)


def test_comparability_box_and_matrices_name_countries_in_the_language(three_languages):
    eds = [edition("DK", 2017), edition("FI", 2018, "organisation")]
    facts = analysis.comparability_facts(eds)
    box = nordic.comparability_html(facts)
    assert "<td>Denmark</td>" in box and "<td>workplace; its manager</td>" in box
    assert f"<td>{local_name('DK', 'fi')}</td>" in box.in_language("fi")
    labels = analysis.country_labels(eds)
    differences = pd.DataFrame(
        {
            "label": ["Innovative (introduced at least one innovation): DK-2017 vs FI-2018"],
            "first": ["DK-2017"],
            "second": ["FI-2018"],
            "estimate": [-0.124],
            "p_holm": [0.001],
            "suppressed": [False],
            "cross_unit": [True],
        }
    )
    matrix = nordic.difference_matrices_html(differences, labels, "Overview")
    assert "-12*≠" in matrix and "FI: Finland (municipal organisations)" in matrix
    assert f"FI: {labels['FI'].in_language('nb')}" in matrix.in_language("nb")
    assert "-12*≠" in matrix.in_language("nb")


def test_compact_tables_write_shares_per_language(three_languages):
    shares = pd.DataFrame(
        {
            "indicator": "innovative",
            "category": "1",
            "group": ["DK", "NO"],
            "estimate": [0.8304, 0.75],
            "ci_lower": [0.81, 0.73],
            "ci_upper": [0.85, 0.77],
            "suppressed": [False, True],
        }
    )
    labels = analysis.country_labels([edition("DK", 2023), edition("NO", 2024)])
    with language.speaking("nb"):
        table = nordic.compact_shares(shares, labels)
    assert list(table.columns[1:]) == [local_name("DK", "nb"), local_name("NO", "nb")]
    assert table.iloc[0, 1] == f"83{NBSP}% (81–85)"
    with language.speaking(language.ENGLISH):
        assert nordic.compact_shares(shares, labels).iloc[0, 1] == "83% (81–85)"


def test_every_survey_fact_the_box_shows_is_marked_for_the_catalogs():
    with open(paths.REFERENCE_DIR / "survey_facts.csv", encoding="utf-8") as handle:
        shown = {
            row[column]
            for row in csv.DictReader(handle)
            for column in ("unit_and_respondent", "coverage")
            if row[column]
        }
    assert shown <= set(nordic_analysis.SURVEY_FACT_WORDS), shown - set(
        nordic_analysis.SURVEY_FACT_WORDS
    )


@pytest.mark.slow
def test_a_norwegian_nordic_page_declares_its_language_and_writes_decimal_commas(
    demo_root, tmp_path
):
    options = ["--themes", "nordic", "--editions", "latest", "--languages", "nb"]
    root = built_copy(demo_root, tmp_path, *options)
    page = (root / "build" / "nb" / "nordic" / "latest.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]* lang="nb"', page)
    text = unescape(
        re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script).*?</\1>", "", page, flags=re.S))
    )
    assert not DECIMAL_POINT_PERCENT.findall(text)
    assert re.search(rf"\d+,\d{NBSP}%", text)  # the tables' one decimal, with a comma
    assert local_name("NO", "nb") in text and "Norway copies most" not in text
