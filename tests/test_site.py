"""What surrounds the reports, without kernels: each report's header and citation from the plan,
the index's sections, the methodology page from the docs, source keys linked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from innobarometer.pipeline import methodology_page, site
from innobarometer.pipeline.index_page import render_index
from innobarometer.pipeline.plan import DataSet, Report
from innobarometer.report import export

EDITIONS = ("DK-2020", "DK-2023", "NO-2024")


def report(theme: str, key: str, reads=None) -> Report:
    return Report(theme, key, Path(f"{theme}.py"), {}, tuple(reads or (key,)), f"{theme}: {key}")


def plan() -> list[Report]:
    themes = ("barriers", "drivers", "overview")  # the plan's order is alphabetical
    reports = [report(t, e) for t in themes for e in EDITIONS]
    return [*reports, report("nordic", "latest", EDITIONS)]


def data_set(tmp_path: Path) -> DataSet:
    facts = {e: tmp_path / f"{e}.facts.json" for e in EDITIONS}  # not written: the demo's
    return DataSet("demo", EDITIONS, {}, {}, facts)


def links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def test_a_report_header_links_the_site_its_csv_and_its_neighbours():
    header = site.report_header(report("drivers", "DK-2023"), plan())
    assert links(header) == [
        "../index.html",
        "../codebook.html",
        "../methodology.html",
        "DK-2023.csv",
        # the other themes of its edition, overview first
        "../overview/DK-2023.html",
        "../barriers/DK-2023.html",
        # the same theme in its country's other editions
        "../drivers/DK-2020.html",
    ]
    assert '<strong aria-current="page">Drivers</strong>' in header
    assert "Denmark 2023:" in header and "Drivers in Denmark:" in header
    nordic = site.report_header(report("nordic", "latest", EDITIONS), plan())
    assert links(nordic)[:4] == [
        "../index.html",
        "../codebook.html",
        "../methodology.html",
        "latest.csv",
    ]


def test_a_new_edition_changes_the_page_of_every_report_that_must_link_it(tmp_path):
    before = {r.name: site.report_page(r, plan(), data_set(tmp_path)).digest for r in plan()}
    grown = [*plan(), report("drivers", "DK-2025")]
    after = {r.name: site.report_page(r, grown, data_set(tmp_path)).digest for r in plan()}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"drivers/DK-2020", "drivers/DK-2023"}


def test_the_citation_names_the_data_and_its_date_not_the_build(tmp_path):
    citation = site.report_citation(report("overview", "DK-2023"), data_set(tmp_path))
    text = re.sub(r"<[^>]+>", " ", citation)
    assert "Overview: Denmark 2023." in text
    assert "Country: Denmark." in text
    assert "reference period 2021-2023" in text  # reference/survey_facts.csv
    assert "synthetic demo data" in text and "innobarometer 0.1.0" in text
    assert "overview/DK-2023.csv" in text
    assert not re.search(r"20\d\d-\d\d-\d\d", text)  # no build date


def test_the_index_reads_by_country_in_theme_order_with_nordic_reports_apart(tmp_path):
    reports = plan()
    statuses = {r.name: "built" for r in reports} | {"barriers/NO-2024": "failed"}
    for r in reports:
        r.product(tmp_path, ".html").parent.mkdir(parents=True, exist_ok=True)
        r.product(tmp_path, ".html").write_text("")
    page = render_index(reports, statuses, data_set(tmp_path), tmp_path)
    head = re.search(r"<thead>(.*?)</thead>", page).group(1)
    assert re.findall(r">(\w+)</th>", head) == ["Edition", "Overview", "Drivers", "Barriers"]
    grid = page[page.index('<table class="grid">') : page.index("</table>")]
    assert grid.index(">Denmark</th>") < grid.index("DK-2020") < grid.index(">Norway</th>")
    assert "nordic/latest" not in grid
    assert re.findall(r"<span class=\"status-(\w+)\">", page) == ["failed"]
    nordic = page[page.index("<h2>Nordic reports</h2>") :]
    assert 'href="nordic/latest.html"' in nordic and "Denmark 2023, Norway 2024" in nordic
    assert "Of 10 reports, 1 failed." in page


def test_source_keys_in_tables_link_to_their_address():
    page = "<table><tr><td>DK-19</td><td>DK-2023</td><td>NORD-1</td></tr></table>"
    linked = export.link_sources(page)
    addresses = export.source_addresses()
    assert f'<td><a href="{addresses["DK-19"]}">DK-19</a></td>' in linked
    assert f'<td><a href="{addresses["NORD-1"]}">NORD-1</a></td>' in linked
    assert "<td>DK-2023</td>" in linked  # an edition, not a source


# What the methodology page must explain (issue 12, item 7), as words it must contain.
TOPICS = (
    "weight",
    "finite population correction",
    "Taylor",
    "logit",
    "Korn",
    "wilson",
    "cap",
    "domain",
    "Welch-Satterthwaite",
    "independent samples",
    "conservative",
    "Rao-Scott",
    "Holm",
    "regression",
    "Disclosure control",
    "Comparability",
    "synthetic",
)


def test_the_methodology_page_is_rendered_from_the_docs_and_covers_every_topic():
    page = methodology_page.render_methodology_page()
    text = re.sub(r"<[^>]+>", " ", page)
    for topic in TOPICS:
        assert re.search(re.escape(topic), text, re.IGNORECASE), topic
    statistics = (methodology_page.DOCS_DIR / "statistics.md").read_text()
    for heading in re.findall(r"^## (.+)$", statistics, flags=re.M):
        assert f'<h3 id="statistics-{methodology_page._slug(heading)}">' in page, heading
    # Links to other docs point into the page or are dropped; nothing leaves for a .md file.
    assert not re.search(r'href="[^"#:]*\.md', page)
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert {h[1:] for h in re.findall(r'href="(#[^"]+)"', page)} <= ids


def test_a_doc_section_the_page_shows_must_exist(monkeypatch):
    monkeypatch.setitem(
        methodology_page.METHODOLOGY_DOCS, "architecture.md", ("only", ("No such section",))
    )
    with pytest.raises(methodology_page.MethodologyError, match="No such section"):
        methodology_page.render_methodology_page()
