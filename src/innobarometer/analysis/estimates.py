"""Codebook-aware estimation: a variable, a battery or a published indicator of one edition.

The generic estimators (`survey.estimate`) know numbers; this module knows what the codebook says
about a variable (its type, categories, options and universe) and chooses the estimator, the base
and the domain from it, so notebooks and the `estimate` command never restate that knowledge. It
also decides what an edition did not ask (`not_asked`): estimates of those have no rows.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pandas as pd

from innobarometer import language
from innobarometer.analysis.editions import AnalysisError, Edition, load_edition
from innobarometer.codebook import (
    UNIVERSES,
    Balance,
    Variable,
    countries,
    country_name,
    load_codebook,
    universe_mask,
)
from innobarometer.data_set import DataSetError
from innobarometer.indicators import (
    indicator_values,
    load_indicators,
    scope_mask,
)
from innobarometer.language import N_, _, ngettext
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
from innobarometer.wording import did_you_mean

DOMAINS = UNIVERSES


def domain_mask(frame: pd.DataFrame, domain: str) -> np.ndarray:
    """The units of a named domain (`all`, `innovators`, `non_innovators`, ...)."""
    if domain not in DOMAINS:
        raise AnalysisError(
            f"unknown domain {domain!r}{did_you_mean(domain, DOMAINS)}; "
            f"use one of {', '.join(DOMAINS)}"
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
            f"cannot group by {by!r}: not a column of the harmonised frame{did_you_mean(by, frame)}"
        )
    return frame[by].astype("string").fillna("(missing)").to_numpy(dtype=object)


def variable_scope(frame, variable_universe: str, domain: str | None):
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

    Binary: the share answering yes (don't know outside the base); single choice and ordinal:
    the distribution over everyone who answered (don't know and not relevant included, so the
    rows sum to 1); background: each category's share; multiple response: every option's share
    and the mean number ticked; numeric: the mean. `group_label` and `category_label` hold the
    codebook's labels of the codes.
    """
    check_share_method(ci_method)
    codebook = load_codebook()
    if variable not in codebook:
        raise AnalysisError(
            f"{variable!r} is not a codebook variable{did_you_mean(variable, codebook.variables)}; "
            "see `python -m innobarometer codebook`"
        )
    var = codebook[variable]
    asked = asked_columns(edition, variable)
    if not asked or _grouped_by_unasked(edition, by):
        return empty_table()
    if edition.delivered:  # a partner's tables answer (analysis.delivered)
        return edition.rows("variable", variable, domain or "", by, ci_method, threshold)
    frame = edition.frame
    mask, name = variable_scope(frame, var.universe, domain)
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
        table = estimate_shares(edition.design, values, **common)
    elif var.type in ("single", "ordinal"):
        # One base for the whole distribution (everyone who answered, don't know and not
        # relevant included), so its rows sum to 1: design.md's rule for distribution tables.
        # A category the edition's conversion cannot produce is not measured: no row, never 0%.
        unmeasured = edition.facts.not_produced.get(variable, [])
        table = estimate_distribution(
            edition.design,
            frame[variable],
            categories=[c for c in var.categories if c not in unmeasured],
            non_substantive=var.non_substantive,
            separate_non_substantive=False,
            **common,
        )
    elif var.type == "multiple":
        options = frame[asked].astype("Float64").astype(float)
        options.columns = [c.removeprefix(f"{variable}_") for c in asked]
        table = estimate_multiple_response(edition.design, options, variable, **common)
        # A count over the options asked is not the item's count of options ticked (a count over
        # the options the questionnaire offered is).
        if len(asked) + len(not_offered_columns(edition, variable)) < len(var.columns):
            table = table[table["category"] != OPTIONS_TICKED]
    elif var.type == "numeric":
        common.pop("ci_method")
        values = frame[[variable]].astype(float)
        table = estimate_means(edition.design, values, **common)
    elif var.type == "background":
        table = _background_shares(edition, var, common)
    elif var.type not in ("binary", "single", "ordinal"):
        raise AnalysisError(f"{variable!r} is a {var.type} column; it has no estimate")
    return with_labels(table, by)


