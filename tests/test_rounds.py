"""The Nordic rounds of `data/rounds.yaml`: one edition-set report per round with an active
edition, built on the fixture project of test_build (tiny notebooks, three editions)."""

from __future__ import annotations

import io

import pytest
from test_build import REPORT_LAYERS, make_project

from innobarometer.deliveries import DELIVERED_FILES
from innobarometer.pipeline import build, index_page, manifest, plan

ROUNDS = """rounds:
  - name: "2020"
    editions: [DK-2020, NO-2020]
  - name: latest
    editions: latest
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    monkeypatch.setenv("INNOBAROMETER_ROOT", str(root))
    monkeypatch.delenv("DATA", raising=False)
    monkeypatch.setattr(build, "code_digests", lambda: dict.fromkeys(REPORT_LAYERS, "code"))
    (root / "data" / "rounds.yaml").write_text(ROUNDS)
    return root


def nordic_reports():
    data_set = build.load_data_set()
    reports = build.plan_reports(build.discover_themes(), data_set)
    return {r.key: r for r in reports if r.edition_set}, reports, data_set


def test_a_round_with_a_missing_edition_compares_the_others_and_names_it(project):
    rounds, reports, data_set = nordic_reports()
    assert list(rounds) == ["2020", "latest"]
    old = rounds["2020"]
    assert (old.compares, old.lacking) == (("DK-2020",), ("NO-2020",))
    assert old.parameters == {"editions": ["DK-2020"]}
    assert old.title == "Nordic round 2020: DK-2020"
    page = index_page.render_index(
        reports, dict.fromkeys([r.name for r in reports], "stale"), data_set, project / "build"
    )
    nordic = page[page.index("<h2>Nordic reports</h2>") :]
    stale = ' · <span class="status-stale">stale</span>'
    assert f"Nordic, round 2020{stale} (Denmark 2020); without Norway 2020 (not active)" in nordic
    assert f"Nordic{stale} (Denmark 2023, Norway 2023)" in nordic


def test_a_theme_that_takes_round_and_lacking_is_passed_them(project):
    notebook = project / "notebooks" / "nordic.py"
    text = notebook.read_text().replace(
        'editions = "latest"\n',
        'editions = "latest"\nround = "latest"\nlacking = []\n'
        'previous_round = ""\nprevious_editions = []\n',
        1,
    )
    notebook.write_text(text)
    rounds, _, _ = nordic_reports()
    assert rounds["2020"].parameters == {
        "editions": ["DK-2020"],
        "round": "2020",
        "lacking": ["NO-2020"],
        "previous_round": "",
        "previous_editions": [],
    }
    # The round before it in the file: the report shows each country's change since then.
    assert rounds["latest"].parameters == {
        "editions": "latest",
        "round": "latest",
        "lacking": [],
        "previous_round": "2020",
        "previous_editions": ["DK-2020"],
    }


def test_a_round_without_an_active_edition_makes_no_report(project):
    (project / "data" / "rounds.yaml").write_text(
        ROUNDS + '  - name: "2010"\n    editions: [DK-2010, SE-2010]\n'
    )
    rounds, _, _ = nordic_reports()
    assert list(rounds) == ["2020", "latest"]


def test_adding_a_round_is_a_data_change_only(project):
    out = io.StringIO()
    assert build.build(themes="nordic", out=out) == 0, out.getvalue()
    build_dir = project / "build"
    assert (build_dir / "nordic" / "2020.csv").read_text() == (
        "section,table,edition,units\nCountries,units,DK-2020,2\n"
    )
    out = io.StringIO()
    build.build(dry_run=True, out=out)
    # Every edition's report still to build; both rounds built.
    assert out.getvalue().startswith("6 of 8 reports stale")
    assert "nordic" not in out.getvalue()

    (project / "data" / "rounds.yaml").write_text(
        ROUNDS + "  - name: mixed\n    editions: [NO-2023, DK-2020]\n"
    )
    out = io.StringIO()
    build.build(dry_run=True, out=out)
    stale = out.getvalue()
    # The new round is planned; the other rounds read the changed file; no edition's report does.
    assert stale.startswith("9 of 9 reports stale")
    assert "nordic mixed: never built" in stale
    assert "nordic 2020: rounds changed" in stale and "nordic latest: rounds changed" in stale
    assert build.build(themes="nordic", out=io.StringIO()) == 0
    assert (build_dir / "nordic" / "mixed.csv").read_text() == (
        "section,table,edition,units\nCountries,units,DK-2020,2\nCountries,units,NO-2023,3\n"
    )
    assert 'href="nordic/mixed.html"' in (build_dir / "index.html").read_text()


@pytest.mark.parametrize(
    "text, message",
    [
        ("rounds: []\n", "needs a non-empty list `rounds`"),
        ("rounds:\n  - {name: a b, editions: latest}\n", "round 1 (a b): `name` must be"),
        ("rounds:\n  - {name: x, editions: [DK-2020, DK-2023]}\n", "at most one edition of each"),
        ("rounds:\n  - {name: x, editions: [Denmark]}\n", "Denmark not an edition id"),
        ("rounds:\n  - {name: x, editions: latest}\n  - {name: x, editions: latest}\n", "twice"),
        ("rounds:\n  - {name: x}\n", "`editions` must be 'latest' or a list"),
    ],
)
def test_a_mistaken_rounds_file_names_the_file_and_round(project, text, message):
    (project / "data" / "rounds.yaml").write_text(text)
    with pytest.raises(plan.BuildError, match="rounds.yaml") as error:
        nordic_reports()
    assert message in str(error.value)


def test_the_project_defines_the_2019_round_and_latest():
    rounds = {
        r.name: r for r in plan.load_rounds(plan.Path(__file__).parents[1] / "data" / "rounds.yaml")
    }
    assert rounds["2018"].editions == ("DK-2017", "NO-2018", "SE-2018", "FI-2018", "IS-2018")
    assert rounds["latest"].editions == "latest"


TRENDS = """# %% tags=["parameters"]
country = "DK"
threshold = 5

