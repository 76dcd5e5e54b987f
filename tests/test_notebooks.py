"""The theme notebooks, run the way `make all` builds them, on the demo data.

One session builds the demo data and every report (every theme for every demo edition, the Nordic
report for the latest editions) through `innobarometer.pipeline.build` into a temporary project,
then checks each page: its sections, a figure in each, the synthetic-data notice, and the published
figures where the edition has any. One notebook is also run through papermill with a high
disclosure threshold, and its raw outputs are checked for any trace of a suppressed cell.
"""

from __future__ import annotations

import ast
import html
import io
import json
import re
import shutil
from pathlib import Path

import jupytext
import numpy as np
import pandas as pd
import pytest
from pages import h2_sections

from innobarometer import analysis, indicators, language, report
from innobarometer.analysis import published as analysis_published
from innobarometer.pipeline import build
from innobarometer.report import tables as report_tables
from innobarometer.survey.compare import holm

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
THEMES = ("overview", "collaboration", "diffusion", "drivers", "barriers")
ALL_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.py"))
# The sections each report must have, in order (the notebooks' `##` headings).
SECTIONS = {
    "overview": [
        "How many innovate",
        "Types of innovation",
        "Effects achieved",
        "Evaluation",
        "Trend across editions",
        "Beside the published figures",
        "Notes and caveats",
    ],
    "collaboration": [
        "How often innovations are made in collaboration",
        "Partners",
        "Partners by government level",
        "Collaboration intensity",
        "Collaboration and effects",
        "Beside the published figures",
        "Notes and caveats",
    ],
    "diffusion": [
        "Novelty",
        "Inspiration channels",
        "Spreading actively",
        "Do copiers spread less than originators?",
        "Are evaluated innovations spread more often?",
        "Beside the published figures",
        "Notes and caveats",
    ],
    "drivers": [
        "Initiators",
        "Promoters",
        "Drivers by government level",
        "Which workplaces innovate",
        "Beside the published figures",
        "Notes and caveats",
    ],
    "barriers": [
        "Hindering factors",
        "Barriers by sector and government level",
        "Barriers among collaborators and others",
        "Beside the published figures",
        "Notes and caveats",
    ],
    "nordic": [
        "Overview",
        "Novelty: own idea, adapted or copied",
        "Collaboration",
        "Diffusion",
        "Drivers",
        "Barriers",
        "Effects",
        "Change since the previous round",
        "Beside the published figures",
        "Notes and caveats",
    ],
    "trends": [
        "Comparability breaks",
        "Overview",
        "Collaboration",
        "Diffusion",
        "Drivers",
        "Barriers",
        "Notes and caveats",
    ],
}
# Sections that state results without a figure of their own.
TEXT_SECTIONS = {
    "Notes and caveats",
    "Beside the published figures",
    "Key findings",
    "Comparability breaks",
    # The Nordic report's effects and changes since the previous round: tables, no chart.
    "Effects",
    "Change since the previous round",
}
KEY_FINDINGS = "Key findings"
# The words of a ranking claim (issue 12): a generated sentence using one must carry its claims.
CLAIM_WORDS = re.compile(r"\b(highest|lowest|most common|least common|ahead of)\b")
CLAIM_SPAN = re.compile(r'<span class="claim" data-claims="([^"]*)">(.*?)</span>', re.S)
ABOVE = {"highest", "most common", "higher"}
SUPPRESSION_RUN = {"theme": "diffusion", "country": "IS", "edition": 2021, "threshold": 40}


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    """A project folder with the notebooks and the demo mappings; demo data built there."""
    root = tmp_path_factory.mktemp("notebooks") / "project"
    (root / "data" / "demo").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "demo" / "mappings", root / "data" / "demo" / "mappings")
    shutil.copytree(NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copy(ROOT / "data" / "rounds.yaml", root / "data" / "rounds.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INNOBAROMETER_ROOT", str(root))
        patch.setenv("DATA", "demo")
        from innobarometer.harmonise.datasets import build_data

        build_data("demo", progress=lambda _: None)
    return root


@pytest.fixture(scope="session")
def built(project):
    """Every report of the plan built as `make all` builds it; pages and tables by report name."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INNOBAROMETER_ROOT", str(project))
        patch.setenv("DATA", "demo")
        code = build.build(jobs=2, keep_going=True, out=out)
        editions = analysis.active_editions()
    assert code == 0, out.getvalue()
    pages = {}
    for path in sorted((project / "build").glob("*/*.html")):
        if path.parent.name in ("data", "failed", *language.LANGUAGES):  # other languages
            continue
        name = f"{path.parent.name}/{path.stem}"
        pages[name] = (path.read_text(encoding="utf-8"), pd.read_csv(path.with_suffix(".csv")))
    return {"pages": pages, "editions": editions}


def test_every_theme_is_built_for_every_demo_edition_and_nordic_for_each_round(built):
    expected = {f"{t}/{e}" for t in THEMES for e in built["editions"]}
    expected |= {"nordic/latest", "nordic/2018"}
    # A trend for every country with two or more editions; Sweden has one: the index says so.
    expected |= {f"trends/{c}" for c in ("DK", "NO", "FI", "IS")}
    assert set(built["pages"]) == expected
    assert len(built["editions"]) == 12


@pytest.mark.parametrize("theme", (*THEMES, "nordic", "trends"))
def test_each_report_has_its_sections_figures_and_synthetic_notice(built, theme):
    for name, (page, tables) in built["pages"].items():
        if not name.startswith(f"{theme}/"):
            continue
        sections = h2_sections(page)
        # Key findings open a theme report (`test_key_findings_...`); the export adds the citation.
        assert [h for h in sections if h != KEY_FINDINGS] == [
            *SECTIONS[theme],
            "How to cite this report",
        ], name
        del sections["How to cite this report"]
        assert "Synthetic demo data." in page and "not survey results" in page, name
        assert "How to read this." in page, name
        for heading, body in sections.items():
            if heading not in TEXT_SECTIONS:
                assert "<img" in body, f"{name}: section {heading!r} has no figure"
        # Each chart is described by its title for readers who cannot see it.
        alts = re.findall(r"<img alt=\"([^\"]*)\"", page)
        assert alts and all(a.startswith("Chart: ") and len(a) > 12 for a in alts), name
        # Every section except the notes records its tables for the CSV under its own name.
        assert set(tables["section"]) <= set(SECTIONS[theme]), name
        assert "Caveats recorded" in sections["Notes and caveats"] or theme in ("nordic", "trends")
        assert len(page) < 200 * 1024, f"{name} is {len(page) // 1024} KiB"


@pytest.mark.parametrize("theme", THEMES)
def test_published_figures_are_set_beside_the_estimates_where_they_exist(built, theme):
    for edition in built["editions"]:
        page, tables = built["pages"][f"{theme}/{edition}"]
        country, year = edition.split("-")
        figures = indicators.published_figures(country, int(year))
        expected = sorted(
            set(figures["indicator"]) & set(analysis_published.theme_indicators(theme))
        )
        published = tables[tables["table"] == "published"]
        assert sorted(set(published["indicator"])) == expected, f"{theme}/{edition}"
        body = h2_sections(page)["Beside the published figures"]
        if expected:
            assert "<img" in body and "published figures lie inside" in body
            # The demo is calibrated to the published figures: each estimate's interval holds it.
            assert published["published_inside_interval"].astype(bool).all(), f"{theme}/{edition}"
        else:
            assert "No published figure of this theme can be set against an estimate" in body


def test_nordic_sets_every_published_figure_against_the_right_edition(built):
    page, tables = built["pages"]["nordic/2018"]
    published = tables[tables["table"] == "published"]
    nordic = published[published["set_against"] == "nearest earlier edition"]
    # The Nordic report (2019) against the nearest active edition up to 2019.
    assert dict(zip(nordic["published_edition"], nordic["estimated_from"])) or True
    assert sorted(nordic["estimated_from"]) == [
        "DK-2017",
        "FI-2018",
        "IS-2018",
        "NO-2018",
        "SE-2018",
    ]
    assert set(nordic["published_edition"]) == {"nordic-2019"}
    national = published[published["set_against"] == "own edition"]
    figures = indicators.published_figures()
    national_rows = figures[figures["edition"].map(lambda e: isinstance(e, int))]
    assert len(national) == len(national_rows)
    assert (national["estimated_from"].str[3:] == national["published_edition"]).all()
    for country in ("DK", "NO", "SE", "FI", "IS"):
        assert report.COUNTRY_NAMES[country] in page
    # Norway's 77% lies outside its interval: named, with the reasons the sources give.
    assert "published 77%, outside the interval" in page
    assert "which Norwegian data lie behind it is not stated" in page
    assert "published 74% for NO-2018" in page
    # The latest round compares only SE-2018 of the 2019 round's editions.
    _, latest = built["pages"]["nordic/latest"]
    latest_nordic = latest[latest.get("published_edition", pd.Series(dtype=str)) == "nordic-2019"]
    assert list(latest_nordic["estimated_from"]) == ["SE-2018"]


@pytest.mark.parametrize("round_", ["2018", "latest"])
def test_nordic_novelty_names_who_copies_and_adapts_most(built, round_):
    page, tables = built["pages"][f"nordic/{round_}"]
    novelty = tables[(tables["indicator"] == "novelty") & (tables["table"] == "novelty_by_country")]
    # One base per country: the three answers and don't know (8), summing to 1; only the answers
    # are compared between countries (30 pairs below).
    assert sorted(set(zip(novelty["category"].astype(int), novelty["group"]))) == [
        (c, g) for c in (1, 2, 3, 8) for g in sorted(["DK", "NO", "SE", "FI", "IS"])
    ]
    totals = novelty.groupby("group")["estimate"].sum()
    assert ((totals - 1).abs() < 1e-9).all(), totals
    findings = " ".join(re.findall(r'<p class="finding">(.*?)</p>', page, flags=re.S))
    assert "Norway copies most" in findings and "Sweden adapts most" in findings
    assert "Finland (municipal organisations)" in page
    # The comparability box comes before the key findings and every section.
    assert page.index("This report is not a league table") < page.index('id="key-findings"')
    pairs = tables[tables["table"] == "novelty_differences"]
    assert len(pairs) == 30 and pairs["cross_unit"].astype(bool).sum() == 12


def test_trend_compares_consecutive_editions_only_where_a_country_has_several(built):
    _, tables = built["pages"]["overview/DK-2023"]
    changes = tables[tables["table"] == "edition_differences"]
    assert list(changes["label"]) == [
        "DK-2017 vs DK-2015",
        "DK-2020 vs DK-2017",
        "DK-2023 vs DK-2020",
    ]
    page, tables = built["pages"]["overview/SE-2018"]
    assert "edition_differences" not in set(tables["table"])
    assert "single edition" in h2_sections(page)["Trend across editions"]


def test_a_reports_trend_ends_at_its_own_edition(built):
    page, tables = built["pages"]["overview/NO-2020"]
    changes = tables[tables["table"] == "edition_differences"]
    assert list(changes["label"]) == ["NO-2020 vs NO-2018"]
    assert "NO-2024" not in h2_sections(page)["Trend across editions"]


def findings(body: str) -> list[str]:
    """The generated sentences' markup of a section: its finding paragraphs and key findings."""
    return re.findall(r'<p class="finding">(.*?)</p>', body, re.S) + re.findall(
        r"<li>(.*?)</li>", body, re.S
    )


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_no_ranking_sentence_lacks_a_significant_holm_difference_in_the_csv(built, project):
    """Every generated highest/lowest/most common/least common/ahead of sentence on the demo
    build is a claim span, and each claim rests on rows of the report's CSV: the pairs of the
    family it names (in its section; anywhere for the key findings), whose Holm p-values are
    Holm's adjustment of their p-values, each asserted pair significant at 5% in the claimed
    direction, the subject never unreliable. Sentences carry no quotes and no −0.0."""
    checked = unclear = 0
    for name, (page, _) in built["pages"].items():
        rows = pd.read_csv(project / "build" / f"{name}.csv", dtype=str, keep_default_na=False)
        for heading, body in h2_sections(page).items():
            for markup in findings(body) if heading != "Notes and caveats" else []:
                text = plain(markup)
                assert "“" not in text and "”" not in text, f"{name}: {text}"
                assert "−0.0" not in text and "-0.0" not in text, f"{name}: {text}"
                unclear += text.count("do not differ clearly")
                outside = plain(CLAIM_SPAN.sub("", markup))
                assert not CLAIM_WORDS.search(outside), f"{name}: untested claim: {outside}"
                for data, _ in CLAIM_SPAN.findall(markup):
                    for claim in json.loads(html.unescape(data)):
                        in_section = (
                            rows if heading == KEY_FINDINGS else rows[rows["section"] == heading]
                        )
                        check_claim(claim, in_section, f"{name} ({heading})")
                        checked += 1
    # The demo makes claims and finds groups that do not differ: both kinds are exercised.
    assert checked > 50 and unclear > 50, (checked, unclear)


def check_claim(claim: dict, rows: pd.DataFrame, where: str) -> None:
    family = rows[rows["family"] == claim["family"]]
    assert len(family), f"{where}: no CSV rows of the family {claim['family']!r}"
    assert len(set(family["table"])) == 1, f"{where}: family in several tables"
    pairs = list(zip(family["first"], family["second"]))
    assert len(pairs) == len(set(pairs)), f"{where}: family rows are not one set of pairs"
    p = pd.to_numeric(family["p"]).to_numpy()
    adjusted = pd.to_numeric(family["p_holm"]).to_numpy()
    assert np.allclose(adjusted, holm(p), equal_nan=True), f"{where}: p_holm is not Holm's"
    tested = int((~np.isnan(p)).sum())
    assert claim["family"].startswith(f"the {tested} "), f"{where}: family counts {tested}"
    for other in claim["others"]:
        subject, against = claim["subject"], other
        row = family[(family["first"] == subject) & (family["second"] == against)]
        sign = 1.0
        if row.empty:
            row, sign = family[(family["first"] == against) & (family["second"] == subject)], -1.0
        assert len(row) == 1, f"{where}: no pair of {subject} and {against}"
        row = row.iloc[0]
        assert row["suppressed"] == "False", f"{where}: {row['label']} is suppressed"
        assert float(row["p_holm"]) < 0.05, f"{where}: {row['label']} p_holm {row['p_holm']}"
        above = sign * float(row["estimate"]) > 0
        assert above == (claim["kind"] in ABOVE), f"{where}: {row['label']} the other way"
        flag = row["flag_first"] if sign > 0 else row["flag_second"]
        assert flag != "unreliable", f"{where}: {subject} is unreliable"


@pytest.mark.parametrize("theme", THEMES)
def test_key_findings_open_each_report_with_tested_sentences_from_below(built, theme):
    for name, (page, _) in built["pages"].items():
        if not name.startswith(f"{theme}/"):
            continue
        sections = h2_sections(page)
        assert list(sections)[0] == KEY_FINDINGS, name
        items = re.findall(r"<li>(.*?)</li>", sections[KEY_FINDINGS], re.S)
        assert 3 <= len(items) <= 5, name
        below = " ".join(
            plain(m) for h, b in sections.items() if h != KEY_FINDINGS for m in findings(b)
        )
        for item in items:
            assert plain(item) in below, f"{name}: key finding not in the sections: {item}"
        # Right after the front matter: the reader's note comes before it.
        assert page.index("How to read this.") < page.index('class="key-findings"'), name


def test_a_model_too_large_for_a_small_edition_says_so_instead_of_failing(built):
    page, tables = built["pages"]["drivers/FI-2018"]
    body = h2_sections(page)["Which workplaces innovate"]
    assert "cannot be estimated" in body
    assert "innovative_model" not in set(tables["table"])


# ----------------------------------------------------------------------------- suppression


@pytest.fixture(scope="session")
def suppressed_run(project, tmp_path_factory):
    """The diffusion notebook for a small edition with a threshold that suppresses some cells."""
    import papermill

    run = SUPPRESSION_RUN
    notebook = jupytext.read(project / "notebooks" / f"{run['theme']}.py", fmt="py:percent")
    output = tmp_path_factory.mktemp("suppressed") / "run.ipynb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INNOBAROMETER_ROOT", str(project))
        patch.setenv("DATA", "demo")
        return papermill.execute_notebook(
            notebook,
            str(output),
            parameters={k: run[k] for k in ("country", "edition", "threshold")},
            kernel_name="python3",
            language="python",
            progress_bar=False,
            cwd=str(project / "notebooks"),
        )


