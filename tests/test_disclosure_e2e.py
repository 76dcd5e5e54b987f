"""Disclosure end to end: a real-set mapping whose strata hold 1-4 respondents (Iceland's 2018
layout cut down, tests/fixtures/reliability/raw/IS-2018-small.csv) built with every theme notebook;
then every HTML page, CSV and table is scanned for cells below the threshold, unmarked
suppression, unit-level rows, and figures drawing a suppressed value.

Figures are checked through the kernels' IPython start-up file
(tests/fixtures/reliability/ipython): it logs every value each rendered figure draws, and every
logged value must be a number the report publishes unsuppressed.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from innobarometer.language import LANGUAGES

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reliability"
EDITION = "IS-2018"
BLANK_WHEN_SUPPRESSED = ("estimate", "se", "ci_lower", "ci_upper", "p", "p_holm")
COUNT_COLUMNS = ("n_unweighted", "n_first", "n_second")
UNIT_LEVEL_COLUMNS = ("unit_id", "weight", "stratum", "stratum_population")
ANSWER_RUN = 6  # this many of one respondent's answers in a row would be a unit-level record


@pytest.fixture(scope="module")
def small_build(tmp_path_factory) -> Path:
    """The small-cell edition, harmonised and built with every theme (and the Nordic report)."""
    root = tmp_path_factory.mktemp("disclosure") / "project"
    (root / "data" / "mappings").mkdir(parents=True)
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copy(FIXTURES / "mappings" / f"{EDITION}.yaml", root / "data" / "mappings")
    shutil.copy(FIXTURES / "raw" / f"{EDITION}-small.csv", root / "data" / "raw" / f"{EDITION}.csv")
    figures = root / "figures"
    figures.mkdir()
    env = {**os.environ, "INNOBAROMETER_ROOT": str(root), "RELIABILITY_FIGURE_LOG": str(figures)}
    # A copy: kernels write history and logs into their IPython folder, never into the repository.
    ipython = root / "ipython"
    shutil.copytree(
        FIXTURES / "ipython" / "profile_default" / "startup",
        ipython / "profile_default" / "startup",
    )
    env["IPYTHONDIR"] = str(ipython)
    env.pop("DATA", None)
    for args in (["data"], ["build", "--keep-going"]):
        done = subprocess.run(
            [sys.executable, "-m", "innobarometer", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
    return root


def reports(root: Path) -> dict[str, dict]:
    manifest = json.loads((root / "build" / "manifest.json").read_text())
    return manifest["reports"]


def tables(root: Path, name: str) -> pd.DataFrame:
    """A report's CSV as text cells (blank stays blank)."""
    path = root / "build" / reports(root)[name]["csv"]
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def threshold(root: Path, name: str) -> int:
    return int(reports(root)[name]["parameters"]["threshold"])


def frame(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "build" / "data" / f"{EDITION}.parquet")


def test_the_data_set_has_strata_of_one_to_four_respondents(small_build):
    sizes = frame(small_build).groupby("stratum", observed=True).size()
    assert set(sizes) == {1, 2, 3, 4}
    assert set(reports(small_build)) >= {f"overview/{EDITION}", "nordic/latest"}
    assert all(r["status"] == "built" for r in reports(small_build).values())


def test_no_csv_estimate_rests_on_fewer_units_than_the_threshold(small_build):
    suppressed_anywhere = 0
    for name in reports(small_build):
        table, limit = tables(small_build, name), threshold(small_build, name)
        assert "suppressed" in table, f"{name}: a table without a suppressed column"
        suppressed = table["suppressed"].eq("True")
        for column in (c for c in COUNT_COLUMNS if c in table):
            counts = pd.to_numeric(table[column], errors="coerce")
            small = counts.notna() & (counts < limit)
            assert suppressed[small].all(), (
                f"{name}: {column} below {limit} but published:\n{table[small & ~suppressed]}"
            )
        for column in (c for c in BLANK_WHEN_SUPPRESSED if c in table):
            shown = table.loc[suppressed, column]
            assert shown.eq("").all(), f"{name}: suppressed rows still carry {column}"
        counted = np.zeros(len(table), dtype=bool)
        for column in (c for c in COUNT_COLUMNS if c in table):
            counted |= table[column].ne("").to_numpy()
        estimated = (table["estimate"].ne("") & ~suppressed).to_numpy()
        assert counted[estimated].all(), f"{name}: an estimate without its unweighted n"
        suppressed_anywhere += int(suppressed.sum())
    assert suppressed_anywhere > 0, "the small-cell data set suppressed nothing"


class _Tables:
    """The rows of every HTML table on a page, as lists of cell texts (header first)."""

    def __init__(self, page: str):
        self.tables = []
        for body in re.findall(r"<table\b.*?</table>", page, flags=re.S):
            rows = []
            for row in re.findall(r"<tr\b.*?</tr>", body, flags=re.S):
                cells = re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, flags=re.S)
                rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
            self.tables.append(rows)


