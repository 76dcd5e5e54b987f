"""Tables, figures and section blocks in every language of the build (issue 16): one call renders
each language, numbers as each language writes them, the CSV's numbers the same in all of them,
labels from the language's codebook and catalog."""

from __future__ import annotations

import re
from unittest import mock

import matplotlib
import pandas as pd
import pytest
from test_report import INITIATORS, tidy

from innobarometer import codebook, language
from innobarometer.report import export, figures, sections, tables
from innobarometer.report.languages import LANGUAGES_MIME

matplotlib.use("Agg")

NBSP = "\u00a0"
# A percentage written with a decimal point ('61.2%', '61.2 %'): never on a Norwegian page.
POINT_PERCENT = re.compile(r"\d\.\d+\s?%")
LEVELS = {"state": "State", "regional": "Regional", "municipal": "Municipal"}

# Each test supplies the catalog it reads (a stand-in) or none: the translators' catalogs
# change what the words are, not how they are made.
pytestmark = pytest.mark.usefixtures("no_catalogs")


@pytest.mark.parametrize(
    "code, whole, one_decimal, interval, decimal, signed",
    [
        ("en", "83%", "83.0%", "81–85%", "1.25", "+3.2"),
        ("da", f"83{NBSP}%", f"83,0{NBSP}%", f"81–85{NBSP}%", "1,25", "+3,2"),
        ("nb", f"83{NBSP}%", f"83,0{NBSP}%", f"81–85{NBSP}%", "1,25", "+3,2"),
        ("sv", f"83{NBSP}%", f"83,0{NBSP}%", f"81–85{NBSP}%", "1,25", "+3,2"),
        ("fi", f"83{NBSP}%", f"83,0{NBSP}%", f"81–85{NBSP}%", "1,25", "+3,2"),
        ("is", "83%", "83,0%", "81–85%", "1,25", "+3,2"),
    ],
)
def test_each_language_writes_percentages_and_decimals_its_own_way(
    code, whole, one_decimal, interval, decimal, signed
):
    with language.speaking(code):
        assert language.percent(0.83) == whole == tables.percent(0.83)
        assert language.percent(0.83, 1) == one_decimal == tables.percent(0.83, 1)
        assert language.percent_range(0.81, 0.85) == interval
        assert tables.interval_text(0.81, 0.85) == "81–85"
        assert language.number(1.25, 2) == decimal
        assert language.signed(3.2) == signed
        assert language.signed(-0.04) == language.number(0, 1)  # never '-0.0'
        assert tables.percent(float("nan")) == ""


def test_english_numbers_stay_as_the_pages_had_them():
    assert tables.percent(0.8349) == "83%" and tables.percent(0.8349, 1) == "83.5%"
    row = INITIATORS.iloc[0]
    assert tables.estimate_text(row) == "61%, 95% CI 57–65%"
    flagged = row.copy()
    flagged["flag"] = "unreliable"
    assert tables.estimate_text(flagged) == "61%, 95% CI 57–65%, unreliable"
    with language.speaking("nb"):
        assert tables.estimate_text(row) == f"61{NBSP}%, 95% CI 57–65{NBSP}%"


def shown_outputs(languages: str, show, monkeypatch) -> list[tuple[dict, dict]]:
    """What `show()` displays with the build's languages set to `languages`: (bundle, metadata)
    of each output."""
    monkeypatch.setenv(language.LANGUAGES_ENV, languages)
    outputs = []
    with mock.patch(
        "IPython.display.display", lambda b, **k: outputs.append((b, k.get("metadata") or {}))
    ):
        show()
    return outputs


def version(output: tuple[dict, dict], code: str) -> tuple[dict, dict]:
    """An output's rendering in language `code` (the output itself for English)."""
    bundle, metadata = output
    if code == language.ENGLISH:
        return {k: v for k, v in bundle.items() if k != LANGUAGES_MIME}, metadata
    rendered = bundle[LANGUAGES_MIME][code]
    return rendered["data"], rendered["metadata"]