def _cell_outputs(cell):
    """A cell's recorded tables, each with the values drawn by the figure shown just before it
    (None when no figure precedes it), and the cell's generated sentences."""
    tables, texts, drawn = [], [], None
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if report_tables.TABLE_MIME in data:
            payload = data[report_tables.TABLE_MIME]
            tables.append((pd.DataFrame(payload["data"], columns=payload["columns"]), drawn))
            drawn = None
        elif "image/png" in data:
            drawn = output["metadata"]["innobarometer"]["drawn"]
        elif "text/html" in data and 'class="finding"' in data["text/html"]:
            texts.append(data["text/html"])
    return tables, texts


def _group_names() -> dict[str, str]:
    names = {}
    for variable in ("gov_level", "sector"):
        names |= analysis.category_labels(variable)
    return names | analysis.category_labels("novelty") | analysis.EVALUATION_GROUPS


def test_no_suppressed_cell_shows_a_number_in_tables_text_or_figures(suppressed_run):
    seen_suppressed = seen_shown = 0
    names = _group_names()
    for cell in suppressed_run.cells:
        tables, texts = _cell_outputs(cell)
        text = " ".join(texts)
        for table, drawn in tables:
            if "suppressed" not in table:
                continue
            hidden = table["suppressed"].astype(bool)
            seen_suppressed += int(hidden.sum())
            seen_shown += int((~hidden).sum())
            # Blank in the recorded table (and so in the CSV).
            for column in ("estimate", "ci_lower", "ci_upper"):
                assert table.loc[hidden, column].isna().all(), column
            if "ci_method" in table:
                labels = analysis.labels(table)
                for row, label in zip(table[hidden].itertuples(), labels[hidden]):
                    # Never named in the text of the same cell.
                    name = names.get(row.group, row.group) if row.group else label
                    assert f"“{name}”" not in text, name
                # The figure draws exactly the unsuppressed shares, nothing else.
                shares = table[(table["ci_method"] != "t") & ~hidden]
                if drawn is not None:
                    assert sorted(drawn) == pytest.approx(
                        sorted(100 * shares["estimate"]), abs=1e-5
                    )
            if "p_holm" in table:
                assert table.loc[hidden, ["estimate", "p"]].isna().all().all()
                if drawn is not None:
                    assert sorted(drawn) == pytest.approx(
                        sorted(100 * table.loc[~hidden, "estimate"]), abs=1e-5
                    )
    assert seen_suppressed > 0, "the threshold suppressed nothing: raise it"
    assert seen_shown > 0, "the threshold suppressed everything: lower it"


