"""Harmonised editions ready to estimate, and the parameters that choose them.

`load_edition` reads an edition's frame from `build/data/` once per process while its files are
unchanged; the report parameters (`open_report`, `open_editions`) are checked here first, so a
mistyped country or edition fails with the editions there are.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import pandas as pd

from innobarometer.codebook import LATEST, countries, latest_editions
from innobarometer.data_set import (
    READS_ENV,
    EditionFacts,
    active_set,
    edition_files,
    load_facts,
    load_frame,
)
from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.intervals import check_share_method
from innobarometer.wording import did_you_mean


class AnalysisError(ValueError):
    """A request that names something the codebook or data set does not have."""


@dataclass(frozen=True)
class Edition:
    """One country-edition ready to estimate: its harmonised frame, its design, and the facts of
    its mapping that `make data` wrote beside the frame (`data_set.EditionFacts`)."""

    edition_id: str
    frame: pd.DataFrame
    design: SurveyDesign
    facts: EditionFacts
    # False for microdata; True for a partner's tables (`analysis.delivered.DeliveredEdition`).
    delivered = False

    @property
    def country(self) -> str:
        return self.facts.country

    @property
    def year(self) -> int:
        return int(self.facts.edition)

    @property
    def synthetic(self) -> bool:
        return bool(self.facts.synthetic)

    @property
    def caveats(self) -> list[str]:
        return list(self.facts.caveats)

    @functools.cached_property
    def empty_columns(self) -> frozenset[str]:
        """Frame columns missing for every unit (looked up once: each section asks)."""
        return frozenset(self.frame.columns[self.frame.isna().all().to_numpy()])

    @property
    def mapped_columns(self) -> frozenset[str]:
        """Frame columns the mapping provides (`Mapping.provided_columns`): the others were not
        asked."""
        return self.facts.columns


def declared_reads() -> frozenset[str] | None:
    """The editions the running report declares it reads (set by the build for each report's
    kernel, `data_set.READS_ENV`); None outside a build, where any edition may be read."""
    value = os.environ.get(READS_ENV)
    return None if value is None else frozenset(e for e in value.split(",") if e)


def load_edition(edition_id: str, data: str | None = None) -> Edition:
    """The harmonised frame, its design and its facts for an edition id such as DK-2023.

    Read once per process while the frame and facts files are unchanged (a Nordic report reads
    each edition several times); every call gets a frame of its own (copy-on-write), so a change
    a notebook makes to one is seen by no other.
    """
    declared = declared_reads()
    if declared is not None and edition_id not in declared:
        raise AnalysisError(
            f"this report reads {edition_id}, which its notebook does not declare, so the build "
            f"would not rebuild it when {edition_id} changes; it declares "
            f"{', '.join(sorted(declared)) or 'nothing'}. Add the scope to the notebook's "
            'reads cell: reads = ["edition", "country"] reads every edition of its country, '
            'reads = ["editions", "countries"] every edition of the countries an edition-set '
            "report compares"
        )
    stamp = tuple((str(f), *_file_identity(f)) for f in edition_files(edition_id, data))
    frame, design, facts = _read_edition(edition_id, data, stamp)
    return Edition(edition_id, frame.copy(deep=False), design, facts)


def load_active_editions() -> None:
    """Read every edition of the active data set into `load_edition`'s cache (the build's
    zygote does, so that each report's kernel starts with them)."""
    for edition_id in active_editions():
        load_edition(edition_id)


def _file_identity(path) -> tuple[int, ...]:
    """(inode, change and modification times in ns, size) of a file; zeros when it does not
    exist. The change time cannot be set back (a copy keeping its modification time still
    differs), and `make data` renames a new file into place (a new inode)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return 0, 0, 0, 0
    return status.st_ino, status.st_ctime_ns, status.st_mtime_ns, status.st_size


@functools.lru_cache(maxsize=64)  # every edition of a large real set
def _read_edition(edition_id: str, data: str | None, stamp: tuple) -> tuple:
    """Frame, design and facts of an edition as its files are at `stamp` (the cache key)."""
    frame, facts = load_frame(edition_id, data), load_facts(edition_id, data)
    # Weights only (no strata): one stratum, no finite population correction.
    population = None if facts.without_strata else "stratum_population"
    return frame, SurveyDesign.from_frame(frame, population=population), facts


def active_editions(data: str | None = None) -> list[str]:
    """Edition ids of the active data set (demo or real), sorted."""
    return sorted(active_set(data).editions)


def country_editions(country: str, data: str | None = None) -> list[str]:
    """The active editions of one country, oldest first."""
    return [e for e in active_editions(data) if e.startswith(f"{country}-")]


def check_parameters(country: str, edition: int, threshold: int, ci_method: str, data=None) -> str:
    """The edition id of a report's parameters, or an error that says what to pass instead."""
    check_options(threshold, ci_method)
    if country not in countries():
        hint = did_you_mean(str(country).upper(), countries())
        raise AnalysisError(
            f"country {country!r} is not a Nordic barometer country{hint}; "
            f"use one of {', '.join(countries())}"
        )
    edition_id = f"{country}-{edition}"
    known = active_editions(data)
    if isinstance(edition, bool) or not isinstance(edition, int) or edition_id not in known:
        mine = country_editions(country, data)
        raise AnalysisError(
            f"edition {edition!r} of {country} is not in the active data set; editions of "
            f"{country}: {', '.join(mine) or 'none'} (all: {', '.join(known) or 'none'})"
        )
    return edition_id


def check_options(threshold: int, ci_method: str) -> dict:
    """The estimation options of a report, checked: disclosure threshold and interval method."""
    check_share_method(ci_method)
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise AnalysisError(f"threshold must be a whole number of at least 1, not {threshold!r}")
    return {"ci_method": ci_method, "threshold": threshold}


def open_report(country: str, edition: int, threshold: int, ci_method: str, data=None):
    """A theme report's edition and estimation options from its parameters (checked first)."""
    edition_id = check_parameters(country, edition, threshold, ci_method, data)
    return load_edition(edition_id, data), check_options(threshold, ci_method)


def resolve_editions(editions, data: str | None = None) -> list[str]:
    """The Nordic report's editions: `latest` (each country's latest) or a list of edition ids."""
    known = active_editions(data)
    if editions == LATEST:
        return list(latest_editions(known))
    if isinstance(editions, str) or not isinstance(editions, (list, tuple)) or not editions:
        raise AnalysisError(
            f"editions must be {LATEST!r} or a list of edition ids such as ['DK-2023'], "
            f"not {editions!r}"
        )
    unknown = [e for e in editions if e not in known]
    if unknown:
        raise AnalysisError(
            f"not active editions: {', '.join(map(str, unknown))}"
            f"{did_you_mean(str(unknown[0]), known)}; active: {', '.join(known) or 'none'}"
        )
    return list(editions)


def open_editions(editions, threshold: int, ci_method: str, data=None):
    """The Nordic report's editions (loaded) and estimation options, checked first."""
    options = check_options(threshold, ci_method)
    return [load_edition(e, data) for e in resolve_editions(editions, data)], options
