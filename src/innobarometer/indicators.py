"""Published indicators (`indicators.yaml`) in codebook terms, their unit values and scopes.

Each name in `reference/headline_figures.csv` is defined once: which answers count as yes, over
which universe, which answers form the base. Calibration and the reports' "published" column both
read the definitions from here; the theme reports read which indicators each theme uses.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innobarometer.codebook import (
    CODED_TYPES,
    THEMES,
    UNIVERSES,
    Codebook,
    CodebookError,
    load_codebook,
    read_yaml,
    universe_mask,
)
from innobarometer.paths import REFERENCE_DIR

INDICATORS_PATH = Path(__file__).resolve().parent / "indicators.yaml"
HEADLINE_FIGURES_PATH = REFERENCE_DIR / "headline_figures.csv"
SOURCES_PATH = REFERENCE_DIR / "sources.csv"
INDICATOR_KEYS = (
    "label",
    "universe",
    "when",
    "any_of",
    "exclude_from_base",
    "not_compared",
    "judgement",
    "note",
)
EDITION_ID = re.compile(r"^[A-Z]{2}-\d{4}$")
SCOPE_KEYS = ("where", "note")
THEME_KEYS = ("indicators", "headline")
TOP_LEVEL_KEYS = ("indicators", "scopes", "themes")


class IndicatorError(ValueError):
    """The indicator file breaks its schema or the codebook; the message names what to fix."""


@dataclass(frozen=True)
class Condition:
    """One frame column and the codes in it that count as yes."""

    variable: str
    column: str
    codes: tuple[int, ...]

    def describe(self) -> str:
        """The condition as text, e.g. `novelty in {2, 3}`."""
        return f"{self.column} in {{{', '.join(str(c) for c in self.codes)}}}"


@dataclass(frozen=True)
class Indicator:
    """A published indicator: yes when any condition holds, over a universe, with a base rule."""

    name: str
    label: str
    universe: str
    conditions: tuple[Condition, ...]
    exclude_from_base: tuple[int, ...]  # by default the codebook's non-substantive codes
    not_compared: tuple[str, ...] = ()
    judgement: str = ""
    note: str = ""

    def describe(self) -> str:
        """The definition as one line of text, for tables and the codebook page."""
        excluded = ", ".join(str(c) for c in self.exclude_from_base) or "none"
        return (
            " or ".join(c.describe() for c in self.conditions)
            + f"; universe {self.universe}; left out of the base: {excluded}"
        )


@dataclass(frozen=True)
class Scope:
    """Which units of an edition a published figure is over (no `where` = all units)."""

    name: str
    where: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    note: str = ""

    def describe(self) -> str:
        """The rule as text, e.g. `gov_level in {municipal, regional}`."""
        if not self.where:
            return "all units"
        return " and ".join(f"{col} in {{{', '.join(vals)}}}" for col, vals in self.where.items())


@dataclass(frozen=True)
class ThemeIndicators:
    """A theme report's published indicators, and the few the Nordic report compares."""

    indicators: tuple[str, ...]
    headline: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicators:
    """Every indicator definition, scope rule and theme's indicators, as loaded from one file."""

    indicators: dict[str, Indicator] = field(hash=False)
    scopes: dict[str, Scope] = field(hash=False)
    themes: dict[str, ThemeIndicators] = field(hash=False)
    path: str = ""

    def __getitem__(self, name: str) -> Indicator:
        try:
            return self.indicators[name]
        except KeyError:
            raise KeyError(
                f"{name!r} is not an indicator of {self.path}; known: {', '.join(self.indicators)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.indicators

    def scope(self, name: str) -> Scope:
        """The rule of one `scope` string of the published figures."""
        try:
            return self.scopes[name]
        except KeyError:
            raise KeyError(
                f"scope {name!r} is not under `scopes` in {self.path}; add its rule there "
                f"(known: {', '.join(self.scopes)})"
            ) from None

    def theme(self, name: str) -> ThemeIndicators:
        """The published indicators of one theme."""
        try:
            return self.themes[name]
        except KeyError:
            raise KeyError(
                f"theme {name!r} is not under `themes` in {self.path}; "
                f"known: {', '.join(self.themes)}"
            ) from None


def _parse_condition(raw: object, where: str, codebook: Codebook) -> list[Condition]:
    """One `{variable, codes}` or `{variable, options}` entry -> its conditions (one per column)."""
    if (
        not isinstance(raw, dict)
        or "variable" not in raw
        or set(raw) - {"variable", "codes", "options"}
    ):
        raise IndicatorError(
            f"{where}: a condition is {{variable, codes}} or {{variable, options}}, got {raw!r}"
        )
    name = raw["variable"]
    if name not in codebook:
        raise IndicatorError(f"{where}: variable {name!r} is not in the codebook")
    var = codebook[name]
    if var.type == "multiple":
        options = raw.get("options")
        if "codes" in raw or not isinstance(options, list) or not options:
            raise IndicatorError(
                f"{where}: {name} is multiple response; give `options` (a list of its options)"
            )
        unknown = [o for o in options if o not in var.options]
        if unknown:
            raise IndicatorError(
                f"{where}: {name} has no option(s) {unknown}; known: {', '.join(var.options)}"
            )
        return [Condition(name, f"{name}_{option}", (1,)) for option in options]
    if var.type not in CODED_TYPES:
        raise IndicatorError(f"{where}: {name} is a {var.type} variable, not a coded item")
    codes = raw.get("codes")
    if "options" in raw or not isinstance(codes, list) or not codes:
        raise IndicatorError(f"{where}: {name} is a {var.type} item; give `codes` (a list)")
    unknown = [c for c in codes if c not in var.categories]
    if unknown:
        raise IndicatorError(
            f"{where}: {name} has no substantive code(s) {unknown}; "
            f"known: {', '.join(str(c) for c in var.categories)}"
        )
    return [Condition(name, name, tuple(codes))]


def _parse_indicator(name: str, raw: object, path: Path, codebook: Codebook) -> Indicator:
    """One YAML entry -> Indicator, or an IndicatorError naming what to fix."""
    where = f"{path}: indicator {name!r}"
    if not isinstance(raw, dict):
        raise IndicatorError(f"{where}: expected a mapping with label, universe and when/any_of")
    unknown = sorted(set(raw) - set(INDICATOR_KEYS))
    if unknown:
        raise IndicatorError(f"{where}: unknown key(s) {unknown}; allowed: {INDICATOR_KEYS}")
    if not isinstance(raw.get("label"), str) or not raw["label"].strip():
        raise IndicatorError(f"{where}: `label` must be a non-empty text")
    if raw.get("universe") not in UNIVERSES:
        raise IndicatorError(
            f"{where}: universe {raw.get('universe')!r} unknown; use one of {', '.join(UNIVERSES)}"
        )
    if ("when" in raw) == ("any_of" in raw):
        raise IndicatorError(
            f"{where}: give exactly one of `when` (a condition) or `any_of` (a list)"
        )
    if "when" in raw:
        entries = [raw["when"]]
    elif isinstance(raw["any_of"], list) and raw["any_of"]:
        entries = raw["any_of"]
    else:
        raise IndicatorError(f"{where}: `any_of` must be a non-empty list of conditions")
    conditions = [c for entry in entries for c in _parse_condition(entry, where, codebook)]
    excluded = raw.get("exclude_from_base", list(codebook.non_substantive_labels))
    if not isinstance(excluded, list) or any(
        c not in codebook.non_substantive_labels for c in excluded
    ):
        raise IndicatorError(
            f"{where}: exclude_from_base must list non-substantive codes "
            f"({', '.join(str(c) for c in codebook.non_substantive_labels)})"
        )
    not_compared = raw.get("not_compared", [])
    if not isinstance(not_compared, list) or not all(
        isinstance(e, str) and EDITION_ID.match(e) for e in not_compared
    ):
        raise IndicatorError(f"{where}: not_compared must list edition ids such as IS-2021")
    if not_compared and not str(raw.get("judgement", "")).strip():
        raise IndicatorError(
            f"{where}: not_compared needs a `judgement` saying why those figures differ"
        )
    return Indicator(
        name=name,
        label=raw["label"].strip(),
        universe=raw["universe"],
        conditions=tuple(conditions),
        exclude_from_base=tuple(excluded),
        not_compared=tuple(not_compared),
        judgement=" ".join(str(raw.get("judgement", "")).split()),
        note=" ".join(str(raw.get("note", "")).split()),
    )


def _parse_scope(name: str, raw: object, path: Path, codebook: Codebook) -> Scope:
    """One scope rule: background columns and the codes allowed in each."""
    where = f"{path}: scope {name!r}"
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - set(SCOPE_KEYS):
        raise IndicatorError(f"{where}: a scope takes `where` (column: [codes]) and `note`")
    rule = raw.get("where") or {}
    if not isinstance(rule, dict):
        raise IndicatorError(f"{where}: `where` maps a background column to a list of its codes")
    for column, values in rule.items():
        var = codebook.variables.get(column)
        if var is None or var.type not in ("background", "design") or not var.categories:
            raise IndicatorError(
                f"{where}: {column!r} is not a background variable with categories"
            )
        if (
            not isinstance(values, list)
            or not values
            or any(v not in var.categories for v in values)
        ):
            raise IndicatorError(
                f"{where}: {column} codes {values!r} must be a list drawn from "
                f"{', '.join(var.categories)}"
            )
    return Scope(
        name=name,
        where={c: tuple(v) for c, v in rule.items()},
        note=" ".join(str(raw.get("note", "")).split()),
    )


def _parse_theme(
    name: str, raw: object, path: Path, defined: dict[str, Indicator]
) -> ThemeIndicators:
    """One theme's `indicators` and `headline`: defined indicators, the headline among the rest."""
    where = f"{path}: theme {name!r}"
    if name not in THEMES:
        raise IndicatorError(f"{where} is not a codebook theme; use one of {', '.join(THEMES)}")
    if not isinstance(raw, dict) or "indicators" not in raw or set(raw) - set(THEME_KEYS):
        raise IndicatorError(
            f"{where}: a theme takes `indicators` (a list) and optionally `headline` (a list)"
        )
    lists = {key: raw.get(key, []) for key in THEME_KEYS}
    for key, names in lists.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise IndicatorError(f"{where}: `{key}` must be a list of indicator names")
        unknown = [n for n in names if n not in defined]
        if unknown:
            raise IndicatorError(
                f"{where}: `{key}` names {unknown}, not indicators of this file; "
                f"known: {', '.join(defined)}"
            )
    if not lists["indicators"]:
        raise IndicatorError(f"{where}: `indicators` must not be empty")
    outside = [n for n in lists["headline"] if n not in lists["indicators"]]
    if outside:
        raise IndicatorError(f"{where}: headline {outside} must also be among its `indicators`")
    return ThemeIndicators(tuple(lists["indicators"]), tuple(lists["headline"]))


def parse_indicators(path: str | os.PathLike, codebook: Codebook | None = None) -> Indicators:
    """Read and check an indicator file against the codebook."""
    path = Path(path)
    codebook = codebook or load_codebook()
    try:
        raw = read_yaml(path)
    except CodebookError as error:
        raise IndicatorError(str(error)) from None
    if not isinstance(raw, dict) or set(raw) != set(TOP_LEVEL_KEYS):
        raise IndicatorError(
            f"{path}: expected exactly three top-level keys, indicators, scopes and themes"
        )
    if not all(isinstance(raw[key], dict) for key in TOP_LEVEL_KEYS):
        raise IndicatorError(
            f"{path}: `indicators`, `scopes` and `themes` must be mappings keyed by name"
        )
    indicators = {n: _parse_indicator(n, d, path, codebook) for n, d in raw["indicators"].items()}
    scopes = {str(n): _parse_scope(str(n), d, path, codebook) for n, d in raw["scopes"].items()}
    themes = {str(n): _parse_theme(str(n), d, path, indicators) for n, d in raw["themes"].items()}
    themed = {name for theme in themes.values() for name in theme.indicators}
    unthemed = [name for name in indicators if name not in themed]
    if unthemed:
        raise IndicatorError(
            f"{path}: indicator(s) {unthemed} belong to no theme; "
            "list each under a theme's `indicators` in `themes`"
        )
    return Indicators(indicators, scopes, themes, str(path))


@functools.cache
def load_indicators() -> Indicators:
    """The package's indicator definitions, parsed and checked once per process."""
    return parse_indicators(INDICATORS_PATH)


def _resolve(indicator: str | Indicator) -> Indicator:
    """A package indicator by name, or a definition passed in (e.g. from another file)."""
    return indicator if isinstance(indicator, Indicator) else load_indicators()[indicator]


def _answers(frame: pd.DataFrame, indicator: Indicator) -> tuple[np.ndarray, ...]:
    """Per unit: in the universe, any condition yes, any substantive answer (not excluded)."""
    missing = [c.column for c in indicator.conditions if c.column not in frame.columns]
    if missing:
        raise KeyError(
            f"indicator {indicator.name!r} needs column(s) {', '.join(missing)}, which the frame "
            "lacks; map them (all <NA> where the edition did not ask the question)"
        )
    shape = (len(indicator.conditions), len(frame))
    yes, substantive = np.zeros(shape, bool), np.zeros(shape, bool)
    for i, condition in enumerate(indicator.conditions):
        values = frame[condition.column]
        answered = values.notna().to_numpy(bool)
        yes[i] = values.isin(condition.codes).fillna(False).to_numpy(bool)
        excluded = values.isin(indicator.exclude_from_base).fillna(False).to_numpy(bool)
        substantive[i] = answered & ~excluded
    in_universe = universe_mask(frame, indicator.universe)
    return in_universe, yes.any(axis=0), substantive.any(axis=0)


def indicator_values(frame: pd.DataFrame, indicator: str | Indicator) -> pd.Series:
    """1.0 yes / 0.0 no per unit; NaN outside the base (outside the universe, not asked, 8/9)."""
    indicator = _resolve(indicator)
    in_universe, yes, substantive = _answers(frame, indicator)
    values = np.where(yes, 1.0, np.where(substantive, 0.0, np.nan))
    values[~in_universe] = np.nan
    return pd.Series(values, index=frame.index, name=indicator.name)


def scope_mask(frame: pd.DataFrame, scope: str) -> np.ndarray:
    """Which units a published figure's `scope` covers (missing gov_level counts as outside)."""
    rule = load_indicators().scope(scope)
    mask = np.ones(len(frame), dtype=bool)
    for column, codes in rule.where.items():
        if column not in frame.columns:
            raise KeyError(f"scope {scope!r} needs column {column!r}, which the frame lacks")
        mask &= frame[column].astype("string").isin(codes).fillna(False).to_numpy(bool)
    return mask


def _source_urls() -> pd.Series:
    """Source key -> address; `same` repeats the address of the row above, as the file means it."""
    sources = pd.read_csv(SOURCES_PATH, dtype=str, keep_default_na=False)
    urls = sources["url"].mask(sources["url"] == "same").ffill()
    return pd.Series(urls.to_numpy(), index=sources["source_key"], name="source_url")


def published_figures(
    country: str | None = None,
    edition: int | str | None = None,
    *,
    include_not_compared: bool = False,
) -> pd.DataFrame:
    """The published figures, each with its indicator's definition, scope rule and source URL.

    `edition` stays as the file gives it: the survey year as int, or `nordic-2019` for the Nordic
    comparison report (comparison only, never a calibration target). Figures an indicator lists
    under `not_compared` (published with another meaning, e.g. Iceland 2021's "main partner"
    shares) measure something else than its definition: they are left out, so that nothing
    calibrates to them or sets an estimate beside them, unless `include_not_compared` (then
    `compared` is False on their rows).
    """
    figures = pd.read_csv(HEADLINE_FIGURES_PATH, dtype=str, keep_default_na=False)
    figures["edition"] = [int(e) if e.isdigit() else e for e in figures["edition"]]
    figures["value_pct"] = figures["value_pct"].astype(float)
    if country is not None:
        if country not in set(figures["country"]):
            raise ValueError(
                f"country {country!r} has no published figures; known: "
                f"{', '.join(sorted(set(figures['country'])))}"
            )
        figures = figures[figures["country"] == country]
    if edition is not None:
        wanted = int(edition) if str(edition).isdigit() else edition
        figures = figures[figures["edition"] == wanted]
    defined = load_indicators()
    edition_ids = figures["country"] + "-" + figures["edition"].astype(str)
    compared = [
        edition_id not in defined[name].not_compared
        for name, edition_id in zip(figures["indicator"], edition_ids)
    ]
    figures["compared"] = pd.Series(compared, index=figures.index, dtype=bool)
    if not include_not_compared:
        figures = figures[figures["compared"]]
    figures = figures.reset_index(drop=True)
    figures["share"] = figures["value_pct"] / 100
    # Only national editions are calibration targets; the Nordic report's rows are comparisons.
    numeric = figures["edition"].map(lambda e: isinstance(e, int)).astype(bool)
    figures["calibration_target"] = numeric & figures["compared"]
    figures["label"] = figures["indicator"].map(lambda n: defined[n].label)
    figures["universe"] = figures["indicator"].map(lambda n: defined[n].universe)
    figures["definition"] = figures["indicator"].map(lambda n: defined[n].describe())
    figures["scope_rule"] = figures["scope"].map(lambda s: defined.scope(s).describe())
    figures["source_url"] = figures["source_key"].map(_source_urls()).fillna("")
    return figures