def test_a_table_shows_decimal_commas_in_norwegian_and_the_csv_keeps_its_numbers(monkeypatch):
    outputs = shown_outputs(
        "en,nb", lambda: tables.show_table(INITIATORS, "initiators"), monkeypatch
    )
    assert len(outputs) == 1
    english, norwegian = version(outputs[0], "en")[0], version(outputs[0], "nb")[0]
    assert "61.2%" in english["text/html"] and "57–65" in english["text/html"]
    assert f"61,2{NBSP}%" in norwegian["text/html"]
    assert not POINT_PERCENT.search(norwegian["text/html"])
    # The CSV payload: the same columns, numbers and codes in both languages.
    en_table, nb_table = english[export.TABLE_MIME], norwegian[export.TABLE_MIME]
    assert en_table["columns"] == nb_table["columns"] and en_table["table"] == nb_table["table"]
    labels = {en_table["columns"].index(c) for c in tables.LABEL_COLUMNS}
    for en_row, nb_row in zip(en_table["data"], nb_table["data"], strict=True):
        kept = [v for i, v in enumerate(en_row) if i not in labels]
        assert kept == [v for i, v in enumerate(nb_row) if i not in labels]
        assert all(not isinstance(v, str) or "," not in v for v in kept)


def test_english_only_builds_show_the_table_as_before(monkeypatch):
    outputs = shown_outputs("", lambda: tables.show_table(INITIATORS, "initiators"), monkeypatch)
    bundle, metadata = outputs[0]
    assert LANGUAGES_MIME not in bundle and metadata == {}
    assert bundle == tables.table_bundle(
        tables.with_label_columns(INITIATORS, tables.format_estimates(INITIATORS)),
        "initiators",
        tables.format_estimates(INITIATORS),
        tables.base_caption(INITIATORS),
    )


def test_a_long_table_says_how_many_rows_it_folds_in_each_language(monkeypatch):
    rows = [("initiator", str(i), "", 0.5, 0.4, 0.6, 100, False) for i in range(30)]
    outputs = shown_outputs("en,nb", lambda: tables.show_table(tidy(rows), "long"), monkeypatch)
    assert "<summary>The numbers (30 rows)</summary>" in version(outputs[0], "en")[0]["text/html"]
    assert "<summary>" in version(outputs[0], "nb")[0]["text/html"]


def test_a_figure_is_drawn_in_each_language_with_its_own_alt_text(monkeypatch):
    by_level = tidy(
        [
            ("innovative", "1", "", 0.834, 0.78, 0.88, 300, False),
            ("innovative", "1", "state", 0.5, 0.4, 0.6, 3, True),
            ("innovative", "1", "municipal", 0.821, 0.771, 0.866, 200, False),
        ]
    )
    outputs = shown_outputs(
        "en,nb",
        lambda: sections.show_estimates(
            by_level, "by_level", "Innovative by level", group_labels=LEVELS
        ),
        monkeypatch,
    )
    figure, note, table = outputs
    (en_png, en_meta), (nb_png, nb_meta) = version(figure, "en"), version(figure, "nb")
    assert en_png["image/png"] and nb_png["image/png"]
    assert nb_png[export.FIGURE_SVG_MIME].startswith("<?xml")
    en_alt, nb_alt = en_meta["innobarometer"]["alt"], nb_meta["innobarometer"]["alt"]
    assert "All 83% (95% interval 78–88%)" in en_alt
    assert f"83{NBSP}% (95% interval 78–88{NBSP}%)" in nb_alt
    assert not POINT_PERCENT.search(nb_alt)
    # The same values drawn in both languages.
    assert en_meta["innobarometer"]["drawn"] == nb_meta["innobarometer"]["drawn"]
    assert 'class="figure-note"' in version(note, "nb")[0]["text/html"]
    assert f"82,1{NBSP}%" in version(table, "nb")[0]["text/html"]


