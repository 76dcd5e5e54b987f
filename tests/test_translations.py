"""The catalogs: nothing a shipped report shows is missing from any language, translations keep
their placeholders, numbers are written as each language writes them, and a paragraph a
researcher adds is shown in English, marked, until it is translated."""

from __future__ import annotations

import io
import re
import string
import tokenize
from pathlib import Path

import pytest

from innobarometer import codebook, language
from innobarometer.language import LANGUAGES
from innobarometer.pipeline import translations
from innobarometer.report.languages import markdown_paragraphs, translate_markdown

OTHERS = LANGUAGES[1:]
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def messages():
    return translations.all_messages()


def test_the_keys_cover_the_package_the_notebooks_and_what_they_pass_the_report_layer(messages):
    keys = {m.key for m in messages}
    origins = {m.origin.split("/")[0] for m in messages}
    assert {"innobarometer", "notebooks"} <= origins
    # A markdown heading of a theme notebook, a marked string of the package and a title the
    # overview notebook passes to the report layer.
    assert any(k.startswith("# Overview") for k in keys)
    assert "Not yet translated: shown in English." in keys
    assert "Download this chart (SVG)" in keys
    assert translations.report_call_words('report.show_x(t, "innovative", "Share by sector")') == [
        "Share by sector"
    ]


@pytest.mark.parametrize("code", OTHERS)
def test_no_catalog_lacks_a_string_a_shipped_report_uses(code, messages):
    missing = translations.missing_messages(code, messages)
    assert missing == [], (
        f"{code}: {len(missing)} keys without a translation (run `make translations "
        f"UPDATE={code}` and fill them in), first: {missing[0].key[:80]!r}"
    )


@pytest.mark.parametrize("code", OTHERS)
def test_every_codebook_text_has_its_wording_in_every_language(code):
    assert translations.missing_codebook_wording(code) == []


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("code", OTHERS)
def test_translations_keep_their_placeholders_and_headings(code):
    catalog = translations.read_catalog(code)
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        allowed = set().union(*map(_placeholders, ids))
        for text in strings:
            if not text:
                continue
            found = _placeholders(text)
            assert found <= allowed, f"{code}: {ids[0]!r} -> {text!r}: unknown {found - allowed}"
            if len(ids) == 1:
                assert found == allowed, f"{code}: {ids[0]!r} -> {text!r} drops a placeholder"
        heading = re.match(r"#+ ", ids[0])
        if heading:
            assert strings[0].startswith(heading.group(0)), f"{code}: heading {ids[0]!r}"


@pytest.mark.parametrize("code", OTHERS)
def test_every_catalog_compiles(code, tmp_path, monkeypatch):
    monkeypatch.setattr(language, "mo_path", lambda c: tmp_path / c / "innobarometer.mo")
    assert language.compile_catalog(code).stat().st_size > 0


def test_codebook_wording_follows_the_language_spoken():
    english = codebook.load_codebook()["country"].categories["NO"]
    with language.speaking("nb"):
        norwegian = codebook.load_codebook()["country"].categories["NO"]
    assert english == "Norway"
    assert norwegian == "Norge"
    assert codebook.load_codebook()["country"].categories["NO"] == "Norway"
    # An entry in the national questionnaire's own words names its source; the rest are
    # translations, and the codebook page says which.
    with language.speaking("da"):
        sources = {v.wording_source for v in codebook.load_codebook().variables.values()}
    assert "" in sources and any(s.startswith("DK-") for s in sources)


def test_a_mistaken_codebook_wording_names_the_file_and_the_key(tmp_path):
    wording = tmp_path / "codebook.yaml"
    wording.write_text("variables:\n  innovative:\n    categories: {7: Kanskje}\n")
    english = codebook.parse_codebook(codebook.CODEBOOK_PATH)
    with pytest.raises(codebook.CodebookError, match=r"codebook.yaml: variables.innovative"):
        codebook.translated_codebook(english, wording)
    wording.write_text("variables:\n  not_a_variable:\n    label: X\n")
    with pytest.raises(codebook.CodebookError, match="not_a_variable"):
        codebook.translated_codebook(english, wording)


