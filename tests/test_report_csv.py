"""The report CSVs of a demo build (every theme of three editions and the Nordic report): one
base per single-choice distribution, every suppressed cell with its reason, labels beside codes.

DK-2023 is the largest edition; FI-2022 and IS-2018 have small strata, so primary and secondary
suppression both occur. `check_csv` is the whole check, so the same function can read a full
`make all` build (see /work/notes/tables.md for that run).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import built_copy

from innobarometer.codebook import load_codebook

EDITIONS = ["DK-2023", "FI-2022", "IS-2018"]
TOLERANCE = 1e-9
GROUP_KEY = ["section", "table", "indicator", "domain", "group"]


@pytest.fixture(scope="module")
def built(demo_root, tmp_path_factory) -> Path:
    """A copy of the demo project with every theme of EDITIONS and the latest Nordic set built."""
    folder = tmp_path_factory.mktemp("report-csv")
    root = built_copy(demo_root, folder, "--editions", ",".join(EDITIONS + ["latest"]))
    return root / "build"


def distribution_items() -> dict[str, list[str]]:
    """Single-choice and ordinal variables -> every code they allow (8 and 9 where allowed)."""
    codebook = load_codebook()
    return {
        v.name: [str(c) for c in (*v.categories, *v.non_substantive)]
        for v in codebook.variables.values()
        if v.type in ("single", "ordinal")
    }


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def check_csv(path: Path) -> tuple[list[str], int]:
    """Problems in one report CSV, and how many complete distributions summed to one."""
    table = read_csv(path)
    problems = [
        f"{path}: no {column} column"
        for column in ("group_label", "category_label")
        if column not in table.columns
    ]
    if problems:
        return problems, 0
    tidy = table[table["ci_method"] != ""] if "ci_method" in table else table.iloc[:0]
    suppressed = tidy["suppressed"] == "True"
    bad_reason = suppressed != tidy["suppression"].isin(["primary", "secondary"])
    problems += [
        f"{path}: {r.table} {r.indicator} {r.category} group {r.group!r}: suppressed="
        f"{r.suppressed} with suppression {r.suppression!r}"
        for r in tidy[bad_reason].itertuples()
    ]
    unlabelled = tidy[(tidy["group_label"] == "") | (tidy["category_label"] == "")]
    problems += [
        f"{path}: {r.table} {r.indicator} {r.category} group {r.group!r} has no label"
        for r in unlabelled.itertuples()
    ]
    items = distribution_items()
    rows = tidy[tidy["indicator"].isin(items) & tidy["category"].str.fullmatch(r"\d+")]
    complete = 0
    for key, cell in rows.groupby(GROUP_KEY):
        unknown = set(cell["category"]) - set(items[key[2]])
        if unknown:
            problems.append(f"{path}: {key}: codes {sorted(unknown)} not in the codebook")
        if set(cell["category"]) != set(items[key[2]]):
            problems.append(f"{path}: {key}: categories {sorted(cell['category'])} are not all")
        if (cell["suppressed"] == "True").any():
            continue
        total = cell["estimate"].astype(float).sum()
        if not abs(total - 1) <= TOLERANCE:
            problems.append(f"{path}: {key}: shares sum to {total!r}")
        if cell["n_unweighted"].nunique() != 1:
            problems.append(f"{path}: {key}: bases {sorted(set(cell['n_unweighted']))} differ")
        complete += 1
    return problems, complete


def test_every_report_csv_has_labels_reasons_and_one_base_per_distribution(built):
    paths = sorted(built.glob("*/*.csv"))
    assert len(paths) >= 3 * 5, paths
    problems, complete = [], 0
    for path in paths:
        found, summed = check_csv(path)
        problems += found
        complete += summed
    assert not problems, "\n".join(problems[:20])
    # Something was checked: each edition shows several distributions (evaluation, novelty,
    # technology, the barrier battery).
    assert complete >= 3 * 5


def test_both_kinds_of_suppression_occur_and_are_explained(built):
    tables = pd.concat([read_csv(p) for p in sorted(built.glob("*/*.csv"))], ignore_index=True)
    tidy = tables[tables["ci_method"] != ""]
    reasons = set(tidy.loc[tidy["suppressed"] == "True", "suppression"])
    assert reasons == {"primary", "secondary"}
    # A secondary cell is one the threshold alone would not hide.
    secondary = tidy[tidy["suppression"] == "secondary"]
    assert (secondary["n_unweighted"].astype(int) >= 5).any()


def test_a_suppressed_cell_says_why_in_the_page(built):
    pages = {p: p.read_text() for p in sorted(built.glob("*/*.html"))}
    text = "\n".join(pages.values())
    assert "suppressed: too few responding units" in text
    assert "suppressed: hidden to protect another cell" in text


def test_group_labels_read_as_names_not_codes(built):
    tables = pd.concat([read_csv(p) for p in sorted(built.glob("*/*.csv"))], ignore_index=True)
    tidy = tables[tables["ci_method"] != ""]
    codebook = load_codebook()
    by_level = tidy[tidy["group"].isin(codebook["gov_level"].categories)]
    assert not by_level.empty
    expected = by_level["group"].map(codebook["gov_level"].categories)
    assert (by_level["group_label"] == expected).all()
    assert set(tidy.loc[tidy["group"] == "", "group_label"]) == {"All"}
    editions = tidy[tidy["group"].str.fullmatch(r"[A-Z]{2}-\d{4}")]
    assert not editions.empty
    names = editions["group"].str[:2].map(codebook["country"].categories)
    assert (editions["group_label"] == names + " " + editions["group"].str[3:]).all()
    dont_know = tidy[tidy["indicator"].isin(distribution_items()) & (tidy["category"] == "8")]
    assert not dont_know.empty and set(dont_know["category_label"]) == {"Don't know"}
    assert np.all(tidy["category_label"] != tidy["category"])
