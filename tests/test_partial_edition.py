"""An edition that asked only some of the codebook's questions.

Unit tests on a hand-made frame with one column dropped and one all missing; then the way a user
meets it: a demo mapping copied into data/mappings/ with the diffusion questions, the drivers
questions and three partners deleted, a second edition whose mapped column is empty in its file,
the data built with the package's own functions and the real theme notebooks built for them.
Expected sections and notices follow from what the mapping deletes, not from the output.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from pages import h2_sections

from innobarometer import analysis, report
from innobarometer.analysis import estimates
from innobarometer.analysis import published as analysis_published
from innobarometer.data_set import EditionFacts
from innobarometer.pipeline import build
from innobarometer.report import notices as report_notices
from innobarometer.report import sentences
from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.estimate import TIDY_COLUMNS

ROOT = Path(__file__).resolve().parents[1]

# Six workplaces, one stratum of a large population; units 5 and 6 are not innovative.
FRAME = pd.DataFrame(
    {
        "unit_id": [f"u{i}" for i in range(1, 7)],
        "unit_level": ["workplace"] * 6,
        "stratum": ["s"] * 6,
        "stratum_population": [1e9] * 6,
        "weight": [1.0, 2.0, 1.0, 1.0, 3.0, 2.0],
        "gov_level": ["state", "state", "municipal", "municipal", "municipal", "state"],
        "sector": ["health", "education"] * 3,
        "size_class": ["1-9", "10-49", "10-49", "1-9", "1-9", "10-49"],
        "innovative": pd.array([1, 1, 1, 1, 0, 0], dtype="Int8"),
        "novelty": pd.array([1, 2, 3, 1, None, None], dtype="Int8"),
        "effect_quality": pd.array([1, 0, 1, 1, None, None], dtype="Int8"),
        # Mapped but empty in this wave: nobody answered, although four units innovated.
        "spread_actively": pd.array([None] * 6, dtype="Int8"),
    }
)
# Partners asked: own_organisation and citizens; the other seven options are all missing.
PARTNERS = {"own_organisation": [1, 0, 1, 0, None, None], "citizens": [1, 1, 0, 0, None, None]}


def make_edition(frame: pd.DataFrame = FRAME, edition_id: str = "DK-2023") -> analysis.Edition:
    from innobarometer.codebook import load_codebook

    frame = frame.copy()
    for column in load_codebook()["partner"].columns:
        values = PARTNERS.get(column.removeprefix("partner_"), [None] * 6)
        frame[column] = pd.array(values, dtype="Int8")
    country, year = edition_id.split("-")
    # A mapping that provides every codebook column: what was asked is what the data hold.
    columns = frozenset(load_codebook().columns())
    facts = EditionFacts(country, int(year), "workplace", True, (), columns, {})
    return analysis.Edition(edition_id, frame, SurveyDesign.from_frame(frame), facts)


# ----------------------------------------------------------------------------- what was asked


def test_an_absent_column_and_an_all_missing_column_are_both_not_asked():
    edition = make_edition()
    assert "evaluation" not in edition.frame  # dropped
    assert estimates.unasked_columns(edition, "evaluation") == ["evaluation"]
    assert estimates.unasked_columns(edition, "spread_actively") == ["spread_actively"]
    assert estimates.is_asked(edition, "novelty") and estimates.is_asked(edition, "effect_quality")
    assert estimates.asked_columns(edition, "partner") == [
        "partner_own_organisation",
        "partner_citizens",
    ]


def test_not_asked_names_whole_variables_or_the_options_missing():
    edition = make_edition()
    missing = analysis.not_asked(edition, ["spread_actively", "novelty", "partner", "evaluation"])
    unasked_partners = [
        f"partner_{o}"
        for o in (
            "public_same_sector",
            "public_other_sector",
            "private_firms",
            "knowledge_institutions",
            "voluntary",
            "foundations",
            "foreign",
        )
    ]
    # Codebook order: partner comes before evaluation and spread_actively.
    assert missing == [*unasked_partners, "evaluation", "spread_actively"]
    # An indicator needs exactly the columns of its definition.
    assert analysis.not_asked(edition, ["partner_citizens"]) == []
    assert analysis.not_asked(edition, ["partner_private_firms"]) == ["partner_private_firms"]
    assert analysis.not_asked(edition, ["collaborated_any"]) == unasked_partners
    text = estimates.not_asked_text(["evaluation", "partner_voluntary", "partner_foreign"])
    assert text == "Evaluation; Collaboration partners: Voluntary associations, Foreign partners"


def test_an_empty_universe_of_an_asked_filter_is_no_innovators_not_a_question_not_asked():
    nobody = FRAME.assign(
        innovative=pd.array([0] * 6, dtype="Int8"),
        novelty=pd.array([None] * 6, dtype="Int8"),
        effect_quality=pd.array([None] * 6, dtype="Int8"),
    )
    edition = make_edition(nobody)
    assert estimates.is_asked(edition, "effect_quality")
    assert estimates.is_asked(edition, "novelty")
    # But when the filter itself was not asked, its items were not either.
    unknown = nobody.assign(innovative=pd.array([None] * 6, dtype="Int8"))
    assert not estimates.is_asked(make_edition(unknown), "effect_quality")


def test_inspiration_is_not_asked_when_novelty_its_filter_was_not():
    from innobarometer.codebook import load_codebook

    columns = load_codebook()["inspiration"].columns
    empty = FRAME.assign(**{c: pd.array([None] * 6, dtype="Int8") for c in columns})
    assert analysis.not_asked(make_edition(empty.drop(columns="novelty")), ["inspiration"]) == [
        "inspiration"
    ]
    # Novelty asked, but every innovation was the unit's own: nobody was asked for a channel.
    originals = empty.assign(novelty=pd.array([1, 1, 1, 1, None, None], dtype="Int8"))
    assert estimates.is_asked(make_edition(originals), "inspiration")


def test_a_variable_the_mapping_leaves_out_is_not_asked_even_where_nobody_qualified():
    """With no innovators, every innovator item is empty; the mapping tells which were asked
    (through the facts `make data` writes of it)."""
    from innobarometer.codebook import load_codebook
    from innobarometer.harmonise.datasets import facts_of_mapping
    from innobarometer.harmonise.mapping import ColumnMap, Mapping

    nobody = FRAME.assign(
        innovative=pd.array([0] * 6, dtype="Int8"),
        novelty=pd.array([None] * 6, dtype="Int8"),
        effect_quality=pd.array([None] * 6, dtype="Int8"),
    )
    edition = make_edition(nobody)
    mapped = ["unit_id", "weight", "stratum", "stratum_population", "gov_level", "sector"]
    mapped += ["size_class", "innovative", "novelty"]
    columns = {name: ColumnMap(name, f"columns.{name}", "column", name) for name in mapped}
    columns["partner"] = ColumnMap(
        "partner", "columns.partner", "options", options={"citizens": "p_cit"}
    )
    mapping = Mapping(
        path=Path("DK-2023.yaml"),
        country="DK",
        edition=2023,
        synthetic=True,
        unit_level="workplace",
        source_path=Path("DK-2023.csv"),
        format="csv",
        columns=columns,
    )
    facts = facts_of_mapping(mapping, load_codebook())
    edition = analysis.Edition("DK-2023", edition.frame, edition.design, facts)
    # Mapped, and empty only because nobody innovated: asked.
    assert estimates.is_asked(edition, "novelty")
    # Not in the mapping: not asked, although its column is as empty as novelty's.
    assert analysis.not_asked(edition, ["effect_quality", "evaluation"]) == [
        "effect_quality",
        "evaluation",
    ]
    assert estimates.asked_columns(edition, "partner") == ["partner_citizens"]
    assert analysis.estimate_variable(edition, "effect_quality").empty


def test_a_background_variable_not_asked_gives_no_groups_and_no_model():
    edition = make_edition(FRAME.drop(columns=["sector"]))
    assert analysis.not_asked(edition, ["innovative", "gov_level", "sector"]) == ["sector"]
    # No "(missing)" group of every unit: no rows, and the section's notice names sector.
    assert analysis.estimate_variable(edition, "innovative", by="sector").empty
    assert analysis.battery_shares(edition, "factors", "hindered", by="sector").empty
    assert analysis.estimate_indicators(edition, ["innovative"], by="sector").empty
    assert not analysis.estimate_variable(edition, "innovative", by="gov_level").empty
    # A model adjusted for sector is not fitted (rather than "no unit has every answer").
    model = analysis.model_innovative_on_characteristics(edition)
    assert model.table.empty and model.message == ""


def test_no_figure_is_drawn_when_no_published_row_is_plotted(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a[0]))
    comparison = pd.DataFrame(
        {
            "indicator": ["innovative"],
            "label": ["Innovative"],
            "published_edition": ["nordic-2019"],
            "scope": ["all"],
            "base": ["all"],
            "published": [0.8],
            "estimate": [0.78],
            "ci_lower": [0.75],
            "ci_upper": [0.81],
            "n_unweighted": [1200],
            "suppressed": [False],
            "published_inside_interval": [True],
            "source_key": ["nordic-2019"],
            "source_url": [""],
            "calibration_target": [False],
            "set_against": ["own edition"],
        }
    )
    report.show_published(comparison, True, plotted=comparison["set_against"] == "x")
    assert shown and not any("image/png" in bundle for bundle in shown if isinstance(bundle, dict))
    none = "No published figure can be set against an estimate of these editions."
    assert sentences.published_sentence(comparison.iloc[0:0], True, none) == none


# ----------------------------------------------------------------------------- estimates


@pytest.mark.parametrize("variable", ["evaluation", "spread_actively"], ids=["dropped", "empty"])
def test_a_variable_not_asked_has_an_estimate_with_no_rows(variable):
    edition = make_edition()
    table = analysis.estimate_variable(edition, variable, by="gov_level", threshold=1)
    assert table.empty and list(table.columns) == TIDY_COLUMNS
    assert analysis.estimate_variables(edition, [variable], threshold=1).empty
    assert np.isnan(analysis.binary_values(edition, variable)).all()


def test_a_partly_asked_item_estimates_its_asked_options_only():
    table = analysis.estimate_variable(make_edition(), "partner", threshold=1)
    whole = table[table["group"] == ""].set_index("category")
    # No count of options ticked: over two of nine options it is another question.
    assert list(whole.index) == ["own_organisation", "citizens"]
    # Innovators' weights 1, 2, 1, 1: own organisation 1 + 1 of 5, citizens 1 + 2 of 5.
    assert whole.loc["own_organisation", "estimate"] == pytest.approx(2 / 5)
    assert whole.loc["citizens", "estimate"] == pytest.approx(3 / 5)
    assert analysis.estimate_option_count(make_edition(), "partner", threshold=1).empty
    shares, differences = analysis.option_differences(make_edition(), "partner", threshold=1)
    assert len(shares) == 2 and differences["label"].tolist() == [
        "Citizens or users vs Other workplaces in own organisation"
    ]


def test_indicators_and_published_figures_not_asked_have_no_row():
    edition = make_edition()
    table = analysis.estimate_indicators(
        edition, ["partner_citizens", "partner_private_firms", "spread_actively"], threshold=1
    )
    assert table["indicator"].tolist() == ["partner_citizens"]
    figures = pd.DataFrame(
        {
            "indicator": ["partner_citizens", "collaborated_any"],
            "label": ["Partner: citizens", "Collaborated"],
            "edition": [2023, 2023],
            "scope": ["all public sector"] * 2,
            "base": ["innovations"] * 2,
            "share": [0.5, 0.8],
            "source_key": ["X-1", "X-2"],
            "source_url": ["", ""],
            "calibration_target": [False, False],
        }
    )
    comparison = analysis_published.compare_with_published(edition, figures, threshold=1)
    assert comparison["indicator"].tolist() == ["partner_citizens"]


def test_comparisons_resting_on_a_question_not_asked_have_no_rows():
    edition = make_edition()
    origin = analysis.substantive_groups(edition, "novelty")
    spread = analysis.binary_values(edition, "spread_actively")
    assert analysis.estimate_shares_by(edition, spread, origin, "spread_actively").empty
    assert analysis.group_differences(edition, spread, origin, [("3", "1")], {}).empty
    # The grouping not asked: evaluation dropped, collaboration needs every partner.
    quality = analysis.binary_values(edition, "effect_quality")
    for groups in (analysis.evaluation_groups(edition), analysis.collaboration_groups(edition)):
        assert groups.isna().all()
        assert analysis.estimate_shares_by(edition, quality, groups, "effect_quality").empty
    assert analysis.battery_shares(edition, "factors", "hindered").empty
    assert analysis.estimate_battery_distribution(edition).empty
    model = analysis.model_spreading_on_novelty(edition)
    assert model.not_asked and report.odds_ratio_sentence(model, "x", "y", "z") == ""


def test_the_trend_and_nordic_comparisons_leave_out_editions_that_did_not_ask():
    asked = make_edition(FRAME, "NO-2024")
    lacking = make_edition(FRAME.drop(columns="effect_quality"), "DK-2023")
    assert analysis.editions_not_asked([asked, lacking], ["effect_quality"]) == {
        "DK-2023": ["effect_quality"]
    }
    shares, differences = analysis.country_differences(
        [lacking, asked], ["effect_quality", "partner_citizens"], threshold=1
    )
    rows = shares.set_index(["indicator", "group"])["estimate"]
    # effect_quality of NO-2024 only: innovators' weights 1, 2, 1, 1; yes for 1 + 1 + 1 of 5.
    assert rows.loc[("effect_quality", "NO")] == pytest.approx(3 / 5)
    assert ("effect_quality", "DK") not in rows.index
    assert {("partner_citizens", "DK"), ("partner_citizens", "NO")} <= set(rows.index)
    assert differences["label"].tolist() == ["Partner: citizens or users: DK-2023 vs NO-2024"]
    empty_shares, empty_differences = analysis.country_differences(
        [lacking], ["effect_quality"], threshold=1
    )
    assert empty_shares.empty and empty_differences.empty


# ----------------------------------------------------------------------------- report


def test_sentences_about_a_table_with_no_rows_are_not_written():
    empty = estimates.empty_table()
    assert report.share_sentence(empty, "spread it") == ""
    differences = analysis.group_differences(make_edition(), [np.nan] * 6, ["a"] * 6, [], {})
    assert analysis.item_pairs(make_edition(), empty, "channels").empty
    assert report.ranking_sentence(empty, pd.Series(dtype=str), "channel", differences) == ""
    assert report.group_sentence(empty, {}, "By level", differences) == ""
    empty_labels = pd.Series(dtype=str)
    assert report.top_by_group_sentence(empty, empty_labels, {}, "partner", differences) == ""
    assert report.differences_sentence(differences, "groups") == ""
    assert report.difference_sentence(differences, "a", "b", "the share") == ""
    assert report.trend_sentence(empty, differences) == ""


def test_nothing_is_displayed_for_a_table_with_no_rows(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    empty = estimates.empty_table()
    report.show_estimates(empty, "spread", "Spread")
    report.show_table(empty, "spread")
    report.show_distribution(empty, "factors", "Factors", {})
    report.show_model(analysis.model_spreading_on_novelty(make_edition()), "m", "M")
    assert shown == []


def test_the_notices_name_the_edition_the_questions_and_the_variables():
    notice = report_notices.not_asked_html("DK-2017", ["spread_actively", "partner_foreign"])
    text = html.unescape(re.sub(r"<[^>]+>", "", notice))
    assert text.startswith(
        "Not asked in DK-2017: Spread actively; Collaboration partners: Foreign partners "
        "(spread_actively, partner_foreign)."
    )
    assert report_notices.not_asked_html("DK-2017", []) == ""
    left_out = report_notices.left_out_html({"NO-2024": ["effect_quality"]}, "this comparison")
    assert "Left out of this comparison:</strong> NO-2024 did not ask Increased quality" in left_out
    assert report_notices.left_out_html({}, "this comparison") == ""


# ----------------------------------------------------------------------------- built reports

DELETED = {
    # The diffusion block, the drivers block, and the collaboration phases routed on partners.
    "variables": [
        "inspiration",
        "evaluation",
        "spread_actively",
        "initiator",
        "financing",
        "technology",
        "culture_welcomed",
        "culture_mistakes_accepted",
        "culture_time_for_development",
        "culture_management_encourages",
        "collaboration_phase",
    ],
    "partners": ["voluntary", "foundations", "foreign"],
}
THEMES = ("overview", "collaboration", "diffusion", "drivers", "barriers", "nordic")
# Per theme: sections that must show a table, and sections that must show only a notice naming
# these variables (or option columns), worked out from DELETED and the notebooks' sections.
PARTLY_ASKED = ["partner_voluntary", "partner_foundations", "partner_foreign"]
EXPECTED = {
    "overview": {
        "tables": ["How many innovate", "Types of innovation", "Effects achieved"],
        "not_asked": {"Evaluation": ["evaluation"]},
    },
    "collaboration": {
        "tables": ["Partners", "Partners by government level"],
        "partly": ["Partners", "Partners by government level"],
        "not_asked": {
            "How often innovations are made in collaboration": PARTLY_ASKED,
            "Collaboration intensity": PARTLY_ASKED,
            "Collaboration and effects": PARTLY_ASKED,
        },
    },
    "diffusion": {
        "tables": ["Novelty"],
        "not_asked": {
            "Inspiration channels": ["inspiration"],
            "Spreading actively": ["spread_actively"],
            "Do copiers spread less than originators?": ["spread_actively"],
            "Are evaluated innovations spread more often?": ["evaluation", "spread_actively"],
        },
    },
    "drivers": {
        "tables": ["Promoters", "Which workplaces innovate"],
        "not_asked": {"Initiators": ["initiator"], "Drivers by government level": ["initiator"]},
    },
    "barriers": {
        "tables": ["Hindering factors", "Barriers by sector and government level"],
        "not_asked": {"Barriers among collaborators and others": PARTLY_ASKED},
    },
}


def partial_mapping() -> dict:
    """The demo DK-2023 mapping with the diffusion and drivers blocks and three partners deleted,
    as a user would edit it for a national file that did not ask those questions."""
    mapping = yaml.safe_load((ROOT / "data/demo/mappings/DK-2023.yaml").read_text())
    for variable in DELETED["variables"]:
        del mapping["columns"][variable]
    for option in DELETED["partners"]:
        del mapping["columns"]["partner"]["options"][option]
    return mapping


@pytest.fixture(scope="module")
def partial_project(demo_root, tmp_path_factory):
    """A real-data project: DK-2023 mapped in part, NO-2024 with its effect_quality column empty
    in the file (still mapped), FI-2022 whole; data and the DK-2023 and Nordic reports built."""
    root = tmp_path_factory.mktemp("partial") / "project"
    mappings, raw = root / "data" / "mappings", root / "data" / "raw"
    mappings.mkdir(parents=True)
    raw.mkdir(parents=True)
    shutil.copytree(
        ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb")
    )
    demo = demo_root / "data" / "demo"
    (mappings / "DK-2023.yaml").write_text(yaml.safe_dump(partial_mapping(), sort_keys=False))
    shutil.copy(demo / "raw" / "DK-2023.sav", raw)
    for edition in ("NO-2024", "FI-2022"):
        shutil.copy(demo / "mappings" / f"{edition}.yaml", mappings)
    shutil.copy(demo / "raw" / "FI-2022.csv", raw)
    norway = yaml.safe_load((demo / "mappings" / "NO-2024.yaml").read_text())
    national = pd.read_csv(demo / "raw" / "NO-2024.csv", dtype=str, keep_default_na=False)
    national[norway["columns"]["effect_quality"]["column"]] = ""
    national.to_csv(raw / "NO-2024.csv", index=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INNOBAROMETER_ROOT", str(root))
        patch.delenv("DATA", raising=False)
        from innobarometer.harmonise.datasets import build_data

        build_data(progress=lambda _: None)
        out = io.StringIO()
        code = build.build(themes=",".join(THEMES), editions="DK-2023,latest", out=out)
    return SimpleNamespace(root=root, code=code, log=out.getvalue())


def notices(body: str) -> list[str]:
    """The text of each not-asked notice in a piece of a page."""
    found = re.findall(r'<div class="notice not-asked">(.*?)</div>', body, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", n)) for n in found]


def test_every_report_of_the_partial_edition_builds(partial_project):
    assert partial_project.code == 0, partial_project.log
    manifest = json.loads((partial_project.root / "build" / "manifest.json").read_text())
    expected = {f"{t}/DK-2023" for t in THEMES if t != "nordic"} | {"nordic/latest"}
    built = {name for name, r in manifest["reports"].items() if r["status"] == "built"}
    assert built == expected, partial_project.log


@pytest.mark.parametrize("theme", [t for t in THEMES if t != "nordic"])
def test_sections_show_tables_or_a_notice_naming_what_was_not_asked(partial_project, theme):
    build_dir = partial_project.root / "build" / theme
    page = h2_sections((build_dir / "DK-2023.html").read_text(encoding="utf-8"))
    table = pd.read_csv(build_dir / "DK-2023.csv")
    for name in EXPECTED[theme]["tables"]:
        assert "<table" in page[name] and "<img" in page[name], f"{theme}: {name} lost its table"
        assert (table["section"] == name).any(), f"{theme}: {name} has no rows in the CSV"
    for name, variables in EXPECTED[theme]["not_asked"].items():
        said = notices(page[name])
        assert len(said) == 1 and said[0].startswith("Not asked in DK-2023:"), (name, said)
        assert f"({', '.join(variables)})" in said[0], (name, said)
        body = re.sub(r'<div class="notice not-asked">.*?</div>', "", page[name], flags=re.S)
        for trace in ("<table", "<img", 'class="finding"'):
            assert trace not in body, f"{theme}: {name} shows {trace} for a question not asked"
        assert not (table["section"] == name).any(), f"{theme}: {name} has rows in the CSV"
    # A section shows a notice beside its tables only when it lacks some of its questions.
    for name in EXPECTED[theme]["tables"]:
        said = notices(page[name])
        if name in EXPECTED[theme].get("partly", []):
            assert len(said) == 1 and f"({', '.join(PARTLY_ASKED)})" in said[0], (name, said)
        else:
            assert said == [], (theme, name, said)


def test_partners_show_the_asked_options_and_name_the_others(partial_project):
    build_dir = partial_project.root / "build" / "collaboration"
    page = h2_sections((build_dir / "DK-2023.html").read_text(encoding="utf-8"))
    assert (
        "(partner_voluntary, partner_foundations, partner_foreign)" in notices(page["Partners"])[0]
    )
    table = pd.read_csv(build_dir / "DK-2023.csv")
    partners = table[table["table"] == "partners"]
    asked = ["own_organisation", "public_same_sector", "public_other_sector", "private_firms"]
    asked += ["citizens", "knowledge_institutions"]
    assert sorted(partners["category"]) == sorted(asked)  # no option not asked, no count


def test_published_figures_not_asked_are_left_out_and_named(partial_project):
    build_dir = partial_project.root / "build" / "drivers"
    table = pd.read_csv(build_dir / "DK-2023.csv")
    published = table.loc[table["table"] == "published", "indicator"].tolist()
    # DK-2023's drivers figures on factors stay; those on initiators, financing, technology go.
    assert published and all(i.startswith("promoted_by_") for i in published), published
    page = h2_sections((build_dir / "DK-2023.html").read_text(encoding="utf-8"))
    said = notices(page["Beside the published figures"])
    assert len(said) == 1 and "initiator_own_manager" in said[0] and "technology" in said[0]


def test_nordic_leaves_out_editions_that_did_not_ask_and_says_which(partial_project):
    build_dir = partial_project.root / "build" / "nordic"
    page = h2_sections((build_dir / "latest.html").read_text(encoding="utf-8"))
    table = pd.read_csv(build_dir / "latest.csv")
    overview = notices(page["Overview"])
    # DK-2023 did not map evaluation; NO-2024 maps effect_quality but its column is empty.
    assert overview == [
        "Left out of this comparison: DK-2023 did not ask Evaluation (evaluation). "
        "NO-2024 did not ask Increased quality (effect_quality)."
    ]
    assert "DK-2023 did not ask Spread actively (spread_actively)" in notices(page["Diffusion"])[0]
    assert notices(page["Barriers"]) == []  # DK-2023 kept the factors

    def countries(indicator: str) -> set[str]:
        rows = table[table["table"].str.endswith("_by_country") & (table["indicator"] == indicator)]
        return set(rows["group"])

    assert countries("effect_quality") == {"DK", "FI"}
    assert countries("evaluated") == {"NO", "FI"}
    assert countries("spread_actively") == {"NO", "FI"}
    assert countries("collaborated_any") == {"NO", "FI"}  # DK-2023 lacks three partners
    assert countries("limited_economy_played_a_role") == {"DK", "NO", "FI"}
    differences = table.loc[table["table"].str.endswith("_differences"), "label"]
    assert not differences[differences.str.startswith("Increased quality")].str.contains("NO").any()


def test_the_estimate_command_says_what_an_edition_did_not_ask(
    partial_project, monkeypatch, capsys
):
    from innobarometer.__main__ import main

    monkeypatch.setenv("INNOBAROMETER_ROOT", str(partial_project.root))
    monkeypatch.delenv("DATA", raising=False)
    assert main(["estimate", "NO-2024", "effect_quality"]) == 2
    assert "NO-2024 did not ask effect_quality" in capsys.readouterr().err
    assert main(["estimate", "DK-2023", "partner"]) == 0
    printed = capsys.readouterr()
    assert "partner_voluntary, partner_foundations, partner_foreign" in printed.err
    rows = pd.read_csv(io.StringIO(printed.out))
    assert "voluntary" not in set(rows["category"]) and "citizens" in set(rows["category"])


def test_a_theme_of_the_researchers_own_has_no_published_figures_of_another():
    """`make theme NAME=funding` writes published_for_theme(ed, "funding"): nothing was published
    for it, so the section says so instead of showing the overview's figures."""
    edition = make_edition()
    assert analysis_published.published_indicators(edition, "overview")  # DK-2023 published some
    assert analysis_published.published_indicators(edition, "funding") == []
    assert analysis_published.published_for_theme(edition, "funding").empty
    skeleton = (ROOT / "notebooks" / "_skeleton.py").read_text(encoding="utf-8")
    assert 'show_theme_published(ed, "{{theme}}"' in skeleton