@pytest.mark.parametrize(
    ("code", "whole", "one_decimal", "interval", "signed"),
    [
        ("en", "83%", "83.4%", "81–85%", "-1.5"),
        ("da", f"83{NBSP}%", f"83,4{NBSP}%", f"81–85{NBSP}%", "-1,5"),
        ("nb", f"83{NBSP}%", f"83,4{NBSP}%", f"81–85{NBSP}%", "-1,5"),
        ("sv", f"83{NBSP}%", f"83,4{NBSP}%", f"81–85{NBSP}%", "-1,5"),
        ("fi", f"83{NBSP}%", f"83,4{NBSP}%", f"81–85{NBSP}%", "-1,5"),
        ("is", "83%", "83,4%", "81–85%", "-1,5"),
    ],
)
def test_numbers_are_written_as_each_language_writes_them(
    code, whole, one_decimal, interval, signed
):
    with language.speaking(code):
        assert language.percent(0.834) == whole
        assert language.percent(0.8342, 1) == one_decimal
        assert language.percent_range(0.81, 0.85) == interval
        assert language.signed(-1.5) == signed
        assert language.percent(-0.0001, 1) == language.percent(0.0, 1)  # never '-0.0%'


def test_text_rendered_in_every_language_of_the_build_keeps_its_attributes(monkeypatch):
    monkeypatch.setenv(language.LANGUAGES_ENV, "nb,fi")

    class Claimed(str):
        claims = ()

    @language.in_every_language
    def sentence(share):
        text = Claimed(language._("{share} of workplaces").format(share=language.percent(share)))
        text.claims = ("highest",)
        return text

    result = sentence(0.5)
    assert result == "50% of workplaces"
    assert set(result.translations) == {"en", "nb", "fi"}
    assert f"50{NBSP}%" in result.in_language("nb")
    assert result.claims == ("highest",)


def test_a_paragraph_no_catalog_has_is_shown_in_english_and_marked():
    source = "## Overview\n\nA paragraph a researcher\njust wrote, not yet in any catalog."
    assert markdown_paragraphs(source)[1] == (
        "A paragraph a researcher\njust wrote, not yet in any catalog."
    )
    shown = translate_markdown(source, "nb")
    assert 'class="untranslated" lang="en"' in shown
    assert "just wrote, not yet in any catalog." in shown
    assert translate_markdown(source, "en") == source


def test_make_translations_lists_what_each_language_lacks(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(translations, "TEMPLATE", tmp_path / "innobarometer.pot")
    monkeypatch.setattr(
        translations,
        "all_messages",
        lambda: [translations.Message("A sentence no catalog has.", "", "notebooks/new.py")],
    )
    assert translations.run([], check=True) == 1
    out = capsys.readouterr().out
    for code in OTHERS:
        assert f"{code} ({language.LANGUAGE_NAMES[code]}): 1 of 1 catalog keys missing" in out
    assert "notebooks/new.py: A sentence no catalog has." in out


def test_an_update_from_fewer_notebooks_loses_no_translation(tmp_path, monkeypatch):
    catalog = tmp_path / "nb.po"
    monkeypatch.setattr(language, "po_path", lambda code: catalog)
    monkeypatch.setattr(language, "mo_path", lambda code: tmp_path / f"{code}.mo")
    both = [translations.Message("Kept", "", "a"), translations.Message("Gone for now", "", "b")]
    translations.update_catalog("nb", both)
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('msgstr ""\n\n#. b', 'msgstr "Beholdt"\n\n#. b'), "utf-8")
    catalog.write_text(
        catalog.read_text(encoding="utf-8").rstrip("\n")[: -len('msgstr ""')] + 'msgstr "Borte"\n'
    )
    assert translations.missing_messages("nb", both) == []
    translations.update_catalog("nb", both[:1])  # a project with one notebook
    translations.update_catalog("nb", both)
    assert translations.missing_messages("nb", both) == []
    language.forget_catalogs()


def test_no_marked_string_hides_in_an_f_string():
    """The catalogs' extractor does not read inside f-strings: a `_("...")` there would be shown
    untranslated in every language while the completeness test passed."""
    hidden = []
    for path in sorted((Path(language.__file__).parent).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and re.match(r"^[rbuRBU]*[fF]", token.string):
                if re.search(r"(?<![\w.])(_|N_|ngettext)\(\s*[\"']", token.string):
                    hidden.append(f"{path.name}:{token.start[0]}")
    assert hidden == []