def _background_shares(edition: Edition, var: Variable, common: dict) -> pd.DataFrame:
    """Shares of the units in each class of a background variable (e.g. sector): the codebook's
    categories, except those a coarser national class the edition uses spans (not measured
    there: no row, never 0%), and that class instead ("50+")."""
    column = edition.frame[var.name].astype("string")
    answered = column.notna().to_numpy()
    present = set(column.dropna())
    coarse = [c for c in var.coarsenings if c in present]
    spanned = {str(code) for c in coarse for code in var.coarsenings[c]}
    classes = [str(code) for code in var.categories if str(code) not in spanned] + coarse
    values = pd.DataFrame(
        {c: np.where(answered, (column == c).fillna(False), np.nan) for c in classes}
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
    balance = balance_codes(battery)
    if not items or _grouped_by_unasked(edition, by):
        return empty_table()
    if edition.delivered:  # a partner's tables answer (analysis.delivered)
        return edition.rows("battery", battery, domain or "", by, ci_method, threshold)
    mask, name = variable_scope(edition.frame, items[0].universe, domain)
    table = estimate_ordinal_battery(
        edition.design,
        edition.frame[[v.name for v in items]],
        promoted=balance.promoted,
        hindered=balance.hindered,
        non_substantive=items[0].non_substantive,
        domain=mask,
        domain_name=name,
        groups=_groups(edition.frame, by),
        ci_method=ci_method,
        threshold=threshold,
    )
    return with_labels(table, by)


def balance_codes(battery: str) -> Balance:
    """The codebook's promoted and hindered codes (its `balance`), if they are for `battery`."""
    balance = load_codebook().balance
    if balance is None or balance.battery != battery:
        defined = f"battery {balance.battery!r} only" if balance else "no battery"
        raise AnalysisError(
            f"the codebook's `balance` says which codes count as promoted and hindered for "
            f"{defined}, not for {battery!r}"
        )
    return balance


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
            f"{did_you_mean(unknown[0], defined.indicators)}"
        )
    names = [n for n in names if not not_asked(edition, [n]) and not not_measured(edition, n)]
    if not names or _grouped_by_unasked(edition, by):
        return empty_table()
    if edition.delivered:  # a partner's tables answer (analysis.delivered)
        rows = [edition.rows("indicators", n, scope or "", by, ci_method, threshold) for n in names]
        return concat_tables(rows)
    frame = edition.frame
    values = pd.DataFrame({n: indicator_values(frame, n).to_numpy() for n in names})
    mask = np.ones(len(frame), bool) if scope is None else scope_mask(frame, scope)
    table = estimate_shares(
        edition.design,
        values,
        domain=mask,
        domain_name=scope or "all",
        groups=_groups(frame, by),
        ci_method=ci_method,
        threshold=threshold,
    )
    return with_labels(table, by)


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


WHOLE_DOMAIN_LABEL = "All"
STATISTIC_LABELS = {
    "promoted": N_("Promoted"),
    "hindered": N_("Hindered"),
    "net": N_("Net balance (promoted minus hindered)"),
    "mean": N_("Mean"),
    "total": N_("Total"),
    OPTIONS_TICKED: N_("Number of options ticked"),
}
# Marked for the catalogs: the report layer shows them in each language (`tables.localised`).
# A count of options at the top of its scale: 'Three or more'.
OR_MORE = [
    "",
    N_("One or more"),
    N_("Two or more"),
    N_("Three or more"),
    N_("Four or more"),
    N_("Five or more"),
]
# The plural of a noun `count_labels` is given by a notebook (the catalogs' keys).
COUNTED_NOUNS = [N_("partner types")]
COUNT_WORDS = [
    N_("None"),
    N_("One"),
    N_("Two"),
    N_("Three"),
    N_("Four"),
    N_("Five"),
    N_("Six"),
    N_("Seven"),
    N_("Eight"),
    N_("Nine"),
]
COUNT_SUFFIX = "_count"
EDITION_ID = re.compile(r"(?P<country>[A-Z]{2})-(?P<year>[0-9]{4})")


def code_label(indicator: str, category: str, top: int | None = None) -> str:
    """The label of one category code of a tidy row: a category, option or don't know of a
    codebook variable ("Don't know"), "Yes" for a yes/no variable or published indicator, a
    statistic ("Promoted", "Mean"), a count of options ("Two", "Three or more" at `top`); the
    code itself when nothing names it."""
    codebook = load_codebook()
    if indicator in codebook:
        var = codebook[indicator]
        if var.type == "multiple" and category in var.options:
            return var.options[category]
        if var.type != "multiple":
            numeric = var.type in ("binary", "single", "ordinal") and category.isdigit()
            code = int(category) if numeric else category
            if code in var.categories or code in var.non_substantive:
                text = codebook.label(var, code)
                return text[:1].upper() + text[1:]
    elif indicator in load_indicators() and category == "1":
        return "Yes"
    stem = indicator.removesuffix(COUNT_SUFFIX)
    if indicator.endswith(COUNT_SUFFIX) and stem in codebook and category.isdigit():
        k = int(category)
        if k == top and 0 < k < len(OR_MORE):
            return OR_MORE[k]
        return COUNT_WORDS[k] if k < len(COUNT_WORDS) else category
    return STATISTIC_LABELS.get(category, category)


