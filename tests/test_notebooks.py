"""The theme notebooks, run the way `make all` builds them, on the demo data.

One session builds the demo data and every report (every theme for every demo edition, the Nordic
report for the latest editions) through `innobarometer.pipeline.build` into a temporary project,
then checks each page: its sections, a figure in each, the synthetic-data notice, and the published
figures where the edition has any. One notebook is also run through papermill with a high
disclosure threshold, and its raw outputs are checked for any trace of a suppressed cell.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
from pathlib import Path

import jupytext
import pandas as pd
import pytest
from pages import h2_sections

from innobarometer import analysis, indicators, report
from innobarometer.analysis import published as analysis_published
from innobarometer.pipeline import build
from innobarometer.report import tables as report_tables

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
        "Collaboration",
        "Diffusion",
        "Drivers",
        "Barriers",
        "Beside the published figures",
        "Notes and caveats",
    ],
}
# Sections that state results without a figure of their own.
TEXT_SECTIONS = {"Notes and caveats", "Beside the published figures"}
SUPPRESSION_RUN = {"theme": "diffusion", "country": "IS", "edition": 2021, "threshold": 40}


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    """A project folder with the notebooks and the demo mappings; demo data built there."""
    root = tmp_path_factory.mktemp("notebooks") / "project"
    (root / "data" / "demo").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "demo" / "mappings", root / "data" / "demo" / "mappings")
    shutil.copytree(NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
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
        if path.parent.name in ("data", "failed"):
            continue
        name = f"{path.parent.name}/{path.stem}"
        pages[name] = (path.read_text(encoding="utf-8"), pd.read_csv(path.with_suffix(".csv")))
    return {"pages": pages, "editions": editions}


def test_every_theme_is_built_for_every_demo_edition_and_nordic_for_the_latest(built):
    expected = {f"{t}/{e}" for t in THEMES for e in built["editions"]} | {"nordic/latest"}
    assert set(built["pages"]) == expected
    assert len(built["editions"]) == 12


@pytest.mark.parametrize("theme", (*THEMES, "nordic"))
def test_each_report_has_its_sections_figures_and_synthetic_notice(built, theme):
    for name, (page, tables) in built["pages"].items():
        if not name.startswith(f"{theme}/"):
            continue
        sections = h2_sections(page)
        # The notebook's sections, then how to cite the report (the export adds it).
        assert list(sections) == [*SECTIONS[theme], "How to cite this report"], name
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
        assert "Caveats recorded" in sections["Notes and caveats"] or theme == "nordic"
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
    page, tables = built["pages"]["nordic/latest"]
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
