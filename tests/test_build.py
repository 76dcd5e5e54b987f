"""The report build on a fixture project: tiny theme notebooks (tests/fixtures/notebooks) and
three harmonised editions written here, so every expected value is worked out by hand."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from processes import alive, command, descendants, socket_inodes

from innobarometer import paths
from innobarometer.data_set import READS_ENV, EditionFacts
from innobarometer.language import LANGUAGES
from innobarometer.pipeline import build, index_page, kernel
from innobarometer.pipeline import plan as pipeline_plan
from innobarometer.pipeline import worker as pipeline_worker
from innobarometer.pipeline.manifest import REPORT_LAYERS, code_digests
from innobarometer.report import export, tables

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
THEMES = ("drivers", "overview", "nordic", "_skeleton")
# One row per workplace: DK-2023 has shares employees 2/4, managers 1/4, users 1/4.
EDITIONS = {
    "DK-2020": {"driver": ["employees", "managers"], "weight": [3.0, 1.0]},
    "DK-2023": {"driver": ["employees", "employees", "managers", "users"], "weight": [1.0] * 4},
    "NO-2023": {"driver": ["users", "managers", "users"], "weight": [2.0, 1.0, 1.0]},
}


def make_project(root: Path, themes=THEMES) -> Path:
    """A project folder: theme notebooks, demo mappings (names only), harmonised data and its
    facts."""
    (root / "notebooks").mkdir(parents=True)
    (root / "data" / "demo" / "mappings").mkdir(parents=True)
    (root / "build" / "data").mkdir(parents=True)
    for theme in themes:
        shutil.copy(FIXTURES / f"{theme}.py", root / "notebooks")
    for edition, columns in EDITIONS.items():
        (root / "data" / "demo" / "mappings" / f"{edition}.yaml").write_text(f"# {edition}\n")
        pd.DataFrame(columns).to_parquet(root / "build" / "data" / f"{edition}.parquet")
        country, year = edition.split("-")
        facts = EditionFacts(country, int(year), "workplace", True, (), frozenset(columns), {})
        (root / "build" / "data" / f"{edition}.facts.json").write_text(facts.to_json())
    return root


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = make_project(tmp_path / "project")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(root))
    monkeypatch.delenv("DATA", raising=False)
    # The package's own hashes are tested on their own below: here they must not follow edits
    # made to the source tree while the tests run.
    monkeypatch.setattr(build, "code_digests", lambda: dict.fromkeys(REPORT_LAYERS, "code"))
    return root


@pytest.fixture
def executed(monkeypatch) -> list[str]:
    """The names of the reports each call of `build.execute` ran (the real execute runs)."""
    names: list[str] = []
    real = build.execute

    def spy(jobs, *args, **kwargs):
        names.extend(job.report.name for job in jobs)
        return real(jobs, *args, **kwargs)

    monkeypatch.setattr(build, "execute", spy)
    return names


def run(**options) -> tuple[int, str]:
    out = io.StringIO()
    code = build.build(out=out, **options)
    return code, out.getvalue()


def products(root: Path) -> dict[str, bytes]:
    """Every English report product (HTML and CSV) by path relative to build/ (the other
    languages' pages mirror them under build/<language>/)."""
    return {
        str(p.relative_to(root / "build")): p.read_bytes()
        for p in sorted((root / "build").glob("*/*"))
        if p.suffix in (".html", ".csv") and p.parent.name not in ("data", "failed", *LANGUAGES)
    }


ALL_REPORTS = {
    "drivers/DK-2020",
    "drivers/DK-2023",
    "drivers/NO-2023",
    "overview/DK-2020",
    "overview/DK-2023",
    "overview/NO-2023",
    "nordic/latest",
}


# ----------------------------------------------------------------------------- without kernels


def test_plan_has_every_theme_and_edition_plus_the_latest_set(project):
    themes = build.discover_themes()
    assert [t.name for t in themes] == ["drivers", "nordic", "overview"]  # _skeleton is not
    reports = build.plan_reports(themes, build.load_data_set())
    assert {r.name for r in reports} == ALL_REPORTS
    nordic = next(r for r in reports if r.theme == "nordic")
    assert nordic.parameters == {"editions": "latest"}
    assert nordic.reads == ("DK-2023", "NO-2023")
    assert nordic.title == "Nordic: DK-2023, NO-2023"
    overview = next(r for r in reports if r.name == "overview/DK-2023")
    assert overview.reads == ("DK-2020", "DK-2023")  # the trend reads every DK edition
    drivers = next(r for r in reports if r.name == "drivers/DK-2023")
    assert drivers.reads == ("DK-2023",)
    assert drivers.parameters == {"country": "DK", "edition": 2023}


def test_unknown_theme_or_edition_names_the_closest(project):
    reports = build.plan_reports(build.discover_themes(), build.load_data_set())
    with pytest.raises(build.BuildError, match=r"'driver'.*did you mean 'drivers'"):
        build.select_reports(reports, "driver", None)
    with pytest.raises(build.BuildError, match=r"'DK-2032'.*did you mean 'DK-2023'"):
        build.select_reports(reports, None, "DK-2032")
    chosen = build.select_reports(reports, "drivers,nordic", "DK-2020,latest")
    assert {r.name for r in chosen} == {"drivers/DK-2020", "nordic/latest"}


def test_parameters_cell_must_hold_literals(tmp_path):
    notebook = tmp_path / "theme.py"
    notebook.write_text('# %% tags=["parameters"]\ncountry = "DK"\nedition = 2000 + 23\n')
    with pytest.raises(build.BuildError, match=r"theme.py: line 3: parameter 'edition'"):
        pipeline_plan.read_parameters(notebook)


def test_layer_digests_follow_sources_not_bytecode(tmp_path, monkeypatch):
    package = tmp_path / "innobarometer"
    (package / "report" / "templates").mkdir(parents=True)
    (package / "report" / "__pycache__").mkdir()
    (package / "report" / "tables.py").write_text("A = 1\n")
    (package / "report" / "templates" / "report.css").write_text("p {}\n")
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    first = paths.layers_digest("report")
    (package / "report" / "__pycache__" / "tables.cpython-311.pyc").write_bytes(b"compiled")
    assert paths.layers_digest("report") == first
    (package / "report" / "templates" / "report.css").write_text("p { color: red }\n")
    assert paths.layers_digest("report") != first


def test_tables_are_stacked_with_the_union_of_columns_under_their_headings():
    """Each table's section is the heading (level one or two) it stands under: a section title
    is written once, in the notebook's markdown."""
    mime = tables.TABLE_MIME
    first = {"table": "t1", "columns": ["x", "y"], "data": [[1, 0.5], [2, None]]}
    second = {"table": "t2", "columns": ["y", "z"], "data": [[0.25, "k"]]}

    def table_cell(*payloads):
        outputs = [
            nbformat.v4.new_output("display_data", data={"text/html": "<p/>", mime: payload})
            for payload in payloads
        ]
        outputs.insert(1, nbformat.v4.new_output("stream", name="stdout", text="not a table\n"))
        return nbformat.v4.new_code_cell(outputs=outputs)

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# The report\n\nIntroduction."),
            table_cell(first),
            nbformat.v4.new_markdown_cell("## Who innovates? ##\n\nText.\n### A detail"),
            table_cell(first, second),
            nbformat.v4.new_markdown_cell("A paragraph with no heading."),
            table_cell(second),
        ]
    )
    assert export.tables_csv(notebook) == (
        "section,table,x,y,z\n"
        "The report,t1,1,0.5,\nThe report,t1,2,,\n"
        "Who innovates?,t1,1,0.5,\nWho innovates?,t1,2,,\nWho innovates?,t2,,0.25,k\n"
        "Who innovates?,t2,,0.25,k\n"
    )