def test_a_suppressed_difference_is_stated_as_not_shown(suppressed_run):
    text = " ".join(" ".join(_cell_outputs(c)[1]) for c in suppressed_run.cells)
    assert "The difference in the share spreading cannot be shown" in text


# ----------------------------------------------------------------------------- reading cleanly


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_reads_cleanly(path):
    notebook = jupytext.read(path, fmt="py:percent")
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    literals = ast.parse(parameters[0].source).body
    assert all(isinstance(s, ast.Assign) for s in literals)
    for statement in literals:
        ast.literal_eval(statement.value)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            assert not re.search(r"\d", cell.source), f"a number typed by hand: {cell.source!r}"
            continue
        code = [line for line in cell.source.splitlines() if line.strip()]
        assert len(code) <= 15, f"{path.name}: cell of {len(code)} lines:\n{cell.source}"
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
            ), f"{path.name}: logic belongs in src/: {cell.source}"
    headings = [
        line[3:].strip()
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    assert headings[-1] == "Notes and caveats"
    if path.stem in SECTIONS:
        assert headings == SECTIONS[path.stem]


def test_trends_show_breaks_first_and_test_each_change(built, project):
    page, tables = built["pages"]["trends/NO"]
    sections = h2_sections(page)
    assert list(sections)[0] == "Comparability breaks"
    breaks = tables[tables["table"] == "comparability_breaks"]
    assert set(zip(breaks["edition"], breaks["changed"])) == {
        ("NO-2020", "coverage"),
        ("NO-2020", "scale"),
        ("NO-2024", "scale"),
    }
    changes = tables[tables["table"] == "overview_changes"]
    innovative = changes[changes["indicator"] == "innovative"]
    assert list(innovative["first"]) == ["NO-2020", "NO-2024"]
    assert list(innovative["second"]) == ["NO-2018", "NO-2020"]
    assert innovative[["estimate", "ci_lower", "ci_upper", "p", "p_holm"]].notna().all().all()
    shares = tables[tables["table"] == "overview_by_edition"]
    assert {"NO-2018", "NO-2020", "NO-2024"} <= set(shares["group"])
    index = (project / "build" / "index.html").read_text()
    assert "<li>Sweden: one edition (2018), no trend to show</li>" in index
    assert 'href="trends/NO.html"' in index and "trends/SE.html" not in index


def test_the_latest_round_shows_each_countrys_change_since_the_previous_round(built):
    _, tables = built["pages"]["nordic/latest"]
    changes = tables[tables["table"] == "round_changes"]
    innovative = changes[changes["indicator"] == "innovative"]
    # Sweden's edition is the same in both rounds: no change of Sweden.
    assert list(zip(innovative["second"], innovative["first"])) == [
        ("DK-2017", "DK-2023"),
        ("NO-2018", "NO-2024"),
        ("FI-2018", "FI-2022"),
        ("IS-2018", "IS-2021"),
    ]
    assert set(innovative["family"]) == {
        "the 4 changes between rounds of Innovative (introduced at least one innovation)"
    }
    _, first = built["pages"]["nordic/2018"]
    assert first[first["table"] == "round_changes"].empty
