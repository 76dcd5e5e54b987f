"""The report's words in every language of the build (issue 16): sentences, notices and the
site's navigation render each language from whole templates of the catalogs, with numbers in
that language's format, while a sentence's claims stay the same in every language.

A stand-in Norwegian catalog (a few entries, written here) shows a translated template, a
plural form and a translated family; without catalog entries a Norwegian rendering keeps the
English words but writes its numbers the Norwegian way.
"""

from __future__ import annotations

import itertools
import json
import re
from html import unescape
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_claims import check_claims, pairs_of, tidy

from innobarometer import codebook, language, report
from innobarometer.report import navigation, notices, sentences, tables
from innobarometer.report.languages import LANGUAGES_MIME

NBSP = "\u00a0"

# A few Norwegian entries, as a translator would write them; "Plural-Forms" gives nb's rule.
STAND_IN_CATALOG = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: nb\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

msgid "initiator"
msgstr "initiativtaker"

msgid "initiators"
msgstr "initiativtakere"

msgid "{share}, 95% CI {interval}"
msgstr "{share}, 95 % KI {interval}"

msgid "the {m} pair of {noun}"
msgid_plural "the {m} pairs of {noun}"
msgstr[0] "det {m} paret av {noun}"
msgstr[1] "de {m} parene av {noun}"

msgid "at the 5% level after Holm's adjustment over {family}"
msgstr "på 5 %-nivå etter Holms justering over {family}"

msgid ""
"The most common {noun} is {first} ({estimate}), ahead of every other {noun}, "
"the nearest being {second} ({second_share}); the least common is {last} "
"({last_share}); each {holm}."
msgstr ""
"Den vanligste {noun} er {first} ({estimate}), foran alle andre, nærmest "
"{second} ({second_share}); den minst vanlige er {last} ({last_share}); hver "
"{holm}."

msgid "Items with too few answers are not shown."
msgstr "Punkter med for få svar vises ikke."

msgid "Key findings"
msgstr "Hovedfunn"

msgid "All reports"
msgstr "Alle rapporter"

msgid "Synthetic demo data."
msgstr "Syntetiske demodata."
"""

# Each test supplies the catalog it reads (a stand-in) or none: the translators' catalogs
# change what the words are, not how they are made.
pytestmark = pytest.mark.usefixtures("no_catalogs")


@pytest.fixture
def english_and_norwegian(monkeypatch):
    """Render English and Norwegian Bokmål (with whatever catalogs there are)."""
    monkeypatch.setenv(language.LANGUAGES_ENV, "en,nb")


@pytest.fixture
def stand_in_catalog(tmp_path, monkeypatch, english_and_norwegian):
    """English and Norwegian with `STAND_IN_CATALOG` as nb's catalog (and none for the others)."""
    source = tmp_path / "nb.po"
    source.write_text(STAND_IN_CATALOG, encoding="utf-8")
    monkeypatch.setattr(
        language, "po_path", lambda code: source if code == "nb" else tmp_path / "none.po"
    )
    monkeypatch.setattr(language, "mo_path", lambda code: tmp_path / f"{code}.mo")
    # ... and no codebook wording: the labels stay the English ones the templates hold.
    monkeypatch.setattr(codebook, "codebook_translation_path", lambda code: tmp_path / "none")
    forget_wording()
    yield
    forget_wording()


def forget_wording() -> None:
    """Read the catalogs and the codebook's wording again on next use."""
    language.forget_catalogs()
    codebook._codebook_in.cache_clear()
    tables._WORDINGS.clear()


def initiators():
    """The ranking of test_claims: three initiators shown (one suppressed), all pairs clear."""
    keys = ["employees", "own_manager", "foundations", "citizens"]
    estimates = [0.612, 0.389, 0.9, 0.104]
    items = tidy(keys, estimates, column="category", suppressed=[False, False, True, False])
    labels = pd.Series(["Employees", "Own manager", "Foundations", "Citizens"])
    every = {frozenset(p) for p in itertools.combinations(keys, 2)}
    pairs = pairs_of(keys, estimates, every, "the {m} pairs of initiators", [0, 0, 1, 0])
    return items, labels, pairs


def levels():
    """The groups of test_claims: State above the two others, which do not differ."""
    keys, estimates = ["state", "regional", "municipal"], [0.87, 0.75, 0.74]
    names = {"state": "State", "regional": "Regional", "municipal": "Municipal"}
    above = {frozenset(("state", "regional")), frozenset(("state", "municipal"))}
    pairs = pairs_of(keys, estimates, above, "the {m} pairs of government levels")
    return tidy(keys, estimates), names, pairs