def test_longest_reports_start_first(tmp_path):
    def report(theme, key):
        return build.Report(theme, key, tmp_path / f"{theme}.py", {}, (), "", key == "latest")

    plan = [report("a", "DK-2023"), report("a", "NO-2023"), report("b", "DK-2023")]
    plan.append(report("nordic", "latest"))
    # Never built: the edition-set report first, the rest in plan order.
    assert [r.name for r in build.longest_first(plan, {})] == [
        "nordic/latest",
        "a/DK-2023",
        "a/NO-2023",
        "b/DK-2023",
    ]
    seconds = {"a/DK-2023": 1.0, "a/NO-2023": 3.0, "b/DK-2023": 2.0, "nordic/latest": 2.5}
    manifest = {"reports": {name: {"seconds": s} for name, s in seconds.items()}}
    assert [r.name for r in build.longest_first(plan, manifest)] == [
        "a/NO-2023",
        "nordic/latest",
        "b/DK-2023",
        "a/DK-2023",
    ]


def test_a_second_build_in_the_same_folder_waits(project):
    import fcntl

    environment = {**os.environ, "INNOBAROMETER_ROOT": str(project)}
    command = [sys.executable, "-m", "innobarometer", "build", "--themes", "nordic"]
    with open(project / "build" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        second = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, text=True)
        assert second.stdout.readline().startswith("waiting for another build in ")
        time.sleep(0.5)
        assert second.poll() is None
    assert second.wait(timeout=60) == 0
    assert "nordic latest ok" in second.stdout.read()


