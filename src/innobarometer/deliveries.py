"""Editions delivered as estimate tables: `data/delivered/<CC>-<YYYY>/`.

As in 2019, each country's file may stay with its owner: the partner runs
`python -m innobarometer deliver <CC>-<YYYY>` on its own national build and sends the folder it
writes; placed under `data/delivered/`, the edition takes part in the Nordic rounds and trends
from its tables (`analysis.delivered`). An edition whose microdata is in the active data set is
built here and its delivered folder, if any, is not read. Standard library only: the build's plan
lists these folders on every build.
"""

from __future__ import annotations

import re
from pathlib import Path

from innobarometer import paths
from innobarometer.data_set import DataSetError

# What a delivery holds (each written by the `deliver` command; `analysis.delivered` reads them).
DELIVERED_FILES = ("estimates.csv", "differences.csv", "facts.json", "delivery.json")
EDITION_FOLDER = re.compile(r"^[A-Z]{2}-\d{4}$")


def delivered_dir() -> Path:
    """`data/delivered/`: one folder per edition delivered as tables."""
    return paths.project_root() / "data" / "delivered"


def delivered_editions() -> dict[str, Path]:
    """Every delivered edition's folder by edition id, sorted; a folder not named as an edition
    id is an error naming it (files such as a README are ignored)."""
    folder = delivered_dir()
    if not folder.is_dir():
        return {}
    found = {}
    for entry in sorted(folder.iterdir()):
        if not entry.is_dir():
            continue
        if not EDITION_FOLDER.match(entry.name):
            raise DataSetError(
                f"{paths.display_path(entry)}: a delivered edition's folder is named by its "
                "edition id, such as data/delivered/DK-2017; rename it (or move it out of "
                "data/delivered/)"
            )
        found[entry.name] = entry
    return found


def delivered_only(active: list[str] | tuple[str, ...]) -> dict[str, Path]:
    """The delivered editions whose microdata is not among `active` (microdata comes first)."""
    return {e: folder for e, folder in delivered_editions().items() if e not in active}


def delivery_files(edition_id: str) -> tuple[Path, ...]:
    """The files of a delivered edition (`DELIVERED_FILES`), present or not."""
    return tuple(delivered_dir() / edition_id / name for name in DELIVERED_FILES)
