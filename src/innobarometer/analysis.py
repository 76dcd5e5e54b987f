"""Codebook-aware estimation: a variable, a battery or a published indicator of one edition.

The generic estimators (`estimate.py`) know numbers; this module knows what the codebook says about
a variable (its type, categories, options and universe) and chooses the estimator, the base and the
domain from it, so notebooks and the `estimate` command never restate that knowledge.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from difflib import get_close_matches

import numpy as np
import pandas as pd

from innobarometer.codebook import UNIVERSES, Variable, load_codebook, universe_mask
from innobarometer.design import SurveyDesign
from innobarometer.disclosure import DEFAULT_THRESHOLD
from innobarometer.estimate import (
    estimate_distribution,
    estimate_means,
    estimate_multiple_response,
    estimate_ordinal_battery,
    estimate_shares,
)
from innobarometer.indicators import (
    indicator_values,
    load_indicators,
    published_figures,
    scope_mask,
)
from innobarometer.intervals import check_share_method

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


def load_edition(edition_id: str, data: str | None = None) -> Edition:
    """The harmonised frame, its design and its mapping for an edition id such as DK-2023."""
    from innobarometer.datasets import load_frame, load_mapping

    frame = load_frame(edition_id, data)
    return Edition(
        edition_id, frame, SurveyDesign.from_frame(frame), load_mapping(edition_id, data)
    )


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


def _groups(frame: pd.DataFrame, by: str | None):
    if by is None:
        return None
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
        options = frame[var.columns].astype("Float64").astype(float)
        options.columns = list(var.options)
        return estimate_multiple_response(edition.design, options, variable, **common)
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
    items = load_codebook().battery(battery)
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
    """Shares of published indicators (indicators.yaml) over their universe, within a `scope`."""
    defined = load_indicators()
    unknown = [n for n in names if n not in defined]
    if unknown:
        raise AnalysisError(
            f"not published indicators: {', '.join(unknown)}"
            f"{_suggest(unknown[0], defined.indicators)}"
        )
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
    estimate with its interval, whether the published value lies inside it, and the source.
    """
    if figures is None:
        figures = published_figures(edition.country, edition.year)
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
            }
        )
    return pd.DataFrame(rows)


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
    from innobarometer.datasets import DataSetError

    try:
        check_share_method(args.ci)
        if args.threshold < 1:
            raise AnalysisError("--threshold must be a whole number of at least 1")
        edition = load_edition(args.edition, args.data)
        domain = None if args.domain == "all" else args.domain
        if domain is not None:
            domain_mask(edition.frame, domain)
        codebook = load_codebook()
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
