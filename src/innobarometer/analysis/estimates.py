"""Codebook-aware estimation: a variable, a battery or a published indicator of one edition.

The generic estimators (`estimate.py`) know numbers; this module knows what the codebook says about
a variable (its type, categories, options and universe) and chooses the estimator, the base and the
domain from it, so notebooks and the `estimate` command never restate that knowledge.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from difflib import get_close_matches

import numpy as np
import pandas as pd

from innobarometer.codebook import UNIVERSES, Variable, load_codebook, universe_mask
from innobarometer.indicators import (
    indicator_values,
    load_indicators,
    published_figures,
    scope_mask,
)
from innobarometer.survey.design import SurveyDesign
from innobarometer.survey.disclosure import DEFAULT_THRESHOLD
from innobarometer.survey.estimate import (
    OPTIONS_TICKED,
    TIDY_COLUMNS,
    estimate_distribution,
    estimate_means,
    estimate_multiple_response,
    estimate_ordinal_battery,
    estimate_shares,
)
from innobarometer.survey.intervals import check_share_method

DOMAINS = UNIVERSES


class AnalysisError(ValueError):
    """A request that names something the codebook or data set does not have."""


@dataclass(frozen=True)
class Edition:
    """One country-edition ready to estimate: its harmonised frame, design and mapping."""

    edition_id: str
    frame: pd.DataFrame
    design: SurveyDesign
    mapping: object

    @property
    def country(self) -> str:
        return self.mapping.country

    @property
    def year(self) -> int:
        return int(self.mapping.edition)

    @property
    def synthetic(self) -> bool:
        return bool(self.mapping.synthetic)

    @property
    def caveats(self) -> list[str]:
        return list(self.mapping.caveats)

    @functools.cached_property
    def empty_columns(self) -> frozenset[str]:
        """Frame columns missing for every unit (looked up once: each section asks)."""
        return frozenset(self.frame.columns[self.frame.isna().all().to_numpy()])

    @functools.cached_property
    def mapped_columns(self) -> frozenset[str] | None:
        """Frame columns the mapping provides (a column, a constant, a derived `innovative`, the
        options it lists); None for an edition made without a mapping file."""
        from innobarometer.harmonise.mapping import SET_BY_MAPPING

        columns = getattr(self.mapping, "columns", None)
        if not isinstance(columns, dict):
            return None
        codebook = load_codebook()
        provided = {*SET_BY_MAPPING, *self.mapping.constants}
        if self.mapping.derives_innovative:
            provided.add("innovative")
        for name, column_map in columns.items():
            if column_map.kind == "options":
                provided.update(f"{name}_{option}" for option in column_map.options)
            elif column_map.kind == "delimited":
                provided.update(f"{name}_{option}" for option in column_map.codes.values())
            else:
                provided.update(codebook[name].columns)
        return frozenset(provided)


def load_edition(edition_id: str, data: str | None = None) -> Edition:
    """The harmonised frame, its design and its mapping for an edition id such as DK-2023.

    Read once per process while the mapping and frame files are unchanged (a Nordic report
    reads each edition several times); every call gets a frame of its own (copy-on-write), so
    a change a notebook makes to one is seen by no other.
    """
    from innobarometer.harmonise.datasets import edition_files

    stamp = tuple((str(f), *_file_identity(f)) for f in edition_files(edition_id, data))
    frame, design, mapping = _read_edition(edition_id, data, stamp)
    return Edition(edition_id, frame.copy(deep=False), design, mapping)


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
    """Frame, design and mapping of an edition as its files are at `stamp` (the cache key)."""
    from innobarometer.harmonise.datasets import load_frame, load_mapping

    frame = load_frame(edition_id, data)
    return frame, SurveyDesign.from_frame(frame), load_mapping(edition_id, data)


def _suggest(name: str, known) -> str:
    close = get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def domain_mask(frame: pd.DataFrame, domain: str) -> np.ndarray:
    """The units of a named domain (`all`, `innovators`, `non_innovators`, ...)."""
    if domain not in DOMAINS:
        raise AnalysisError(
            f"unknown domain {domain!r}{_suggest(domain, DOMAINS)}; use one of {', '.join(DOMAINS)}"
        )
    return universe_mask(frame, domain)


def _groups(frame: pd.DataFrame, by):
    """Group labels per unit from a column name, or given directly (a Series; NA: no group)."""
    if by is None:
        return None
    if not isinstance(by, str):
        labels = pd.Series(by).reset_index(drop=True).astype(object)
        return labels.where(labels.notna(), None).to_numpy()
    if by not in frame.columns:
        raise AnalysisError(
            f"cannot group by {by!r}: not a column of the harmonised frame{_suggest(by, frame)}"
        )
    return frame[by].astype("string").fillna("(missing)").to_numpy(dtype=object)


def _scope(frame, variable_universe: str, domain: str | None):
    """The domain mask and name: the variable's universe, narrowed by a requested domain."""
    mask = domain_mask(frame, variable_universe)
    name = variable_universe
    if domain is not None and domain != variable_universe and domain != "all":
        mask = mask & domain_mask(frame, domain)
        name = domain if variable_universe == "all" else f"{variable_universe} & {domain}"
    return mask, name