def group_names(by) -> dict[str, str]:
    """Group codes -> labels for a table `by` a codebook variable (its categories), a dict given
    directly, or the package's own groupings (evaluation, collaboration, countries, editions)."""
    if isinstance(by, dict):
        return {str(k): str(v) for k, v in by.items()}
    codebook = load_codebook()
    if isinstance(by, str) and by in codebook:
        var = codebook[by]
        return {str(c): codebook.label(var, c) for c in (*var.categories, *var.non_substantive)}
    return EVALUATION_GROUPS | COLLABORATION_GROUPS | {c: country_name(c) for c in countries()}


def group_label_of(code: str, names: dict[str, str]) -> str:
    """A group's label: "All" for the whole domain, its name, an edition id as "Denmark 2023"."""
    if code == "":
        return WHOLE_DOMAIN_LABEL
    if code in names:
        return names[code]
    edition = EDITION_ID.fullmatch(code)
    if edition and edition["country"] in countries():
        return f"{country_name(edition['country'])} {edition['year']}"
    return code


def with_labels(table: pd.DataFrame, by=None) -> pd.DataFrame:
    """The tidy table with `group_label` and `category_label` filled from the codebook (`by`:
    what the groups are, as `group_names` reads it); the whole domain's group is "All". A group
    nothing names keeps its code."""
    if table.empty:
        return table
    names = group_names(by)
    tops = {
        i: max(int(c) for c in rows if c.isdigit())
        for i, rows in table.groupby("indicator")["category"]
        if str(i).endswith(COUNT_SUFFIX) and any(c.isdigit() for c in rows)
    }
    categories = [
        code_label(str(i), str(c), tops.get(i))
        for i, c in zip(table["indicator"], table["category"])
    ]
    groups = [group_label_of(str(g), names) for g in table["group"]]
    return table.assign(group_label=groups, category_label=categories)


def run_estimate_command(args) -> int:
    """`python -m innobarometer estimate EDITION VARIABLE [--by ...] [--domain ...] [--ci ...]`."""

    try:
        check_share_method(args.ci)
        threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
        if threshold < 1:
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
                threshold=threshold,
            )
        elif args.variable in load_indicators():
            if domain is not None:
                raise AnalysisError(
                    "--domain applies to codebook variables; a published indicator has its own"
                )
            table = estimate_indicators(
                edition, [args.variable], by=args.by, ci_method=args.ci, threshold=threshold
            )
        else:
            known = list(codebook.variables) + list(load_indicators().indicators)
            raise AnalysisError(
                f"{args.variable!r} is neither a codebook variable nor a published indicator"
                f"{did_you_mean(args.variable, known)}; see `python -m innobarometer codebook`"
            )
    except (AnalysisError, DataSetError, ValueError, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 2
    table.to_csv(sys.stdout, index=False)
    return 0


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
    present = [c for c in var.columns if c in edition.frame.columns and c in mapped]
    empty = edition.empty_columns.intersection(present)
    if empty and _nobody_qualified(edition, var.universe):
        empty = set()
    offered = set(var.columns) - set(not_offered_columns(edition, variable))
    return [c for c in var.columns if (c not in present or c in empty) and c in offered]


def not_measured(edition: Edition, indicator: str) -> bool:
    """Whether an indicator can only read yes in this edition: a condition whose codes, with the
    categories the edition's scale conversion cannot produce, are every category of its item
    ("played a role" on a scale with no middle would read 100%)."""
    codebook = load_codebook()
    for condition in load_indicators()[indicator].conditions:
        unmeasured = edition.facts.not_produced.get(condition.variable)
        categories = set(codebook[condition.variable].categories)
        if unmeasured and categories <= set(condition.codes) | set(unmeasured):
            return True
    return False


def not_offered_columns(edition: Edition, variable: str) -> list[str]:
    """The option columns of a multiple-response item that the national questionnaire did not
    offer (`not_offered:` in the mapping): the item counts as asked, over the options it had."""
    options = edition.facts.not_offered.get(variable, [])
    return [f"{variable}_{option}" for option in options]


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
    unasked = set(unasked_columns(edition, variable)) | set(not_offered_columns(edition, variable))
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
                f"{did_you_mean(name, list(codebook.variables) + list(defined.indicators))}"
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


def category_labels(variable: str, non_substantive: bool = False) -> dict[str, str]:
    """A variable's substantive codes (as strings) -> labels, for legends, tables and sentences
    (background groups such as gov_level, or the categories of a single-choice item; coarser
    national classes included); with `non_substantive`, its don't know and not relevant codes
    too ("8": "Don't know"), which a distribution's rows include (they share one base)."""
    var = load_codebook()[variable]
    labels = var.class_labels
    if non_substantive:
        labels |= {str(code): code_label(variable, str(code)) for code in var.non_substantive}
    return labels


def binary_values(edition: Edition, variable: str) -> np.ndarray:
    """A binary item as 1/0 floats, NaN for don't know, not asked and no answer."""
    var = load_codebook()[variable]
    if variable not in edition.frame:
        return np.full(len(edition.frame), np.nan)
    codes = edition.frame[variable].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isin(codes, var.non_substantive), np.nan, codes)


