"""The reports in a real browser: Debian's Chromium driven by the `playwright` package (through
`executable_path`; no browser download) opens `build/index.html`, `codebook.html`,
`methodology.html` and every report from `file://`, one page after the other in one browser.

Builds every theme for one demo edition plus the Nordic report. Each page: no console error, no
request leaving `file://`, every image decoded, not wider than a 390 px viewport at that width
(wide tables scroll in their own box); each report: a title naming the theme with its country and
edition (the Nordic report: its edition set), links to the index, the codebook, the methodology
page and its own CSV; every link on the index resolves to a file. Screenshots of the index and one
report go to the project's `build/screenshots/`. Without Chromium or playwright the test is
skipped, except under CI (`CI=true`), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import DEMO_EDITION

from innobarometer.language import LANGUAGES

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EDITION = DEMO_EDITION
PHONE = 390  # px: no page may be wider than a phone's viewport of this width
SITE_PAGES = ("index.html", "codebook.html", "methodology.html")
COUNTRY_NAMES = {"DK": "Denmark", "NO": "Norway", "SE": "Sweden", "FI": "Finland", "IS": "Iceland"}


def _browser_or_skip():
    """playwright's sync API, or a skip (a failure under CI) naming what is missing."""
    missing = []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
        missing.append("the playwright package (pip install playwright; no `playwright install`)")
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if missing:
        message = "real-browser test needs " + " and ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return sync_playwright


@pytest.fixture(scope="module")
def built(demo_build) -> Path:
    """The demo project with every theme of one edition and the Nordic report built."""
    shutil.rmtree(demo_build / "build" / "screenshots", ignore_errors=True)
    return demo_build


def latest_of_each_country(root: Path) -> list[str]:
    """The Nordic set: the most recent demo edition of every country (from the mapping names)."""
    latest: dict[str, str] = {}
    for mapping in sorted((root / "data" / "demo" / "mappings").glob("[A-Z][A-Z]-[0-9]*.yaml")):
        latest[mapping.stem[:2]] = max(latest.get(mapping.stem[:2], ""), mapping.stem)
    return sorted(latest.values())


def expected_title_parts(name: str, record: dict, root: Path) -> list[str]:
    """What a report's title must name: its theme, and its country and edition (or edition set)."""
    theme, key = name.split("/")
    if key == "latest":
        return [theme.replace("_", " "), *latest_of_each_country(root)]
    country, year = key.split("-")
    assert record["parameters"]["country"] == country and record["parameters"]["edition"] == int(
        year
    )
    return [theme.replace("_", " "), f"{country}-{year}"]


def test_index_and_every_report_in_chromium(built):
    sync_playwright = _browser_or_skip()
    build = built / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    reports = {n: r for n, r in manifest["reports"].items() if r["status"] == "built"}
    assert f"overview/{EDITION}" in reports and "nordic/latest" in reports
    screenshots = build / "screenshots"
    screenshots.mkdir()
    problems: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        current = {"url": ""}
        page.on(
            "console",
            lambda m: m.type == "error" and problems.append(f"{current['url']}: {m.text}"),
        )
        page.on("pageerror", lambda e: problems.append(f"{current['url']}: {e}"))
        page.on(
            "request",
            lambda r: (
                r.url.startswith(("file://", "data:"))
                or problems.append(f"{current['url']}: request to {r.url}")
            ),
        )

        def visit(path: Path) -> None:
            current["url"] = path.as_uri()
            response = page.goto(path.as_uri(), wait_until="load")
            assert response is None or response.ok, path
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth])"
            )
            broken = [i for i, (complete, width) in enumerate(images) if not complete or not width]
            assert not broken, f"{path}: images {broken} of {len(images)} did not load"

        visit(build / "index.html")
        page.screenshot(path=str(screenshots / "index.png"), full_page=True)
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        assert links, "the index links nothing"
        for link in links:
            target = Path(unquote(urlparse(link).path))
            assert link.startswith("file://") and target.is_file(), f"broken link {link}"
        linked = {str(Path(unquote(urlparse(link).path)).relative_to(build)) for link in links}
        for name, record in reports.items():
            assert {record["html"], record["csv"]} <= linked, f"the index does not link {name}"

        for name, record in sorted(reports.items()):
            visit(build / record["html"])
            title = page.title()
            for part in expected_title_parts(name, record, built):
                assert re.search(re.escape(part), title, re.IGNORECASE), (
                    f"{name}: title {title!r} does not name {part!r}"
                )
            if name == f"overview/{EDITION}":
                page.screenshot(path=str(screenshots / "overview-report.png"), full_page=True)
            targets = {
                Path(unquote(urlparse(link).path))
                for link in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
                if link.startswith("file://")
            }
            wanted = {build / p for p in SITE_PAGES} | {build / record["csv"]}
            assert wanted <= targets, f"{name}: no link to {sorted(map(str, wanted - targets))}"

        # At a phone's width: the same pages, relaid out (no reload), none wider than the screen.
        page.set_viewport_size({"width": PHONE, "height": 800})
        widths = {}
        for path in [build / p for p in SITE_PAGES] + [build / r["html"] for r in reports.values()]:
            visit(path)
            widths[str(path.relative_to(build))] = page.evaluate(
                "document.documentElement.scrollWidth"
            )
        browser.close()

    assert problems == []
    assert {p: w for p, w in widths.items() if w > PHONE} == {}, f"wider than {PHONE} px"
    assert {p.name for p in screenshots.iterdir()} == {"index.png", "overview-report.png"}