def difference_row(estimate: float, p_holm: float) -> pd.Series:
    return pd.Series(
        {
            "label": "Citizens",
            "estimate": estimate,
            "ci_lower": estimate - 0.05,
            "ci_upper": estimate + 0.05,
            "p": p_holm,
            "p_holm": p_holm,
            "suppressed": False,
            "family": "the 2 changes between consecutive editions",
        }
    )


# The English words of the templates that hold a percent sign (a stand-in for their translation).
TEMPLATE_PERCENTS = re.compile(r"\b95% CI\b|\bthe 5% level\b")


def assert_norwegian_numbers(text: str, shares: bool = True) -> None:
    """Decimal commas, never a decimal point; a no-break space before every percent sign that
    follows a number (as '83 %', '81–85 %'); with `shares`, at least one such share."""
    numbers = TEMPLATE_PERCENTS.sub("", text)
    assert not re.search(r"\d\.\d", numbers), text
    assert not re.search(r"\d%", numbers), text
    assert bool(re.search(rf"\d{NBSP}%", numbers)) == shares, text


def test_a_ranking_sentence_is_rendered_from_the_catalogs_whole_template(stand_in_catalog):
    items, labels, pairs = initiators()
    sentence = report.ranking_sentence(items, labels, "initiator", pairs)
    assert sentence == (
        "The most common initiator is Employees (61%, 95% CI 59–63%), ahead of every other "
        "initiator, the nearest being Own manager (39%); the least common is Citizens (10%); "
        "each at the 5% level after Holm's adjustment over the 3 pairs of initiators. Items "
        "with too few answers are not shown."
    )
    assert sentence.in_language("nb") == (
        f"Den vanligste initiativtaker er Employees (61{NBSP}%, 95 % KI 59–63{NBSP}%), foran "
        f"alle andre, nærmest Own manager (39{NBSP}%); den minst vanlige er Citizens "
        f"(10{NBSP}%); hver på 5 %-nivå etter Holms justering over de 3 parene av "
        "initiativtakere. Punkter med for få svar vises ikke."
    )
    # The claims are the English ones: keys and the family as the CSV names it.
    assert [c.family for c in sentence.claims] == ["the 3 pairs of initiators"] * 2
    check_claims(sentence, items, pairs)


def test_a_family_takes_its_plural_form_and_translated_noun(stand_in_catalog):
    with language.speaking("nb"):
        assert sentences.family_text("the 1 pair of initiators") == "det 1 paret av initiativtakere"
        assert (
            sentences.family_text("the 3 pairs of initiators") == "de 3 parene av initiativtakere"
        )
        # No catalog entry for this kind: the English template, with its count.
        assert sentences.family_text("the 2 items compared") == "the 2 items compared"
    assert sentences.family_text("the 3 pairs of initiators") == "the 3 pairs of initiators"


def test_every_sentence_carries_each_language_with_its_numbers(english_and_norwegian):
    items, labels, item_pairs = initiators()
    groups, names, group_pairs = levels()
    changes = pd.DataFrame([difference_row(0.123, 0.003), difference_row(-0.061, 0.2)])
    made = [
        report.ranking_sentence(items, labels, "initiator", item_pairs),
        report.group_sentence(groups, names, "By government level", group_pairs),
        report.share_sentence(groups.assign(group=""), "introduced an innovation"),
        report.difference_sentence(changes.iloc[0], "in 2023", "in 2020", "the share", changes),
        report.differences_sentence(changes, "editions"),
        report.test_sentence(0.0123, "the share innovative by government level"),
    ]
    for sentence in made:
        assert set(sentence.translations) == {"en", "nb"}, sentence
        assert sentence.in_language("en") == str(sentence)
        assert_norwegian_numbers(
            sentence.in_language("nb"), shares="%" in TEMPLATE_PERCENTS.sub("", sentence)
        )
    difference = made[3].in_language("nb")
    assert "12,3 percentage points higher" in difference and "p = 0,003" in difference
    assert "(95% CI 7,3 to 17,3 points" in difference
    assert "+12,3 points, 95% CI 7,3 to 17,3" in made[4].in_language("nb")
    # The claims do not depend on the languages rendered.
    for sentence in made[:2]:
        assert sentence.claims
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(language.LANGUAGES_ENV, "en")
        alone = report.group_sentence(groups, names, "By government level", group_pairs)
    assert alone == made[1] and alone.claims == made[1].claims
    assert set(alone.translations) == {"en"}


