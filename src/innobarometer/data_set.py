"""The active data set and what `make data` writes of each of its editions in `build/data/`.

The real set (`data/mappings/`) is used when it holds any `<CC>-<YYYY>.yaml`, else the synthetic
demo; `DATA=demo|real` or `--data` overrides; the two are never mixed. For each edition, `make data`
(the harmonise layer) writes the harmonised frame (`<CC>-<YYYY>.parquet`) and the facts of its
mapping that reports need (`<CC>-<YYYY>.facts.json`); analysis and the build read them here, so
that what a report is made of lies in the layers it depends on and in `build/data/`.

Standard library only (pandas is imported where a frame is read), so the build's plan reads it on
an up-to-date tree without loading pandas.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from innobarometer import paths
from innobarometer.paths import MAPPING_NAME, display_path

if TYPE_CHECKING:
    import pandas as pd


DATA_KINDS = ("demo", "real")
# The editions a report's notebook declares it reads (comma-separated): the build's worker sets it
# for each report's kernel, and `analysis.load_edition` refuses any other edition.
READS_ENV = "INNOBAROMETER_READS"


class DataSetError(Exception):
    """The data set cannot be chosen or loaded; the message says what to do."""


@dataclass(frozen=True)
class ActiveSet:
    """Which data set a build uses, and its mappings by edition id (sorted)."""

    kind: str
    mappings: dict[str, Path]

    @property
    def editions(self) -> list[str]:
        """The edition ids, sorted."""
        return list(self.mappings)


def mappings_in(folder: Path) -> dict[str, Path]:
    """Every `<CC>-<YYYY>.yaml` in a folder by edition id; other files (README, example) ignored."""
    if not folder.is_dir():
        return {}
    found = {
        p.name.removesuffix(".yaml"): p for p in folder.iterdir() if MAPPING_NAME.match(p.name)
    }
    return dict(sorted(found.items()))


def active_set(data: str | None = None) -> ActiveSet:
    """The data set to use: `data`, else $DATA, else real when data/mappings/ holds a mapping."""
    choice = data or os.environ.get("DATA") or None
    if choice is not None and choice not in DATA_KINDS:
        raise DataSetError(
            f"DATA={choice!r} is not a data set; use demo or real (or leave it unset)"
        )
    real = mappings_in(paths.real_mappings_dir())
    if choice == "real" or (choice is None and real):
        if not real:
            raise DataSetError(
                f"DATA=real but {display_path(paths.real_mappings_dir())} holds no mapping: put "
                "the national file in data/raw/, write data/mappings/<CC>-<YYYY>.yaml for it (see "
                "data/mappings/README.md), and check it with "
                "`python -m innobarometer check data/mappings/<CC>-<YYYY>.yaml`"
            )
        return ActiveSet("real", real)
    return ActiveSet("demo", mappings_in(paths.demo_mappings_dir()))


@dataclass(frozen=True)
class EditionFacts:
    """What the reports need to know of an edition's mapping, written by `make data` beside its
    harmonised frame (`build/data/<CC>-<YYYY>.facts.json`), so that analysis and reports read
    only `build/data/` and never the mapping."""

    country: str
    edition: int
    unit_level: str
    synthetic: bool
    caveats: tuple[str, ...]
    columns: frozenset[str]  # the frame columns the mapping provides
    rules: dict[str, str]  # variable -> the rule of its scale conversion
    # multiple-response item -> the options its national questionnaire did not have
    not_offered: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    # weights but no strata: one stratum, no finite population correction
    without_strata: bool = False
    # background variable -> the coarser national classes it was recoded to -> classes spanned
    coarsened: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)
    # item -> the categories its recode cannot produce (not measured in this edition)
    not_produced: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    # The mapping's comparability breaks against the previous edition ({variable, changed, note})
    comparability: tuple[dict, ...] = ()

    @property
    def edition_id(self) -> str:
        """The edition's id, e.g. 'DK-2023'."""
        return f"{self.country}-{self.edition}"

    def to_json(self) -> str:
        """The facts as JSON, sorted, so the same mapping always writes the same bytes."""
        fields = dataclasses.asdict(self) | {"columns": sorted(self.columns)}
        return json.dumps(fields, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> EditionFacts:
        """Facts as `to_json` wrote them."""
        fields = json.loads(text)
        fields["caveats"] = tuple(fields["caveats"])
        fields["columns"] = frozenset(fields["columns"])
        fields["comparability"] = tuple(fields.get("comparability", ()))
        return cls(**fields)


def harmonised_path(edition_id: str) -> Path:
    """Where the harmonised, validated frame of an edition is written."""
    return paths.build_dir() / "data" / f"{edition_id}.parquet"


def facts_path(edition_id: str) -> Path:
    """Where the facts of an edition's mapping are written beside its frame (`EditionFacts`)."""
    return paths.build_dir() / "data" / f"{edition_id}.facts.json"


def _check_active(edition_id: str, data: str | None) -> None:
    """An error naming the active editions unless `edition_id` is one of them."""
    active = active_set(data)
    if edition_id not in active.mappings:
        known = ", ".join(active.editions) or "none"
        raise DataSetError(
            f"{edition_id} is not an edition of the {active.kind} data set (editions: {known})"
        )


def edition_files(edition_id: str, data: str | None = None) -> tuple[Path, Path]:
    """The harmonised frame and the facts of an edition of the active data set: what a report
    reads of it."""
    _check_active(edition_id, data)
    return harmonised_path(edition_id), facts_path(edition_id)


def _written(path: Path) -> Path:
    """A file `make data` writes, or an error saying to run it."""
    if not path.is_file():
        raise DataSetError(
            f"{display_path(path)} does not exist: run `make data` (or "
            "`python -m innobarometer data`) to harmonise the active mappings"
        )
    return path


def load_facts(edition_id: str, data: str | None = None) -> EditionFacts:
    """The facts of an edition's mapping, as `make data` wrote them."""
    _check_active(edition_id, data)
    return EditionFacts.from_json(_written(facts_path(edition_id)).read_text(encoding="utf-8"))


def load_frame(edition_id: str, data: str | None = None) -> pd.DataFrame:
    """The harmonised frame of an edition, as `make data` wrote it."""
    _check_active(edition_id, data)
    path = _written(harmonised_path(edition_id))
    # lazy: the build's plan reads this module on every build without loading pandas
    import pandas as pd

    return pd.read_parquet(path)