def test_html_shows_outputs_for_readers_only():
    new_output = nbformat.v4.new_output
    cells = [
        nbformat.v4.new_markdown_cell("# Drivers\nWho *drives* it."),
        nbformat.v4.new_code_cell('country = "DK"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            'country = "NO"',
            metadata={"tags": ["injected-parameters"]},
            outputs=[new_output("stream", name="stdout", text="injected output\n")],
        ),
        nbformat.v4.new_code_cell(
            "secret_code()",
            outputs=[
                new_output("stream", name="stdout", text="shown text\n"),
                new_output("stream", name="stderr", text="FutureWarning: noise\n"),
                new_output("execute_result", data={"text/plain": "<Axes at 0x7f00beef>"}),
                new_output("display_data", data={"text/html": "<b>bold</b>", "text/plain": "b"}),
            ],
        ),
    ]
    page = export.export_html(
        nbformat.v4.new_notebook(cells=cells), "Drivers: NO-2023", (("country", "NO"),)
    )
    assert "<title>Drivers: NO-2023</title>" in page
    assert "<em>drives</em>" in page and "<b>bold</b>" in page and "shown text" in page
    for hidden in ("secret_code", "injected output", "FutureWarning", "0x7f00beef", "DK"):
        assert hidden not in page
    assert "<code>country = &quot;NO&quot;</code>" in page  # the footer names the parameters
    assert "<script" not in page and "<link" not in page


def test_failure_summary_is_at_most_ten_lines(tmp_path):
    report = build.Report("drivers", "DK-2023", tmp_path / "drivers.py", {}, (), "Drivers")
    outcome = {"cell": 3, "line": "x = 1 / 0", "error": "ZeroDivisionError: division by zero"}
    lines = build.failure_summary([(report, outcome)] * 15, tmp_path)
    assert len(lines) == 10
    assert lines[0] == "15 reports failed:"
    assert lines[-1] == "  ... and 7 more: see build/failed/"
    assert lines[1] == "  drivers DK-2023: cell 3 `x = 1 / 0`: ZeroDivisionError: division by zero"