def estimate_variable(
    edition: Edition,
    variable: str,
    *,
    by: str | None = None,
    domain: str | None = None,
    ci_method: str = "logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Estimate one codebook variable over its universe (narrowed by `domain`), optionally by group.

    Binary: the share answering yes (don't know outside the base); single choice, ordinal and
    background: the distribution (don't know / not relevant as separate rows); multiple response:
    every option's share and the mean number ticked; numeric: the mean.
    """
    check_share_method(ci_method)
    codebook = load_codebook()
    if variable not in codebook:
        raise AnalysisError(
            f"{variable!r} is not a codebook variable{_suggest(variable, codebook.variables)}; "
            "see `python -m innobarometer codebook`"
        )
    var = codebook[variable]
    asked = asked_columns(edition, variable)
    if not asked or _grouped_by_unasked(edition, by):
        return empty_table()
    frame = edition.frame
    mask, name = _scope(frame, var.universe, domain)
    common = dict(
        domain=mask,
        domain_name=name,
        groups=_groups(frame, by),
        ci_method=ci_method,
        threshold=threshold,
    )
    if var.type == "binary":
        codes = frame[variable].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        base = ~np.isnan(codes) & ~np.isin(codes, var.non_substantive)
        values = pd.DataFrame({variable: np.where(base, codes == 1, np.nan)})
        return estimate_shares(edition.design, values, **common)
    if var.type in ("single", "ordinal"):
        return estimate_distribution(
            edition.design,
            frame[variable],
            categories=list(var.categories),
            non_substantive=var.non_substantive,
            **common,
        )
    if var.type == "multiple":
        options = frame[asked].astype("Float64").astype(float)
        options.columns = [c.removeprefix(f"{variable}_") for c in asked]
        table = estimate_multiple_response(edition.design, options, variable, **common)
        # A count over the options asked is not the item's count of options ticked.
        partial = len(asked) < len(var.columns)
        return table[table["category"] != OPTIONS_TICKED] if partial else table
    if var.type == "numeric":
        common.pop("ci_method")
        values = frame[[variable]].astype(float)
        return estimate_means(edition.design, values, **common)
    if var.type == "background":
        return _background_shares(edition, var, common)
    raise AnalysisError(f"{variable!r} is a {var.type} column; it has no estimate")


def _background_shares(edition: Edition, var: Variable, common: dict) -> pd.DataFrame:
    """Shares of the units in each category of a background variable (e.g. sector)."""
    column = edition.frame[var.name].astype("string")
    answered = column.notna().to_numpy()
    values = pd.DataFrame(
        {
            str(code): np.where(answered, (column == str(code)).fillna(False), np.nan)
            for code in var.categories
        }
    )
    table = estimate_shares(edition.design, values, **common)
    return table.assign(category=table["indicator"], indicator=var.name)


def estimate_battery(
    edition: Edition,
    battery: str = "factors",
    *,
    by: str | None = None,
    domain: str | None = None,
    ci_method: str = "logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Promoted and hindered shares and the net balance of every item of an ordinal battery."""
    items = [v for v in load_codebook().battery(battery) if is_asked(edition, v.name)]
    if not items or _grouped_by_unasked(edition, by):
        return empty_table()
    mask, name = _scope(edition.frame, items[0].universe, domain)
    return estimate_ordinal_battery(
        edition.design,
        edition.frame[[v.name for v in items]],
        non_substantive=items[0].non_substantive,
        domain=mask,
        domain_name=name,
        groups=_groups(edition.frame, by),
        ci_method=ci_method,
        threshold=threshold,
    )


def estimate_indicators(
    edition: Edition,
    names: list[str],
    *,
    by: str | None = None,
    scope: str | None = None,
    ci_method: str = "logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Shares of published indicators (indicators.yaml) over their universe, within a `scope`;
    an indicator the edition did not ask (any column of its definition) has no row."""
    defined = load_indicators()
    unknown = [n for n in names if n not in defined]
    if unknown:
        raise AnalysisError(
            f"not published indicators: {', '.join(unknown)}"
            f"{_suggest(unknown[0], defined.indicators)}"
        )
    names = [n for n in names if not not_asked(edition, [n])]
    if not names or _grouped_by_unasked(edition, by):
        return empty_table()
    frame = edition.frame
    values = pd.DataFrame({n: indicator_values(frame, n).to_numpy() for n in names})
    mask = np.ones(len(frame), bool) if scope is None else scope_mask(frame, scope)
    return estimate_shares(
        edition.design,
        values,
        domain=mask,
        domain_name=scope or "all",
        groups=_groups(frame, by),
        ci_method=ci_method,
        threshold=threshold,
    )


COMPARISON_COLUMNS = [
    "indicator",
    "label",
    "published_edition",
    "scope",
    "base",
    "published",
    "estimate",
    "ci_lower",
    "ci_upper",
    "n_unweighted",
    "suppressed",
    "published_inside_interval",
    "source_key",
    "source_url",
    "calibration_target",
]


def compare_with_published(
    edition: Edition,
    figures: pd.DataFrame | None = None,
    *,
    ci_method: str = "logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Each published figure of the edition beside the package's estimate of the same indicator.

    `figures` defaults to the national rows of this edition; pass other rows (e.g. the Nordic
    report's) to set them against this edition. One row per figure: the published share, the
    estimate with its interval, whether the published value lies inside it, and the source. A
    figure whose indicator the edition did not ask has no row (`not_asked` names them).
    """
    if figures is None:
        figures = published_figures(edition.country, edition.year)
    asked = [not not_asked(edition, [name]) for name in figures["indicator"]]
    figures = figures[asked]
    rows = []
    for figure in figures.itertuples(index=False):
        estimate = estimate_indicators(
            edition,
            [figure.indicator],
            scope=figure.scope,
            ci_method=ci_method,
            threshold=threshold,
        ).iloc[0]
        inside = (
            bool(estimate.ci_lower <= figure.share <= estimate.ci_upper)
            if not estimate.suppressed
            else None
        )
        rows.append(
            {
                "indicator": figure.indicator,
                "label": figure.label,
                "published_edition": str(figure.edition),
                "scope": figure.scope,
                "base": figure.base,
                "published": figure.share,
                "estimate": estimate.estimate,
                "ci_lower": estimate.ci_lower,
                "ci_upper": estimate.ci_upper,
                "n_unweighted": estimate.n_unweighted,
                "suppressed": bool(estimate.suppressed),
                "published_inside_interval": inside,
                "source_key": figure.source_key,
                "source_url": figure.source_url,
                "calibration_target": bool(figure.calibration_target),
            }
        )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def labels(table: pd.DataFrame) -> pd.Series:
    """Readable labels for the rows of a tidy table, from the codebook and indicator table.

    A variable's category gets the category's (or option's) label; a binary variable, an ordinal
    item or a published indicator gets the variable's or indicator's label.
    """
    codebook = load_codebook()
    defined = load_indicators()

    def one(indicator: str, category: str) -> str:
        if indicator in codebook:
            var = codebook[indicator]
            if var.type == "multiple" and category in var.options:
                return var.options[category]
            if var.type in ("single", "background"):
                code = int(category) if category.isdigit() else category
                if code in var.categories or code in var.non_substantive:
                    return codebook.label(var, code)
            if var.type == "ordinal" and category.isdigit():
                return codebook.label(var, int(category))
            if category == "options_ticked":
                return f"{var.label}: number ticked"
            return var.label
        if indicator in defined:
            return defined[indicator].label
        return indicator

    return pd.Series(
        [one(str(i), str(c)) for i, c in zip(table["indicator"], table["category"])],
        index=table.index,
        name="label",
    )


def run_estimate_command(args) -> int:
    """`python -m innobarometer estimate EDITION VARIABLE [--by ...] [--domain ...] [--ci ...]`."""
    from innobarometer.harmonise.datasets import DataSetError

    try:
        check_share_method(args.ci)
        if args.threshold < 1:
            raise AnalysisError("--threshold must be a whole number of at least 1")
        edition = load_edition(args.edition, args.data)
        domain = None if args.domain == "all" else args.domain
        if domain is not None:
            domain_mask(edition.frame, domain)
        codebook = load_codebook()
        if args.variable in codebook or args.variable in load_indicators():
            unasked = not_asked(edition, [args.variable])
            if unasked == [args.variable] or (args.variable not in codebook and unasked):
                raise AnalysisError(
                    f"{edition.edition_id} did not ask {', '.join(unasked)} (no unit has an "
                    "answer, or its mapping leaves it out), so there is no estimate"
                )
            if unasked:
                print(
                    f"note: {edition.edition_id} did not ask {', '.join(unasked)}; those "
                    "options have no row",
                    file=sys.stderr,
                )
        if args.variable in codebook:
            table = estimate_variable(
                edition,
                args.variable,
                by=args.by,
                domain=domain,
                ci_method=args.ci,
                threshold=args.threshold,
            )
        elif args.variable in load_indicators():
            if domain is not None:
                raise AnalysisError(
                    "--domain applies to codebook variables; a published indicator has its own"
                )
            table = estimate_indicators(
                edition, [args.variable], by=args.by, ci_method=args.ci, threshold=args.threshold
            )
        else:
            known = list(codebook.variables) + list(load_indicators().indicators)
            raise AnalysisError(
                f"{args.variable!r} is neither a codebook variable nor a published indicator"
                f"{_suggest(args.variable, known)}; see `python -m innobarometer codebook`"
            )
    except (AnalysisError, DataSetError, ValueError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 2
    table.to_csv(sys.stdout, index=False)
    return 0


# ----------------------------------------------------------------------------- report parameters

COUNTRIES = ("DK", "NO", "SE", "FI", "IS")
LATEST = "latest"
# The published indicators each theme report sets beside its estimates (every indicator of
# indicators.yaml belongs to at least one theme; a test keeps it so).
THEME_INDICATORS = {
    "overview": [
        "innovative",
        "new_approach",
        "effect_quality",
        "effect_efficiency",
        "effect_employee_satisfaction",
        "effect_citizen_insight",
        "evaluated",
    ],
    "collaboration": [
        "collaborated_any",
        "collaborated_outside_workplace",
        "partner_own_organisation",
        "partner_other_public",
        "partner_private_firms",
        "partner_citizens",
        "partner_knowledge_institutions",
        "partner_voluntary",
        "citizens_any_role",
        "private_firms_any_role",
    ],
    "diffusion": ["novelty_reused", "evaluated", "spread_actively"],
    "drivers": [
        "initiator_own_manager",
        "initiator_political_leadership",
        "initiator_economic_pressure",
        "initiator_private_firms",
        "employees_key_role",
        "politicians_initiated_or_promoted",
        "promoted_by_employee_participation",
        "promoted_by_cross_workplace_collaboration",
        "externally_financed",
        "financed_own_budget",
        "technology_is_the_solution",
        "technology_important_part",
        "technology_none",
    ],
    "barriers": [
        "hindered_by_employee_participation",
        "hindered_by_cross_workplace_collaboration",
        "limited_economy_played_a_role",
    ],
}
# The few indicators per theme the Nordic report sets side by side for every country.
HEADLINE_INDICATORS = {
    "overview": ["innovative", "effect_quality", "evaluated"],
    "collaboration": ["collaborated_any", "partner_citizens", "partner_private_firms"],
    "diffusion": ["novelty_reused", "spread_actively"],
    "drivers": ["employees_key_role", "initiator_own_manager", "initiator_political_leadership"],
    "barriers": ["limited_economy_played_a_role", "hindered_by_employee_participation"],
}
# The Nordic comparison report (2019) is set against each country's nearest earlier edition.
NORDIC_REPORT = "nordic-2019"
NORDIC_REPORT_YEAR = 2019


def active_editions(data: str | None = None) -> list[str]:
    """Edition ids of the active data set (demo or real), sorted."""
    from innobarometer.harmonise.datasets import active_set

    return sorted(active_set(data).editions)


def country_editions(country: str, data: str | None = None) -> list[str]:
    """The active editions of one country, oldest first."""
    return [e for e in active_editions(data) if e.startswith(f"{country}-")]


def check_parameters(country: str, edition: int, threshold: int, ci_method: str, data=None) -> str:
    """The edition id of a report's parameters, or an error that says what to pass instead."""
    check_options(threshold, ci_method)
    if country not in COUNTRIES:
        hint = _suggest(str(country).upper(), COUNTRIES)
        raise AnalysisError(
            f"country {country!r} is not a Nordic barometer country{hint}; "
            f"use one of {', '.join(COUNTRIES)}"
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
        latest = {e[:2]: e for e in known}
        return [latest[c] for c in COUNTRIES if c in latest]
    if isinstance(editions, str) or not isinstance(editions, (list, tuple)) or not editions:
        raise AnalysisError(
            f"editions must be {LATEST!r} or a list of edition ids such as ['DK-2023'], "
            f"not {editions!r}"
        )
    unknown = [e for e in editions if e not in known]
    if unknown:
        raise AnalysisError(
            f"not active editions: {', '.join(map(str, unknown))}"
            f"{_suggest(str(unknown[0]), known)}; active: {', '.join(known) or 'none'}"
        )
    return list(editions)


def open_editions(editions, threshold: int, ci_method: str, data=None):
    """The Nordic report's editions (loaded) and estimation options, checked first."""
    options = check_options(threshold, ci_method)
    return [load_edition(e, data) for e in resolve_editions(editions, data)], options


# ----------------------------------------------------------------------------- theme helpers


# The variable that decides who is in each narrower universe: a universe with no unit means the
# question was asked only when that variable was (an edition with no innovators asked its
# innovator items; nobody qualified to answer them).
UNIVERSE_VARIABLES = {
    "innovators": "innovative",
    "non_innovators": "innovative",
    "adapters_and_copiers": "novelty",
    "collaborators": "partner",
}


def empty_table() -> pd.DataFrame:
    """A tidy table with no rows: what an estimate of a question the edition did not ask gives."""
    return pd.DataFrame(columns=TIDY_COLUMNS)


def unasked_columns(edition: Edition, variable: str) -> list[str]:
    """The frame columns of a codebook variable that the edition did not ask.

    A column is not asked when the mapping does not provide it (whatever the data hold), when
    the frame lacks it, or when it is missing for every unit although its universe holds units
    (a mapped column can be empty in a wave). A mapped column that is empty because nobody
    qualified (an edition with no innovators asked its innovator items) counts as asked.
    """
    var = load_codebook()[variable]
    mapped = edition.mapped_columns
    present = [
        c for c in var.columns if c in edition.frame.columns and (mapped is None or c in mapped)
    ]
    empty = edition.empty_columns.intersection(present)
    if empty and _nobody_qualified(edition, var.universe):
        empty = set()
    return [c for c in var.columns if c not in present or c in empty]


def _grouped_by_unasked(edition: Edition, by) -> bool:
    """Whether `by` names a codebook variable the edition did not ask (a table by it has no
    rows: a "(missing)" group of every unit would say nothing)."""
    return isinstance(by, str) and by in load_codebook() and not is_asked(edition, by)


def _nobody_qualified(edition: Edition, universe: str) -> bool:
    """Whether a universe is empty although the edition asked who belongs to it."""
    deciding = UNIVERSE_VARIABLES.get(universe)
    if deciding is None or not is_asked(edition, deciding):
        return False
    return not universe_mask(edition.frame, universe).any()


def asked_columns(edition: Edition, variable: str) -> list[str]:
    """The frame columns of a codebook variable that the edition asked, in codebook order."""
    unasked = set(unasked_columns(edition, variable))
    return [c for c in load_codebook()[variable].columns if c not in unasked]


def is_asked(edition: Edition, variable: str) -> bool:
    """Whether the edition asked every column of a codebook variable (`unasked_columns`)."""
    return not unasked_columns(edition, variable)


def not_asked(edition: Edition, names) -> list[str]:
    """What the edition did not ask of the codebook variables and published indicators `names`:
    a variable's name when none of its columns was asked, else the option columns not asked
    (a multiple-response item asked in part); in codebook order, each once."""
    codebook = load_codebook()
    defined = load_indicators()
    needed: dict[str, set[str]] = {}
    for name in names:
        if name in codebook:
            needed.setdefault(name, set()).update(codebook[name].columns)
        elif name in defined:
            for condition in defined[name].conditions:
                needed.setdefault(condition.variable, set()).add(condition.column)
        else:
            raise AnalysisError(
                f"{name!r} is neither a codebook variable nor a published indicator"
                f"{_suggest(name, list(codebook.variables) + list(defined.indicators))}"
            )
    missing = []
    for variable in (v for v in codebook.variables if v in needed):
        unasked = [c for c in unasked_columns(edition, variable) if c in needed[variable]]
        whole = len(unasked) == len(codebook[variable].columns)
        missing += [variable] if whole else unasked
    return missing


def not_asked_text(names: list[str]) -> str:
    """What `not_asked` returns in the reader's words: 'Evaluation; Collaboration partners:
    Foundations, Foreign partners' (options of one item under its label once)."""
    codebook = load_codebook()
    parts: dict[str, list[str]] = {}
    for name in names:
        if name in codebook:
            parts.setdefault(codebook[name].label, [])
        else:
            var = codebook.variable_of(name)
            parts.setdefault(var.label, []).append(var.options[name.removeprefix(var.name + "_")])
    return "; ".join(
        f"{label}: {', '.join(opts)}" if opts else label for label, opts in parts.items()
    )


def editions_not_asked(editions, names) -> dict[str, list[str]]:
    """For each edition (an Edition or an edition id) that did not ask some of `names`, what it
    did not ask (`not_asked`); editions that asked everything are left out."""
    lacking = {}
    for edition in editions:
        edition = load_edition(edition) if isinstance(edition, str) else edition
        missing = not_asked(edition, names)
        if missing:
            lacking[edition.edition_id] = missing
    return lacking


def innovator_count(edition: Edition) -> int:
    """How many responding units are innovative."""
    return int(domain_mask(edition.frame, "innovators").sum())


def category_labels(variable: str) -> dict[str, str]:
    """A variable's substantive codes (as strings) -> labels, for legends, tables and sentences
    (background groups such as gov_level, or the categories of a single-choice item)."""
    var = load_codebook()[variable]
    return {str(code): text for code, text in var.categories.items()}


def _theme_figures(edition: Edition, theme: str) -> pd.DataFrame:
    """The edition's published figures of a theme's indicators (none for a theme of the
    researcher's own, e.g. one made by `make theme`: nothing was published for it)."""
    figures = published_figures()
    return figures[
        (figures["country"] == edition.country)
        & (figures["edition"] == edition.year)
        & figures["indicator"].isin(THEME_INDICATORS.get(theme, []))
    ]


def published_for_theme(edition: Edition, theme: str, **options) -> pd.DataFrame:
    """The edition's published figures of a theme's indicators beside the package's estimates
    (figures the edition did not ask are left out: `published_indicators` names them all)."""
    return compare_with_published(edition, _theme_figures(edition, theme), **options)


def published_indicators(edition: Edition, theme: str) -> list[str]:
    """The indicators of a theme with a published figure for the edition, asked or not."""
    return list(dict.fromkeys(_theme_figures(edition, theme)["indicator"]))


def published_for_report(editions: list[Edition], **options) -> pd.DataFrame:
    """Every published figure beside the package's estimate from the edition it is set against.

    National rows go against their own edition when it is among `editions`' countries' active
    editions; `nordic-2019` rows against the country's nearest edition up to 2019, labelled so.
    """
    parts = [
        _published_against(edition, rows, how, options)
        for edition, rows, how in _report_figures(editions)
    ]
    if not parts:  # e.g. a real data set whose editions have no published figure yet
        return pd.DataFrame(columns=["estimated_from", "set_against", *COMPARISON_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def _report_figures(editions: list[Edition]):
    """(edition, published rows, how they are set against it) for the Nordic report."""
    figures = published_figures()
    known = active_editions()
    for country in sorted({e.country for e in editions}, key=COUNTRIES.index):
        mine = figures[figures["country"] == country]
        years = [int(e[3:]) for e in known if e.startswith(f"{country}-")]
        for year in sorted({y for y in mine["edition"] if isinstance(y, int) and y in years}):
            rows = mine[mine["edition"] == year]
            yield load_edition(f"{country}-{year}"), rows, "own edition"
        earlier = [y for y in years if y <= NORDIC_REPORT_YEAR]
        nordic = mine[mine["edition"] == NORDIC_REPORT]
        if earlier and not nordic.empty:
            yield load_edition(f"{country}-{max(earlier)}"), nordic, "nearest earlier edition"


def published_not_asked(editions: list[Edition]) -> dict[str, list[str]]:
    """For the Nordic report: each edition that `published_for_report` sets published figures
    against, and what of those figures' indicators it did not ask (those figures are left out)."""
    lacking: dict[str, list[str]] = {}
    for edition, rows, _ in _report_figures(editions):
        missing = not_asked(edition, rows["indicator"])
        if missing:
            known = lacking.setdefault(edition.edition_id, [])
            known += [m for m in missing if m not in known]
    return lacking


def _published_against(edition: Edition, rows: pd.DataFrame, how: str, options) -> pd.DataFrame:
    table = compare_with_published(edition, rows, **options)
    table.insert(0, "estimated_from", edition.edition_id)
    table.insert(1, "set_against", how)
    return table


def binary_values(edition: Edition, variable: str) -> np.ndarray:
    """A binary item as 1/0 floats, NaN for don't know, not asked and no answer."""
    var = load_codebook()[variable]
    if variable not in edition.frame:
        return np.full(len(edition.frame), np.nan)
    codes = edition.frame[variable].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isin(codes, var.non_substantive), np.nan, codes)


def estimate_option_count(
    edition: Edition, variable: str, *, top: int = 3, by=None, ci_method="logit", threshold=5
) -> pd.DataFrame:
    """The distribution of how many options of a multiple-response item a unit ticked
    (0, 1, ..., `top` or more) over the item's universe; units missing an option are outside.
    No rows unless every option was asked: a count over some options is another question."""
    from innobarometer.survey.estimate import estimate_distribution

    var = load_codebook()[variable]
    if not is_asked(edition, variable) or _grouped_by_unasked(edition, by):
        return empty_table()
    options = edition.frame[var.columns].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    count = pd.Series(np.minimum(options.sum(axis=1), top), name=f"{variable}_count")
    mask, name = _scope(edition.frame, var.universe, None)
    return estimate_distribution(
        edition.design,
        count,
        categories=list(range(top + 1)),
        non_substantive=[],
        domain=mask,
        domain_name=name,
        groups=_groups(edition.frame, by),
        ci_method=ci_method,
        threshold=threshold,
    )


def count_labels(table: pd.DataFrame, noun: str, top: int = 3) -> pd.Series:
    """'None', 'One partner type', ..., 'Three or more ...' for an option-count table."""
    words = ["None", "One", "Two", "Three", "Four", "Five"]
    text = {str(k): f"{words[k]} {noun}{'s' if k != 1 else ''}" for k in range(1, top)}
    text |= {"0": "None", str(top): f"{words[top]} or more {noun}s"}
    return table["category"].map(text).rename("label")


def estimate_battery_distribution(
    edition: Edition, battery: str = "factors", *, ci_method="logit", threshold=5
) -> pd.DataFrame:
    """The full answer distribution of every item of an ordinal battery the edition asked."""
    items = [v.name for v in load_codebook().battery(battery) if is_asked(edition, v.name)]
    tables = [
        estimate_variable(edition, item, ci_method=ci_method, threshold=threshold) for item in items
    ]
    return pd.concat(tables, ignore_index=True) if tables else empty_table()


# ----------------------------------------------------------------------------- differences

DIFFERENCE_COLUMNS = [
    "label",
    "first",
    "second",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "p",
    "p_holm",
    "n_first",
    "n_second",
    "suppressed",
]


def _difference_rows(rows: list[dict]) -> pd.DataFrame:
    """Difference rows into one table with Holm-adjusted p-values over the unsuppressed ones."""
    from innobarometer.survey.compare import holm

    columns = [c for c in DIFFERENCE_COLUMNS if c != "p_holm"]
    table = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    table["suppressed"] = table["suppressed"].astype(bool)
    numeric = ["estimate", "se", "ci_lower", "ci_upper", "p"]
    table[numeric] = table[numeric].astype(float)
    table.loc[table["suppressed"], numeric] = np.nan
    table.insert(DIFFERENCE_COLUMNS.index("p_holm"), "p_holm", holm(table["p"].to_numpy()))
    return table


def _comparison(result: pd.DataFrame) -> dict:
    row = result.iloc[0]
    return {k: float(row[k]) for k in ("estimate", "se", "ci_lower", "ci_upper", "p")}


def option_differences(
    edition: Edition, variable: str, *, ci_method="logit", threshold=5
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A multiple-response item's option shares, and each option against the next most common
    (ranked), each difference with the options' joint covariance; Holm over the set."""
    from innobarometer.survey.compare import option_difference

    shares = estimate_variable(edition, variable, ci_method=ci_method, threshold=threshold)
    if shares.empty:
        return shares, _difference_rows([])
    options = shares[(shares["group"] == "") & (shares["ci_method"] != "t")]
    ranked = options.sort_values("estimate", ascending=False, kind="stable")
    ranked = pd.concat([ranked[~ranked["suppressed"]], ranked[ranked["suppressed"]]])
    var = load_codebook()[variable]
    mask, _ = _scope(edition.frame, var.universe, None)
    rows = []
    for first, second in zip(ranked.iloc[:-1].itertuples(), ranked.iloc[1:].itertuples()):
        row = {
            "label": f"{var.options[first.category]} vs {var.options[second.category]}",
            "first": first.category,
            "second": second.category,
            "n_first": first.n_unweighted,
            "n_second": second.n_unweighted,
            "suppressed": bool(first.suppressed or second.suppressed),
        }
        if not row["suppressed"]:
            y1, y2 = (edition.frame[f"{variable}_{o}"] for o in (first.category, second.category))
            row |= _comparison(option_difference(edition.design, y1, y2, domain=mask))
        rows.append(row)
    return shares, _difference_rows(rows)


def group_differences(
    edition: Edition, values, groups, pairs: list[tuple[str, str]], labels: dict, threshold=5
) -> pd.DataFrame:
    """Share of `values` (1/0, NaN outside the base) in one group minus another, for each pair,
    within the edition's design (joint covariance). A pair is suppressed when either group is
    hidden in the shares table beside it, by the threshold or by secondary suppression (else the
    difference and the other group's share would give the hidden one away). Holm over the pairs.
    No rows when no unit has a group or an answer (a question not asked, or nobody qualified)."""
    from innobarometer.survey.compare import group_contrast

    groups = pd.Series(groups).astype("string").reset_index(drop=True)
    answered = ~np.isnan(np.asarray(values, dtype=float))
    if groups.isna().all() or not answered.any():
        return _difference_rows([])
    hidden = _hidden_groups(edition, values, groups, threshold)
    rows = []
    for first, second in pairs:
        n_first = int((answered & (groups == first).fillna(False).to_numpy()).sum())
        n_second = int((answered & (groups == second).fillna(False).to_numpy()).sum())
        row = {
            "label": f"{labels.get(first, first)} vs {labels.get(second, second)}",
            "first": first,
            "second": second,
            "n_first": n_first,
            "n_second": n_second,
            # Hidden in the shares table (threshold or secondary), or absent from it altogether.
            "suppressed": min(n_first, n_second) < max(threshold, 1)
            or bool({first, second} & hidden),
        }
        if not row["suppressed"]:
            result = group_contrast(edition.design, values, groups, first, second)
            row |= _comparison(result)
        rows.append(row)
    return _difference_rows(rows)


def _hidden_groups(edition: Edition, values, groups: pd.Series, threshold: int) -> set[str]:
    """The groups that disclosure control hides in the shares of `values` by `groups`."""
    labels = groups.astype(object)
    table = estimate_shares(
        edition.design,
        pd.DataFrame({"y": np.asarray(values, dtype=float)}),
        groups=labels.where(labels.notna(), None).to_numpy(),
        threshold=threshold,
    )
    return set(table.loc[(table["group"] != "") & table["suppressed"], "group"])


def _share_and_df(edition: Edition, indicator: str, options: dict) -> tuple[pd.Series, float]:
    """The whole-domain share of a published indicator and its base's degrees of freedom."""
    row = estimate_indicators(edition, [indicator], **options).iloc[0]
    base = ~np.isnan(indicator_values(edition.frame, indicator).to_numpy(dtype=float))
    return row, float(edition.design.domain_degrees_of_freedom(base))


def independent_differences(
    editions: list[Edition], indicator: str, pairs: list[tuple[int, int]], **options
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An indicator in each edition (group = edition id) and the differences between the pairs
    of editions (indices into `editions`, first minus second) as independent samples; Holm."""
    from innobarometer.survey.compare import difference_independent

    estimated = [_share_and_df(e, indicator, options) for e in editions]
    shares = pd.DataFrame([row for row, _ in estimated]).assign(
        group=[e.edition_id for e in editions]
    )
    rows = []
    for i, j in pairs:
        (a, df_a), (b, df_b) = estimated[i], estimated[j]
        row = {
            "label": f"{editions[i].edition_id} vs {editions[j].edition_id}",
            "first": editions[i].edition_id,
            "second": editions[j].edition_id,
            "n_first": a.n_unweighted,
            "n_second": b.n_unweighted,
            "suppressed": bool(a.suppressed or b.suppressed),
        }
        if not row["suppressed"]:
            result = difference_independent(a.estimate, a.se, df_a, b.estimate, b.se, df_b)
            row |= _comparison(result)
        rows.append(row)
    return shares.reset_index(drop=True), _difference_rows(rows)


def trend(country: str, indicator: str = "innovative", **options):
    """An indicator across the country's active editions, and each edition against the one before
    (independent samples; no rows when the country has a single edition). Editions that did not
    ask the indicator are left out (`editions_not_asked` names them)."""
    editions = [load_edition(e) for e in country_editions(country)]
    editions = [e for e in editions if not not_asked(e, [indicator])]
    pairs = [(i + 1, i) for i in range(len(editions) - 1)]
    return independent_differences(editions, indicator, pairs, **options)


def country_differences(editions: list[Edition], indicators: list[str], **options):
    """Headline indicators for every edition side by side (group = country), and every pair of
    countries' difference per indicator (independent samples), Holm-adjusted per indicator. An
    edition that did not ask an indicator is left out of its comparison (`editions_not_asked`)."""
    shares, differences = [empty_table()], [_difference_rows([])]
    for indicator in indicators:
        asked = [e for e in editions if not not_asked(e, [indicator])]
        if not asked:
            continue
        pairs = [(i, j) for i in range(len(asked)) for j in range(i + 1, len(asked))]
        table, diff = independent_differences(asked, indicator, pairs, **options)
        shares.append(table.assign(group=[e.country for e in asked]))
        label = load_indicators()[indicator].label
        differences.append(diff.assign(label=label + ": " + diff["label"]))
    return _concat(shares), _concat(differences)


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables of one shape stacked; the first may be an empty template that fixes the columns."""
    filled = [t for t in tables if not t.empty]
    return pd.concat(filled, ignore_index=True) if filled else tables[0]


def association_test(edition: Edition, values, by: str) -> float:
    """The Rao-Scott p-value of a 1/0 outcome (NaN outside its base) against a background column;
    NaN when fewer than two groups or outcomes occur."""
    from innobarometer.survey.compare import rao_scott

    outcome = pd.Series(np.asarray(values, dtype=float))
    column = edition.frame[by].astype("string").reset_index(drop=True)
    present = outcome.notna() & column.notna()
    if outcome[present].nunique() < 2 or column[present].nunique() < 2:
        return float("nan")
    return rao_scott(edition.design, outcome.where(present), column.where(present)).p


# ----------------------------------------------------------------------------- regression

# Peduzzi et al. (1996, J Clin Epidemiol 49:1373): about ten events of the rarer outcome per
# coefficient keep logistic estimates from being badly biased; fewer, and the report says so.
EVENTS_PER_TERM = 10
SMALL_LEVEL = "other (small groups)"


@dataclass(frozen=True)
class LogisticModel:
    """Odds ratios of a survey logistic regression, or `message` saying why there are none."""

    table: pd.DataFrame  # term, label, odds_ratio, ci_lower, ci_upper, p, n (no intercept)
    message: str
    n: int

    @property
    def not_asked(self) -> bool:
        """No model and nothing to say: the edition did not ask what it needs (a notice says so)."""
        return self.table.empty and not self.message


MODEL_COLUMNS = ["term", "label", "odds_ratio", "ci_lower", "ci_upper", "p"]


def _unasked_model() -> LogisticModel:
    return LogisticModel(pd.DataFrame(columns=MODEL_COLUMNS), "", 0)


def _pool_small_levels(column: pd.Series, used: np.ndarray, smallest: int) -> pd.Series:
    """Levels with fewer than `smallest` modelled units pooled into one, so no odds ratio rests
    on a handful of units (disclosure) or on a level the outcome separates. Levels are counted
    among the modelled units only; a pool still under `smallest` units becomes missing (those
    units leave the model)."""
    values = column.astype("string").where(pd.Series(used, index=column.index))
    counts = values.value_counts()
    small = counts.index[counts < smallest]
    pooled = values.mask(values.isin(small), SMALL_LEVEL)
    if 0 < counts[small].sum() < smallest:
        pooled = pooled.mask(pooled == SMALL_LEVEL)
    return pooled


def _term_label(term: str, term_labels: dict) -> str:
    if term in term_labels:
        return term_labels[term]
    if "[" not in term:
        return term
    column, level = term[:-1].split("[", 1)
    codebook = load_codebook()
    if column in codebook and level in {str(c) for c in codebook[column].categories}:
        code = int(level) if level.isdigit() else level
        return f"{codebook[column].label}: {codebook.label(column, code)}"
    return f"{codebook[column].label if column in codebook else column}: {level}"


def fit_logistic(
    edition: Edition,
    outcome,
    predictors: dict[str, pd.Series],
    *,
    domain=None,
    reference: dict | None = None,
    term_labels: dict | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> LogisticModel:
    """Survey logistic regression (design-based sandwich) of a 1/0 outcome on named predictors.

    Text predictors become treatment dummies (levels under max(threshold, 10) units pooled);
    predictors constant in the modelled units are dropped. When the rarer outcome has fewer
    than ten units per coefficient, or the fit fails, the model says why instead of raising.
    """
    from innobarometer.survey.regression import RegressionError, model_matrix, survey_logistic

    y = pd.Series(np.asarray(outcome, dtype=float))
    frame = pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in predictors.items()})
    used = y.notna().to_numpy() & frame.notna().all(axis=1).to_numpy()
    if domain is not None:
        used &= np.asarray(domain, dtype=bool)
    empty = pd.DataFrame(columns=MODEL_COLUMNS)
    if not used.any():
        return LogisticModel(empty, "The model cannot be estimated: no unit has every answer.", 0)
    text = [c for c in frame if not pd.api.types.is_numeric_dtype(frame[c])]
    for column in text:
        frame[column] = _pool_small_levels(frame[column], used, max(threshold, 10))
        used &= frame[column].notna().to_numpy()
    kept = [c for c in frame if frame.loc[used, c].nunique() > 1]
    if not kept:
        return LogisticModel(
            empty,
            "The model cannot be estimated on this edition: no characteristic has two groups "
            f"of at least {max(threshold, 10)} units among the {int(used.sum())} modelled.",
            int(used.sum()),
        )
    # A requested reference level that was pooled away falls back to the first level.
    present = {k: set(frame.loc[used, k].dropna().astype(str)) for k in kept}
    reference = {k: v for k, v in (reference or {}).items() if k in kept and str(v) in present[k]}
    try:
        x = model_matrix(frame[kept].where(pd.Series(used), None), kept, reference=reference)
    except RegressionError as error:
        return LogisticModel(empty, f"The model cannot be estimated on this edition: {error}", 0)
    rarer = int(min(y[used].sum(), (1 - y[used]).sum()))
    if rarer < EVENTS_PER_TERM * (x.shape[1] - 1) or rarer < threshold:
        return LogisticModel(
            empty,
            f"The model cannot be estimated reliably on this edition: the rarer outcome occurs in "
            f"{rarer} of {int(used.sum())} units, fewer than ten per term of the model "
            f"({x.shape[1] - 1} terms).",
            int(used.sum()),
        )
    try:
        fitted = survey_logistic(edition.design, x, y, domain=used)
    except RegressionError as error:
        return LogisticModel(empty, f"The model cannot be estimated on this edition: {error}", 0)
    terms = fitted[fitted["term"] != "(Intercept)"]
    table = pd.DataFrame(
        {
            "term": terms["term"],
            "label": [_term_label(t, term_labels or {}) for t in terms["term"]],
            "odds_ratio": terms["odds_ratio"],
            "ci_lower": terms["or_lower"],
            "ci_upper": terms["or_upper"],
            "p": terms["p"],
            "n": terms["n"],
        }
    ).reset_index(drop=True)
    return LogisticModel(table, "", int(used.sum()))


def model_effect_on_collaboration(edition: Edition, effect: str = "effect_quality", threshold=5):
    """Odds of an effect (e.g. increased quality) for innovations made in collaboration,
    adjusted for government level and size, among innovators (no model when any of these was
    not asked)."""
    if not_asked(edition, [effect, "collaborated_any", "gov_level", "size_class"]):
        return _unasked_model()
    frame = edition.frame
    return fit_logistic(
        edition,
        binary_values(edition, effect),
        {
            "collaborated": indicator_values(frame, "collaborated_any").to_numpy(),
            "gov_level": frame["gov_level"],
            "size_class": frame["size_class"],
        },
        domain=domain_mask(frame, "innovators"),
        term_labels={"collaborated": "Made in collaboration"},
        threshold=threshold,
    )


def model_spreading_on_novelty(edition: Edition, threshold=5):
    """Odds of spreading the innovation actively for adapters and copiers against originators
    (own innovations), adjusted for sector and size, among innovators (no model when any of these
    was not asked)."""
    if not_asked(edition, ["spread_actively", "novelty", "sector", "size_class"]):
        return _unasked_model()
    frame = edition.frame
    novelty = frame["novelty"].astype("Float64").where(lambda s: s.isin([1, 2, 3]))
    return fit_logistic(
        edition,
        binary_values(edition, "spread_actively"),
        {
            "novelty": novelty.astype("Int64").astype("string"),
            "sector": frame["sector"],
            "size_class": frame["size_class"],
        },
        domain=domain_mask(frame, "innovators"),
        reference={"novelty": "1"},
        threshold=threshold,
    )


def model_innovative_on_characteristics(edition: Edition, threshold=5):
    """Odds of being innovative by government level, sector and size, over all units (no model
    when any of these was not asked)."""
    if not_asked(edition, ["innovative", "gov_level", "sector", "size_class"]):
        return _unasked_model()
    frame = edition.frame
    return fit_logistic(
        edition,
        binary_values(edition, "innovative"),
        {c: frame[c] for c in ("gov_level", "sector", "size_class")},
        threshold=threshold,
    )


def estimate_variables(edition: Edition, variables: list[str], **options) -> pd.DataFrame:
    """Several codebook variables (those the edition asked) in one tidy table, in order given."""
    tables = [estimate_variable(edition, v, **options) for v in variables]
    return _concat([empty_table(), *tables])


def battery_items(battery: str) -> list[str]:
    """The variable names of a codebook battery, in codebook order."""
    return [v.name for v in load_codebook().battery(battery)]


EVALUATION_GROUPS = {
    "evaluated": "Evaluated",
    "not_evaluated": "Not evaluated (ongoing, planned or none)",
}


def evaluation_groups(edition: Edition) -> pd.Series:
    """Each innovator's latest innovation as evaluated (internally or externally, codes 1-2) or
    not (ongoing, planned or none, codes 3-5), as the `evaluated` indicator reads it; no group
    for anyone when the edition did not ask it."""
    groups = pd.Series(pd.NA, index=edition.frame.index, dtype="string")
    if not is_asked(edition, "evaluation"):
        return groups.reset_index(drop=True)
    codes = edition.frame["evaluation"].astype("Float64")
    groups[codes.isin([1, 2]).fillna(False)] = "evaluated"
    groups[codes.isin([3, 4, 5]).fillna(False)] = "not_evaluated"
    return groups.reset_index(drop=True)


def substantive_groups(edition: Edition, variable: str) -> pd.Series:
    """A single-choice item's substantive codes as group labels ('1', '2', ...); don't know, not
    relevant, missing answers and an item the edition did not ask belong to no group."""
    var = load_codebook()[variable]
    if not is_asked(edition, variable):
        return pd.Series(pd.NA, index=range(len(edition.frame)), dtype="string")
    codes = edition.frame[variable].astype("Float64")
    groups = codes.astype("Int64").astype("string")
    return groups.where(codes.isin(list(var.categories)).fillna(False)).reset_index(drop=True)


def estimate_shares_by(
    edition: Edition, values, groups: pd.Series, variable: str, *, ci_method="logit", threshold=5
) -> pd.DataFrame:
    """The share of a 1/0 outcome (NaN outside its base) over the variable's universe, overall and
    in each group (units without a group count in the overall row only). No rows when the edition
    did not ask the variable or no unit has a group (the grouping was not asked, or nobody
    qualified): the comparison is the point."""
    from innobarometer.survey.estimate import estimate_shares

    var = load_codebook()[variable]
    labels = pd.Series(groups).reset_index(drop=True).astype(object)
    if not is_asked(edition, variable) or labels.isna().all():
        return empty_table()
    mask, name = _scope(edition.frame, var.universe, None)
    return estimate_shares(
        edition.design,
        pd.DataFrame({variable: np.asarray(values, dtype=float)}),
        domain=mask,
        domain_name=name,
        groups=labels.where(labels.notna(), None).to_numpy(),
        ci_method=ci_method,
        threshold=threshold,
    )


COLLABORATION_GROUPS = {
    "collaborated": "Made in collaboration",
    "alone": "Made without partners",
}


def collaboration_groups(edition: Edition) -> pd.Series:
    """Each innovator's latest innovation as made with partners or without (the
    `collaborated_any` indicator); units outside its base belong to no group, and everyone when
    the edition did not ask every partner."""
    groups = pd.Series(pd.NA, index=range(len(edition.frame)), dtype="string")
    if not_asked(edition, ["collaborated_any"]):
        return groups
    values = indicator_values(edition.frame, "collaborated_any").reset_index(drop=True)
    groups[values == 1] = "collaborated"
    groups[values == 0] = "alone"
    return groups


def battery_shares(
    edition: Edition, battery: str, statistic: str, *, by=None, top: int | None = None, **options
) -> pd.DataFrame:
    """One statistic (`promoted` or `hindered`) of every battery item, items ranked by the whole
    domain's share (suppressed last); `top` keeps the most common items only. No rows when `by`
    is a series in which no unit has a group (as `estimate_shares_by`)."""
    if by is not None and not isinstance(by, str) and pd.Series(by).isna().all():
        return empty_table()
    table = estimate_battery(edition, battery, by=by, **options)
    table = table[table["category"] == statistic]
    whole = table[table["group"] == ""].assign(rank=lambda t: t["estimate"].fillna(-1.0))
    order = whole.sort_values("rank", ascending=False, kind="stable")["indicator"].tolist()
    order = order[:top] if top else order
    ranked = table[table["indicator"].isin(order)].assign(
        position=lambda t: t["indicator"].map({name: i for i, name in enumerate(order)})
    )
    ranked = ranked.sort_values("position", kind="stable").drop(columns="position")
    return ranked.reset_index(drop=True)


def top_items(ranked: pd.DataFrame, top: int) -> pd.DataFrame:
    """The rows of the first `top` items of a table ranked by `battery_shares` (for a figure;
    sentences about each group's own most common item read the whole table)."""
    keep = list(dict.fromkeys(ranked["indicator"]))[:top]
    return ranked[ranked["indicator"].isin(keep)].reset_index(drop=True)


def battery_differences(
    edition: Edition,
    items: list[str],
    statistic: str,
    groups: pd.Series,
    pair,
    names: dict,
    threshold=5,
) -> pd.DataFrame:
    """For each battery item, the share `promoted` or `hindered` in one group minus another,
    within the design; Holm over the items (no rows without items)."""
    from innobarometer.survey.compare import holm
    from innobarometer.survey.estimate import HINDERED, PROMOTED

    if not items:
        return _difference_rows([])
    codes_of = {"promoted": PROMOTED, "hindered": HINDERED}[statistic]
    parts = []
    for item in items:
        var = load_codebook()[item]
        codes = edition.frame[item].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        base = ~np.isnan(codes) & ~np.isin(codes, var.non_substantive)
        values = np.where(base, np.isin(codes, codes_of), np.nan)
        diff = group_differences(edition, values, groups, [pair], names, threshold)
        parts.append(diff.assign(label=var.label + ": " + diff["label"]))
    table = pd.concat(parts, ignore_index=True)
    table["p_holm"] = holm(table["p"].to_numpy())
    return table
