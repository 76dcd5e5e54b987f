"""Each country's reports in its own language, read as its readers would: the page declares its
language, its headings and interface are in it, its percentages have the language's decimal
comma, and every language has its index (issue 16's "what it must show")."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from conftest import LANGUAGE_PAGES

from innobarometer import language

# Words of the English interface that must not be left on a page in another language.
ENGLISH_INTERFACE = (
    "Key findings",
    "How to cite this report",
    "How to read",
    "Download this chart",
    "All reports",
    "Methodology",
    "Parameters:",
    "Synthetic demo data",
    "95% interval",
    "suppressed",
    "Share of",
    "workplaces",
    "innovators",
    "Edition",
    "reference period",
    "not survey results",
)
ENGLISH_MARKED = re.compile(r'<(a|span|strong|section|nav|li)[^>]*\blang="en"[^>]*>.*?</\1>', re.S)


def visible_text(page: str) -> str:
    """The text a reader sees: no style, no tags, no element marked as English."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    body = re.sub(r"<title>.*?</title>", " ", body, flags=re.S)
    body = ENGLISH_MARKED.sub(" ", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


@pytest.mark.parametrize(("code", "edition"), sorted(LANGUAGE_PAGES.items()))
def test_a_report_in_its_countrys_language(language_build, code, edition):
    build = language_build / "build"
    page = (build / code / "overview" / f"{edition}.html").read_text(encoding="utf-8")
    assert f'<html lang="{code}"' in page
    text = visible_text(page)
    left = [word for word in ENGLISH_INTERFACE if word in text]
    assert left == [], f"{code}/overview/{edition}: English interface words {left}"
    # Headings in the language: the H1 names the country in it, every H2 is a catalog's.
    with language.speaking(code):
        country = language.translation("Norway", code)
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)
    assert headings
    english = (build / "overview" / f"{edition}.html").read_text(encoding="utf-8")
    english_headings = re.findall(r"<h2[^>]*>(.*?)</h2>", english, flags=re.S)
    assert len(headings) == len(english_headings)
    assert not set(headings) & set(english_headings), f"{code}: headings left in English"
    assert country is None or code != "nb" or "Norge" in page
    # Percentages with the language's decimal mark, never a decimal point.
    assert not re.search(r"\d\.\d+\s?%", text), re.search(r".{30}\d\.\d+\s?%", text)
    assert re.search(r"\d,\d\s?%", text), f"{code}: no percentage with one decimal"
    if code != "is":
        assert re.search(r"\d\u00a0%", text), f"{code}: no no-break space before %"
    assert (build / code / "index.html").is_file()


@pytest.mark.parametrize(("code", "edition"), sorted(LANGUAGE_PAGES.items()))
def test_the_csv_in_another_language_has_the_same_numbers(language_build, code, edition):
    build = language_build / "build"
    english = list(csv.DictReader(io.StringIO((build / "overview" / f"{edition}.csv").read_text())))
    translated = list(
        csv.DictReader(io.StringIO((build / code / "overview" / f"{edition}.csv").read_text()))
    )
    assert len(english) == len(translated) > 0
    for column in ("indicator", "category", "group", "estimate", "se", "ci_lower", "ci_upper"):
        assert [r[column] for r in english] == [r[column] for r in translated], column
    labels = [r["group_label"] for r in translated if r["group_label"]]
    assert labels and labels != [r["group_label"] for r in english if r["group_label"]]


def test_every_page_links_its_other_languages(language_build):
    build = language_build / "build"
    english = (build / "overview" / "NO-2024.html").read_text(encoding="utf-8")
    assert 'href="../nb/overview/NO-2024.html"' in english
    norwegian = (build / "nb" / "overview" / "NO-2024.html").read_text(encoding="utf-8")
    assert 'href="../../overview/NO-2024.html"' in norwegian
    # A report exists only in English and its country's language.
    assert not (build / "da" / "overview" / "NO-2024.html").exists()
    for code in language.LANGUAGES[1:]:
        index = (build / code / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{code}"' in index
        assert (build / code / "codebook.html").is_file()
        assert (build / code / "methodology.html").is_file()