def test_a_mistyped_parameter_fails_before_any_kernel_starts(project, monkeypatch, capsys):
    def no_kernels(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(kernel, "start_zygote", no_kernels)
    monkeypatch.setattr(build, "execute", no_kernels)
    with pytest.raises(build.BuildError) as error:
        build.build(overrides={"treshold": 10}, out=io.StringIO())
    message = str(error.value)
    assert "parameter 'treshold' is not in the parameters cell" in message
    assert "did you mean 'threshold'" in message
    assert "valid names: country, edition, threshold, ci_method" in message

    shutil.copy(FIXTURES / "misnamed.py", project / "notebooks")
    args = type("Args", (), {"themes": "misnamed", "editions": None, "dry_run": False})
    args.keep_going, args.jobs, args.data = False, None, None
    assert build.run_build_command(args) == 2
    stderr = capsys.readouterr().err
    assert "misnamed.py: parameter 'edition' is not in the parameters cell" in stderr
    assert "did you mean 'editon'" in stderr
    assert not (project / "build" / "misnamed").exists()


# ----------------------------------------------------------------------------- with kernels


def test_full_build_then_a_no_op(project, executed):
    code, out = run()
    assert code == 0
    assert set(executed) == ALL_REPORTS
    assert len(re.findall(r"^\[\d/7\] \S+ \S+ ok \d+\.\d s", out, flags=re.M)) == 7
    built = products(project)
    assert set(built) == {f"{name}{suffix}" for name in ALL_REPORTS for suffix in (".html", ".csv")}

    # The CSV carries every table with its section; values from EDITIONS by hand.
    assert built["drivers/DK-2023.csv"].decode() == (
        "section,table,driver,estimate\n"
        "Who drives innovation,share_by_driver,employees,0.5\n"
        "Who drives innovation,share_by_driver,managers,0.25\n"
        "Who drives innovation,share_by_driver,users,0.25\n"
    )
    assert built["overview/DK-2023.csv"].decode() == (
        "section,table,edition,units\nTrend,units_by_edition,DK-2020,2\n"
        "Trend,units_by_edition,DK-2023,4\n"
    )
    assert built["nordic/latest.csv"].decode() == (
        "section,table,edition,units\nCountries,units,DK-2023,4\nCountries,units,NO-2023,3\n"
    )

    page = built["drivers/DK-2023.html"].decode()
    assert "<title>Drivers: DK-2023</title>" in page
    assert "<title>Nordic: DK-2023, NO-2023</title>" in built["nordic/latest.html"].decode()
    assert "4 workplaces in DK 2023; threshold 5." in page
    assert page.count("data:image/png;base64,") == 1
    assert "frame = pd.read_parquet" not in page  # code hidden
    assert "injected" not in page.lower()
    assert len(built["drivers/DK-2023.html"]) < 200 * 1024

    # The page's header links the site, its CSV and its neighbours in the plan; its H1 names
    # the country and edition in place of the theme; it ends with how to cite it.
    for target in (
        "../index.html",
        "../codebook.html",
        "../methodology.html",
        "DK-2023.csv",
        "../drivers/DK-2020.html",
        "../overview/DK-2023.html",
    ):
        assert f'href="{target}"' in page, target
    assert "drivers/NO-2023.html" not in page  # another country's edition is not a neighbour
    assert re.search(r"<h1[^>]*>Denmark 2023: Drivers \(test fixture\)", page)
    assert "How to cite this report" in page and "Edition: Denmark 2023" in page

    index = (project / "build" / "index.html").read_text()
    assert "Synthetic demo data" in index
    # Status shows only where a report is not built; themes in the codebook's order.
    grid = index[index.index('<table class="grid">') : index.index("</table>")]
    assert "status-" not in grid and "built" not in grid
    assert index.index(">Overview</th>") < index.index(">Drivers</th>")
    assert index.index('<tr data-edition="DK-2020">') < index.index('<tr data-edition="NO-2023">')
    assert "<h2>Nordic reports</h2>" in index and ">Denmark</th>" in index
    # The methodology page and the data package are written beside the index.
    assert (project / "build" / "methodology.html").is_file()
    package = json.loads((project / "build" / "datapackage.json").read_text())
    # Every report's CSV in English and in the language of each country it covers.
    in_languages = {
        f"{code}/{n}.csv"
        for n in ALL_REPORTS
        for code in ("da", "nb")
        if code == "da" and "DK-" in n or code == "nb" and "NO-" in n or "nordic" in n
    }
    assert {r["path"] for r in package["resources"]} == (
        {f"{n}.csv" for n in ALL_REPORTS} | in_languages
    )
    for code, name in (("da", "drivers/DK-2023"), ("nb", "nordic/latest")):
        translated = (project / "build" / code / f"{name}.html").read_text()
        assert f'<html lang="{code}"' in translated
    assert (project / "build" / "nb" / "index.html").is_file()
    assert not (project / "build" / "da" / "drivers" / "NO-2023.html").exists()
    for name in ALL_REPORTS:
        assert f'href="{name}.html"' in index and f'href="{name}.csv"' in index
    # The build writes the codebook page (every variable, which editions map it) and links it.
    assert 'href="codebook.html"' in index
    assert "stratum_population" in (project / "build" / "codebook.html").read_text()

    manifest = json.loads((project / "build" / "manifest.json").read_text())
    record = manifest["reports"]["drivers/NO-2023"]
    assert record["status"] == "built"
    assert record["parameters"] == {
        "country": "NO",
        "edition": 2023,
        "threshold": 5,
        "ci_method": "logit",
    }
    assert record["package_version"] == build.__version__
    assert set(record["inputs"]) == {
        "notebook",
        *(f"code {layer}" for layer in REPORT_LAYERS),
        "dependencies",
        "parameters",
        "title",
        "page",
        "data NO-2023",
        "facts NO-2023",
        "language nb",
    }
    assert "built_at" in record

    executed.clear()
    code, out = run()
    assert (code, executed) == (0, [])
    assert out == "7 reports up to date\n"
    assert products(project) == built

    # An up-to-date build loads none of the heavy libraries (the index, the codebook and
    # methodology pages and the data package are compared, not remade).
    code = (
        "import sys\nfrom innobarometer.pipeline import build, manifest\n"
        "build.code_digests = lambda: dict.fromkeys(manifest.REPORT_LAYERS, 'code')\n"
        "assert build.build() == 0\n"
        "heavy = ('pandas', 'numpy', 'frictionless', 'mistune', 'nbconvert', 'matplotlib')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1:] in ([], [""]), done.stdout


def test_rebuild_from_the_same_inputs_is_byte_identical(project, executed):
    assert run(themes="drivers,nordic")[0] == 0
    first = products(project)
    for theme in ("drivers", "nordic"):
        shutil.rmtree(project / "build" / theme)
    executed.clear()
    assert run(themes="drivers,nordic")[0] == 0
    assert len(executed) == 4  # everything ran again
    assert products(project) == first
    for name, content in first.items():
        if name.endswith(".html"):
            text = content.decode()
            assert "<script" not in text
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), name
            assert "@import" not in text


def test_forked_and_fresh_kernels_give_the_same_report(project, monkeypatch):
    assert run(editions="DK-2023", themes="drivers")[0] == 0
    forked = products(project)
    shutil.rmtree(project / "build" / "drivers")
    monkeypatch.setenv(kernel.STRATEGY_ENV, "fresh")
    assert run(editions="DK-2023", themes="drivers")[0] == 0
    assert products(project) == forked


def test_editing_one_notebook_rebuilds_exactly_that_theme(project, executed):
    assert run()[0] == 0
    notebook = project / "notebooks" / "overview.py"
    notebook.write_text(notebook.read_text() + "\n# %% [markdown]\n# A note added later.\n")
    dk2020 = pd.DataFrame(EDITIONS["DK-2020"]).assign(weight=[1.0, 1.0])
    assert run(dry_run=True)[1] == (
        "3 of 7 reports stale\n"
        "  overview DK-2020: notebook changed\n"
        "  overview DK-2023: notebook changed\n"
        "  overview NO-2023: notebook changed\n"
    )
    executed.clear()
    assert run()[0] == 0
    assert sorted(executed) == ["overview/DK-2020", "overview/DK-2023", "overview/NO-2023"]

    # New data for DK-2020: its own reports and the DK trend, nothing else.
    dk2020.to_parquet(project / "build" / "data" / "DK-2020.parquet")
    assert run(dry_run=True)[1] == (
        "3 of 7 reports stale\n"
        "  drivers DK-2020: data DK-2020 changed\n"
        "  overview DK-2020: data DK-2020 changed\n"
        "  overview DK-2023: data DK-2020 changed\n"
    )


def test_a_report_depends_on_the_layers_below_the_pipeline_only(project, executed, monkeypatch):
    """Editing the pipeline (or harmonisation, which reaches reports through build/data/ only)
    rebuilds no report; editing the vocabulary, the statistics core, the analysis or the report
    layer (a template too) rebuilds every report, and the dry run names the layer."""
    package = project.parent / "innobarometer"
    shutil.copytree(paths.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "PACKAGE_DIR", package)
    monkeypatch.setattr(paths, "REFERENCE_DIR", package / "reference")
    monkeypatch.setattr(build, "code_digests", code_digests)
    assert run()[0] == 0

    for layer_file in ("pipeline/plan.py", "pipeline/kernel.py", "harmonise/ingest.py"):
        with open(package / layer_file, "a") as handle:
            handle.write("# an edit\n")
        assert run(dry_run=True)[1] == "0 of 7 reports stale\n", layer_file

    for layer_file, layer in [
        ("codebook.yaml", "vocabulary"),
        ("survey/design.py", "survey"),
        ("analysis/models.py", "analysis"),
        ("report/templates/report.css", "report"),
    ]:
        original = (package / layer_file).read_bytes()
        (package / layer_file).write_bytes(original + b"\n")
        lines = run(dry_run=True)[1].splitlines()
        assert lines[0] == "7 of 7 reports stale", layer_file
        assert all(line.endswith(f"code {layer} changed") for line in lines[1:]), lines
        (package / layer_file).write_bytes(original)


def test_a_report_is_rebuilt_when_an_edition_it_declares_changes_and_only_then(project):
    """The overview declares that it reads every edition of its country; without the declaration
    it reads its own edition only, and new facts of an edition stale exactly its readers."""
    assert run()[0] == 0
    facts = project / "build" / "data" / "DK-2020.facts.json"
    facts.write_text('{"caveats": ["new"]}\n')
    assert run(dry_run=True)[1] == (
        "3 of 7 reports stale\n"
        "  drivers DK-2020: facts DK-2020 changed\n"
        "  overview DK-2020: facts DK-2020 changed\n"
        "  overview DK-2023: facts DK-2020 changed\n"
    )
    assert run()[0] == 0

    notebook = project / "notebooks" / "overview.py"
    undeclared = re.sub(r'# %% tags=\["reads"\]\n(#.*\n)*reads = .*\n', "", notebook.read_text())
    assert undeclared != notebook.read_text()
    notebook.write_text(undeclared)
    reports = build.plan_reports(build.discover_themes(), build.load_data_set())
    assert next(r for r in reports if r.name == "overview/DK-2023").reads == ("DK-2023",)


def test_an_edition_set_reading_its_countries_is_listed_by_the_editions_it_compares(project):
    notebook = project / "notebooks" / "nordic.py"
    declared = 'threshold = 5\n\n# %% tags=["reads"]\nreads = ["editions", "countries"]\n'
    notebook.write_text(notebook.read_text().replace("threshold = 5\n", declared, 1))
    data_set = build.load_data_set()
    reports = build.plan_reports(build.discover_themes(), data_set)
    nordic = next(r for r in reports if r.theme == "nordic")
    assert nordic.reads == ("DK-2020", "DK-2023", "NO-2023")
    statuses = {r.name: "stale" for r in reports}
    page = index_page.render_index(reports, statuses, data_set, project / "build")
    assert "Nordic</a>" not in page  # nothing built yet: no link, only the status
    # Named, with the editions it compares, before it is built.
    stale = '<span class="status-stale">stale</span>'
    assert f"<li>Nordic · {stale} (Denmark 2023, Norway 2023)</li>" in page


def test_each_report_kernel_is_held_to_the_editions_its_plan_hashed(project, monkeypatch):
    """The worker sets the report's reads in the environment its kernel takes
    (`data_set.READS_ENV`), where `analysis.load_edition` refuses any other edition."""
    import papermill

    seen = []

    def execute_notebook(*args, **kwargs):
        seen.append(os.environ[READS_ENV])
        raise RuntimeError("stopped before a kernel starts")

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    monkeypatch.setenv(READS_ENV, "restored after the test")
    reports = build.plan_reports(build.discover_themes(), build.load_data_set())
    overview = next(r for r in reports if r.name == "overview/DK-2023")
    out = project / "build"
    job = pipeline_worker.Job(
        report=overview,
        html=out / "overview.html",
        csv=out / "overview.csv",
        scratch=out,
        failed=out / "failed.ipynb",
        cwd=project / "notebooks",
        parameters=overview.parameters,
        shown_parameters=(),
    )
    outcome = pipeline_worker.run_report(job)
    assert outcome["status"] == "failed" and "stopped before a kernel" in outcome["error"]
    assert seen == ["DK-2020,DK-2023"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            'reads = ["edition", "contry"]',
            r"reads 'contry' is not a scope \(did you mean 'country'\?\)",
        ),
        ('reads = ["editions"]', r"reads 'editions' does not fit a theme built for one edition"),
        ('reads = ["countries"]', r"reads 'countries' does not fit a theme built for one edition"),
        ('reads = "country"', r"the reads cell must set `reads` to a list of names"),
    ],
)
def test_a_mistaken_reads_cell_fails_before_any_kernel_starts(tmp_path, cell, message):
    notebook = tmp_path / "theme.py"
    notebook.write_text(
        f'# %% tags=["parameters"]\ncountry = "DK"\nedition = 2023\n\n# %% tags=["reads"]\n{cell}\n'
    )
    with pytest.raises(build.BuildError, match=rf"theme.py: line 5: {message}"):
        pipeline_plan.discover_themes(tmp_path)


