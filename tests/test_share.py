"""`make share` and `build/datapackage.json` on a demo build (every theme of one edition and the
Nordic report, `conftest.demo_build`).

The data package is valid under frictionless and describes every CSV column; `share` copies every
page, CSV and figure and the data package, and nothing of `build/data/`. Then the scan: the
reports with suppressed cells are built again with threshold 1, which publishes those cells; their
numbers, in every form the pages print them, must not appear in any file of the share folder
(tables, SVG text, alt text, metadata) unless a published cell of the same report prints the same.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from innobarometer import paths
from innobarometer.language import LANGUAGES
from innobarometer.pipeline import datapackage, share

# The columns that name a row of a report's tables (the rest are its numbers).
ROW_KEY = ("table", "indicator", "category", "domain", "group", "label", "first", "second", "term")
NUMBERS = ("estimate", "ci_lower", "ci_upper", "se")
REFERENCE = paths.REFERENCE_DIR
TOKEN = re.compile(r"[+\-−]?\d+(?:\.\d+)?%?")


@pytest.fixture(scope="module")
def shared(demo_build) -> Path:
    """The demo build's share folder, written by the command as `make share` runs it."""
    env = {**os.environ, "INNOBAROMETER_ROOT": str(demo_build)}
    done = subprocess.run(
        [sys.executable, "-m", "innobarometer", "share"],
        cwd=demo_build,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return demo_build / "build" / "share"


def test_the_data_package_is_valid_and_describes_every_column(demo_build):
    import frictionless

    build = demo_build / "build"
    package = json.loads((build / datapackage.NAME).read_text())
    manifest = json.loads((build / "manifest.json").read_text())
    assert {r["path"] for r in package["resources"]} == {
        csv_path
        for record in manifest["reports"].values()
        for csv_path in [record["csv"], *(t["csv"] for t in record["languages"].values())]
    }
    assert "not survey results" in package["description"]
    for resource in package["resources"]:
        with open(build / resource["path"], encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        described = [f for f in fields if f["name"] in datapackage.FIELDS]
        assert all(f.get("description") for f in described), resource["path"]
        assert "not survey results" in resource["description"]
    report = frictionless.validate(str(build / datapackage.NAME))
    assert report.valid, report.flatten(["type", "note"])[:5]

    # The validator reads the rows: a wrong declared type fails.
    broken = json.loads(json.dumps(package))
    estimate = next(f for f in broken["resources"][0]["schema"]["fields"] if f["name"] == "se")
    estimate["type"] = "integer"
    (build / "broken.json").write_text(json.dumps(broken))
    try:
        assert not frictionless.validate(str(build / "broken.json")).valid
    finally:
        (build / "broken.json").unlink()


def test_a_column_the_package_does_not_know_is_described_by_its_values(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("section,new_count,new_share,new_flag,new_text\nA,3,0.5,True,x\nB,,1,False,\n")
    fields = {f["name"]: f["type"] for f in datapackage.csv_fields(path)}
    assert fields == {
        "section": "string",
        "new_count": "integer",
        "new_share": "number",
        "new_flag": "boolean",
        "new_text": "string",
    }


def test_share_holds_every_page_csv_and_the_package_and_no_microdata(demo_build, shared):
    build = demo_build / "build"
    files = {p.relative_to(shared).as_posix() for p in shared.rglob("*") if p.is_file()}
    manifest = json.loads((build / "manifest.json").read_text())
    for record in manifest["reports"].values():
        assert {record["html"], record["csv"]} <= files
    assert set(share.TOP_LEVEL) <= files
    assert not any(f.startswith(("data/", "failed/")) for f in files)
    assert not any(f.endswith((".parquet", ".facts.json", ".inputs.json", ".ipynb")) for f in files)
    # What the build's figures folder holds beside the reports is shared too.
    beside = {
        p.relative_to(build).as_posix()
        for p in build.glob("*/*")
        if p.suffix in share.SHARED_SUFFIXES and p.parent.name not in share.PRIVATE
    }
    assert beside <= files


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def forms(value: str) -> set[str]:
    """Every way a page or CSV prints a number: as stored, as a percentage with 0 or 1
    decimals, as signed points (a difference)."""
    number = float(value)
    return {
        value,
        f"{100 * number:.0f}%",
        f"{100 * number:.1f}%",
        f"{100 * number:+.1f}",
        f"{100 * number:.1f}",
    }


def tokens(text: str) -> set[str]:
    """The numbers in a file's text: tags' attributes (alt, title) included, embedded images and
    style sheets left out."""
    text = re.sub(r"<style\b.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", " ", text)
    return {t.replace("−", "-") for t in TOKEN.findall(html.unescape(text))}


def secrets_and_published(normal: Path, open_: Path) -> tuple[set[str], set[str]]:
    """The printed forms of the numbers a report hides (from its rebuild with threshold 1), and
    those of every number it publishes."""
    published_rows = _rows(normal)
    shown = {
        tuple(r.get(k, "") for k in ROW_KEY): r
        for r in published_rows
        if r.get("suppressed") != "True"
    }
    published = {f for r in published_rows for v in r.values() if _number(v) for f in forms(v)}
    hidden = set()
    for row in _rows(open_):
        if row.get("suppressed") == "True" or tuple(row.get(k, "") for k in ROW_KEY) in shown:
            continue
        hidden |= {f for name in NUMBERS if _number(row.get(name, "")) for f in forms(row[name])}
    return hidden, published


def report_files(shared: Path, name: str) -> list[Path]:
    """A report's files in the share folder: page, CSV, figures (named after its key), in
    English and in every other language it is published in (`<language>/<theme>/`)."""
    theme, key = name.split("/")
    folders = [shared / theme, *(shared / code / theme for code in LANGUAGES[1:])]
    return sorted(p for folder in folders for p in folder.glob(f"{key}*") if p.is_file())


def _number(value: str) -> bool:
    return bool(re.fullmatch(r"-?\d+\.\d+(e-?\d+)?", value or ""))


def test_no_file_of_the_share_folder_prints_a_suppressed_number(demo_build, shared, tmp_path):
    build = demo_build / "build"
    manifest = json.loads((build / "manifest.json").read_text())
    hiding = sorted(
        name
        for name, record in manifest["reports"].items()
        if any(r.get("suppressed") == "True" for r in _rows(build / record["csv"]))
    )
    assert hiding, "the demo build suppresses nothing: the scan would be vacuous"
    # The same reports with threshold 1 publish the cells the build suppressed.
    opened = tmp_path / "open"
    shutil.copytree(demo_build, opened, symlinks=True, ignore=shutil.ignore_patterns("share"))
    themes = ",".join(sorted({n.split("/")[0] for n in hiding}))
    keys = ",".join(sorted({n.split("/")[1] for n in hiding}))
    code = (
        "import sys; from innobarometer.pipeline import build\n"
        f"sys.exit(build.build(themes={themes!r}, editions={keys!r}, overrides={{'threshold': 1}}))"
    )
    env = {**os.environ, "INNOBAROMETER_ROOT": str(opened)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=opened, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr

    leaks, scanned = [], 0
    all_hidden, all_published = set(), set()
    # A report's files: its page, its CSV and the figures beside them (named after its key).
    reported = {p for n in manifest["reports"] for p in report_files(shared, n)}
    for name in hiding:
        csv_path = manifest["reports"][name]["csv"]
        hidden, published = secrets_and_published(build / csv_path, opened / "build" / csv_path)
        all_hidden |= hidden
        all_published |= published
        secret = hidden - published
        scanned += len(secret)
        for path in report_files(shared, name):
            found = tokens(path.read_text(encoding="utf-8")) & secret
            leaks += [f"{path.relative_to(shared)}: {t}" for t in sorted(found)]
    assert scanned > 0, "every hidden number is also printed by a published cell"
    # Every other file (the index, codebook, methodology, data package, manifest): against the
    # hidden numbers of every report, less what any report or the codebook's published figures
    # print.
    with open(REFERENCE / "headline_figures.csv", encoding="utf-8") as handle:
        all_published |= {f"{float(r['value_pct']):g}%" for r in csv.DictReader(handle)}
    secret = all_hidden - all_published
    for path in sorted(p for p in shared.rglob("*") if p.is_file()):
        if path not in reported:
            found = tokens(path.read_text(encoding="utf-8")) & secret
            leaks += [f"{path.relative_to(shared)}: {t}" for t in sorted(found)]
    assert leaks == []

    # The scan finds a hidden number where a page prints it.
    name = hiding[0]
    theme, key = name.split("/")
    page = (shared / theme / f"{key}.html").read_text(encoding="utf-8")
    hidden, published = secrets_and_published(
        build / f"{name}.csv", opened / "build" / f"{name}.csv"
    )
    planted = sorted(t for t in hidden - published if t.endswith("%"))[0]
    assert tokens(page.replace("</table>", f"<tr><td>{planted}</td></tr></table>", 1)) & {planted}