def test_ticks_are_written_as_the_language_writes_numbers():
    differences = pd.DataFrame(
        {
            "label": ["A vs B"],
            "estimate": [0.0042],
            "ci_lower": [-0.0031],
            "ci_upper": [0.0118],
            "suppressed": [False],
        }
    )
    texts = {}
    for code in ("en", "nb"):
        with language.speaking(code):
            fig = figures.plot_differences(differences)
            fig.canvas.draw()
            texts[code] = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
            alt = fig.innobarometer_alt
    assert any("." in t for t in texts["en"]) and not any("," in t for t in texts["en"])
    assert [t.replace(".", ",") for t in texts["en"]] == texts["nb"]
    assert "+0,4 points (95% interval −0,3 to +1,2)" in alt


@pytest.fixture
def norwegian(tmp_path, monkeypatch):
    """A Norwegian catalog and codebook wording for the test: two headers, a title and the
    government levels' names."""
    locale = tmp_path / "locale"
    (locale / "nb" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "nb" / "LC_MESSAGES" / "innobarometer.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Estimate"\nmsgstr "Anslag"\n\n'
        'msgid "Group"\nmsgstr "Gruppe"\n\n'
        'msgid "Innovative by level"\nmsgstr "Innovative etter nivå"\n\n'
        'msgid "Share of {whose} (%)"\nmsgstr "Andel av {whose} (%)"\n\n'
        'msgid "all units"\nmsgstr "alle enheter"\n',
        encoding="utf-8",
    )
    (locale / "nb" / "codebook.yaml").write_text(
        "variables:\n  gov_level:\n    categories:\n"
        "      state: Statlig\n      municipal: Kommunal\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(language, "LOCALE_DIR", locale)
    monkeypatch.setattr(language, "mo_path", lambda code: tmp_path / "mo" / f"{code}.mo")
    language.forget_catalogs()
    codebook._codebook_in.cache_clear()
    yield locale
    language.forget_catalogs()
    codebook._codebook_in.cache_clear()


def test_words_and_labels_come_from_the_languages_catalog_and_codebook(norwegian, monkeypatch):
    levels = dict(LEVELS)
    with language.speaking(language.ENGLISH):
        assert codebook.load_codebook()["gov_level"].categories["municipal"] == "Municipal"
    table = tidy(
        [
            ("innovative", "1", "", 0.834, 0.78, 0.88, 300, False),
            ("innovative", "1", "municipal", 0.821, 0.771, 0.866, 200, False),
        ]
    ).assign(group_label=["All", "Municipal"])
    outputs = shown_outputs(
        "en,nb",
        lambda: sections.show_estimates(
            table, "by_level", "Innovative by level", group_labels=levels
        ),
        monkeypatch,
    )
    figure, table_output = outputs
    nb_html = version(table_output, "nb")[0]["text/html"]
    assert "<th>Anslag</th>" in nb_html and "<th>Gruppe</th>" in nb_html
    assert "<td>Kommunal</td>" in nb_html and "Municipal" not in nb_html
    assert "<th>Estimate</th>" in version(table_output, "en")[0]["text/html"]
    nb_csv = version(table_output, "nb")[0][export.TABLE_MIME]
    group_label = nb_csv["columns"].index("group_label")
    assert [row[group_label] for row in nb_csv["data"]][1] == "Kommunal"
    nb_alt = version(figure, "nb")[1]["innobarometer"]["alt"]
    assert nb_alt.startswith("Chart: Innovative etter nivå.") and "Kommunal" in nb_alt
    assert "Municipal" in version(figure, "en")[1]["innobarometer"]["alt"]


def test_country_names_follow_the_language_being_rendered(norwegian, tmp_path):
    (tmp_path / "locale" / "nb" / "codebook.yaml").write_text(
        'variables:\n  country:\n    categories:\n      "NO": Norge\n', encoding="utf-8"
    )
    codebook._codebook_in.cache_clear()
    assert figures.country_names()["NO"] == "Norway" == figures.COUNTRY_NAMES["NO"]
    with language.speaking("nb"):
        assert figures.country_names()["NO"] == "Norge" == figures.COUNTRY_NAMES["NO"]
        assert tables.localised("Norway") == "Norge"
        assert tables.localised_comparison("Innovative: Norway vs Sweden").endswith(
            "Norge vs Sweden"
        )


def svg_without_ids(svg: str) -> str:
    """An SVG with matplotlib's hashed ids (of markers and clip paths) made alike."""
    return re.sub(r'(id="|#)[a-z]+[0-9a-f]{10}\b', r"\1id", svg)


def figure_outputs(languages: str, draw, monkeypatch) -> list[dict]:
    """The figure `draw` makes, shown in `languages`: each language's bundle and alt text."""
    (output,) = shown_outputs(languages, lambda: figures.show_figure(draw, "f"), monkeypatch)
    codes = language.report_languages()
    return [version(output, code) for code in codes]


@pytest.mark.parametrize("title", ["Innovative by level", "Innovative by level " * 3])
def test_a_relabelled_figure_is_the_figure_drawn_in_that_language(norwegian, monkeypatch, title):
    """The Norwegian figure made by relabelling the English one has the bytes of one drawn in
    Norwegian; a title that wraps differently is drawn again, with the same result."""
    if title != "Innovative by level":
        catalog = norwegian / "nb" / "LC_MESSAGES" / "innobarometer.po"
        catalog.write_text(
            catalog.read_text(encoding="utf-8") + f'\nmsgid "{title}"\nmsgstr "Kort"\n',
            encoding="utf-8",
        )
        language.forget_catalogs()
    table = tidy(
        [
            ("innovative", "1", "", 0.834, 0.78, 0.88, 300, False),
            ("innovative", "1", "state", 0.5, 0.4, 0.6, 3, True),
            ("innovative", "1", "municipal", 0.821, 0.771, 0.866, 200, False),
            ("collaborated", "1", "", 0.41, 0.36, 0.46, 300, False),
            ("collaborated", "1", "state", 0.5, 0.4, 0.6, 3, True),
            ("collaborated", "1", "municipal", 0.39, 0.33, 0.45, 200, False),
        ]
    )

    calls = []

    def draw():
        calls.append((language.current(), figures._WORDS_ONLY.get()))
        # The axis label made by the caller, in the language it is called in.
        axis = sections.share_axis_label(table)
        return figures.plot_estimates(table, title=title, xlabel=axis, group_labels=LEVELS)

    relabelled = figure_outputs("en,nb", draw, monkeypatch)[1]
    # Drawn once and relabelled, or drawn again where the Norwegian title wraps differently.
    drawings = [code for code, words_only in calls if not words_only]
    assert drawings == (["en"] if title == "Innovative by level" else ["en", "nb"])
    drawn = figure_outputs("nb", draw, monkeypatch)[0]
    with language.speaking("nb"):
        (fresh,) = shown_outputs("", lambda: figures.show_figure(draw(), "f"), monkeypatch)
    # The same pixels, alt text and values drawn; the SVG the same but for the ids matplotlib
    # hashes from transforms (rounding noise of the figure's second rendering).
    assert relabelled[1] == fresh[1]
    assert relabelled[0]["image/png"] == fresh[0]["image/png"]
    assert svg_without_ids(relabelled[0][export.FIGURE_SVG_MIME]) == svg_without_ids(
        fresh[0][export.FIGURE_SVG_MIME]
    )
    assert "Kommunal" in relabelled[1]["innobarometer"]["alt"]
    assert "Andel av alle enheter (%)" in relabelled[1]["innobarometer"]["alt"]
    assert drawn[0]["image/png"] != relabelled[0]["image/png"]  # English, unlike the nb one