def test_a_sentence_built_on_another_renders_it_in_the_same_language(english_and_norwegian):
    shares = tidy(["2020", "2023"], [0.61, 0.734])
    changes = pd.DataFrame([difference_row(0.124, 0.003)]).assign(first="2023", second="2020")
    sentence = report.trend_sentence(shares, changes)
    assert sentence.tested
    norwegian = sentence.in_language("nb")
    assert norwegian.startswith(f"The share of innovative workplaces was 61{NBSP}% in 2020 and ")
    assert "12,4 percentage points higher in 2023 than in 2020" in norwegian
    assert "12.4 percentage points higher in 2023 than in 2020" in sentence


def shown_outputs(monkeypatch) -> list[dict]:
    """What `IPython.display.display` is given, bundle by bundle."""
    import IPython.display

    bundles = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, **_: bundles.append(bundle))
    return bundles


def test_each_languages_paragraph_keeps_the_claims_on_its_spans(stand_in_catalog, monkeypatch):
    bundles = shown_outputs(monkeypatch)
    items, labels, pairs = initiators()
    sentence = report.ranking_sentence(items, labels, "initiator", pairs)
    sentences.forget_findings()
    report.show_sentences(sentence, "")
    (bundle,) = bundles
    english = bundle["text/html"]
    norwegian = bundle[LANGUAGES_MIME]["nb"]["data"]["text/html"]
    assert "Den vanligste initiativtaker" in norwegian and "The most common" in english
    claims = [re.search(r'data-claims="([^"]*)"', page)[1] for page in (english, norwegian)]
    assert claims[0] == claims[1]
    assert json.loads(unescape(claims[1]))[0]["family"] == "the 3 pairs of initiators"

    block = sentences.key_findings_html([sentence])
    assert "Hovedfunn" in block.in_language("nb") and "Key findings" in block
    assert 'data-claims="' in block.in_language("nb")
    sentences.forget_findings()


def test_the_edition_line_counts_units_as_the_language_writes_numbers(english_and_norwegian):
    frame = pd.DataFrame({"unit_level": ["workplace"] * 1611})
    edition = SimpleNamespace(country="DK", year=2023, frame=frame)
    line = notices.edition_heading_html(edition, "Who innovates, how, and with what effect?")
    assert line == (
        '<p class="lead"><strong>Denmark, 2023 edition</strong>: 1,611 workplaces answered. '
        "Who innovates, how, and with what effect?</p>"
    )
    assert f"1{NBSP}611 workplaces answered." in line.in_language("nb")
    assert "2023" in line.in_language("nb")


def test_the_data_notice_and_navigation_are_made_in_every_language(stand_in_catalog):
    notice = notices.synthetic_notice_html(True, "DK-2023")
    assert notice.startswith('<div class="notice synthetic"><strong>Synthetic demo data.')
    assert "<strong>Syntetiske demodata.</strong> These numbers for DK-2023" in notice.in_language(
        "nb"
    )
    nav = navigation.site_nav_html("../", "index", csv="DK-2023.csv")
    assert set(nav.translations) == set(language.LANGUAGES)
    assert ">All reports</a>" in nav and ">Alle rapporter</a>" in nav.in_language("nb")
    assert nav.in_language("da") == str(nav)  # no Danish catalog here: English words
    # A value passed as Text shows in each language; a plain one through the catalogs.
    title = language.Text("Overview: Denmark", {"nb": "Oversikt: Danmark"})
    cited = navigation.citation_html(title, [("Edition", "DK-2023")], "overview/DK-2023.csv")
    assert "<blockquote>Oversikt: Danmark. Edition: DK-2023." in cited.in_language("nb")
    assert "<blockquote>Overview: Denmark. Edition: DK-2023." in cited


def test_words_from_the_codebook_follow_its_translation(monkeypatch, english_and_norwegian):
    """A label a notebook passed in English is shown in the codebook's wording of the language."""
    monkeypatch.setattr(
        sentences, "codebook_wording", lambda: {"State": "Stat", "Employees": "Ansatte"}
    )
    groups, names, pairs = levels()
    sentence = report.group_sentence(groups, names, "By government level", pairs)
    assert "highest for Stat (87" in sentence.in_language("nb")
    assert "highest for State (87" in sentence
    # A model term 'Variable: category' is translated part by part.
    with language.speaking("nb"):
        assert sentences._label("State: Employees") == "Stat: Ansatte"
    assert np.isnan(sentences._label(np.nan))