# %% tags=["reads"]
reads = ["country"]

# %%
import pandas as pd
from IPython.display import display

from innobarometer import paths

files = sorted((paths.build_dir() / "data").glob(f"{country}-*.parquet"))
rows = [[f.stem, len(pd.read_parquet(f))] for f in files]
payload = {"table": "units", "columns": ["edition", "units"], "data": rows}
display({"text/html": "<p>trend</p>", "application/vnd.innobarometer.table+json": payload},
        raw=True)
"""


def test_a_per_country_theme_is_built_for_countries_with_two_editions_only(project):
    (project / "notebooks" / "trends.py").write_text(TRENDS)
    themes = build.discover_themes()
    trends = next(t for t in themes if t.name == "trends")
    assert trends.per_country and trends.reads == ("country",)
    _, reports, data_set = nordic_reports()
    mine = [r for r in reports if r.theme == "trends"]
    assert [(r.key, r.parameters, r.reads) for r in mine] == [
        ("DK", {"country": "DK"}, ("DK-2020", "DK-2023"))
    ]
    page = index_page.render_index(
        reports, dict.fromkeys([r.name for r in reports], "stale"), data_set, project / "build"
    )
    trends = page[page.index("<h2>Trends by country</h2>") :]
    assert '<li>Denmark · <span class="status-stale">stale</span> (2020, 2023)</li>' in trends
    assert "<li>Norway: one edition (2023), no trend to show</li>" in trends
    assert build.build(themes="trends", out=io.StringIO()) == 0
    assert (project / "build" / "trends" / "DK.csv").read_text() == (
        "section,table,edition,units\n,units,DK-2020,2\n,units,DK-2023,4\n"
    )
    assert not (project / "build" / "trends" / "NO.html").exists()
    # Without the reads cell, the same parameters are a theme per edition with `edition` missing.
    (project / "notebooks" / "trends.py").write_text(
        TRENDS.replace('# %% tags=["reads"]\nreads = ["country"]\n', "")
    )
    assert not next(t for t in build.discover_themes() if t.name == "trends").per_country


def deliver(project, edition: str) -> None:
    """A delivered edition's folder (the plan reads only that its files are there)."""
    folder = project / "data" / "delivered" / edition
    folder.mkdir(parents=True)
    for name in DELIVERED_FILES:
        (folder / name).write_text(f"{edition} {name}\n")


def test_a_delivered_edition_is_present_in_its_round_and_counted_as_input(project, tmp_path):
    (project / "notebooks" / "trends.py").write_text(TRENDS)
    deliver(project, "NO-2020")
    deliver(project, "DK-2023")  # its microdata is active: built from it, the tables unread
    rounds, reports, data_set = nordic_reports()
    assert list(data_set.delivered) == ["NO-2020"]
    old = rounds["2020"]
    # Lacking only when neither microdata nor tables exist.
    assert (old.compares, old.lacking, old.delivered) == (("DK-2020", "NO-2020"), (), ("NO-2020",))
    assert old.parameters == {"editions": ["DK-2020", "NO-2020"]}
    trends = {r.key: r for r in reports if r.theme == "trends"}
    assert trends["NO"].compares == ("NO-2020", "NO-2023")
    assert trends["NO"].delivered == ("NO-2020",)

    prints = manifest.Fingerprints(code={}, dependencies="")
    inputs = manifest.report_inputs(old, data_set, prints)
    assert {f"delivered NO-2020 {name}" for name in DELIVERED_FILES} <= set(inputs)
    assert "data NO-2020" not in inputs
    recorded = {"reports": {old.name: {"status": "built", "inputs": inputs}}}
    (project / "data" / "delivered" / "NO-2020" / "estimates.csv").write_text("changed\n")
    again = manifest.report_inputs(old, build.load_data_set(), manifest.Fingerprints({}, ""))
    reasons = manifest.stale_reasons(old, again, recorded, project / "build")
    assert "delivered NO-2020 estimates.csv changed" in reasons
    assert not [r for r in reasons if "data " in r or "facts " in r]