def test_html_tables_blank_and_mark_every_small_cell(small_build):
    marked = 0
    for name, record in reports(small_build).items():
        page = (small_build / "build" / record["html"]).read_text()
        limit = threshold(small_build, name)
        for rows in _Tables(page).tables:
            header, body = rows[0], rows[1:]
            if "n" not in header or "Note" not in header:
                continue
            n, note = header.index("n"), header.index("Note")
            values = [i for i, h in enumerate(header) if h.startswith(("Estimate", "Difference"))]
            for row in body:
                counts = [int(c) for c in re.findall(r"\d+", row[n])]
                if counts and min(counts) < limit:
                    # "suppressed: too few responding units" (or, for a difference, the reason
                    # that one side is suppressed).
                    assert row[note].startswith("suppressed: "), f"{name}: unmarked {row}"
                    assert all(row[i] == "" for i in values), f"{name}: small cell shown {row}"
                marked += row[note].startswith("suppressed")
    assert marked > 0


def test_no_unit_level_row_appears_in_any_output(small_build):
    units = frame(small_build)
    ids = set(units["unit_id"].astype(str))
    raw = pd.read_csv(FIXTURES / "raw" / f"{EDITION}-small.csv", sep=";", dtype=str)
    # As the national file writes them, e.g. 5.666666666666667 (short ones like 1.25 are common).
    weights = {w for w in raw["vog"] if len(re.sub(r"\D", "", w)) >= 8}
    assert weights
    # Every run of ANSWER_RUN consecutive answers of a respondent, in codebook column order.
    answers = units.select_dtypes("Int8").drop(columns=["innovative"], errors="ignore")
    runs = set()
    for row in answers.to_numpy(dtype=float, na_value=np.nan):
        given = [str(int(v)) for v in row if not np.isnan(v)]
        runs |= {tuple(given[i : i + ANSWER_RUN]) for i in range(len(given) - ANSWER_RUN + 1)}
    # Every report's page and CSV, in English and in each other language it is published in.
    build = small_build / "build"
    found = [*build.glob("*/*"), *(p for code in LANGUAGES[1:] for p in build.glob(f"{code}/*/*"))]
    outputs = [p for p in found if p.suffix in (".html", ".csv")]
    outputs = [p for p in outputs if p.parent.name not in ("data", "failed", *LANGUAGES)]
    assert outputs
    for path in outputs:
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
        tokens = set(re.findall(r"[\w.:-]+", text))
        assert not ids & tokens, f"{path}: unit ids {sorted(ids & tokens)[:3]}"
        assert not weights & tokens, f"{path}: weights {sorted(weights & tokens)[:3]}"
        if path.suffix == ".csv":
            header = next(csv.reader(io.StringIO(text)))
            assert not set(UNIT_LEVEL_COLUMNS) & set(header), f"{path}: unit-level columns"
            lines = text.splitlines()
        else:
            lines = ["|".join(r) for t in _Tables(text).tables for r in t]
        for line in lines:
            numbers = re.findall(r"-?\d+(?:[.,]\d+)?", line)  # a decimal comma too
            for i in range(len(numbers) - ANSWER_RUN + 1):
                run = tuple(numbers[i : i + ANSWER_RUN])
                assert run not in runs, f"{path}: a respondent's answers {run} in {line[:120]}"


def published_numbers(root: Path, names: list[str]) -> np.ndarray:
    """Every number the reports publish in unsuppressed rows, as shares and as percentages."""
    values = []
    for name in names:
        table = tables(root, name)
        shown = table[~table["suppressed"].eq("True")]
        numbers = shown.apply(pd.to_numeric, errors="coerce").to_numpy(float).ravel()
        values.append(numbers[np.isfinite(numbers)])
    published = np.concatenate(values)
    return np.unique(np.concatenate([published, 100 * published]))


def test_figures_draw_only_published_unsuppressed_values(small_build):
    records = [
        json.loads(line)
        for log in sorted((small_build / "figures").glob("*.jsonl"))
        for line in log.read_text().splitlines()
    ]
    names = list(reports(small_build))
    assert len(records) >= len(names), "fewer figures logged than reports built"
    for key in {r["report"] for r in records}:
        published = published_numbers(small_build, [n for n in names if n.endswith(f"/{key}")])
        for record in (r for r in records if r["report"] == key):
            drawn = np.asarray(record["drawn"], dtype=float)
            nearest = np.abs(drawn[:, None] - published[None, :]).min(axis=1) if drawn.size else []
            stray = drawn[np.asarray(nearest) > 1e-6]
            assert stray.size == 0, f"{key}: a figure draws unpublished values {stray[:5]}"