# Chart text a reader sees, in CSS px: at least this at 1280 px (legends, ticks) and, with the
# figure shrunk to a phone's width, at least this at 390 px.
MIN_CHART_TEXT_PX = {1280: 9.0, 390: 9.0}


def test_chart_text_is_readable_at_1280_and_390_px_and_every_chart_links_its_svg(built):
    """Each figure's smallest text, as the browser shows it: the font sizes of its SVG (the same
    figure, in points) times the PNG's pixels per point times the scale the page displays it at."""
    sync_playwright = _browser_or_skip()
    from innobarometer.report.figures import FIGURE_DPI

    build = built / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    pages = [build / r["html"] for r in manifest["reports"].values() if r["status"] == "built"]
    measured: dict[int, list[float]] = {width: [] for width in MIN_CHART_TEXT_PX}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        for width, least in MIN_CHART_TEXT_PX.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in sorted(pages):
                page.goto(path.as_uri(), wait_until="load")
                figures = page.eval_on_selector_all(
                    "figure:has(img)",
                    """figures => figures.map(f => [f.querySelector('img').naturalWidth,
                        f.querySelector('img').clientWidth,
                        f.querySelector('a') && f.querySelector('a').getAttribute('href')])""",
                )
                assert figures, f"{path}: no figure"
                for natural, shown, href in figures:
                    assert href, f"{path}: a figure without its SVG link"
                    svg = (path.parent / href).read_text(encoding="utf-8")
                    points = min(float(s) for s in re.findall(r"font-size: ([0-9.]+)px", svg))
                    pixels = points * FIGURE_DPI / 72 * shown / natural
                    measured[width].append(pixels)
                    assert pixels >= least, (
                        f"{path.name} at {width} px: {href} text {pixels:.1f} px, under {least}"
                    )
            page.close()
        browser.close()
    print({w: (round(min(v), 2), len(v)) for w, v in measured.items()})


def test_one_page_per_language_in_chromium(built):
    """The Nordic report (published in every language) and each language's index, opened in
    Chromium at phone width: the page declares its language, loads every image, fits the
    viewport, and its links to its other languages lead to pages that exist."""
    sync_playwright = _browser_or_skip()
    build = built / "build"
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        for code in LANGUAGES:
            folder = build if code == "en" else build / code
            for path in (folder / "nordic" / "latest.html", folder / "index.html"):
                page.goto(path.as_uri(), wait_until="load")
                assert page.evaluate("document.documentElement.lang") == code, path
                images = page.evaluate(
                    "Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)"
                )
                assert all(images), f"{path}: an image did not load"
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, f"{path}: {width} px wide at a 390 px viewport"
                others = page.evaluate(
                    "Array.from(document.querySelectorAll('nav.languages a')).map(a => a.href)"
                )
                assert len(others) == len(LANGUAGES) - 1, path
                for href in others:
                    assert Path(unquote(urlparse(href).path)).is_file(), f"{path}: {href}"
        browser.close()
    assert problems == []