def test_reports_leave_the_build_with_their_edition_or_data_set(project, executed):
    assert run(themes="drivers")[0] == 0
    (project / "data" / "demo" / "mappings" / "NO-2023.yaml").unlink()
    assert "drivers NO-2023: to be removed" in run(themes="drivers", dry_run=True)[1]
    executed.clear()
    assert run(themes="drivers")[0] == 0
    assert executed == []
    assert sorted(products(project)) == [
        "drivers/DK-2020.csv",
        "drivers/DK-2020.html",
        "drivers/DK-2023.csv",
        "drivers/DK-2023.html",
    ]
    # A real mapping makes the real data set active: no demo report may stay beside it.
    (project / "data" / "mappings").mkdir()
    (project / "data" / "mappings" / "DK-2023.yaml").write_text("# real\n")
    assert run(themes="drivers")[0] == 0
    assert executed == ["drivers/DK-2023"]
    assert sorted(products(project)) == ["drivers/DK-2023.csv", "drivers/DK-2023.html"]
    index = (project / "build" / "index.html").read_text()
    assert "National survey data" in index and "Synthetic" not in index


def test_a_failing_notebook_leaves_no_product_and_a_short_summary(project, executed, capsys):
    shutil.copy(FIXTURES / "failing.py", project / "notebooks")
    # Without keep-going, one worker: the first report (DK-2020) fails, nothing else starts.
    code, out = run(themes="failing", jobs=1)
    assert code == 1
    assert executed == ["failing/DK-2020", "failing/DK-2023", "failing/NO-2023"]
    assert "[1/3] failing DK-2020 FAILED" in out
    assert "[2/3]" not in out
    assert not (project / "build" / "failing").exists()
    summary = capsys.readouterr().err.strip().splitlines()
    assert summary == [
        "1 report failed:",
        "  failing DK-2020: cell 4 (notebooks/failing.py:13) `ratio = 1 / 0`: "
        "ZeroDivisionError: division by zero; notebook: build/failed/failing/DK-2020.ipynb",
    ]
    kept = nbformat.read(project / "build" / "failed" / "failing" / "DK-2020.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in kept.cells for o in c.get("outputs", []))

    code, out = run(themes="failing,drivers", keep_going=True)
    assert code == 1
    assert sorted(products(project)) == [
        "drivers/DK-2020.csv",
        "drivers/DK-2020.html",
        "drivers/DK-2023.csv",
        "drivers/DK-2023.html",
        "drivers/NO-2023.csv",
        "drivers/NO-2023.html",
        "failing/DK-2023.csv",
        "failing/DK-2023.html",
        "failing/NO-2023.csv",
        "failing/NO-2023.html",
    ]
    assert len(capsys.readouterr().err.strip().splitlines()) == 2
    leftovers = [p for p in (project / "build").rglob("*") if ".tmp" in p.name]
    assert leftovers == []
    index = (project / "build" / "index.html").read_text()
    assert index.count('class="status-failed"') == 1
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert manifest["reports"]["failing/DK-2020"]["status"] == "failed"
    assert manifest["reports"]["failing/DK-2020"]["failed_notebook"] == (
        "failed/failing/DK-2020.ipynb"
    )


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="process tree read from /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_build_stops_cleanly(tmp_path, signum):
    root = make_project(tmp_path / "project", themes=("slow",))
    environment = {**os.environ, "INNOBAROMETER_ROOT": str(root)}
    environment.pop("DATA", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "innobarometer", "build", "--editions", "DK-2023,NO-2023"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Wait for the zygote, two workers, two launchers and the two kernels they asked for.
    deadline, tree = time.monotonic() + 60, set()
    while time.monotonic() < deadline and len(tree) < 7:
        time.sleep(0.2)
        tree = descendants(process.pid)
    assert len([p for p in tree if b"launch" in command(p)]) == 2
    assert len(tree) == 7
    # Kernels are forked from the zygote: they must hold none of its sockets (the listener, the
    # launchers' connections), or a launcher would not see the zygote die.
    forked = {p for p in tree if b"zygote" in command(p)}  # the zygote and its kernels
    zygote = next(p for p in forked if forked - {p} <= descendants(p))
    kernels = forked - {zygote}
    assert len(kernels) == 2
    assert all(not socket_inodes(k) & socket_inodes(zygote) for k in kernels)
    time.sleep(0.5)  # into the notebook's sleep
    process.send_signal(signum)
    process.communicate(timeout=15)
    assert process.returncode != 0
    time.sleep(0.5)
    assert [p for p in tree if alive(p)] == []
    assert not list((root / "build").glob("slow/*"))
    assert not (root / "build" / ".tmp").exists()


def test_workers_that_die_fail_their_reports_and_the_build_ends(project, monkeypatch, capsys):
    """A worker killed mid-report (out of memory, a crash in a C library) fails that report; when
    no worker is left, the rest fail too instead of the build waiting for ever."""
    monkeypatch.setattr(pipeline_worker, "run_report", lambda job: os._exit(3))
    code, out = run(themes="drivers", keep_going=True, jobs=1)
    assert code == 1
    assert out.count("FAILED") == 1  # the one report that ran; the others never started
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    statuses = {name: r["status"] for name, r in manifest["reports"].items()}
    assert set(statuses.values()) == {"failed"} and len(statuses) == 3
    assert "worker process died (exit code 3)" in capsys.readouterr().err
    assert not list((project / "build").glob("drivers/*.html"))


def test_reports_over_out_of_date_data_are_never_shown_as_built(project, executed, monkeypatch):
    """After `make data` failed for DK-2023, a build of another theme marks its own DK-2023
    report failed and shows every other report that reads DK-2023 as stale, not built."""
    assert run()[0] == 0
    monkeypatch.setattr(build, "_outdated_editions", lambda data: ["DK-2023"])
    code, _ = run(themes="drivers")
    assert code == 1
    index = (project / "build" / "index.html").read_text()
    statuses = re.findall(r'href="(\w+/[\w-]+)\.html"', index)
    assert "drivers/DK-2023" in statuses  # its last product is kept and linked
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert manifest["reports"]["drivers/DK-2023"]["status"] == "failed"
    # Not selected but reading DK-2023: overview/DK-2023, overview/DK-2020 (the trend reads every
    # Danish edition) and nordic/latest (DK-2023 is Denmark's latest) are shown stale.
    assert index.count('class="status-stale"') == 3
    assert index.count('class="status-failed"') == 1


def test_an_interrupt_during_publishing_waits_for_the_manifest(tmp_path):
    """Ctrl-C while a report is renamed into place and recorded is raised after both, even
    with another thread alive (a signal mask would hold it for the calling thread only)."""
    import threading

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    temporary, final = tmp_path / "report.tmp", tmp_path / "drivers" / "DK-2023.html"
    temporary.write_text("<html></html>")
    recorded = []

    def record():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the signal arrives while the block still runs
        recorded.append(final.exists())

    try:
        with pytest.raises(KeyboardInterrupt):
            pipeline_worker.publish({"products": [(str(temporary), str(final))]}, record)
    finally:
        stop.set()
        worker.join()
    assert recorded == [True] and final.read_text() == "<html></html>"


def test_a_launcher_whose_zygote_hangs_up_says_so_in_one_line(tmp_path):
    """Ctrl-C early in a build: the zygote closes the connections of launchers still waiting."""
    import socket
    import threading

    path = str(tmp_path / "zygote")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def hang_up():
        connection, _ = server.accept()
        connection.recv(65536)
        connection.close()

    thread = threading.Thread(target=hang_up)
    thread.start()
    result = subprocess.run(
        [sys.executable, "-I", "-S", kernel.__file__, "launch", "connection.json"],
        env={**os.environ, kernel.ZYGOTE_SOCKET_ENV: path},
        capture_output=True,
        text=True,
        timeout=30,
    )
    thread.join()
    server.close()
    assert result.returncode == 1
    assert result.stderr.strip() == "no kernel: the build that asked for it is stopping"