def estimate_option_count(
    edition: Edition,
    variable: str,
    *,
    top: int = 3,
    by=None,
    ci_method="logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The distribution of how many options of a multiple-response item a unit ticked
    (0, 1, ..., `top` or more) over the item's universe; units missing an option are outside.
    No rows unless every option was asked: a count over some options is another question."""

    var = load_codebook()[variable]
    if not is_asked(edition, variable) or _grouped_by_unasked(edition, by):
        return empty_table()
    count = option_count(edition, variable, top)
    mask, name = variable_scope(edition.frame, var.universe, None)
    table = estimate_distribution(
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
    return with_labels(table, by)


def option_count(edition: Edition, variable: str, top: int = 3) -> pd.Series:
    """How many options of a multiple-response item each unit ticked, capped at `top`, over the
    options the edition asked (one not offered nationally is in no unit's count); NaN for a unit
    missing an asked option. The one definition behind the count table and its pairs."""
    asked = asked_columns(edition, variable)
    options = edition.frame[asked].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(np.minimum(options.sum(axis=1), top), name=f"{variable}_count")


def count_labels(table: pd.DataFrame, noun: str, top: int = 3) -> pd.Series:
    """'None', 'One partner type', ..., 'Three or more partner types' for an option-count table,
    each a `language.Text` in every language of the build (`noun` and its plural `noun`+'s' are
    catalog keys)."""
    text = {str(k): _count_label(k, top, noun) for k in range(top + 1)}
    return table["category"].map(text).rename("label")


@language.in_every_language
def _count_label(k: int, top: int, noun: str) -> str:
    """One count of options as words in the current language."""
    count = _(COUNT_WORDS[k]) if k < len(COUNT_WORDS) else str(k)
    if k == 0:
        return count
    plural = noun + "s"
    nouns = _(plural)
    if k == top:
        return _("{count} or more {nouns}").format(count=count, nouns=nouns)
    return ngettext("{count} {noun}", "{count} {nouns}", k).format(
        count=count, noun=_(noun), nouns=nouns
    )


def estimate_battery_distribution(
    edition: Edition,
    battery: str = "factors",
    *,
    ci_method="logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The full answer distribution of every item of an ordinal battery the edition asked."""
    items = [v.name for v in load_codebook().battery(battery) if is_asked(edition, v.name)]
    tables = [
        estimate_variable(edition, item, ci_method=ci_method, threshold=threshold) for item in items
    ]
    return pd.concat(tables, ignore_index=True) if tables else empty_table()


def concat_tables(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables of one shape stacked; the first may be an empty template that fixes the columns."""
    filled = [t for t in tables if not t.empty]
    return pd.concat(filled, ignore_index=True) if filled else tables[0]


def estimate_variables(edition: Edition, variables: list[str], **options) -> pd.DataFrame:
    """Several codebook variables (those the edition asked) in one tidy table, in order given."""
    tables = [estimate_variable(edition, v, **options) for v in variables]
    return concat_tables([empty_table(), *tables])


def battery_items(battery: str) -> list[str]:
    """The variable names of a codebook battery, in codebook order."""
    return [v.name for v in load_codebook().battery(battery)]


EVALUATION_GROUPS = {
    "evaluated": N_("Evaluated"),
    "not_evaluated": N_("Not evaluated (ongoing, planned or none)"),
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
    edition: Edition,
    values,
    groups: pd.Series,
    variable: str,
    *,
    ci_method="logit",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """The share of a 1/0 outcome (NaN outside its base) over the variable's universe, overall and
    in each group (units without a group count in the overall row only). No rows when the edition
    did not ask the variable or no unit has a group (the grouping was not asked, or nobody
    qualified): the comparison is the point."""

    var = load_codebook()[variable]
    labels = pd.Series(groups).reset_index(drop=True).astype(object)
    if not is_asked(edition, variable) or labels.isna().all():
        return empty_table()
    mask, name = variable_scope(edition.frame, var.universe, None)
    table = estimate_shares(
        edition.design,
        pd.DataFrame({variable: np.asarray(values, dtype=float)}),
        domain=mask,
        domain_name=name,
        groups=labels.where(labels.notna(), None).to_numpy(),
        ci_method=ci_method,
        threshold=threshold,
    )
    return with_labels(table)


COLLABORATION_GROUPS = {
    "collaborated": N_("Made in collaboration"),
    "alone": N_("Made without partners"),
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
